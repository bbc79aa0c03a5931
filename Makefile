# The two commands of the README. Each sets up what it needs first (Debian libraries when
# root, a virtual environment, the Python packages), then does its job.
STUDY ?= $(HOME)/companion-study
PYTEST_ARGS ?=

.PHONY: run test lint bench setup

run:
	bash scripts/setup.sh run
	.venv/bin/companion --study "$(STUDY)" init
	.venv/bin/companion --study "$(STUDY)"

test:
	bash scripts/setup.sh test
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/mypy
	.venv/bin/python -m pytest -n 3 --durations=15 $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check src tests benchmarks
