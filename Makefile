# ponte's entry points. Each installs missing Debian packages, configures once and builds
# incrementally in build/.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
ifeq ($(CI),true)
  CMAKE_FLAGS += -DPONTE_WERROR=ON
endif

.PHONY: demo test bench deps browser-deps configure build clean

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja: | deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@$(BUILD_DIR)/src/app/ponte demo

# playwright-core for the dashboard test, pinned by tests/browser/package-lock.json.
browser-deps:
	@[ -d tests/browser/node_modules/playwright-core ] || npm ci --prefix tests/browser --no-audit --no-fund --silent

test: build browser-deps
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@bench/run $(BUILD_DIR)

clean:
	@rm -rf $(BUILD_DIR)
