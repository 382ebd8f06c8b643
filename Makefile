# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-postgres lint bench install translations lock clean

# Re-installs only when the lock or the project metadata changed.
$(STAMP): pyproject.toml requirements-dev.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $@

install: $(STAMP)

# Message catalogues are compiled from the committed .po files, never committed themselves.
translations: $(STAMP)
	@for dir in survey/translations survey/*/translations; do \
	  if [ -d "$$dir" ]; then $(BIN)/pybabel compile -d "$$dir" > /dev/null || exit 1; fi; \
	done

run: install translations
	$(BIN)/hailong init
	$(BIN)/hailong demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)"
	$(BIN)/hailong run --host $(HOST) --port $(PORT)

test: install translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

bench: install translations
	$(BIN)/python -m bench

# Refresh the locks after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/pip-compile -q --strip-extras -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
