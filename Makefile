# Two commands: `make up` runs the embedded stack, `make test` runs the whole suite.
# Both install what they need first (uv is bootstrapped with pip when missing).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
PYTHON ?= python3
UV := $(PYTHON) -m uv

.PHONY: up test test-unit test-ui test-py lint fmt asyncapi openapi sync uv bench ui chromium

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

sync: uv
	@$(UV) sync --locked --quiet --python $(PYTHON)

up: sync ui
	$(UV) run --no-sync s3c up

test: sync lint ui chromium test-ui test-py

test-py: sync
	$(UV) run --no-sync pytest

# The unit tier alone (no servers, well under 30 s): `-m integration`, `-m e2e`, `-m browser` pick the others.
test-unit: sync
	$(UV) run --no-sync pytest -m unit -q

# The web UI: npm ci when the lock changed, a build when anything under ui/ is newer than ui/dist.
UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) ui/index.html ui/package.json ui/vite.config.ts ui/tsconfig.json

ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund

ui/dist/index.html: ui/node_modules/.package-lock.json $(UI_SOURCES)
	cd ui && npm run build
	@touch $@

ui: ui/dist/index.html

test-ui: ui/node_modules/.package-lock.json
	cd ui && npm test

# Browser tests drive Debian's chromium (Playwright's own browser download cannot work offline).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: sync
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy -p s3c_events -p s3c_runtime -p s3c_cli -p s3c_registry -p s3c_executor -p s3c_billing -p s3c_scaler -p s3c_gateway

fmt: sync
	$(UV) run --no-sync ruff format .
	$(UV) run --no-sync ruff check --fix .

asyncapi: sync
	$(UV) run --no-sync s3c asyncapi --output docs/asyncapi.json

openapi: sync
	$(UV) run --no-sync python -c "import json; from s3c_gateway.app import create_app; print(json.dumps(create_app().openapi(), indent=2))" > docs/openapi.json

bench: sync
	$(UV) run --no-sync python bench/run.py
