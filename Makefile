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
	$(BIN)/enrich clean $(DEMO_INPUTS) -o $(DEMO_OUT)/contacts.csv
	$(BIN)/enrich dedupe $(DEMO_INPUTS) -o $(DEMO_OUT)/dedupe -q
	@echo
	@echo "clean table : $(DEMO_OUT)/contacts.csv"
	@echo "rejects     : $(DEMO_OUT)/contacts.rejects.csv"
	@echo "run summary : $(DEMO_OUT)/contacts.run.json"
	@echo "duplicates  : $(DEMO_OUT)/dedupe/records.csv (company_id, contact_id, person_id), review.csv, model.json"

lint: install
	$(BIN)/ruff check enrich tests benchmarks fixtures

test: lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf out bench-data .pytest_cache .ruff_cache
