# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run run-prod test test-postgres test-reliability lint bench install translations lock clean vendor

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

# The production setup, locally: gunicorn (--preload, 2 x cores + 1 workers) on PostgreSQL,
# rate limits in Redis. DATABASE_URL and SECRET_KEY may be given; otherwise a local database
# "hailong" is created and a random key is kept in instance/secret.key.
PROD_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/hailong
run-prod: install translations
	@mkdir -p instance && test -s instance/secret.key || \
	  $(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > instance/secret.key
	@chmod 600 instance/secret.key
	@psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'hailong'" | grep -q 1 || \
	  psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE hailong"
	HAILONG_ENV=production DATABASE_URL="$${DATABASE_URL:-$(PROD_DATABASE_URL)}" \
	  SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret.key)}" $(BIN)/hailong init
	HAILONG_ENV=production DATABASE_URL="$${DATABASE_URL:-$(PROD_DATABASE_URL)}" \
	  SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret.key)}" \
	  RATELIMIT_STORAGE_URI="$${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/0}" \
	  LOG_REQUESTS="$${LOG_REQUESTS:-1}" \
	  $(BIN)/gunicorn --preload --workers $$(( $$(nproc) * 2 + 1 )) --bind $(HOST):$(PORT) wsgi:app

# The suite on two workers, one test file per worker at a time (--dist loadfile keeps a file's
# module fixtures in one process); then, alone, the reliability scenarios, which stop PostgreSQL
# and remount disks under whatever else runs. Both parts run; either failing fails the target.
PYTEST_WORKERS ?= 2
test: install translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not reliability"; status=$$?; \
	  $(BIN)/python -m pytest -m reliability tests/reliability || status=1; exit $$status

# The load and fault scenarios of tests/reliability at full size (`make test` runs them small),
# then their results table into docs/RELIABILITY.md, whether they held or not. The PostgreSQL
# ones need TEST_DATABASE_URL; mounting a small disk and stopping PostgreSQL need root.
RELIABILITY_SECONDS ?= 30
RELIABILITY_KIOSK_ANSWERS ?= 1000
test-reliability: install translations
	RELIABILITY_SECONDS=$(RELIABILITY_SECONDS) RELIABILITY_KIOSK_ANSWERS=$(RELIABILITY_KIOSK_ANSWERS) \
	  RELIABILITY_RESULTS=tests/reliability/results \
	  $(BIN)/python -m pytest tests/reliability --durations=0; status=$$?; \
	  $(BIN)/python -m tests.reliability.report && exit $$status

lint: install
	$(BIN)/ruff check .

bench: install translations
	$(BIN)/python -m bench
	$(BIN)/python -m bench.bench_investigation
	$(BIN)/python -m bench.comments
	$(BIN)/python -m bench.analysis
	$(BIN)/python -m bench.browser

# The dashboards' chart code: Plotly's "basic" partial bundle (scatter, bar and pie traces: all
# that survey/dashboard/charts.py draws), exactly the version package-lock.json pins, which must
# be the plotly.js of the plotly Python package (tests/dashboard/test_chart_code.py checks). The
# built file is committed under survey/static/vendor, so `make run` needs no npm; this target
# rebuilds it after a plotly upgrade.
vendor:
	npm ci --ignore-scripts --no-audit --no-fund
	cp node_modules/plotly.js-basic-dist-min/plotly-basic.min.js survey/static/vendor/
	cp node_modules/plotly.js-basic-dist-min/LICENSE survey/static/vendor/plotly-basic.LICENSE.txt

# Refresh the locks after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/pip-compile -q --strip-extras -o requirements.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --extra sav -o requirements-sav.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
