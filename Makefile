# make run  - a working demo on http://127.0.0.1:8000 with nothing else running (SQLite, cache in process and files)
# make test - the whole suite on the real PostgreSQL and Redis, then the embedded-defaults suite on SQLite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/catalog
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint test-postgres test-replica test-pgbouncer test-embedded screenshots venv dev-venv migrate demo check clean

# The run-time requirements only (make run); the test and lint tools on top (make test).
venv: $(STAMP)
dev-venv: $(DEV_STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(STAMP)

# collectstatic in production mode, so that the manifest a production server needs exists too
# (`manage.py check --deploy` reports it missing otherwise); development serves from the apps.
migrate: venv
	$(PY) manage.py migrate --noinput
	DJANGO_DEBUG=0 $(PY) manage.py collectstatic --noinput -v0

demo: migrate
	$(PY) manage.py load_demo

# Development mode for make run and its steps (production is the default when DJANGO_DEBUG is unset).
run: export DJANGO_DEBUG ?= 1
run: demo
	@echo ""
	@echo "  Catalog:   http://$(HOST):$(PORT)/"
	@echo "  Admin:     http://$(HOST):$(PORT)/admin/   (login: editor / editor)"
	@echo "  API:       http://$(HOST):$(PORT)/api/v1/courses/"
	@echo "  API docs:  http://$(HOST):$(PORT)/api/docs/"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: lint test-postgres test-replica test-pgbouncer test-embedded

# Style (ruff: lint and format) and the layers (import-linter, contracts in pyproject.toml).
lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v0

test-postgres: dev-venv
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CATALOG_CACHE_PREFIX=catalog-test \
		$(PY) -m pytest -m "not replica" $(PYTEST_ARGS)

# Learners' reads from a streaming read replica: a private primary and standby (tests/helpers/pg_pair.py).
test-replica: dev-venv
	REDIS_URL=$(TEST_REDIS_URL) CATALOG_CACHE_PREFIX=catalog-test-replica \
		$(PY) -m tests.helpers.pg_pair $(PY) -m pytest -m replica $(PYTEST_ARGS)

# A slice of the suite through a real PgBouncer in transaction pooling (tests/helpers/pgbouncer.py),
# with the settings docs/deploy.md gives for it (DATABASE_TRANSACTION_POOLING=1).
PGBOUNCER_SLICE ?= tests/config/test_postgresql.py tests/catalog/db tests/catalog/cache/test_invalidation.py \
	tests/catalog/services/importing tests/catalog/api/test_learner_reads.py
test-pgbouncer: dev-venv
	DATABASE_URL=$(TEST_DATABASE_URL)_pgbouncer REDIS_URL=$(TEST_REDIS_URL) CATALOG_CACHE_PREFIX=catalog-test-pgbouncer \
		$(PY) -m tests.helpers.pgbouncer $(PY) -m pytest --reuse-db -m "not replica" $(PGBOUNCER_SLICE) $(PYTEST_ARGS)

# The embedded defaults (SQLite; pages cached in process, tokens in shared files) that `make run` relies on.
test-embedded: dev-venv
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -m embedded $(PYTEST_ARGS)

# Refresh the README's screenshots (docs/screenshots) from the browser tests.
screenshots: dev-venv
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/browser $(PYTEST_ARGS)

check: venv
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var .pytest_cache
