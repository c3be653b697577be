# tafcase: `make run` sets up and runs everything; `make test` runs the checks and tests.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# mypy's Django plugin loads the settings but never connects to a server: naming servers
# keeps the settings from starting the embedded PostgreSQL and Redis for it.
MYPY_ENV := DATABASE_URL=postgresql://unused/tafcase REDIS_URL=redis://unused:6379/0

.PHONY: install run test fuzz stop lint browsers clean

install: $(STAMP) static/govuk/govuk-frontend.min.css
	@mkdir -p var/staticfiles

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

static/govuk/govuk-frontend.min.css: package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/govuk static/vendor && mkdir -p static/govuk static/vendor
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css \
	   node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/govuk/
	# The precompiled CSS looks for fonts and images at /assets/; ours are beside it.
	sed -i 's#url(/assets/#url(assets/#g' static/govuk/govuk-frontend.min.css
	cp -r node_modules/govuk-frontend/dist/govuk/assets static/govuk/assets
	cp node_modules/axe-core/axe.min.js static/vendor/
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js \
	   node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css static/vendor/
	touch $@

run: install
	$(PY) -m tafcase.run

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(MYPY_ENV) $(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 --create-db

# The API fuzz test, long: 20 generated requests per operation with a new seed each run,
# plus schemathesis's boundary-value cases. Prints "N server errors over M operations".
fuzz: install
	FUZZ_EXAMPLES=20 FUZZ_RANDOM=1 FUZZ_COVERAGE=1 \
	  $(VENV)/bin/pytest tests/test_api_fuzz.py -p no:xdist -s -q

stop:
	$(PY) -c "from tafcase import embedded; embedded.stop()"

clean: stop
	rm -rf var static/govuk static/vendor node_modules $(VENV)
