# kabar: the two commands a new user needs, and the rest.
#   make demo   install what is missing, build, run the ticker on the demo spool
#   make test   install, build with sanitizers, run every test
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_PNG   ?= demo.png
DEMO_STRIP ?= demo-strip.png

.PHONY: all deps build demo test bench screenshot screenshots format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DKABAR_TESTS=OFF
	cmake --build $(BUILD) -j $(JOBS)

# A window where there is a display; otherwise 10 s of virtual clock headless,
# and a screenshot to look at. The demo spool, not an installed kiosk's
# /etc/kabar/kabar.conf (KABAR_CONFIG= reads no system config).
demo: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  KABAR_CONFIG= $(BUILD)/kabar run --window --set panel=both; \
	else \
	  KABAR_CONFIG= $(BUILD)/kabar run --headless --seconds 10 --virtual-clock --set panel=both --screenshot $(DEMO_PNG) && \
	  $(BUILD)/kabar preview --png $(DEMO_STRIP) assets/demo-spool/*.json >/dev/null && \
	  echo "demo: no display here, so kabar ran headless; the last frame is $(abspath $(DEMO_PNG))" && \
	  echo "demo: and every item of the demo spool, as a wall shows it: $(abspath $(DEMO_STRIP))"; \
	fi

test: deps
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKABAR_SANITIZE=ON -DKABAR_WERROR=ON
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

# Figures, not assertions (docs/bench.md): the text engine against raw
# HarfBuzz, the spool at 10,000 items and breaking-news latency, the crawl
# against an SDL2_ttf ticker, then CPU under X11 with the X server counted
# against that ticker and a browser's CSS ticker.
bench: deps
	scripts/install-deps.sh --bench
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DKABAR_TESTS=OFF -DKABAR_BENCH=ON
	cmake --build build-bench -j $(JOBS)
	build-bench/bench/text_bench || true
	build-bench/bench/spool_load_bench
	python3 bench/spool_bench.py build-bench/kabar
	python3 bench/fleet_bench.py build-bench/kabar --bridges 60
	bench/run.sh build-bench
	bench/x11_cpu.sh build-bench

# The README's picture, and every picture in docs/, made by kabar itself.
screenshot: screenshots
screenshots: build
	KABAR_CONFIG= scripts/screenshots.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) build-bench $(DEMO_PNG) $(DEMO_STRIP)

# Reliability (docs/reliability.md). `make fuzz SECONDS=N` builds the libFuzzer
# harnesses of tests/fuzz with clang, AddressSanitizer and UBSan in build-fuzz
# and runs each for N seconds on its corpus; any crash, leak or sanitizer
# report fails it. `make soak HOURS=N` crawls N simulated hours (default a
# week) on a Release build while the spool churns, checking memory, atlas,
# rotation and rejections, then a simulated day on the sanitized test build
# for leaks (tests/soak/soak.sh).
SECONDS ?= 60
HOURS   ?= 168
.PHONY: fuzz soak

fuzz: deps
	scripts/install-deps.sh --fuzz
	CC=clang cmake -S . -B build-fuzz -DKABAR_FUZZ=ON -DKABAR_SANITIZE=ON -DKABAR_TESTS=OFF \
	  -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_C_FLAGS="-O1 -g"
	cmake --build build-fuzz -j $(JOBS) --target fuzzers
	tests/fuzz/run.sh build-fuzz $(SECONDS)

soak: deps
	cmake -S . -B build-soak -DCMAKE_BUILD_TYPE=Release -DKABAR_TESTS=OFF
	cmake --build build-soak -j $(JOBS) --target kabar
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKABAR_SANITIZE=ON -DKABAR_WERROR=ON
	cmake --build $(TEST_BUILD) -j $(JOBS) --target kabar
	tests/soak/soak.sh build-soak/kabar $(TEST_BUILD)/kabar $(HOURS)

# Raspberry Pi OS builds, cross-compiled and tested under qemu-user, and the
# Debian package (boards/README.md). Sanitizers stay off under qemu: ASan's
# shadow memory and leak checker are unreliable in user-mode emulation. The
# tests run one at a time there: the real-clock ones measure timing, and two
# emulated processes on two cores starve each other. A test that fails is run
# once more (both runs are in the log): kabar takes about 0.2 s to its first
# frame under qemu, which the screen tests' timing windows only just allow.
CROSS_CMAKE = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKABAR_SANITIZE=OFF -DKABAR_TESTS=ON
.PHONY: cross-arm64 cross-armhf deb deb-arm64

cross-arm64:
	scripts/install-deps.sh --cross
	cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=boards/toolchain-aarch64-linux-gnu.cmake $(CROSS_CMAKE)
	cmake --build build-arm64 -j $(JOBS)
	cd build-arm64 && ctest -LE host --output-on-failure --repeat until-pass:2

cross-armhf:
	scripts/install-deps.sh --cross-armhf
	cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=boards/toolchain-arm-linux-gnueabihf.cmake $(CROSS_CMAKE)
	cmake --build build-armhf -j $(JOBS)
	cd build-armhf && ctest -LE host --output-on-failure --repeat until-pass:2

# kabar_<version>_<arch>.deb in build-deb/ (ARCH=arm64: the Pi's, in
# build-deb-arm64/), built with Debian's hardening flags, then checked by
# lintian. The package installs under /usr, where the binary looks for its
# data. (No armhf package: its cross build has no dpkg database for
# dpkg-shlibdeps; boards/README.md, "armhf".)
ARCH ?= $(shell dpkg --print-architecture 2>/dev/null)
DEB_BUILD_MAINT_OPTIONS ?= hardening=+all
export DEB_BUILD_MAINT_OPTIONS
deb_flags = -DCMAKE_C_FLAGS="$$(DEB_HOST_ARCH=$(1) dpkg-buildflags --get CFLAGS) $$(DEB_HOST_ARCH=$(1) dpkg-buildflags --get CPPFLAGS)" \
	-DCMAKE_EXE_LINKER_FLAGS="$$(DEB_HOST_ARCH=$(1) dpkg-buildflags --get LDFLAGS)"
deb_cmake = -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=None -DKABAR_TESTS=OFF -DKABAR_SOURCE_DATA=OFF

deb:
ifeq ($(ARCH),$(shell dpkg --print-architecture 2>/dev/null))
	scripts/install-deps.sh --deb
	cmake -S . -B build-deb $(deb_cmake) $(call deb_flags,$(ARCH))
	cmake --build build-deb -j $(JOBS)
	cd build-deb && cpack -G DEB
	@lintian --info build-deb/kabar_*_$(ARCH).deb || true
else
	$(MAKE) deb-$(ARCH)
endif

deb-arm64:
	scripts/install-deps.sh --deb --cross
	cmake -S . -B build-deb-arm64 $(deb_cmake) $(call deb_flags,arm64) \
	  -DCMAKE_TOOLCHAIN_FILE=boards/toolchain-aarch64-linux-gnu.cmake
	cmake --build build-deb-arm64 -j $(JOBS)
	cd build-deb-arm64 && DEB_HOST_ARCH=arm64 cpack -G DEB
	@lintian --info build-deb-arm64/kabar_*_arm64.deb || true

# The appliance (docs/kiosk.md). `make image BOARD=rpi4` (rpi3, rpi-zero2w)
# builds kabar-<version>-<board>-arm64.img, a card to flash, from Debian's
# archive with mmdebstrap (scripts/image/), then checks its partitions and
# files. `make kiosk-vm` (ARCH=amd64 by default, ARCH=arm64 too) builds the
# same image for a QEMU guest and checks it booted, by its pixels: boot,
# crawl, spool, watchdog, reload, display schedule and POWER_CUTS power
# cuts (tests/kiosk/). Both run as root (mmdebstrap, mkfs -d keep owners).
# IMAGE_CACHE keeps the downloaded packages and the Debian base between
# builds and clones (scripts/image/build.sh says what and for how long).
BOARD       ?= rpi4
POWER_CUTS  ?= 20
IMAGE_DIR   ?= build-appliance
IMAGE_CACHE ?= $(HOME)/.cache/kabar-image
KABAR_VERSION := $(shell sed -n 's/^project.kabar VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
.PHONY: image kiosk-vm

image:
	scripts/install-deps.sh --image
	$(MAKE) deb ARCH=arm64
	scripts/image/build.sh --board $(BOARD) --arch arm64 --deb build-deb-arm64/kabar_$(KABAR_VERSION)_arm64.deb \
	  --out $(IMAGE_DIR)/kabar-$(KABAR_VERSION)-$(BOARD)-arm64.img --cache $(IMAGE_CACHE)/arm64
	tests/kiosk/check-image.sh $(IMAGE_DIR)/kabar-$(KABAR_VERSION)-$(BOARD)-arm64.img $(BOARD)

kiosk-vm:
	scripts/install-deps.sh --image
	$(MAKE) deb ARCH=$(ARCH)
	scripts/image/build.sh --vm --board desktop --arch $(ARCH) \
	  --deb $(if $(filter $(ARCH),$(shell dpkg --print-architecture)),build-deb,build-deb-$(ARCH))/kabar_$(KABAR_VERSION)_$(ARCH).deb \
	  --out $(IMAGE_DIR)/vm-$(ARCH).img --cache $(IMAGE_CACHE)/$(ARCH)
	tests/kiosk/check-image.sh $(IMAGE_DIR)/vm-$(ARCH).img vm
	timeout 3000 python3 tests/kiosk/kiosk_vm.py --arch $(ARCH) --image $(IMAGE_DIR)/vm-$(ARCH).img \
	  --out $(IMAGE_DIR)/kiosk-vm-$(ARCH) --power-cuts $(POWER_CUTS)
