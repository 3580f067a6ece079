# Examinatorsstöd. Quick start: `make run` (demo year) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WORKBENCH_DB ?= data/workbench.duckdb
export WORKBENCH_DB
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench install install-dev chromium tesseract postgresql lint clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian's Chromium for the browser tests; never a browser download of Playwright's own.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Tesseract's Swedish language data, read through tesserocr, for the text in contributions' pictures.
tesseract:
	@[ -f /usr/share/tesseract-ocr/5/tessdata/swe.traineddata ] || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq tesseract-ocr tesseract-ocr-swe >/dev/null; }

# Debian's PostgreSQL server programs: the suite starts a throwaway cluster of its own on a
# free port (and stops it), to run the store, core and load tests on PostgreSQL too. No
# server is started here, and `make run` does not need it (DuckDB is the default).
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && command -v pg_dump >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

run: install tesseract
	@if [ -f "$(WORKBENCH_DB)" ]; then $(PY) -m scoring demo --logins-only; else $(PY) -m scoring demo; fi
	@echo "Examinatorsstöd: http://127.0.0.1:8501"
	$(VENV)/bin/streamlit run serve.py --server.address 127.0.0.1 --server.port 8501

test: install-dev chromium tesseract postgresql
	$(PY) -m pytest -n 2

bench: install tesseract postgresql
	$(PY) -m scoring bench

lint: install-dev
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
