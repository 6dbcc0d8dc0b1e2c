# shoal: `make demo` and `make test` set everything up on a fresh machine (a .venv in this folder).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint format clean bench docs docs-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Every extra (jax, train, plot, nir, data, test, dev) in one install; re-run when pyproject changes.
$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[all]"
	touch $@

demo: $(INSTALLED)
	$(BIN)/python examples/demo.py

test: $(INSTALLED)
	$(BIN)/python -m pytest -n 2 -q

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The documentation site (Sphinx + MyST-NB): its own extra, so `make test` installs stay lean.
DOCS_INSTALLED := $(VENV)/.installed-docs
$(DOCS_INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[all,docs]"
	touch $@

# -E: read every page afresh, so every notebook is executed on every build (as in CI);
# -W: warnings are errors.
docs: $(DOCS_INSTALLED)
	$(BIN)/python -m sphinx -E -W --keep-going -b html docs docs/_build/html
	@echo "open docs/_build/html/index.html"

# The built site in headless Chromium (.ci/install-browser installs it): console errors,
# figures, internal links; screenshots land in docs/_build/screenshots/.
docs-check: docs
	$(BIN)/python -m pytest docs/test_site.py -q -p no:cacheprovider -n 0

clean:
	rm -rf $(VENV) demo-output docs/_build .pytest_cache .mypy_cache .ruff_cache

-include benchmarks/bench.mk
