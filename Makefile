# The two commands: `make run` starts the server, `make test` runs the tests.
# Each first installs the system packages it needs that are missing (Debian/Ubuntu, apt-get).

RUN_PACKAGES  := libpq-dev libedit-dev pkg-config postgresql
TEST_PACKAGES := libpq-dev libedit-dev pkg-config postgresql postgresql-contrib haproxy netcat-openbsd systemd postfix openssl bsdutils
# New sql/ migrations are embedded by a build plugin; SwiftPM only re-plans plugins without the cache.
SWIFT_FLAGS   := --disable-build-manifest-caching

.PHONY: run test test-faults test-ha test-tsan fuzz build docs format lint system-packages-run system-packages-test clean

run: system-packages-run
	swift run $(SWIFT_FLAGS) rapportd $(ARGS)

test: system-packages-test
	./scripts/run-tests.sh --skip FaultTests $(TEST_ARGS)

# The longer fault suite (Tests/FaultTests): kill -9 under load, database restarts, floods, storms.
test-faults: system-packages-test
	./scripts/run-tests.sh --filter FaultTests $(TEST_ARGS)

# PostgreSQL high availability (Tests/HATests): etcd, two Patroni nodes with synchronous replication
# and HAProxy, started by the tests on loopback; kill -9 of the primary and a switchover under load,
# reads from the standby. The suite runs only with RAPPORT_HA_TESTS=1, so `make test` skips it.
HA_PACKAGES := $(TEST_PACKAGES) patroni etcd-server etcd-client util-linux docker-compose

test-ha:
	@./scripts/install-system-packages.sh $(HA_PACKAGES)
	RAPPORT_HA_TESTS=1 ./scripts/run-tests.sh --filter HATests $(TEST_ARGS)

# libFuzzer targets of the wire format (Fuzz/), each for FUZZ_SECONDS from the seeds of scripts/fuzz-seeds.sh;
# fails on the first crash, hang or over-large input and leaves the input in Fuzz/artifacts/<target>/.
# (SWIFT_BACKTRACE off: Swift's backtracer would otherwise take the signal from libFuzzer, and no input is saved.)
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= FuzzLineFramer FuzzTokenizer FuzzProxyHeader FuzzResponseParser FuzzRequestPath
FUZZ_BUILD   := swift build -c release --package-path Fuzz --scratch-path Fuzz/.build --toolset Fuzz/fuzzer-toolset.json

fuzz: system-packages-run
	$(FUZZ_BUILD)
	./scripts/fuzz-seeds.sh
	@bin=$$($(FUZZ_BUILD) --show-bin-path) && for target in $(FUZZ_TARGETS); do \
		mkdir -p Fuzz/artifacts/$$target; \
		echo "== $$target: $(FUZZ_SECONDS) s"; \
		if ! SWIFT_BACKTRACE=enable=no $$bin/$$target -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
			-artifact_prefix=Fuzz/artifacts/$$target/ Fuzz/corpus/$$target >Fuzz/artifacts/$$target.log 2>&1; then \
			tail -n 40 Fuzz/artifacts/$$target.log; echo "$$target failed: see Fuzz/artifacts/$$target/"; exit 1; \
		fi; \
		grep -E '^#[0-9]+[[:space:]]+DONE' Fuzz/artifacts/$$target.log | tail -n 1; \
	done

# The server and client suites under ThreadSanitizer, built apart in .build-tsan.
test-tsan: system-packages-test
	swift build $(SWIFT_FLAGS) --build-tests --sanitize=thread --scratch-path .build-tsan
	./scripts/run-tests.sh --skip-build --sanitize=thread --scratch-path .build-tsan \
		--filter "RapportServerTests|RapportClientTests" $(TEST_ARGS)

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
	rm -rf .build .build-tsan Fuzz/.build

# Regenerates the command reference of docs/PROTOCOL.md from the command table (a test checks it).
docs: system-packages-run
	./scripts/update-protocol-doc.sh
