# enrich — the two set-up commands of the README, and the benchmarks.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT := out/demo
DEMO_INPUTS := fixtures/crm_export.csv fixtures/purchased_list_fr.csv fixtures/salon_leads_nl.xlsx
DEMO_REGISTRY := fixtures/registry

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/enrich registry build --kbo $(DEMO_REGISTRY)/KboOpenData_0140_2025_10_05_Full.zip \
		--sirene $(DEMO_REGISTRY)/StockUniteLegale_utf8.zip --sirene-establishments $(DEMO_REGISTRY)/StockEtablissement_utf8.csv \
		-o $(DEMO_OUT)/registry
	$(BIN)/enrich master $(DEMO_INPUTS) -o $(DEMO_OUT)/master --force --registry $(DEMO_OUT)/registry --size $(DEMO_REGISTRY)/comptes_annuels_be.csv
	@echo
	@echo "master companies : $(DEMO_OUT)/master/companies.csv"
	@echo "master contacts  : $(DEMO_OUT)/master/contacts.csv"
	@echo "lineage          : $(DEMO_OUT)/master/lineage.csv (one row per input row)"
	@echo "review / rejects : $(DEMO_OUT)/master/review.csv, $(DEMO_OUT)/master/rejects.csv (try: .venv/bin/enrich review $(DEMO_OUT)/master/review.csv)"
	@echo "report           : $(DEMO_OUT)/master/report.html"
	@echo "registry index   : $(DEMO_OUT)/registry (try: .venv/bin/enrich registry lookup 0403.170.701 --registry $(DEMO_OUT)/registry)"

lint: install
	$(BIN)/ruff check enrich tests benchmarks fixtures scripts
	$(BIN)/ruff format --check enrich tests benchmarks fixtures scripts

test: lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/registry.py
	$(BIN)/python benchmarks/read_quality.py
	$(BIN)/python benchmarks/register.py
	$(BIN)/python benchmarks/contactability.py
	$(BIN)/python benchmarks/profile.py
	$(BIN)/python benchmarks/consumers.py

clean:
	rm -rf out bench-data .pytest_cache .ruff_cache
