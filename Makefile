# make run  - a working demo on http://127.0.0.1:8000 with nothing else running (SQLite, in-process cache)
# make test - the whole suite on the real PostgreSQL and Redis, then the embedded-defaults suite on SQLite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/catalog
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-postgres test-replica test-embedded screenshots venv migrate demo check bench-import bench-api bench-http clean

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

migrate: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo ""
	@echo "  Catalog:   http://$(HOST):$(PORT)/"
	@echo "  Admin:     http://$(HOST):$(PORT)/admin/   (login: editor / editor)"
	@echo "  API:       http://$(HOST):$(PORT)/api/v1/courses/"
	@echo "  API docs:  http://$(HOST):$(PORT)/api/docs/"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: test-postgres test-replica test-embedded

test-postgres: venv
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CATALOG_CACHE_PREFIX=catalog-test \
		$(PY) -m pytest -m "not replica" $(PYTEST_ARGS)

# Learners' reads from a streaming read replica: a private primary and standby (tests/pg_pair.py).
test-replica: venv
	REDIS_URL=$(TEST_REDIS_URL) CATALOG_CACHE_PREFIX=catalog-test-replica \
		$(PY) -m tests.pg_pair $(PY) -m pytest -m replica $(PYTEST_ARGS)

# The embedded defaults (SQLite, in-process cache) that `make run` relies on.
test-embedded: venv
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -m embedded $(PYTEST_ARGS)

# Refresh the README's screenshots (docs/screenshots) from the browser tests.
screenshots: venv
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/browser $(PYTEST_ARGS)

check: venv
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
