# vnopinion: the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint system-deps clean-venv

demo: system-deps $(VENV)/.installed  ## set up, then run the demo end to end
	$(BIN)/vnopinion demo

test: system-deps $(VENV)/.installed-transformer lint  ## lint, type-check and run the whole test suite
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

system-deps:
	scripts/system-deps.sh $(SYSTEM_DEPS_FLAGS)

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "vnopinion needs Python 3.11 (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The tests need the transformer and scaleout extras; the demo does not, so it stays a light
# install.
# PyPI's torch is the CUDA build, and `import torch` fails without its nvidia-* libraries
# (libtorch_cuda.so links them) even on a CPU; no CPU-only index is reachable here. Measured on
# 2 busy cores: ~3.0 GB downloaded (torch 0.54, nvidia-* 2.16, triton 0.29), ~5.6 GB in the
# venv, about 4 minutes. See README, "Transformer backend".
$(VENV)/.installed-transformer: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,transformer,scaleout]'
	touch $@

clean-venv:
	rm -rf $(VENV)
