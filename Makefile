# Two commands for a fresh machine:  `make demo` (set up and serve the site with demo content)
# and `make test` (the whole suite). Both bootstrap .venv with Python 3.12 or newer.
.DEFAULT_GOAL := help
.PHONY: help demo test lint serve venv lock test-latest clean

VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
LATEST := .venv-latest
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python >= 3.12. Each candidate is *run* with a version check, because a pyenv
# shim (python3.13) can exist on PATH and still fail when pyenv's global version is older.
find-python = for c in "$$PYTHON" python3.13 python3.12 python3 \
	$$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	[ -n "$$c" ] && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$c"; break; }; \
	done

help:
	@echo "make demo         set up .venv, migrate, load demo content and serve http://$(HOST):$(PORT)/"
	@echo "make test         set up .venv and run the whole test suite (ruff included)"
	@echo "make lock         regenerate $(LOCK) from pyproject.toml (after changing a dependency)"
	@echo "make test-latest  run the suite in a throwaway venv of the newest versions pyproject.toml allows"

# .venv is built from the lock alone: exact versions, every file checked against its hash, nothing
# resolved at install time. A changed lock rebuilds it from scratch, so nothing stale survives.
$(VENV)/.installed: $(LOCK)
	@py=$$($(find-python)); \
	if [ -z "$$py" ]; then \
	  echo "error: Python 3.12 or newer is required (Django 6.1). Install it, or set PYTHON=/path/to/python3.12+" >&2; exit 1; \
	fi; \
	echo "Using $$py ($$($$py --version)); installing $(LOCK) into $(VENV)"; \
	rm -rf $(VENV) && "$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	@touch $@

venv: $(VENV)/.installed

demo: venv
	mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	@# The background worker (docs/worker.md) runs beside the server and stops with it.
	DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Every dependency and extra of pyproject.toml, pinned with hashes for every platform and Python >= 3.12.
lock: venv
	$(VENV)/bin/uv pip compile --quiet --universal --generate-hashes --all-extras --python-version 3.12 \
	  --upgrade pyproject.toml -o $(LOCK)

# The early warning for `make lock`: the newest releases pyproject.toml allows, in a venv thrown away
# each time, so an upstream change shows up here before it reaches a fresh clone.
test-latest:
	@py=$$($(find-python)); \
	[ -n "$$py" ] || { echo "error: Python 3.12 or newer is required" >&2; exit 1; }; \
	rm -rf $(LATEST) && "$$py" -m venv $(LATEST)
	$(LATEST)/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print(*p["dependencies"], *(r for extra in p["optional-dependencies"].values() for r in extra), sep="\n")' \
	  > $(LATEST)/requirements.txt
	$(LATEST)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade -r $(LATEST)/requirements.txt
	@echo "Newer than $(LOCK):"; $(LATEST)/bin/python -m pip freeze --all | $(LATEST)/bin/python -c \
	  'import re, sys; lock = dict(re.findall(r"^([\w.-]+)==(\S+)", open("$(LOCK)").read(), re.M)); \
	  [print("  ", line.strip(), "(lock:", lock.get(line.split("==")[0].lower().replace("_", "-")), ")") \
	   for line in sys.stdin if "==" in line and lock.get(line.split("==")[0].lower().replace("_", "-")) \
	   not in (None, line.split("==")[1].strip())]'
	$(LATEST)/bin/ruff check .
	$(LATEST)/bin/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(LATEST) staticfiles .pytest_cache
