# The two commands of the README: `make run` and `make test`. Both create .venv when it is missing.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck migrations-check migration pytest bench demo api-key user client-models

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || python3 -m venv $(VENV) || (python3 -m pip install --user -q virtualenv && python3 -m virtualenv -q $(VENV))
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/wrenchwork serve

# Shortcuts for `.venv/bin/wrenchwork ...` (README, "Command line"); variables fill in the options.
demo: $(STAMP)
	$(BIN)/wrenchwork demo $(if $(ENTITY),--entity "$(ENTITY)")

api-key: $(STAMP)
	$(BIN)/wrenchwork api-key create --email "$(EMAIL)" $(if $(NAME),--name "$(NAME)")

user: $(STAMP)
	$(BIN)/wrenchwork user create --email "$(EMAIL)" --name "$(NAME)" $(if $(SURNAME),--surname "$(SURNAME)") \
	  $(if $(ROLE),--role "$(ROLE)") $(if $(ENTITY_ID),--entity-id "$(ENTITY_ID)")

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Models and migrations must not drift: migrate a scratch database, then ask Alembic for differences.
migrations-check: $(STAMP)
	@rm -f $(VENV)/alembic-check.db
	WRENCHWORK_DATABASE_URL=sqlite:///$(abspath $(VENV))/alembic-check.db $(BIN)/alembic upgrade head
	WRENCHWORK_DATABASE_URL=sqlite:///$(abspath $(VENV))/alembic-check.db $(BIN)/alembic check

# Rewrites the one unreleased migration (revision 0002) from the models: everything after the initial schema.
# Once a release ships it, new changes get a new revision instead.
# The hand-written revisions on top of it (what autogenerate cannot express) step aside meanwhile.
NEXT_MIGRATION := src/wrenchwork/migrations/versions/*_inventory_and_work_orders.py
HAND_WRITTEN := $(wildcard src/wrenchwork/migrations/versions/*_text_indexes.py)
migration: $(STAMP)
	flock /tmp/wrenchwork-migration.lock sh -c '\
	  rm -rf $(NEXT_MIGRATION) $(VENV)/alembic-next.db $(VENV)/hand-written && mkdir $(VENV)/hand-written && \
	  mv $(HAND_WRITTEN) $(VENV)/hand-written/ && \
	  export WRENCHWORK_DATABASE_URL=sqlite:///$(abspath $(VENV))/alembic-next.db && \
	  $(BIN)/alembic upgrade head && \
	  $(BIN)/alembic revision --autogenerate --rev-id 0002 -m "inventory and work orders"; \
	  mv $(VENV)/hand-written/* src/wrenchwork/migrations/versions/ && \
	  $(BIN)/ruff check -q --fix src/wrenchwork/migrations/versions; $(BIN)/ruff format -q src/wrenchwork/migrations/versions'

# The client's typed models, generated from the OpenAPI document with the options in pyproject.toml
# ([tool.datamodel-codegen]); tests/openapi fails while the checked-in file differs from what this writes. It writes
# to stdout from the project's root (not --output), so ruff formats with this project's settings.
client-models: $(STAMP)
	$(BIN)/wrenchwork openapi > $(VENV)/openapi.json
	$(BIN)/datamodel-codegen --input $(VENV)/openapi.json > src/wrenchwork/client/models.py.new
	mv src/wrenchwork/client/models.py.new src/wrenchwork/client/models.py

# SQLite always; PostgreSQL too when WRENCHWORK_TEST_POSTGRES_URL names a server (.ci/run starts one).
# Test processes: one per core, at least 2 and at most 4 (each opens its own connections to the server).
WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -lt 2 ] && n=2; [ $$n -gt 4 ] && n=4; echo $$n)
pytest: $(STAMP)
	$(BIN)/pytest -n $(WORKERS) --dist worksteal
	@if [ -n "$$WRENCHWORK_TEST_POSTGRES_URL" ]; then \
	  echo "== PostgreSQL =="; \
	  WRENCHWORK_TEST_DATABASE_URL="$$WRENCHWORK_TEST_POSTGRES_URL" $(BIN)/pytest -n $(WORKERS) --dist worksteal; \
	fi

test: lint typecheck migrations-check pytest

bench: $(STAMP)
	$(BIN)/python -m bench.run
