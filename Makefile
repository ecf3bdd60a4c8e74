# Quick start: `make run` starts the desk on its built-in defaults; `make test` runs every test.
# Both create .venv and install ventanilla with its pinned dependencies first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/ventanilla serve

test: $(STAMP)
	$(VENV)/bin/ruff check ventanilla tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/classify.py
	$(VENV)/bin/python benchmarks/smtp_intake.py
	$(VENV)/bin/python benchmarks/imap_latency.py
	$(VENV)/bin/python benchmarks/big_message.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
