# Glaswände — set-up, serve, test. `make run` and `make test` install everything they need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PYTHON ?= python3

# Extra arguments for pytest in `make test` and `make test-fast`, e.g. PYTEST_ARGS=tests/test_properties.py
PYTEST_ARGS ?=

.PHONY: run demo test test-fast setup messages system-packages browser-packages \
	bench bench-profile bench-hotspots bench-dbscan bench-disclosure bench-exports bench-detection bench-weak \
	bench-instructions \
	stop clean clean-database

system-packages:
	@bash scripts/ensure-system-packages.sh

browser-packages:
	@bash scripts/ensure-system-packages.sh --browser

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test,bench]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/vendor/.copied: node_modules/.installed scripts/copy-vendor.sh
	bash scripts/copy-vendor.sh
	touch $@

# The gettext catalogs, compiled (.mo files are build output, never committed).
# Two domains: `messages` (residents' pages, every language) and `staff` (planning, workshops,
# moderation, sign-in: German source, English catalog only).
CATALOGS := $(wildcard mapserver/translations/*/LC_MESSAGES/messages.po)
STAFF_CATALOGS := $(wildcard mapserver/translations/*/LC_MESSAGES/staff.po)
mapserver/translations/.compiled: $(VENV)/.installed $(CATALOGS) $(STAFF_CATALOGS)
	$(BIN)/pybabel compile --directory mapserver/translations --domain messages
	$(BIN)/pybabel compile --directory mapserver/translations --domain staff
	touch $@

# Fingerprinted, pre-compressed static files (static/dist/, build output).
static/dist/manifest.json: static/vendor/.copied $(VENV)/.installed $(shell find static -type f -not -path 'static/dist/*' 2>/dev/null)
	$(BIN)/glaswaende assets build

setup: system-packages $(VENV)/.installed static/vendor/.copied mapserver/translations/.compiled static/dist/manifest.json

# After changing German texts: collect them anew and add them to every catalog (then translate);
# the staff pages' texts (s_, s_l, sn_) go to the staff domain, whose only catalog is English.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F mapserver/translations/babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --add-comments=TRANSLATORS: --project=Glaswände --copyright-holder="Landkreis Hameln-Pyrmont" \
	  -o mapserver/translations/messages.pot .
	$(BIN)/pybabel update -i mapserver/translations/messages.pot -d mapserver/translations --no-fuzzy-matching
	$(BIN)/pybabel extract -F mapserver/translations/babel.cfg --no-default-keywords -k s_ -k s_l -k sn_:1,2 \
	  --no-location --sort-output --project=Glaswände --copyright-holder="Landkreis Hameln-Pyrmont" \
	  -o mapserver/translations/staff.pot .
	$(BIN)/pybabel update -D staff -i mapserver/translations/staff.pot -d mapserver/translations --no-fuzzy-matching

# Prepare the database (private cluster under var/ unless DATABASE_URL is set), migrate, import
# the county, then serve on http://127.0.0.1:5000.
run: setup
	export GLASWAENDE_DATABASE_URL="$$(bash scripts/ensure-postgis.sh)"; \
	$(BIN)/glaswaende db upgrade; \
	$(BIN)/glaswaende import-boundaries; \
	$(BIN)/glaswaende hotspots refresh --if-needed; \
	$(BIN)/glaswaende serve --host 127.0.0.1 --port 5000

# Like `run`, on a database of its own (glaswaende_demo on the same server), so run's data stay
# untouched: migrate, import the county, fill it with demo data (replaces earlier demo data; the
# demo account's password is printed at the end), then serve on http://127.0.0.1:5000.
demo: setup
	url="$$(bash scripts/ensure-database.sh glaswaende_demo)"; export GLASWAENDE_DATABASE_URL="$$url"; \
	$(BIN)/glaswaende db upgrade; \
	$(BIN)/glaswaende import-boundaries; \
	$(BIN)/glaswaende demo seed; \
	$(BIN)/glaswaende serve --host 127.0.0.1 --port 5000

# The whole test suite against a real PostGIS; each run creates and drops its own databases.
test: setup browser-packages
	export GLASWAENDE_TEST_DATABASE_URL="$$(bash scripts/ensure-postgis.sh)"; \
	$(BIN)/pytest $(PYTEST_ARGS)

# The same without Chromium and nginx: leaves out the browser tests and the fault test (which
# stops and starts a cluster of its own).
test-fast: setup
	export GLASWAENDE_TEST_DATABASE_URL="$$(bash scripts/ensure-postgis.sh)"; \
	$(BIN)/pytest -m "not browser and not fault" $(PYTEST_ARGS)

# Benchmarks (not tests): each prints its figures against a baseline measured in the same run,
# on the database server `make run` uses (each creates a database of its own there).
run-bench = export GLASWAENDE_DATABASE_URL="$$(bash scripts/ensure-postgis.sh)"; $(BIN)/python bench/$(1).py

bench: setup
	$(call run-bench,ingest)

# make bench-<name> runs bench/$(BENCH_<name>).py
BENCH_profile := profile_pin
BENCH_hotspots := hotspots
BENCH_dbscan := dense_clusters
BENCH_disclosure := disclosure
BENCH_exports := exports_load
BENCH_detection := detection
BENCH_instructions := pin_instructions
BENCH_TARGETS := bench-profile bench-hotspots bench-dbscan bench-disclosure bench-exports bench-detection \
	bench-instructions
$(BENCH_TARGETS): bench-%: setup
	$(call run-bench,$(BENCH_$*))

bench-weak: setup browser-packages
	$(call run-bench,weak_connection)

stop:
	bash scripts/stop-postgis.sh

# Build output and installed dependencies; the local database (var/) stays, and keeps running.
clean:
	rm -rf static/vendor static/dist node_modules $(VENV) mapserver/translations/.compiled
	rm -f mapserver/translations/*/LC_MESSAGES/*.mo

# Deletes ALL local data: stops the private cluster and removes var/ (the database with every pin,
# account and workshop, and var/secret_key, so sessions end too). Not part of `make clean`.
clean-database: stop
	rm -rf var
