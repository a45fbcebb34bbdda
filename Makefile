# Targets: demo, test, lint, bench, bench-real, golden, docs, clean. Each creates .venv when needed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXAMPLE := examples

.PHONY: demo test lint bench bench-real golden docs clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml tools/find-python.sh tools/tf-version.py
	@base=$$(tools/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$base"; "$$base" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@# tf-keras (Keras 2, for TF_USE_LEGACY_KERAS tests) depends on `tensorflow`: installed without
	@# dependencies, at the installed TensorFlow's version, so it never pulls a second TensorFlow.
	$(PY) -m pip install --quiet --no-deps "tf-keras~=$$($(PY) tools/tf-version.py)"
	@touch $(STAMP)

demo: $(STAMP)
	cd $(EXAMPLE) && ../$(VENV)/bin/tracehybrid analyze .
	cd $(EXAMPLE) && ../$(VENV)/bin/tracehybrid run -- ../$(VENV)/bin/python -m pytest -q
	@# `run` printed where the HTML report is; the demo ends with the patch `apply` would write.
	cd $(EXAMPLE) && ../$(VENV)/bin/tracehybrid apply --diff

# Test workers: TEST_JOBS=N runs the suite on N xdist workers (each imports TensorFlow); the
# default, 2, is the cores CI and this machine have. Each file runs whole on one worker
# (--dist loadfile): its module fixtures run real pytest sessions, once. (xdist's loadgroup does
# not group under pytest 9.2: test ids no longer carry the group.)
TEST_JOBS ?= 2

test: $(STAMP) lint
	$(PY) -m pytest -q -n $(TEST_JOBS) --dist loadfile tests

lint: $(STAMP)
	$(VENV)/bin/ruff check tracehybrid tests benchmarks tools
	$(VENV)/bin/ruff format --check tracehybrid tests benchmarks tools
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m tracehybrid.docsgen --check

bench: $(STAMP)
	$(PY) benchmarks/static_throughput.py
	$(PY) benchmarks/overhead.py

# GPflow and dm-sonnet test subsets, set up in ~/.cache/tracehybrid-bench (minutes; not in `test`).
bench-real: $(STAMP)
	$(PY) benchmarks/real_projects.py

golden: $(STAMP)
	TRACEHYBRID_UPDATE_GOLDEN=1 $(PY) -m pytest -q tests -k golden

docs: $(STAMP)
	$(PY) -m tracehybrid.docsgen

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .tracehybrid
