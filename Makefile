# Two commands on a fresh machine: `make demo` and `make test`. Each builds .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= demo-output
PYTEST_ARGS ?=

.PHONY: install demo test lint lab bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	@touch $(STAMP)

# Bytecode for the kit itself, even where PYTHONDONTWRITEBYTECODE is set: a sandboxed grader
# cannot write it, so without this every sandbox would compile the kit from source again.
install: $(STAMP)
	@$(BIN)/python -m compileall -q mentor_workshop > /dev/null

demo: install
	$(BIN)/mentor-workshop demo --out $(OUT)

# ruff for style, import-linter for the three wings (pyproject.toml), vulture for dead code.
lint: install
	$(BIN)/ruff check mentor_workshop tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/vulture

# Every test in one run of three workers. Each worker takes a whole file at a time, so what a
# module builds once (a graded course, a JupyterLab server and Chromium) is built once per
# worker, and the longest files go first (tests/conftest.py). Three on two cores: the browser
# and hub tests spend much of their time waiting for a server or a page.
test: install lint
	@sh scripts/ensure-chromium.sh
	@sh scripts/ensure-axe.sh
	@sh scripts/ensure-hub-tools.sh
	@sh scripts/ensure-bubblewrap.sh
	$(BIN)/python -m pytest -n 3 --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lab: install
	$(BIN)/jupyter lab notebooks

bench: install
	$(BIN)/python benchmarks/feedback.py

clean:
	rm -rf $(VENV) $(OUT) tests/artifacts .pytest_cache .axe
