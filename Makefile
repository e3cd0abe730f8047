# tracksheet — the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= debug
BIN := .build/$(CONFIG)/tracksheet
CORPUS ?= ../shared/corpus
SAMPLE ?= samples/seed-plan-openpyxl.xlsx

# Debian packages the build needs; pkg-config names them libxml-2.0 and libzip.
SYSTEM_PACKAGES := pkg-config libxml2-dev libzip-dev libsqlite3-dev

# Real clients that check what the editor writes: LibreOffice (Debian) and openpyxl (PyPI).
INTEROP_PACKAGES := libreoffice-calc-nogui libxml2-utils poppler-utils
INTEROP_DIR := .build/interop
INTEROP_SAMPLE ?= 100

.PHONY: all deps deps-interop build release test interop bench demo pictures clean fuzz fuzz-build fuzz-run fuzz-smoke \
	static manual install dist install-check

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

## deps-interop: LibreOffice and openpyxl, for the checks that open our output in real clients,
## and strace, whose fault injection kills recalc and sync midway in the crash-safety test
deps-interop:
	@if ! command -v strace >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null || exit 2; \
	  else echo "The crash-safety test needs strace: sudo apt-get install -y strace"; exit 2; fi; \
	fi
	@if ! command -v soffice >/dev/null 2>&1 || ! command -v xmllint >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing LibreOffice (for the interop check)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(INTEROP_PACKAGES) >/dev/null || exit 2; \
	  else echo "The interop check needs LibreOffice, xmllint and pdftoppm: sudo apt-get install -y libreoffice-calc-nogui libxml2-utils poppler-utils"; exit 2; fi; \
	fi
	@python3 -c "import openpyxl" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check openpyxl 2>&1 | grep -v "WARNING: Running pip as the 'root' user" || true
	@python3 -c "import openpyxl" || { echo "The interop check needs openpyxl: python3 -m pip install openpyxl"; exit 2; }

build: deps
	$(SWIFT) build -c $(CONFIG)

release:
	$(MAKE) build CONFIG=release

## test: unit tests, corpus conformance, round trip and edit tests, hostile files and crash safety
## (the built binary), then a new workbook with every writer feature checked in openpyxl and LibreOffice
## (recalculated values = cached ones) and a fixed sample of $(INTEROP_SAMPLE) edited corpus workbooks,
## then the fuzz targets' smoke run
test: build deps-interop
	@test -d $(CORPUS) || { echo "The workbook corpus is missing at $(CORPUS) (shared/ must sit beside this checkout)"; exit 2; }
	@rm -rf $(INTEROP_DIR) && mkdir -p $(INTEROP_DIR)
	@# The store tests need a PostgreSQL server: started here on loopback, or the run fails.
	@pg=$$(bash .ci/postgres.sh) || { echo "PostgreSQL could not be started; the store tests need it (see .ci/postgres.sh)"; exit 2; }; \
	  TRACKSHEET_TEST_POSTGRES=$$pg TRACKSHEET_INTEROP_DIR=$(abspath $(INTEROP_DIR)) $(SWIFT) test -c $(CONFIG) 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}
	python3 docs/make_headers.py --check
	@# Every part of what tracksheet writes, against the ECMA-376 schemas.
	bash Tests/interop/ooxml_outputs.sh $(BIN) $(INTEROP_DIR)
	@cat $(INTEROP_DIR)/pairs-*.tsv > $(INTEROP_DIR)/pairs.tsv
	python3 Tests/interop/check_features.py $(INTEROP_DIR)
	python3 Tests/interop/check_opens.py $(INTEROP_DIR)/pairs.tsv --sample $(INTEROP_SAMPLE)
	@# The installed binary and the tarball's, with the Swift toolchain and the build folders hidden.
	$(MAKE) --no-print-directory install-check
	@# The fuzz targets over their seeds and regression inputs, then 15 s of fuzzing each.
	$(MAKE) --no-print-directory fuzz-smoke FUZZ_CONFIG=debug

## install: the release binary with Swift's runtime linked in (it runs where no Swift toolchain is),
## its templates, shell completions (bash, zsh, fish), the man page and the user's guide, under PREFIX:
##   bin/tracksheet, share/tracksheet/templates/, share/man/man1/tracksheet.1,
##   share/bash-completion/completions/tracksheet, share/zsh/site-functions/_tracksheet,
##   share/fish/vendor_completions.d/tracksheet.fish, share/doc/tracksheet/
## The binary finds its templates in ../share/tracksheet/templates from where it is.
PREFIX ?= /usr/local
VERSION := $(shell sed -n 's/^ *static let version = "\(.*\)"/\1/p' Sources/tracksheet/Tracksheet.swift)
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD -- Sources templates Package.swift 2>/dev/null || echo -modified)
STATIC_DIR := .build-static
STATIC_BIN := $(STATIC_DIR)/release/tracksheet
INFO_DIR := $(abspath $(STATIC_DIR))/info
MANUAL := .build/plugins/GenerateManual/outputs/tracksheet/tracksheet.1
DIST_NAME := tracksheet-$(VERSION)-linux-$(shell uname -m)

## static: that binary alone (in .build-static/release/tracksheet); the commit is written into it
static: deps
	@mkdir -p $(INFO_DIR)
	@echo '#define TRACKSHEET_COMMIT "$(COMMIT)"' > $(INFO_DIR)/tracksheet_commit.h.new
	@cmp -s $(INFO_DIR)/tracksheet_commit.h.new $(INFO_DIR)/tracksheet_commit.h || mv $(INFO_DIR)/tracksheet_commit.h.new $(INFO_DIR)/tracksheet_commit.h
	@rm -f $(INFO_DIR)/tracksheet_commit.h.new
	@# SwiftPM 6.3 stops with "unknown build description" when the package changed since this
	@# folder's last build; without its cached description it plans again (and rebuilds only what changed).
	@rm -f $(STATIC_DIR)/*/release/description.json
	$(SWIFT) build -c release --static-swift-stdlib --product tracksheet --scratch-path $(STATIC_DIR) -Xcc -I$(INFO_DIR)

## manual: the man page, generated from the command definitions by swift-argument-parser's plugin
## (it builds the package's debug products, the ones make test and make demo build)
manual: deps
	$(SWIFT) package --disable-sandbox generate-manual --configuration debug --section 1 \
	  --authors "the tracksheet developers" >/dev/null
	@test -s $(MANUAL) || { echo "the man page was not generated ($(MANUAL))"; exit 2; }

install: static manual
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tracksheet/templates $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/share/doc/tracksheet
	install -m 755 -s $(STATIC_BIN) $(DESTDIR)$(PREFIX)/bin/tracksheet
	install -m 644 templates/*.json $(DESTDIR)$(PREFIX)/share/tracksheet/templates/
	install -m 644 $(MANUAL) $(DESTDIR)$(PREFIX)/share/man/man1/tracksheet.1
	$(STATIC_BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/tracksheet
	$(STATIC_BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_tracksheet
	$(STATIC_BIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/tracksheet.fish
	install -m 644 docs/guide.md README.md $(DESTDIR)$(PREFIX)/share/doc/tracksheet/
	@echo "Installed tracksheet $(VERSION) in $(DESTDIR)$(PREFIX) (run $(DESTDIR)$(PREFIX)/bin/tracksheet --help)"

## dist: .build-static/tracksheet-VERSION-linux-ARCH.tar.gz, the same tree as install under one folder
DIST := $(STATIC_DIR)/$(DIST_NAME).tar.gz
dist:
	@rm -rf $(STATIC_DIR)/dist && mkdir -p $(STATIC_DIR)/dist
	$(MAKE) --no-print-directory install PREFIX=$(abspath $(STATIC_DIR)/dist/$(DIST_NAME)) DESTDIR=
	tar -C $(STATIC_DIR)/dist -czf $(DIST) $(DIST_NAME)
	@echo "Wrote $(DIST)"

## install-check (part of make test): make install and make dist into temporary folders, then each
## tree's tracksheet runs new, validate, recalc and sync with /opt/swift and the build folders hidden;
## then the crafted attacks through the installed (release) binary against the judged bounds
install-check:
	@dir=$$(mktemp -d /tmp/tracksheet-install.XXXXXX); \
	  $(MAKE) --no-print-directory install PREFIX=$$dir/prefix DESTDIR= && \
	  $(MAKE) --no-print-directory dist && \
	  mkdir -p $$dir/unpacked && tar -C $$dir/unpacked -xzf $(DIST) && \
	  bash Tests/install/check.sh $$dir/prefix && \
	  bash Tests/install/check.sh $$dir/unpacked/$(DIST_NAME) && \
	  bash Tests/install/attacks.sh $$dir/prefix/bin/tracksheet; \
	  rc=$$?; rm -rf $$dir; exit $$rc

## interop: every edited corpus workbook (1,065) in LibreOffice and openpyxl; about 8 minutes
interop:
	$(MAKE) test INTEROP_SAMPLE=0

## bench: time and peak memory on 1,000 / 50,000 / 200,000-row sheets (not part of make test)
bench: deps
	$(SWIFT) build -c release
	bench/run.sh

## fuzz: the libFuzzer targets (reader, values) with address sanitizer, FUZZ_TIME seconds each,
## seeded from the corpus; new inputs go to .build-fuzz/corpus, crashes to .build-fuzz/crashes.
## The issue's run: make fuzz FUZZ_TIME=1800. One target: make fuzz FUZZ_TARGETS=reader
FUZZ_DIR := .build-fuzz
FUZZ_TIME ?= 60
# release: about 4x the executions per second of debug; make test's smoke run builds debug (quicker to build)
FUZZ_CONFIG ?= release
FUZZ_TARGETS ?= reader values
FUZZ_SWIFTFLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library
# Inputs stay under 256 KB; one over 10 s is a hang; 2 GB of memory is a leak or a bomb.
FUZZ_OPTIONS := -max_len=262144 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
export SWIFT_BACKTRACE := enable=no

fuzz-build: deps
	@for t in $(FUZZ_TARGETS); do \
	  rm -f $(FUZZ_DIR)/*/$(FUZZ_CONFIG)/description.json; \
	  $(SWIFT) build -c $(FUZZ_CONFIG) --scratch-path $(FUZZ_DIR) --product tracksheet-fuzz-$$t $(FUZZ_SWIFTFLAGS) 2>&1 | grep -v "Cannot export local symbol"; \
	  test $${PIPESTATUS[0]} = 0 || exit 2; \
	done
	@python3 fuzz/seeds.py $(CORPUS) $(FUZZ_DIR)/seeds

fuzz: fuzz-build
	@$(MAKE) --no-print-directory fuzz-run

## fuzz-run: the fuzzing itself, on targets already built (two at once: one make fuzz-run per target)
fuzz-run:
	@mkdir -p $(FUZZ_DIR)/crashes
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  echo "== fuzzing $$t for $(FUZZ_TIME) s"; \
	  $(FUZZ_DIR)/$(FUZZ_CONFIG)/tracksheet-fuzz-$$t $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t Tests/fuzz/$$t \
	    $(FUZZ_OPTIONS) -max_total_time=$(FUZZ_TIME) -artifact_prefix=$(FUZZ_DIR)/crashes/$$t- 2>&1 | tee $(FUZZ_DIR)/$$t.log | grep -E "^(#[0-9]+[[:space:]]+(INITED|DONE)|stat::)|ERROR|Fatal error|Test unit written"; \
	  test $${PIPESTATUS[0]} = 0 || { echo "fuzz target $$t failed: the input is in $(FUZZ_DIR)/crashes; add it to Tests/fuzz/$$t once fixed"; exit 1; }; \
	done

## fuzz-smoke (part of make test): every seed and regression input once (libFuzzer runs them all
## before it mutates), then fuzzing until 15 s have passed, per target
fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz smoke run: $$t"; \
	  rm -rf $(FUZZ_DIR)/smoke/$$t && mkdir -p $(FUZZ_DIR)/smoke/$$t $(FUZZ_DIR)/crashes; \
	  $(FUZZ_DIR)/$(FUZZ_CONFIG)/tracksheet-fuzz-$$t $(FUZZ_OPTIONS) -max_total_time=15 -artifact_prefix=$(FUZZ_DIR)/crashes/$$t- \
	    $(FUZZ_DIR)/smoke/$$t $(FUZZ_DIR)/seeds/$$t Tests/fuzz/$$t 2>&1 | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|ERROR|Fatal error|Test unit written"; \
	  test $${PIPESTATUS[0]} = 0 || { echo "fuzz target $$t crashed: see $(FUZZ_DIR)/crashes"; exit 1; }; \
	done

## pictures: docs/images/dashboard-*.png and gantt-*.png, rendered from the samples' recalc by
## LibreOffice and pdftoppm (not part of make test)
pictures: build deps-interop
	python3 docs/images/render.py $(BIN)

## demo: build and run the main job on the samples
demo: build
	@mkdir -p .build/demo
	@echo "== tracksheet new: a blank plan for a 618 campaign"
	$(BIN) new .build/demo/618大促.xlsx --template marketing-plan --campaign 618大促 --start 2025-05-01 --end 2025-07-23 --force
	@echo
	@echo "== tracksheet validate: the seed plan with nine planted mistakes (exit 1: problems found)"
	$(BIN) validate samples/with-errors/marketing-plan-errors.xlsx --as-of 2025-06-09 --annotate .build/demo/errors-校验.xlsx; \
	  echo "   exit code $$? (1 = problems found)"
	@echo "   annotated copy: .build/demo/errors-校验.xlsx (red/amber cells with notes, a 校验结果 sheet)"
	@echo
	@echo "== tracksheet validate: the seed plan itself (exit 0)"
	$(BIN) validate samples/marketing-plan-seed.xlsx --as-of 2025-06-09
	@echo
	@echo "== tracksheet recalc: CTR, CVR, cost per acquisition, ROI, 达成率, 达标情况, a 汇总 sheet, the 数据看板 and the 甘特图"
	$(BIN) recalc samples/marketing-plan-seed.xlsx -o .build/demo/seed-recalc.xlsx --as-of 2025-06-09
	@echo
	@echo "== tracksheet sync: the seed plan with the embedded SQLite store (.build/demo/tracksheet.db)"
	@rm -f .build/demo/tracksheet.db* && cp samples/marketing-plan-seed.xlsx .build/demo/plan.xlsx
	$(BIN) sync .build/demo/plan.xlsx --dry-run --as-of 2025-06-09
	$(BIN) sync .build/demo/plan.xlsx --as-of 2025-06-09
	@echo "   (someone edits 实际支出 of the second task to 45,000 in the workbook)"
	@python3 -c "import openpyxl" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check openpyxl 2>&1 | grep -v "Running pip as the 'root'" || true
	python3 -c "import openpyxl; wb = openpyxl.load_workbook('.build/demo/plan.xlsx'); wb['主跟踪表']['J4'] = 45000; wb.save('.build/demo/plan.xlsx')"
	$(BIN) sync .build/demo/plan.xlsx --as-of 2025-06-09
	$(BIN) sync .build/demo/plan.xlsx --as-of 2025-06-09
	@echo "   the store's change log:"
	@command -v sqlite3 >/dev/null && sqlite3 .build/demo/tracksheet.db "select who, workbook, cell, old_value, new_value from change_log where action = 'update'" || true
	$(BIN) export .build/demo/plan-export.xlsx --campaign 母婴新品奶粉上市推广 --store .build/demo/tracksheet.db --force
	@echo
	@echo "== tracksheet inspect $(SAMPLE)"
	$(BIN) inspect $(SAMPLE)

clean:
	rm -rf .build $(STATIC_DIR)
