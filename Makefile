# Two commands matter: `make demo` (install, then run the demo week on the console platform)
# and `make test` (install, then run the whole test suite). Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo console test lint bench build clean

$(VENV)/.installed: pyproject.toml setup.py groupbot/moderation/_fastpath.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -c 'from groupbot.moderation import compiled; print(compiled.status())'
	touch $@

demo: $(VENV)/.installed
	$(PY) -m groupbot demo

console: $(VENV)/.installed
	$(PY) -m groupbot console --as-moderator

test: $(VENV)/.installed
	$(PY) -m pytest

# Recompile the native moderation code after editing it (until then it runs from source).
build: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -c 'from groupbot.moderation import compiled; print(compiled.status())'

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy groupbot

bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache build
	rm -f groupbot/moderation/*.so groupbot/moderation/_compiled_sources.json
