# The two set-up commands of the README, and the checks a contributor runs.
#   make demo   installs graphkit and runs it on the bundled example (no database)
#   make test   installs what the tests need (Python packages, Chromium, Neo4j) and runs them
#   make check  lint, formatting, types (on the package as installed) and every docstring example
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test check install clean

$(BIN)/graphkit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	@touch $@

install: $(BIN)/graphkit

demo: install
	$(BIN)/graphkit validate examples/portfolio.yaml
	$(BIN)/graphkit analyze examples/portfolio.yaml --limit 5

test:
	scripts/test

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_doctests.py

clean:
	rm -rf $(VENV) build out
