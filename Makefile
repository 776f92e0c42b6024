# The course's commands (see README.md). Each one creates .venv and installs what it needs.
#   make lab       set up, prepare Fashion-MNIST, open JupyterLab on notebooks/
#   make test      set up, then ruff, the unit tests, and end to end: every notebook of both
#                  editions in the smoke profile, the knob tests, the benchmark commands, the
#                  browser test and the JupyterHub test
#   make unit      the unit tests only (under a minute)
#   make student   write the student edition, student/, from notebooks/
#   make check     is this machine ready? versions, device, data, Jupyter kernel
#   make results   run every notebook in PROFILE (default quick): figures, claims, pictures, executed
#                  notebooks, the README's tables; fails if a claim did not hold
#   make pretrained  copy the quick run's trained models (make results) into pretrained/, which ships
#   make site      the course as a website in site/ (open site/index.html), built and read offline
#   make gpu-check on a CUDA machine: the speed benchmark, the notebooks in full, the CUDA tests

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
# extra flags for JupyterLab, e.g. LAB_ARGS=--no-browser; as root (containers) it needs --allow-root
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)
# a cell still running after 600 s fails, named by its notebook and cell, instead of hanging
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=600

.PHONY: help install install-test data lab test lint unit notebooks student check results \
        pretrained site gpu-check clean

help:
	@sed -n '1,14p' Makefile | sed 's/^# \{0,1\}//'

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
	$(BIN)/python -m gan_helpers.course.prepare fashion-mnist

lab: data
	$(BIN)/jupyter lab --port=$(PORT) $(LAB_ARGS) notebooks/

lint: install-test
	$(BIN)/ruff check gan_helpers bench tests notebooks

# ruff, then one pytest run: the unit and end-to-end tests, and every notebook of both editions
# top to bottom in the smoke profile (nbval)
test: lint data
	GAN_PROFILE=smoke $(BIN)/python -m pytest tests notebooks student $(NBVAL)

unit: install-test
	$(BIN)/python -m pytest tests -m "not e2e"

notebooks: install-test data
	GAN_PROFILE=smoke $(BIN)/python -m pytest notebooks student $(NBVAL)

student: install
	$(BIN)/python -m gan_helpers.course.editions student

check: $(VENV)/.course
	$(BIN)/python -m gan_helpers.course.check

PROFILE ?= quick
results: install-test data
	$(BIN)/python bench/results.py --profile $(PROFILE) --out docs/results/$(PROFILE)/results.json \
	    $(if $(filter-out smoke,$(PROFILE)),--pictures docs/results/$(PROFILE)) \
	    $(if $(filter quick,$(PROFILE)),--executed docs/notebooks)
	$(BIN)/python bench/readme_tables.py --write

$(VENV)/.site: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[site]"
	touch $(VENV)/.course $@

# the executed notebooks of docs/notebooks/ (as make results left them, not run again), README.md and
# docs/ as one static site; nothing is fetched from the network, to build it or to read it
site: $(VENV)/.site
	$(BIN)/python docs/site/build.py --quiet site

# deliberate: pretrained/ is tracked, and only this command writes it
pretrained: install
	$(BIN)/python -m gan_helpers.course.pretrained

GPU_CHECK_ARGS ?= --cap
gpu-check: install-test data
	$(BIN)/python bench/gpu_check.py $(GPU_CHECK_ARGS)

clean:
	rm -rf $(VENV) files .pytest_cache site .site-cache
