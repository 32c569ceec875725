# Two commands: `make up` runs the embedded stack, `make test` runs the whole suite.
# Both install what they need first (uv is bootstrapped with pip when missing).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
PYTHON ?= python3
UV := $(PYTHON) -m uv

.PHONY: up test lint fmt asyncapi openapi sync uv bench

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

sync: uv
	@$(UV) sync --locked --quiet --python $(PYTHON)

up: sync
	$(UV) run --no-sync s3c up

test: sync lint
	$(UV) run --no-sync pytest

lint: sync
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync mypy -p s3c_events -p s3c_runtime -p s3c_registry.domain -p s3c_executor.domain -p s3c_billing.domain -p s3c_scaler.domain

fmt: sync
	$(UV) run --no-sync ruff format .
	$(UV) run --no-sync ruff check --fix .

asyncapi: sync
	$(UV) run --no-sync s3c asyncapi --output docs/asyncapi.json

openapi: sync
	$(UV) run --no-sync python -c "import json; from s3c_gateway.app import create_app; print(json.dumps(create_app().openapi(), indent=2))" > docs/openapi.json

bench: sync
	$(UV) run --no-sync python bench/run.py
