# The suite's entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

DB ?= customer_suite
TEST_DB ?= customer_suite_test
export DB TEST_DB

.PHONY: help setup run reset run-smoke test test-odoo test-pytest test-suites test-second-python lint format wheels bench pot readme clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-19s %s\n", $$1, $$2}'

setup: ## Set up Odoo 18.0 (when not importable), tools, Chromium, PostgreSQL, build/odoo.conf
	@tools/setup.sh

run: setup ## Set up, then serve every addon with demo data at http://127.0.0.1:8069 (admin / admin)
	@tools/run.sh

reset: setup ## Drop the `make run` database so the next run starts afresh
	@RESET=1 RUN_SERVER=0 tools/run.sh

run-smoke: setup ## Start `make run` on a scratch database, check /web/login answers, stop
	@tools/run_smoke.sh

test: setup ## Run every check: lint, Odoo's test runner, pytest-odoo and the repo-level tests
	@tools/test.sh

test-odoo: setup ## Only Odoo's own test runner (install with --test-enable, log check)
	@tools/test.sh odoo

test-pytest: setup ## Only pytest-odoo (addons' tests and tests/), against $(TEST_DB)
	@tools/test.sh pytest

test-suites: setup ## Only Odoo's own suites of the modules we extend, with our addons installed
	@tools/test.sh suites

test-second-python: ## Set up another supported Python (SECOND_PYTHON, 3.12 first) with Odoo from a local source (ODOO_SRC) and test there
	@tools/test_python.sh

lint: setup ## Only the linters (ruff, pylint-odoo, oca-odoo-pre-commit-hooks)
	@tools/test.sh lint

format: setup ## Fix what ruff can fix and format the Python code
	@.venv/bin/ruff check --fix . ; .venv/bin/ruff format .

wheels: setup ## Build a wheel per addon into dist/
	@tools/wheels.sh

bench: setup ## Run the benchmarks at full size (BENCH_SCALE=full), report in build/bench/
	@BENCH_SCALE=$${BENCH_SCALE:-full} tools/bench.sh

pot: setup ## Export each addon's .pot and merge it into its zh_CN / zh_TW .po files
	@tools/i18n.sh

readme: setup ## Write each addon's README.md and Apps page from its readme/ fragments
	@.venv/bin/python tools/gen_readme.py

clean: ## Remove build output (keeps .venv, databases and the private cluster)
	rm -rf build/logs dist
