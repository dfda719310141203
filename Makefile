# Warta: `make run` sets everything up and starts Warta; `make test` checks the code (`make lint`) and runs
# the whole test suite.
# Both are idempotent: finished steps are skipped.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# torch first, pinned to the CPU build (a local wheel on the reference machines). Nothing may pull CUDA.
TORCH_SPEC ?= torch==2.13.0
INSTALLED := $(VENV)/.installed

.PHONY: run install setup lint test test-fast browser clean-venv

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -q -e ".[dev]"
	@if $(BIN)/python -m pip list 2>/dev/null | grep -qi '^nvidia-'; then \
		echo "error: CUDA packages were installed; install the CPU build of $(TORCH_SPEC) first" >&2; exit 1; fi
	@touch $@

install: $(INSTALLED)

setup: install
	$(BIN)/warta setup

run: setup
	$(BIN)/warta ingest --quiet examples/
	$(BIN)/warta serve

# Browser tests drive Debian's chromium; install it when we can (root + apt), else those tests skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			(apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium; browser tests will skip"; \
		else echo "note: chromium not installed (needs root + apt); browser tests will skip"; fi; }

# The rules the code keeps (pyproject.toml: [tool.ruff], [tool.mypy]); tests/unit/test_architecture.py checks
# the import direction.
lint:
	@test -x $(BIN)/ruff -a -x $(BIN)/mypy || $(MAKE) install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install browser lint
	$(BIN)/python -m pytest -q -rs

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser"

clean-venv:
	rm -rf $(VENV)
