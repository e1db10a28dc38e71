# Two commands on a fresh machine with only Python and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint typecheck unit bench bench-quick package clean

# The virtual environment is (re)built whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Opens the window on the demo account unless ARGS say otherwise. Uses the real display when there is one.
run: $(STAMP)
	QT_QPA_PLATFORM=$(if $(DISPLAY)$(WAYLAND_DISPLAY),,offscreen) $(BIN)/rc-sms-desktop $(if $(ARGS),$(ARGS),--demo)

lint: $(STAMP)
	$(BIN)/ruff check rc_sms_desktop tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.run --quick

package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[package]'
	$(BIN)/python packaging/build.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
