# The two commands of the README: `make demo` and `make test`. Both set up .venv first.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-national test bench reliability lint venv constraints clean

# constraints.txt pins every dependency to the versions CI ran; `make constraints` refreshes it from .venv.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/pip || $(PY) -m venv --clear $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/borgerblik demo

demo-national: $(STAMP)
	$(BIN)/borgerblik demo --national --out demo-national

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

# `make bench NATIONAL=1` also times the national demo (over ten minutes).
bench: $(STAMP)
	BORGERBLIK_BENCH_NATIONAL=$(NATIONAL) $(BIN)/python -m benchmarks

# The full reliability suite (about 30 minutes): load, kills, hostile input; its fast part runs in `make test`.
reliability: $(STAMP)
	$(BIN)/python -m reliability

constraints: $(STAMP)
	{ sed -n '1,2p' constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info demo-output demo-national
