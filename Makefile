# newswire: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test airflow lint sample-site venv clean-local

# Create .venv and install the pinned requirements (again only when they change).
$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

# The main job on the embedded default: PostgreSQL from the venv, Airflow's metadata
# DB, the bundled sample source on 127.0.0.1, the daily DAG over the sample days,
# then a DuckDB report. FROM/TO choose other days.
FROM ?= 2017-12-04
TO ?= 2017-12-09
run: $(STAMP)
	$(BIN)/python scripts/local_airflow.py demo $(FROM) $(TO)

# The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# airflow standalone on 127.0.0.1:$(PORT) with the project's DAGs and plugins.
PORT ?= 8080
airflow: $(STAMP)
	$(BIN)/python scripts/local_airflow.py standalone --port $(PORT)

sample-site: $(STAMP)
	$(BIN)/python -m newswire sample-site

lint: $(STAMP)
	$(BIN)/ruff check .

clean-local:
	-$(BIN)/python scripts/local_airflow.py stop-db
	rm -rf .airflow lake newswire.duckdb
