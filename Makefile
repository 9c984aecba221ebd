# The two set-up commands: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
# `make run PORT=5050 SANDBOX_PORT=5051` moves both; each is checked before anything starts.
PORT ?= 5000
SANDBOX_PORT ?= 5001
# `make serve WEB_CONCURRENCY=4 DELIVERY_WORKERS=2`: gunicorn processes and separate
# delivery worker processes (unset: from the environment or .env, else 2 and 1).

.PHONY: run serve test test-postgres lint chromium screenshots bench clean reset-db

## run: create the venv, install, migrate, seed demo data, serve the shop at
## http://$(HOST):$(PORT) (and, without LoyaltyLion credentials, the sandbox at
## http://$(HOST):$(SANDBOX_PORT))
run: $(VENV)/.installed
	$(BIN)/flask --app storefront db upgrade heads
	$(BIN)/flask --app storefront seed
	$(BIN)/flask --app storefront --debug dev --host $(HOST) --port $(PORT) --sandbox-port $(SANDBOX_PORT)

## serve: the production shape on DATABASE_URL: migrate, then gunicorn (WEB_CONCURRENCY
## processes) and DELIVERY_WORKERS delivery workers (and the sandbox, without credentials)
serve: $(VENV)/.installed
	$(BIN)/flask --app storefront db upgrade heads
	$(BIN)/flask --app storefront serve --host $(HOST) --port $(PORT) --sandbox-port $(SANDBOX_PORT) \
		$(if $(WEB_CONCURRENCY),--web-workers $(WEB_CONCURRENCY)) \
		$(if $(DELIVERY_WORKERS),--delivery-workers $(DELIVERY_WORKERS))

## test: install test tools and Chromium if missing, lint, run every test
test: $(VENV)/.installed-dev chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## test-postgres: the shop's tests against PostgreSQL (installs and starts it when root)
test-postgres: $(VENV)/.installed-dev
	scripts/test-postgres.sh -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

chromium:
	@scripts/ensure-chromium.sh

## screenshots: save the key screens into docs/screenshots/ (shop and sandbox on free ports)
screenshots: $(VENV)/.installed-dev chromium
	$(BIN)/python scripts/screenshots.py

## bench: voucher generation, LoyaltyLion delivery, hardening and load figures (by hand)
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/vouchers.py
	$(BIN)/python bench/delivery.py
	$(BIN)/python bench/robustness.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/retention.py
	$(BIN)/python bench/headless.py

## reset-db: delete the demo databases, shop and sandbox (the next `make run` seeds fresh ones)
reset-db:
	rm -f instance/storefront.sqlite3 instance/storefront.sqlite3-wal instance/storefront.sqlite3-shm
	rm -f instance/sandbox.sqlite3 instance/sandbox.sqlite3-wal instance/sandbox.sqlite3-shm

clean: reset-db
	rm -rf $(VENV) .pytest_cache .ruff_cache

$(BIN)/python:
	@scripts/ensure-venv.sh "$(PYTHON)" "$(VENV)"

REQUIREMENTS := requirements.txt storefront/loyaltylion/requirements.txt loyaltylion_sandbox/requirements.txt

$(VENV)/.installed: $(REQUIREMENTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(REQUIREMENTS) requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(VENV)/.installed
