# The two commands: `make run` starts the server, `make test` runs the tests.
# Each first installs the system packages it needs that are missing (Debian/Ubuntu, apt-get).

RUN_PACKAGES  := libpq-dev libedit-dev pkg-config postgresql
TEST_PACKAGES := libpq-dev libedit-dev pkg-config postgresql postgresql-contrib haproxy netcat-openbsd systemd
# New sql/ migrations are embedded by a build plugin; SwiftPM only re-plans plugins without the cache.
SWIFT_FLAGS   := --disable-build-manifest-caching

.PHONY: run test test-faults fuzz build docs format lint system-packages-run system-packages-test clean

run: system-packages-run
	swift run $(SWIFT_FLAGS) rapportd $(ARGS)

test: system-packages-test
	./scripts/run-tests.sh --skip FaultTests $(TEST_ARGS)

# The longer fault suite (Tests/FaultTests): kill -9 under load, database restarts, floods, storms.
test-faults: system-packages-test
	./scripts/run-tests.sh --filter FaultTests $(TEST_ARGS)

build: system-packages-run
	swift build $(SWIFT_FLAGS)

format:
	swift format --in-place --recursive Package.swift Sources Tests Plugins

lint:
	swift format lint --strict --recursive Package.swift Sources Tests Plugins

system-packages-run:
	@./scripts/install-system-packages.sh $(RUN_PACKAGES)

system-packages-test:
	@./scripts/install-system-packages.sh $(TEST_PACKAGES)

clean:
	rm -rf .build

# Regenerates the command reference of docs/PROTOCOL.md from the command table (a test checks it).
docs: system-packages-run
	./scripts/update-protocol-doc.sh
