# pipeway: the two entry points are `make demo` and `make test`. Both do every set-up step
# (system packages when root, virtualenv, Python packages, JVM jars) and are quick once done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: all setup system-packages native jvm test unit integration e2e demo lint bench clean

all: setup

setup: system-packages $(STAMP) native jvm

system-packages:
	@scripts/ensure-system-packages.sh

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

native: $(STAMP)
	@scripts/build-native.sh

jvm: $(STAMP)
	@$(BIN)/pipeway setup

test: setup
	$(BIN)/pytest tests/unit tests/integration tests/e2e $(PYTEST_ARGS)

unit: $(STAMP) native
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

integration: setup
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

e2e: setup
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

demo: setup
	$(BIN)/pipeway demo $(if $(DEMO_SECONDS),--seconds $(DEMO_SECONDS))

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: setup
	@scripts/ensure-system-packages.sh wrk
	$(BIN)/python -m bench.platform_startup --runs 5
	$(BIN)/python -m bench.produce --records 1000000
	$(BIN)/python -m bench.registry_load
	$(BIN)/python -m bench.avro_codec
	$(BIN)/python -m bench.cdc --rows 1000000 --rounds 3
	$(BIN)/python -m bench.jobs_decode --records 1000000 --rounds 5

clean:
	rm -rf $(VENV) .pipeway .pytest_cache .mypy_cache .ruff_cache native/*/target
