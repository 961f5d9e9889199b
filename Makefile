# Feedscope. `make run` opens the window on the demo feed; `make test` is
# what CI runs (.ci/run). Both install the Debian packages they need when
# they are missing, and say nothing when they are present.

SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
export LANG ?= C.UTF-8

# What building Fyne (cgo, GL, X11) needs, plus the real servers and tools
# the tests start: redis-server (Redis relay), nginx with nchan (long
# polling), mosquitto and its clients (MQTT), Python's websockets (the
# original article's WebSocket server), Node.js (serve's index page script),
# Xvfb and ImageMagick (the window smoke test and measure-window).
BUILD_DEBS := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
TEST_DEBS := redis-server xvfb xauth imagemagick nginx libnginx-mod-nchan python3-websockets nodejs \
	mosquitto mosquitto-clients

GO ?= go
# Every change to a widget reaches the main goroutine through fyne.Do (the
# app's one bridge), so the build declares the migration: Fyne then skips
# its per-call thread check (a runtime.Stack on every Refresh). `fyne build`
# and `fyne package` add this tag from FyneApp.toml's [Migrations]; plain
# go build/test/vet need it here.
TAGS := -tags migrated_fynedo
GOFLAGS_TEST ?= -race -count=1

.PHONY: all build run smoke test deps build-deps test-deps vet fmt-check measure-window

all: build

# deps-% installs the named Debian packages when any is missing:
# apt-get update runs once, and only then.
define install_debs
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

build-deps:
	$(call install_debs,$(BUILD_DEBS))

test-deps:
	$(call install_debs,$(BUILD_DEBS) $(TEST_DEBS))

deps: test-deps

build: build-deps
	$(GO) build $(TAGS) -o feedscope .

# Opens the window on the demo feed (or the last URL). Without a display it
# says so and renders the demo feed to feedscope-demo.png instead.
run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "No display (DISPLAY and WAYLAND_DISPLAY are empty): writing a snapshot of the demo feed to feedscope-demo.png instead of opening the window."; \
		./feedscope snapshot --demo --for 5s --out feedscope-demo.png; \
	else \
		./feedscope; \
	fi

# The real window under Xvfb for a few seconds: fails unless it drew.
smoke: test-deps build
	timeout 180 .ci/smoke ./feedscope

# What the window costs (README, "What the window costs"): under Xvfb at
# 1180x720, each case runs 20 s and prints CPU (% of one core), repaints/s
# and RSS beside a bare Fyne window repainting a raster at the same rate,
# then RSS over two minutes on the demo feed. The app is built with the
# tag `measure`, which counts repaints; production builds do not have it.
MEASURE_FLAGS ?=
measure-window: test-deps
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	$(GO) build -tags 'migrated_fynedo measure' -o "$$dir/feedscope" . && \
	$(GO) build $(TAGS) -o "$$dir/measurewindow" ./internal/measurewindow && \
	"$$dir/measurewindow" -app "$$dir/feedscope" $(MEASURE_FLAGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi

vet: build-deps
	$(GO) vet $(TAGS) ./...

# A short, fixed-time run of each fuzz target on top of its seed corpus
# (the seeds alone already run in `go test`). FUZZTIME=0 skips it. A run
# that ends in "context deadline exceeded" with no failing input is the
# fuzzing engine missing its own deadline on a busy machine, not a finding:
# it runs once more. A real failure (a failing input) fails at once.
FUZZTIME ?= 10s
FUZZ_TARGETS := ./feeds:FuzzDecode ./feeds:FuzzJSONScanner ./feeds:FuzzSSEStream \
	./feeds:FuzzWebSocketFrames ./feeds/hub:FuzzParseFlaskSSE \
	./feeds/recording:FuzzSplitRecord ./feeds/recording:FuzzTextTime \
	./app/dashboard:FuzzParse ./app/compute:FuzzParse

# The end-to-end tests run the binary `build` made (FEEDSCOPE_BIN). The
# fault-injection run (feeds/soak, about 25 s) runs on its own with -v so
# that its figures (faults, messages checked, lost, duplicated, memory,
# goroutines) are printed; `go test ./feeds/soak/ -soak=10m` is the long run.
test: test-deps fmt-check vet build smoke
	FEEDSCOPE_BIN=$(CURDIR)/feedscope $(GO) test $(TAGS) $(GOFLAGS_TEST) $$($(GO) list ./... | grep -v /feeds/soak)
	$(GO) test $(TAGS) $(GOFLAGS_TEST) -v -run TestFaults ./feeds/soak/ 2>&1 | grep -v '^=== '; exit $${PIPESTATUS[0]}
	@if [ "$(FUZZTIME)" != 0 ]; then for t in $(FUZZ_TARGETS); do \
		out=$$($(GO) test $(TAGS) -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" 2>&1); rc=$$?; echo "$$out"; \
		if [ $$rc != 0 ] && ! grep -q 'Failing input' <<<"$$out" && grep -q 'context deadline exceeded' <<<"$$out"; then \
			echo "fuzz engine gave up at its deadline without a failing input (a Go fuzzing flake on a loaded machine): running $${t#*:} again"; \
			$(GO) test $(TAGS) -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}"; rc=$$?; \
		fi; \
		[ $$rc = 0 ] || exit 1; \
	done; fi
