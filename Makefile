# enrich — the two set-up commands of the README, and the benchmarks.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT := out/demo
DEMO_INPUTS := fixtures/crm_export.csv fixtures/purchased_list_fr.csv fixtures/salon_leads_nl.xlsx

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/enrich master $(DEMO_INPUTS) -o $(DEMO_OUT)/master
	@echo
	@echo "master companies : $(DEMO_OUT)/master/companies.csv"
	@echo "master contacts  : $(DEMO_OUT)/master/contacts.csv"
	@echo "lineage          : $(DEMO_OUT)/master/lineage.csv (one row per input row)"
	@echo "review / rejects : $(DEMO_OUT)/master/review.csv, $(DEMO_OUT)/master/rejects.csv"
	@echo "report           : $(DEMO_OUT)/master/report.html"

lint: install
	$(BIN)/ruff check enrich tests benchmarks fixtures

test: lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf out bench-data .pytest_cache .ruff_cache
