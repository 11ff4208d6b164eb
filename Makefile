# The two commands of the README: `make demo` and `make test`. Each creates .venv when absent,
# installs torch==2.13.0 only when no torch is importable there, then the package with its extras.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PIP     := $(BIN)/python -m pip
STAMP   := $(VENV)/.installed

.PHONY: demo test bench lint docs clean venv install-cli install-dev

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(BIN)/python
	@$(BIN)/python -c "import torch" 2>/dev/null || $(PIP) install --quiet torch==2.13.0

install-cli: venv
	$(PIP) install --quiet -e ".[cli]"

install-dev: venv
	$(PIP) install --quiet -e ".[dev]"

demo: install-cli
	$(BIN)/losslab demo

test: install-dev
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

bench: install-dev
	@for f in benchmarks/bench_*.py; do echo "## $$f"; $(BIN)/python $$f || exit 1; done

lint: install-dev
	$(BIN)/ruff check src tests benchmarks

docs: install-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) site build *.egg-info src/*.egg-info .pytest_cache
