# Accessible Learning: `make run` and `make test` set up everything they need themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app accessible_learning
RUN_PACKAGES := ffmpeg espeak-ng fonts-dejavu-core fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libjemalloc2 \
	nginx libnginx-mod-rtmp
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils postgresql redis-server nodejs default-jre-headless
# The Nu Html Checker, from npm (run with Java by the browser tests over every page they check).
VNU_VERSION := 26.9.27
VNU_JAR := $(VENV)/vnu-$(VNU_VERSION)/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: run test bench setup setup-test system-packages system-packages-test lint translations translations-template migrate clean

run: setup migrate
	@$(FLASK) demo --if-empty
	@$(FLASK) renditions --queue
	@$(BIN)/python -m accessible_learning.launcher

test: setup-test lint
	VNU_JAR=$(VNU_JAR) $(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: setup-test
	$(call ensure_packages,wrk)
	$(BIN)/python -m benchmarks.run

setup: system-packages $(VENV)/.installed translations

setup-test: system-packages-test $(VENV)/.installed-test $(VNU_JAR) translations

# System packages: installed with apt-get when missing and running as root, otherwise the exact
# command is printed.
define ensure_packages
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "These system packages are missing:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
endef

system-packages:
	$(call ensure_packages,$(RUN_PACKAGES))

system-packages-test:
	$(call ensure_packages,$(TEST_PACKAGES))

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[ko]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

$(VNU_JAR): | $(VENV)/bin/python
	npm install --silent --no-audit --no-fund --prefix $(VENV)/vnu-$(VNU_VERSION) vnu-jar@$(VNU_VERSION)
	test -f $@

translations:
	@$(BIN)/pybabel compile --statistics -d accessible_learning/translations

# The template for a new language (and for updating a catalogue: pybabel update).
translations-template: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_plural:1,2 --sort-by-file -o accessible_learning/translations/messages.pot .

migrate:
	$(FLASK) db upgrade

lint:
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
