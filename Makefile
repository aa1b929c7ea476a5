# Two commands for a new user: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.DEFAULT_GOAL := help
.PHONY: help run test install venv system-deps pwa-build migrate demo test-backend test-sqlite \
        test-postgres test-pwa test-e2e lint fmt bench crash-test

help:
	@echo "make run        install everything, migrate, load the demo city if empty, serve on :$(PORT)"
	@echo "make test       every suite: backend on SQLite and PostgreSQL, PWA unit tests, browser tests"
	@echo "make lint       ruff (check and format), mypy, the import layers (lint-imports), ESLint and Prettier"
	@echo "make fmt        format Python (ruff format) and the PWA (prettier)"
	@echo "make bench      run the benchmarks under bench/"
	@echo "make crash-test SIGKILL the server under concurrent writes, then check nothing acknowledged was lost"

run: install migrate demo
	@echo "Serving on http://127.0.0.1:$(PORT) with the scheduled jobs  (Ctrl+C to stop)"
	JOBS_SCHEDULER=1 $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --access-logfile - app:app

install: system-deps venv pwa-build

system-deps:
	@bash scripts/install-system-deps.sh fonts-wqy-microhei

$(BIN)/activate:
	$(PY) -m venv $(VENV)

venv: $(BIN)/activate
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund
	touch $@

pwa-build: pwa/node_modules/.package-lock.json
	cd pwa && npm run build

# the shipped checklists are reference data: installed here once (idempotent), never by a GET
migrate:
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app checklists install

demo:
	$(BIN)/flask --app app demo load --if-empty

test: system-deps venv pwa-build
	@bash scripts/install-system-deps.sh chromium postgresql poppler-utils redis-server
	$(MAKE) lint test-sqlite test-postgres test-pwa test-e2e

lint:
	$(BIN)/ruff check backend tests bench app.py gunicorn.conf.py
	$(BIN)/ruff format --check backend tests bench app.py gunicorn.conf.py
	$(BIN)/mypy
	$(BIN)/lint-imports
	cd pwa && npm run lint

fmt:
	$(BIN)/ruff format backend tests bench app.py gunicorn.conf.py
	$(BIN)/ruff check --fix backend tests bench app.py gunicorn.conf.py
	cd pwa && npm run format

test-sqlite:
	$(BIN)/python -m pytest -q

test-postgres:
	scripts/with-postgres.sh $(BIN)/python -m pytest -q -m "not sqlite_only"

test-pwa: pwa/node_modules/.package-lock.json
	cd pwa && npm test

test-e2e: pwa-build
	cd pwa && npm run test:e2e

bench:
	$(BIN)/python bench/run_all.py

crash-test:
	$(BIN)/python bench/crash_consistency.py 5
