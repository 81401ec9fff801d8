# The two commands: `make run` (install, migrate, demo data, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
WORKERS ?= 2
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint lock soak oracle test-pg serve install clean bench-hot bench-hot-smoke \
	bench-instructions

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
	  echo "python3-venv is missing; installing it with apt-get"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installs come from the lock files: every package, transitive ones too, pinned with hashes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.test-installed: requirements.lock requirements-test.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements-test.lock
	@touch $(VENV)/.installed $@

## make lock: after editing requirements.txt or requirements-test.txt (the inputs), pin every
## transitive dependency with the hashes of all its files on PyPI (pip-tools' pip-compile).
LOCK_FLAGS := -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	--no-emit-find-links --index-url https://pypi.org/simple
# pip-tools lives in a venv of its own; the machine's pip settings (local mirrors) are ignored.
PIP_COMPILE := env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null .tools/bin/pip-compile $(LOCK_FLAGS)
lock:
	test -x .tools/bin/pip-compile || { $(PYTHON) -m venv .tools && .tools/bin/pip install -q pip-tools; }
	$(PIP_COMPILE) -o requirements.lock requirements.txt
	$(PIP_COMPILE) -o requirements-test.lock requirements-test.txt

install: $(VENV)/.installed

## make run: install, migrate, load the demo bureau into an empty database, serve on PORT,
## with the scheduler (one process of its own) beside gunicorn; both stop together.
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo "serving http://127.0.0.1:$(PORT)  (logins admin / org01 / m0001, password demo123456)"
	@$(FLASK) scheduler & scheduler=$$!; \
	trap 'kill -TERM $$scheduler 2>/dev/null; wait $$scheduler' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

## make test: install test dependencies and run every test (SQLite; PostgreSQL as well when
## QUIZAPP_TEST_DATABASE_URL points at a server).
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make soak: the exam-day scenario in miniature (gunicorn, faults, about 15 s), on demand.
soak: $(VENV)/.test-installed
	$(BIN)/python -m pytest -p no:cacheprovider bench/test_exam_day_smoke.py $(PYTEST_ARGS)

## make bench-hot: heartbeat and autosave against GET /healthz and a bare Flask route, driven
## by wrk (apt-get install wrk), interleaved rounds (bench/hot.py; docs/benchmarks.md).
## DATABASE_URL=postgresql://... (an empty database) measures PostgreSQL.
bench-hot: $(VENV)/.test-installed
	$(BIN)/python bench/hot.py

## make bench-instructions: instructions per hot request, counted by valgrind (apt-get install
## valgrind): the figure the neighbours' load doesn't move (bench/instructions.py).
bench-instructions: $(VENV)/.test-installed
	$(BIN)/python bench/instructions.py

## make bench-hot-smoke: the same in miniature (a few seconds), and its refusal rule.
bench-hot-smoke: $(VENV)/.test-installed
	$(BIN)/python -m pytest -p no:cacheprovider bench/test_hot_smoke.py $(PYTEST_ARGS)

## make oracle: the participation reports against the oracle's own (tests/oracle/)
## count, on 20 more random scenarios (the tests marked slow; `make test` runs one seed).
oracle: $(VENV)/.test-installed
	$(BIN)/python -m pytest -m slow tests/test_participation_oracle*.py $(PYTEST_ARGS)

## make lint: ruff's checks (rules in pyproject.toml) and its formatter, both read-only.
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .tools .pytest_cache
