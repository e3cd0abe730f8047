# tracksheet — the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= debug
BIN := .build/$(CONFIG)/tracksheet
CORPUS ?= ../shared/corpus
SAMPLE ?= samples/seed-plan-openpyxl.xlsx

# Debian packages the build needs; pkg-config names them libxml-2.0 and libzip.
SYSTEM_PACKAGES := pkg-config libxml2-dev libzip-dev

.PHONY: all deps build release test demo clean

all: build

## deps: install the C libraries when missing (apt-get as root, else print the command and stop)
deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    if pkg-config --exists libxml-2.0 libzip 2>/dev/null; then exit 0; fi; \
	    echo "tracksheet needs libxml2 and libzip with pkg-config (macOS: brew install libxml2 libzip pkg-config)"; exit 2; \
	  elif [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 2; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Run: sudo apt-get install -y$$missing"; exit 2; \
	  fi; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

release:
	$(MAKE) build CONFIG=release

## test: unit tests, the corpus conformance test and the hostile-file tests (runs the built binary)
test: build
	@test -d $(CORPUS) || { echo "The workbook corpus is missing at $(CORPUS) (shared/ must sit beside this checkout)"; exit 2; }
	$(SWIFT) test -c $(CONFIG) 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}

## demo: build and run the main job on a sample
demo: build
	@echo "== tracksheet inspect $(SAMPLE)"
	$(BIN) inspect $(SAMPLE)
	@echo
	@echo "== the same as JSON with every cell"
	$(BIN) inspect $(SAMPLE) --format json --cells

clean:
	rm -rf .build
