# perfgoals: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-e2e

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# Set everything up on SQLite (or DATABASE_URL) and serve at http://127.0.0.1:8000
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# The test suite, without the browser tests
test: install
	$(PY) -m pytest -m "not e2e" -q

# The browser tests (headless Chromium at /usr/bin/chromium)
test-e2e: install
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m e2e -q
