# Filmoteca: `make run` (set up, build on first use, serve) and `make test` are all you need.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
CATALOG := data/processed/catalog/manifest.json
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: setup build download full run test screenshots bench lint eda evaluate demo video synth clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed  ## .venv + the package, editable, with every extra (eda, bench, dev)

$(CATALOG): | $(VENV)/.installed
	$(BIN)/filmoteca build

build: $(VENV)/.installed  ## (re)build the catalog (uses data/raw/ if the Kaggle files are there)
	$(BIN)/filmoteca build

download: $(VENV)/.installed  ## the Kaggle files -> data/raw/ (kagglehub; checked; data/raw/ untouched on failure)
	$(BIN)/filmoteca download

full: download  ## the full catalog in one command: download, then build on the 45,466 films
	$(BIN)/filmoteca build

run: $(VENV)/.installed $(CATALOG)  ## serve the API on http://$(HOST):$(PORT)
	$(BIN)/filmoteca serve

test: $(VENV)/.installed  ## the whole test suite, slow and browser tests included
	$(BIN)/python -m pytest

screenshots: $(VENV)/.installed  ## the web page test, saving its screenshots to reports/screenshots/
	FILMOTECA_SCREENSHOTS_DIR=$(CURDIR)/reports/screenshots $(BIN)/python -m pytest tests/web

lint: $(VENV)/.installed  ## ruff, mypy, and the import rules of pyproject.toml (lint-imports)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(VENV)/.installed  ## benchmarks -> reports/benchmarks/*.md (load.py uses Debian's wrk if installed)
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/serve.py
	$(BIN)/python benchmarks/load.py --catalogs synthetic,sample --reference --workers 1,2

demo: $(VENV)/.installed  ## start the API, ask every question with real examples, stop it (< 2 min)
	$(BIN)/python scripts/demo.py

video: $(VENV)/.installed  ## demo video -> docs/demo.mp4 + docs/demo.vtt (chromium, ffmpeg; VOZ=1 adds a voice)
	$(BIN)/python scripts/video.py $(if $(VOZ),--voz)

synth: $(VENV)/.installed  ## SYNTHETIC raw files at full scale -> data/synthetic/45466-seed0
	$(BIN)/filmoteca synth --films 45466 --seed 0

evaluate: $(VENV)/.installed $(CATALOG)  ## recommender evaluation -> reports/recommender.md
	$(BIN)/filmoteca evaluate

eda: $(VENV)/.installed $(CATALOG)  ## EDA report -> reports/eda/index.html, and re-run notebooks/eda.ipynb
	$(BIN)/filmoteca eda
	$(BIN)/python -m filmoteca.analysis.eda.notebook

clean:
	rm -rf data/processed data/synthetic .pytest_cache .mypy_cache .ruff_cache
