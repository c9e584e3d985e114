# newswire: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-distributed airflow lint sample-site venv clean-local models browser-deps fuzz

# Create .venv and install the pinned requirements (again only when they change).
$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

# The main job on the embedded default: PostgreSQL from the venv, Airflow's metadata
# DB, scheduler and API server, the bundled sample source on 127.0.0.1, the daily DAG
# over the sample days, then a DuckDB report. FROM/TO choose other days; V=1 shows
# Airflow's own output and each task's log file.
FROM ?= 2017-12-04
TO ?= 2017-12-09
run: $(STAMP)
	@$(STANZA_ENV) $(BIN)/python scripts/local_airflow.py demo $(FROM) $(TO) $(if $(V),-v)

# Stanza models: NEWSWIRE_STANZA_DIR if set; else ./stanza_models (`make models` downloads
# the official ones there, which needs the internet); else, in a development checkout,
# the offline models in ../shared/models/stanza.
SHARED_MODELS := $(abspath ../shared/models/stanza)
ifeq ($(NEWSWIRE_STANZA_DIR),)
ifeq ($(wildcard stanza_models/resources.json),)
ifneq ($(wildcard $(SHARED_MODELS)/tr/ner.pt),)
STANZA_ENV := NEWSWIRE_STANZA_DIR=$(SHARED_MODELS)
endif
endif
endif

models: $(STAMP)
	$(BIN)/python -m newswire models download

# The whole test suite.
test: $(STAMP)
	-@$(MAKE) --no-print-directory browser-deps
	$(STANZA_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The inner loop: unit and integration tests (kinds: tests/conftest.py), about a minute
# and a half on two cores. `make test` stays the whole suite (CI runs that).
test-fast: $(STAMP)
	$(STANZA_ENV) $(BIN)/python -m pytest -m "unit or integration" $(PYTEST_ARGS)

# Airflow on the CeleryExecutor with two workers, Debian's Redis and PostgreSQL on
# 127.0.0.1 (installed with apt-get when missing, as root): tests/test_distributed.py.
test-distributed: $(STAMP)
	$(STANZA_ENV) $(BIN)/python -m pytest -m distributed \
	  tests/test_distributed.py $(PYTEST_ARGS)

# airflow standalone on 127.0.0.1:$(PORT) with the project's DAGs and plugins.
PORT ?= 8080
airflow: $(STAMP)
	$(STANZA_ENV) $(BIN)/python scripts/local_airflow.py standalone --port $(PORT)

sample-site: $(STAMP)
	$(BIN)/python -m newswire sample-site

# Debian's chromium for the browser test (Playwright drives it; it downloads no browser).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version)"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "run as root, or: sudo apt-get install chromium chromium-driver"; exit 1; fi

# Every atheris target in fuzz/ for FUZZ_SECONDS each (corpora and crash inputs under
# $(FUZZ_DIR), outside the checkout); tests/test_fuzz.py runs them briefly in CI.
FUZZ_SECONDS ?= 300
FUZZ_DIR ?= /tmp/newswire-fuzz
fuzz: $(STAMP)
	@set -e; for target in fuzz/fuzz_*.py; do \
	  name=$$(basename $$target .py); mkdir -p $(FUZZ_DIR)/$$name; \
	  echo "== $$name ($(FUZZ_SECONDS)s)"; \
	  $(BIN)/python $$target $(FUZZ_DIR)/$$name -max_len=4096 -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_DIR)/$$name- -print_final_stats=1; \
	done

# The benchmark suite (bench/run_all.py): clean vs trafilatura, fetch+clean at 1k and
# 10k pages, NLP vs raw stanza, a day of 500 articles through the DAG; writes
# bench/results/summary.md. BENCH_ARGS=--quick for a smoke run, --warehouse and --celery add those.
.PHONY: bench
bench: $(STAMP)
	$(STANZA_ENV) $(BIN)/python bench/run_all.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean-local:
	-$(BIN)/python scripts/local_airflow.py stop-db
	rm -rf .airflow lake newswire.duckdb
