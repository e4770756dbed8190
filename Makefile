# perfgoals: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install fonts run test test-e2e bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed fonts

# CJK fonts for the PDFs the server renders (publication packages, WeasyPrint): installed from the
# distribution when missing and this is a root shell with apt-get; otherwise say what to install.
fonts:
	@if ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing fonts-noto-cjk for PDF output"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	  else \
	    echo "warning: no CJK font found; install fonts-noto-cjk (PDF output needs it)" >&2; \
	  fi; \
	fi

# Set everything up on SQLite (or DATABASE_URL) and serve at http://127.0.0.1:8000, with one background
# worker beside the server (exports of many tables, rechecks, the reminders of approaching deadlines, handed
# to it once as it starts); Ctrl-C stops both.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo
	$(PY) manage.py notify_deadlines --enqueue
	$(PY) manage.py db_worker --no-reload --worker-id make-run & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The test suite, without the browser tests
test: install
	$(PY) -m pytest -m "not e2e" -q

# The browser tests (headless Chromium at /usr/bin/chromium)
test-e2e: install
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -m e2e -q

# Benchmarks (README 性能): scale data, page server times, the quality checks, Excel and export memory,
# each on SQLite and on PostgreSQL, then a load test of gunicorn on PostgreSQL. Sizes are configurable, e.g.
# make bench BENCH_TABLES=500 BENCH_RUNS=5 BENCH_SECONDS=15 BENCH_EXCEL_TABLES=100 BENCH_MEMORY_TABLES=500
# for a quick run.
BENCH_TABLES ?= 20000
BENCH_RUNS ?= 30
BENCH_USERS ?= 20
BENCH_SECONDS ?= 60
BENCH_EXCEL_TABLES ?= 1000
BENCH_MEMORY_TABLES ?= 5000
BENCH_SQLITE_URL ?= sqlite:///$(CURDIR)/bench/data/bench.sqlite3
BENCH_PG_URL ?= postgres://perfgoals@127.0.0.1:5432/perfgoals_bench

$(VENV)/.bench-installed: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $@

bench: $(VENV)/.bench-installed
	bash bench/postgres.sh $(BENCH_PG_URL)
	$(PY) bench/generate.py --tables $(BENCH_TABLES) --database-url $(BENCH_SQLITE_URL)
	$(PY) bench/bench_pages.py --runs $(BENCH_RUNS) --database-url $(BENCH_SQLITE_URL)
	$(PY) bench/generate.py --tables $(BENCH_TABLES) --database-url $(BENCH_PG_URL)
	$(PY) bench/bench_pages.py --runs $(BENCH_RUNS) --database-url $(BENCH_PG_URL)
	$(PY) bench/bench_checks.py
	$(PY) bench/bench_checks.py --database-url $(BENCH_PG_URL)
	$(PY) bench/bench_excel.py --tables $(BENCH_EXCEL_TABLES)
	$(PY) bench/bench_excel.py --tables $(BENCH_EXCEL_TABLES) --database-url $(BENCH_PG_URL)
	$(PY) bench/bench_export_memory.py --tables $(BENCH_MEMORY_TABLES)
	$(PY) bench/bench_export_memory.py --tables $(BENCH_MEMORY_TABLES) --database-url $(BENCH_PG_URL)
	$(PY) bench/bench_tasks.py --tables $(BENCH_MEMORY_TABLES)
	$(PY) bench/bench_tasks.py --tables $(BENCH_MEMORY_TABLES) --database-url $(BENCH_PG_URL)
	$(PY) bench/bench_load.py --database-url $(BENCH_PG_URL) --users $(BENCH_USERS) --seconds $(BENCH_SECONDS)
