# Two entry points for a fresh machine (see README): `make run` and `make test`.
# Each creates .venv on first use and reinstalls only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is only for tests/benchmarks (reference Marian models, converter equivalence, the
# Transformers baseline); the app itself never imports it.
TORCH := torch==2.13.0

.PHONY: run test lint fmt benchmark clean install-test bundle bundle-test dist-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/nordbrief gui $(FILE)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# The wheel installed with Python's bundled pip, the current pip and pipx, each run end to end.
install-test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m dist tests/distribution/test_install.py --durations=0 $(PYTEST_ARGS)

# The standalone app folder dist/nordbrief/ and its .tar.gz, built in a clean venv (build/bundle-venv)
# holding only the app and PyInstaller (packaging/build_bundle.py; the same script on Windows/macOS).
bundle:
	$(PYTHON) packaging/build_bundle.py

# The bundle run read-only under Xvfb by a fresh user: import a model, translate, export, quit.
bundle-test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m dist tests/distribution/test_bundle.py --durations=0 -s $(PYTEST_ARGS)

# Everything CI runs after `make test`.
dist-test: install-test bundle bundle-test

fmt: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

benchmark: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info
