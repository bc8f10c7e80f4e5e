# Opspor: two commands on a fresh machine. `make run` (demo) and `make test` (everything).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app:create_app

.PHONY: setup system-deps run test lint bench clean translations

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	npm ci --no-audit --no-fund
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	$(BIN)/pybabel compile -d app/translations

# Debian's Chromium for the browser tests (root on CI and developer machines).
system-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)

run: setup
	$(BIN)/flask db upgrade
	OPSPOR_DEMO=1 $(BIN)/flask demo seed
	OPSPOR_DEMO=1 $(BIN)/flask run --host 127.0.0.1 --port 5000

# SQLite: everything, browser tests included. PostgreSQL: every non-browser test again
# (skipped with a message when no server is reachable at TEST_DATABASE_URL).
test: setup system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15
	$(BIN)/python -m pytest -n 2 --dist loadfile --db=postgresql -m "not browser"

lint:
	$(BIN)/ruff check .

translations:
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations

clean:
	rm -rf $(VENV) node_modules static/vendor instance

# The benchmark (README "Performance"): synthetic data, gunicorn, locust at 1 and 20 users, bytes,
# SQL queries, Lighthouse, outbox replay; SQLite, then PostgreSQL at 127.0.0.1:5432 if reachable.
# Bounded: about 10-15 minutes at 40,000 children. Smaller: make bench BENCH_CHILDREN=2000
BENCH_CHILDREN ?= 40000
bench: setup system-deps
	$(BIN)/pip install -q -e '.[bench]'
	BENCH_CHILDREN=$(BENCH_CHILDREN) timeout 1800 $(BIN)/python -m bench.run
