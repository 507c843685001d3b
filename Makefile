# The two commands of the README: `make lab` and `make test`. Both create .venv if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_LAB := $(VENV)/.installed-lab
STAMP_TEST := $(VENV)/.installed-test
PORT ?= 8888
PRESENT_PORT ?= 8866
# the folder `make lab` and `make present` serve, and any further server arguments (the tests pass their own
# folder, a free port and --no-browser: they start the servers through these very recipes)
NOTEBOOKS ?= notebooks
LAB_ARGS ?=
PRESENT_ARGS ?=
# `make notebooks NAMES="01_square"` re-executes only those; `make bench BENCH_ARGS=core` runs one suite
NAMES ?=
BENCH_ARGS ?=
# the in-browser site: its own build environment (pinned JupyterLite), apart from .venv
SITE_VENV := .venv-site
SITE_STAMP := $(SITE_VENV)/.installed
SITE_HOST ?= 0.0.0.0
SITE_PORT ?= 8000
# Jupyter refuses to start as root (a container, a fresh VM) unless told that it is on purpose
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test lint bench notebooks present screenshots site serve-site clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_LAB): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[lab]'
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[lab,test,bench]'
	touch $@ $(STAMP_LAB)

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

# JupyterLab's settings for this environment (no news fetched from the internet), see jupyter/README.md
$(LAB_SETTINGS): jupyter/overrides.json | $(STAMP_LAB)
	mkdir -p $(dir $@)
	cp jupyter/overrides.json $@

# the pre-save hook in jupyter/jupyter_server_config.json keeps saved widgets whole (jupyter/README.md);
# it is jupyter/notebook_files.py, found through PYTHONPATH
lab: $(STAMP_LAB) $(LAB_SETTINGS)
	PYTHONPATH="$(CURDIR)/jupyter$(if $(PYTHONPATH),:$(PYTHONPATH))" $(BIN)/jupyter lab \
		--notebook-dir="$(abspath $(NOTEBOOKS))" --ServerApp.ip=127.0.0.1 --port=$(PORT) $(AS_ROOT) \
		--config="$(CURDIR)/jupyter/jupyter_server_config.json" $(LAB_ARGS)

lint: $(STAMP_TEST)
	$(BIN)/ruff check minigrad tests benchmarks tools

# the unit tests, and every notebook re-run by nbval (its cells tagged nbval-check-output compared)
test: lint
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --durations=25 tests notebooks

# re-execute every notebook from a clean state and save it with its outputs and widget state
notebooks: $(STAMP_TEST)
	$(BIN)/python tools/execute_notebooks.py --folder "$(abspath $(NOTEBOOKS))" $(NAMES)
	$(BIN)/python tools/hinglish_notebooks.py --folder "$(abspath $(NOTEBOOKS))" $(NAMES)

# classroom mode: the notebooks as clean pages (code hidden, widgets live) on this machine; the template
# jupyter/voila/templates/minigrad is Voila's lab template without its CDN stylesheet. Voila (jupyter_server 2.21)
# wants absolute paths: a relative folder answers every page with HTTP 500
present: $(STAMP_LAB)
	MINIGRAD_PRESENT=1 JUPYTER_PATH="$(CURDIR)/jupyter" $(BIN)/voila "$(abspath $(NOTEBOOKS))" --no-browser \
		--Voila.ip=127.0.0.1 --port=$(PRESENT_PORT) --template=minigrad $(PRESENT_ARGS)

# the README's pictures: each notebook's main widget, and Present mode's class poll at a backward step (1280 x 720),
# photographed by the browser tests
screenshots: $(STAMP_TEST)
	MINIGRAD_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser/test_lab.py tests/browser/test_guess_mode.py \
		-k "run_all or class_poll"

# the whole course as a static JupyterLite site (Pyodide kernel) in build/site/: no install for students
$(SITE_STAMP): site/requirements.txt
	$(PYTHON) -m venv $(SITE_VENV)
	$(SITE_VENV)/bin/pip install --quiet --upgrade pip
	$(SITE_VENV)/bin/pip install --quiet -r site/requirements.txt
	touch $@

site: $(SITE_STAMP)
	$(SITE_VENV)/bin/python tools/build_site.py

# serve build/site/ to a classroom (every interface by default: SITE_HOST=127.0.0.1 for this machine only)
serve-site:
	@test -f build/site/index.html || $(MAKE) site
	$(PYTHON) tools/serve_site.py --host $(SITE_HOST) --port $(SITE_PORT) build/site

bench: $(STAMP_TEST)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(SITE_VENV) build *.egg-info
