# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
SAO := web/node_modules/tryton-sao
DEMO_DB ?= demo
DEMO_PORT ?= 8000
DEMO_PRODUCTS ?= 300
DEMO_SEED ?= 42
DEMO_ERP_PORT ?= 8765
# make serve-prod: the production stack on PostgreSQL (docs/DEPLOYMENT.md)
PROD_DB ?= demo_prod
PROD_URI ?= postgresql://postgres@127.0.0.1:5432/
PROD_PORT ?= 8000
PROD_WORKERS ?= 4
PROD_QUEUE_WORKERS ?= 1
VAR := var

.PHONY: all venv web browser demo demo-data demo-reset serve serve-prod test walk-demo bench clean

all: test

venv: $(STAMP)
	@$(PY) tools/link_addons.py

$(STAMP): requirements.txt connectors/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

web: $(SAO)/index.html
$(SAO)/index.html: web/package.json
	# npm follows that link (below) into node_modules itself and prunes the
	# whole tree when it reinstalls: take it away first
	[ ! -L $(SAO)/node_modules ] || rm $(SAO)/node_modules
	cd web && npm install --no-audit --no-fund --loglevel=error
	# npm hoists sao's dependencies one level up; its index.html expects them below it
	# (a later npm install replaces the link with a folder of its own: drop it)
	[ -L $(SAO)/node_modules ] || rm -rf $(SAO)/node_modules
	ln -sfn .. $(SAO)/node_modules
	touch $@

# Debian Chromium + driver for the browser tests (installed only when missing)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ $$(id -u) -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium chromium-driver fonts-noto-cjk >/dev/null || \
	  { $$SUDO apt-get update -q >/dev/null && \
	    $$SUDO apt-get install -y -q chromium chromium-driver fonts-noto-cjk >/dev/null; }; }

# The demo database is built once and then kept with the users' work in it;
# demo-reset builds it again (same seed, today as the last day)
DEMO_BUILD = $(PY) -m demo_factory --db $(DEMO_DB) --products $(DEMO_PRODUCTS) \
	--seed $(DEMO_SEED) --erp-port $(DEMO_ERP_PORT)

demo-data: venv
	mkdir -p $(VAR)
	$(DEMO_BUILD) --keep

demo: venv web demo-data serve

demo-reset: venv web
	mkdir -p $(VAR)
	$(DEMO_BUILD) --fresh
	$(MAKE) serve

serve: venv web
	$(PY) -m demo_factory.serve --db $(DEMO_DB) --port $(DEMO_PORT) --erp-port $(DEMO_ERP_PORT)

# gunicorn (PROD_WORKERS), trytond-cron and trytond-worker on PROD_DB; a
# missing PROD_DB is built as a demo factory first (an existing one is kept)
serve-prod: venv web
	$(PY) -m demo_factory --db $(PROD_DB) --uri $(PROD_URI) --products $(DEMO_PRODUCTS) \
		--seed $(DEMO_SEED) --erp-port $(DEMO_ERP_PORT) --keep
	$(PY) -m deploy.stack --db $(PROD_DB) --uri $(PROD_URI) --port $(PROD_PORT) \
		--workers $(PROD_WORKERS) --queue-workers $(PROD_QUEUE_WORKERS)

test: venv web browser
	$(PY) tools/run_tests.py

# The every-screen browser walk on the demo database (`make demo` builds it;
# kept as it is), on a server of its own, or on WALK_URL when one serves it
walk-demo: venv web browser demo-data
	cd tests/browser && WALK_DB=$(DEMO_DB) UPDATE_DOCS=$(UPDATE_DOCS) \
		TRYTOND_DATABASE_URI=sqlite:// \
		../../$(PY) -m unittest -v test_every_screen

bench: venv
	$(PY) tools/run_bench.py

clean:
	rm -rf $(VAR) .cache
