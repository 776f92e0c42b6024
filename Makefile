# The course's commands (see README.md). Each one creates .venv and installs what it needs.
#   make lab    set up, prepare Fashion-MNIST, open JupyterLab on notebooks/
#   make test   set up, prepare Fashion-MNIST, run the unit tests, the browser test and every notebook (smoke profile)
#   make check  is this machine ready? versions, device, data, Jupyter kernel: what is OK and what to fix
#   make results  run every notebook in PROFILE (default quick) and collect its figures and pictures in docs/results/PROFILE/

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
# extra flags for JupyterLab, e.g. LAB_ARGS=--no-browser; as root (containers) it needs --allow-root
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: help install install-test data lab test unit notebooks check results clean

help:
	@sed -n '1,6p' Makefile | sed 's/^# \{0,1\}//'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# the stamps make a second run skip pip; editing pyproject.toml reinstalls
$(VENV)/.course: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[test]"
	touch $(VENV)/.course $@

install: $(VENV)/.course
install-test: $(VENV)/.test

data: $(VENV)/.course
	$(BIN)/python -m gan_helpers.data fashion-mnist

lab: data
	$(BIN)/jupyter lab --port=$(PORT) $(LAB_ARGS) notebooks/

# unit tests, then every notebook top to bottom in the smoke profile (nbval); one pytest run
test: install-test data
	GAN_PROFILE=smoke $(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env

unit: install-test
	$(BIN)/python -m pytest tests

notebooks: install-test data
	GAN_PROFILE=smoke $(BIN)/python -m pytest notebooks --nbval-lax --nbval-current-env

check: $(VENV)/.course
	$(BIN)/python -m gan_helpers.check

PROFILE ?= quick
results: install-test data
	$(BIN)/python bench/results.py --profile $(PROFILE) --pictures docs/results/$(PROFILE) --out docs/results/$(PROFILE)/results.json

clean:
	rm -rf $(VENV) files .pytest_cache
