# The two commands a new machine needs: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench schema clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Creates and migrates data/liveops.db (demo data on first run), then serves the app.
run: $(STAMP)
	$(BIN)/python -m lib.cli init-db --demo-if-empty
	$(BIN)/python -m streamlit run app.py --server.port=8501

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# mypy as configured in pyproject.toml [tool.mypy] (strict for lib.core and the newer domains); cache in .mypy_cache.
typecheck: $(STAMP)
	$(BIN)/mypy

# Unit, AppTest page tests and browser tests. LIVEOPS_TEST_DATABASES=sqlite,postgresql,mariadb adds servers.
# Three workers on two cores: browser tests spend some of their time waiting for the page (four workers with
# work stealing took 905 s, no faster than three: the suite is CPU-bound). The slowest 25 are listed.
test: $(STAMP) lint
	@bash .ci/ensure-chromium
	@bash .ci/ensure-nginx
	@bash .ci/ensure-pdf-tools
	$(BIN)/python -m pytest -n 3 --dist loadgroup -q --durations=25

bench: $(STAMP)
	$(BIN)/python -m tests.bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# Until the first release the schema lives in one initial migration, regenerated from lib/models.py.
schema: $(STAMP)
	rm -f alembic/versions/0001_initial_schema.py /tmp/liveops-schema.db
	DATABASE_URL=sqlite:////tmp/liveops-schema.db $(BIN)/alembic revision --autogenerate --rev-id 0001 -m "initial schema"
	rm -f /tmp/liveops-schema.db
	$(BIN)/ruff check --fix alembic/versions
	$(BIN)/ruff format alembic/versions
