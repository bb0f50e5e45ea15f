# Two commands do all set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 4010
# pytest-xdist workers for `make test`: one per CPU
JOBS   ?= auto

.PHONY: serve test check lint format clean contract

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing ofapi-mock into $(VENV) (the first time takes a minute or two) ..."
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@echo "Installing ofapi-mock and its test tools into $(VENV) (the first time takes a minute or two) ..."
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

serve: $(VENV)/.installed
	$(BIN)/ofapi-mock serve --host $(HOST) --port $(PORT) $(SERVE_ARGS)

# The edit-test loop (about 45 s on 2 CPUs): ruff, then the unit and spec tests on $(JOBS) workers
# (no real servers, Schemathesis or SDK run).
check: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n $(JOBS) -m "not slow" tests

# Everything, CI's gate: ruff, then the whole suite on $(JOBS) workers (one module per worker at a time).
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

contract: $(VENV)/.installed-dev
	$(BIN)/ofapi-mock contract --report $(CONTRACT_ARGS)

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

include bench/Makefile.inc
