# make run: install and run Akhbar. make demo: the same against the bundled sample publisher.
# make test: install and run every test.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install messages run demo test clean

install: $(STAMP) messages

# The interface's translations, compiled from the .po files in the project.
messages: $(STAMP)
	@$(BIN)/python scripts/compile-messages

$(STAMP): pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	  test -x $(BIN)/python || "$$python" -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test]'
	@touch $(STAMP)

run: install
	$(BIN)/akhbar up

demo: install
	$(BIN)/akhbar up --demo --port 8000

test: install
	@scripts/ensure-chromium
	$(BIN)/ruff check akhbar tests bench
	$(BIN)/python -m pytest
	@scripts/test-postgres

clean:
	rm -rf $(VENV) var build *.egg-info
