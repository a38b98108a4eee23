# ponte's entry points. Each installs missing Debian packages, configures once and builds
# incrementally in build/.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
ifeq ($(CI),true)
  CMAKE_FLAGS += -DPONTE_WERROR=ON
  # CI also runs each fuzz target briefly (fuzz/run); `make fuzz` runs them longer.
  FUZZ_SECONDS ?= 15
endif
FUZZ_SECONDS ?= 0

.PHONY: demo test test-asan test-tsan fuzz bench deps browser-deps configure build build-ponte clean package

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja: | deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The demo builds the one binary it runs; tests and benchmarks are built by `make test`.
build-ponte: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target ponte

demo: build-ponte
	@$(BUILD_DIR)/src/app/ponte demo

# A .deb with the binary, the systemd unit, the man page and bash completion (docs/deploy.md).
package: build
	@cd $(BUILD_DIR) && cpack -G DEB

# playwright-core for the dashboard test, pinned by tests/browser/package-lock.json.
browser-deps:
	@[ -d tests/browser/node_modules/playwright-core ] || npm ci --prefix tests/browser --no-audit --no-fund --silent

test: build browser-deps
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	@if [ "$(FUZZ_SECONDS)" -gt 0 ]; then JOBS=$(JOBS) PONTE_FUZZ_SEED=1 fuzz/run $(FUZZ_SECONDS); fi

# The sanitizer builds use -O1 with line tables only: on two cores the ASan build took 17 min
# instead of 29 with -O2 -g, and a report still names every file and line.
SANITIZER_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer, in build-asan/.
test-asan: deps browser-deps
	@[ -f build-asan/build.ninja ] || cmake -S . -B build-asan -G Ninja $(SANITIZER_FLAGS) -DPONTE_SANITIZE=ON $(CMAKE_FLAGS)
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# The whole suite under ThreadSanitizer, in build-tsan/: the server's worker threads, the work
# queue, the sandbox's listener, shared rate buckets and the stores under concurrent writers.
# A reported race fails the test that hit it (TSan exits non-zero), in ponte's child processes
# too: the tests check their exit codes.
test-tsan: deps browser-deps
	@[ -f build-tsan/build.ninja ] || cmake -S . -B build-tsan -G Ninja $(SANITIZER_FLAGS) -DPONTE_TSAN=ON $(CMAKE_FLAGS)
	@cmake --build build-tsan -j $(JOBS)
	@cd build-tsan && TSAN_OPTIONS="second_deadlock_stack=1 suppressions=$(CURDIR)/scripts/tsan.supp" ctest --output-on-failure -j $(JOBS)

# Each fuzz target for FUZZ_LONG seconds (default 300), with clang's libFuzzer, in build-fuzz/.
fuzz: deps
	@JOBS=$(JOBS) fuzz/run $(or $(FUZZ_LONG),300)

bench: build
	@bench/run $(BUILD_DIR)

clean:
	@rm -rf $(BUILD_DIR)
