# Two commands for a fresh machine:  `make demo` (set up and serve the site with demo content)
# and `make test` (the whole suite). Both bootstrap .venv with Python 3.12 or newer.
.DEFAULT_GOAL := help
.PHONY: help demo test lint serve venv clean

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python >= 3.12. Each candidate is *run* with a version check, because a pyenv
# shim (python3.13) can exist on PATH and still fail when pyenv's global version is older.
find-python = for c in "$$PYTHON" python3.13 python3.12 python3 \
	$$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	[ -n "$$c" ] && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$c"; break; }; \
	done

help:
	@echo "make demo   set up .venv, migrate, load demo content and serve http://$(HOST):$(PORT)/"
	@echo "make test   set up .venv and run the whole test suite (ruff included)"

$(VENV)/.installed: pyproject.toml
	@py=$$($(find-python)); \
	if [ -z "$$py" ]; then \
	  echo "error: Python 3.12 or newer is required (Django 6.1). Install it, or set PYTHON=/path/to/python3.12+" >&2; exit 1; \
	fi; \
	echo "Using $$py ($$($$py --version))"; \
	[ -x $(PY) ] || "$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

demo: venv
	mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
