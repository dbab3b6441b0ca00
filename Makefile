# kabar: the two commands a new user needs, and the rest.
#   make demo   install what is missing, build, run the ticker on the demo spool
#   make test   install, build with sanitizers, run every test
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_PNG   ?= demo.png

.PHONY: all deps build demo test bench screenshot format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DKABAR_TESTS=OFF
	cmake --build $(BUILD) -j $(JOBS)

# A window where there is a display; otherwise 10 s of virtual clock headless,
# and a screenshot to look at.
demo: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(BUILD)/kabar run --window; \
	else \
	  $(BUILD)/kabar run --headless --seconds 10 --virtual-clock --screenshot $(DEMO_PNG) && \
	  echo "demo: no display here, so kabar ran headless; the last frame is $(abspath $(DEMO_PNG))"; \
	fi

test: deps
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKABAR_SANITIZE=ON -DKABAR_WERROR=ON
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

bench: deps
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DKABAR_TESTS=OFF -DKABAR_BENCH=ON
	cmake --build build-bench -j $(JOBS)
	bench/run.sh build-bench

# The README's picture, made by kabar itself.
screenshot: build
	$(BUILD)/kabar run --headless --size 1920x1080 --seconds 12 --virtual-clock \
	  --screenshot docs/img/demo.png

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-bench $(DEMO_PNG)
