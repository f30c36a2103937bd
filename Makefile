# The two set-up commands of the README.
#   make demo  installs graphkit and runs it on the bundled example (no database)
#   make test  installs what the tests need (Python packages, Chromium, Neo4j) and runs them
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install clean

$(BIN)/graphkit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/graphkit

demo: install
	$(BIN)/graphkit validate examples/portfolio.yaml
	$(BIN)/graphkit analyze examples/portfolio.yaml --limit 5

test:
	scripts/test

clean:
	rm -rf $(VENV) out
