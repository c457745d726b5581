# Two commands matter: `make demo` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CATALOGS := $(wildcard inspect_app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
# Every pinned version (install requirements and all extras) for Python 3.11 on Linux x86_64, from PyPI.
CONSTRAINTS := requirements/constraints.txt
EXTRAS := test,postgres,prod,sentry,bench,demo
UV_VERSION := 0.13.9

.PHONY: demo test install lock lint format translations extract-messages serve clean

# Loading the demo runs a few hundred engine steps: their INFO log lines would bury the loader's own summary.
demo: install ## install, migrate, load demo data, serve at http://127.0.0.1:5000 and run the worker
	$(FLASK) inspect init-db
	INSPECT_LOG_LEVEL=$${INSPECT_LOG_LEVEL:-WARNING} $(FLASK) inspect demo
	@echo "Serving Inspect at http://127.0.0.1:5000, with a worker for timers, reminders and e-mail (Ctrl+C stops both)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --procfile Procfile --port 5000

test: install ## the whole suite, on every core (PostgreSQL too when INSPECT_TEST_DATABASE_URL is set)
	$(BIN)/pytest --numprocesses auto --dist loadfile $(PYTEST_ARGS)

install: $(VENV)/.installed $(COMPILED)

$(VENV)/.installed: setup.cfg pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --progress-bar on -c $(CONSTRAINTS) -e '.[$(EXTRAS)]'
	touch $@

# uv resolves for a target Python and platform (not just the running one) and reads no pip configuration,
# so the pins come from PyPI alone. It goes into the venv only.
lock: ## re-pin every dependency in requirements/constraints.txt (after editing setup.cfg; LOCK_ARGS=-U upgrades all)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile setup.cfg --all-extras --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
		--quiet -o $(CONSTRAINTS) $(LOCK_ARGS)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(COMPILED)

extract-messages: install ## refresh the catalogs from the source (then translate the new entries)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --omit-header -w 120 -o inspect_app/translations/messages.pot .
	$(BIN)/pybabel update -i inspect_app/translations/messages.pot -d inspect_app/translations --no-fuzzy-matching --ignore-obsolete -w 120

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

serve: install
	$(FLASK) run --host 127.0.0.1 --port 5000

clean:
	rm -rf $(VENV) instance .pytest_cache $(COMPILED)
