# One command per job. Each target creates the virtual environment it needs on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test check bench fmt clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime

## demo: start the bundled sample news site on 127.0.0.1 and run a real batch into ./demo-output
demo: $(VENV)/.runtime
	$(BIN)/newsclean demo --output demo-output

## test: the whole offline test suite
test: $(VENV)/.dev
	$(BIN)/python -m pytest

## check: lint, format and type checks
check: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## bench: extraction quality and speed on ../shared/data/wcxb-dev (needs ../shared)
bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks.wcxb

fmt: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
