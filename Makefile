# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# Stamps keyed on the requirements' content: installs run again only when the files change.
REQ_HASH := $(shell cat requirements.txt | sha256sum | cut -c1-16)
DEV_HASH := $(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
REQ_STAMP := $(VENV)/.installed-runtime-$(REQ_HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(DEV_HASH)

.PHONY: run test lint bench install install-dev

run: $(REQ_STAMP)
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) watchlist validate
	$(FLASK) rules validate
	$(FLASK) demo bootstrap
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(DEV_STAMP)
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "Chromium found: browser tests included"; \
	else \
		echo "Chromium not found: browser tests will be SKIPPED (apt-get install chromium)"; \
	fi
	$(BIN)/pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(REQ_STAMP)
	$(BIN)/python bench/api_throughput.py

install: $(REQ_STAMP)
install-dev: $(DEV_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(REQ_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	rm -f $(VENV)/.installed-runtime-*
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-* $(VENV)/.installed-runtime-*
	touch $@ $(REQ_STAMP)
