# hoso: one Makefile for the library, the five programs, tests, fuzzers, demo
# and benchmarks.  Knobs:
#   DEVELOPER=1                  warnings are errors
#   SANITIZE=address,undefined   instrumented build (objects go to build-san/)
#   PREFIX=/usr/local            for make install

PREFIX   ?= /usr/local
CC       ?= cc
# libdeflate: extract inflates whole gzip members with it (README, Libraries and why)
PKGS     := libpq yaml-0.1 zlib libdeflate libutf8proc libcrypto
DEB_PKGS := build-essential pkg-config libpq-dev libyaml-dev zlib1g-dev libdeflate-dev \
            libutf8proc-dev libssl-dev postgresql-15 postgresql-client-15 clang \
            libclang-rt-14-dev python3 ca-certificates chromium faketime
# only for make bench / bench-analytics
BENCH_PKGS := hyperfine pgloader time util-linux

CFLAGS   ?= -O2 -g
VERSION  := 0.1.0
CFLAGS   += -std=c11 -D_GNU_SOURCE -DHOSO_VERSION='"$(VERSION)"' -pthread -Wall -Wextra -Wshadow -Wformat=2 \
            -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes -Ilib
CFLAGS   += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread

BUILD    := build
BINDIR   := bin
ifdef DEVELOPER
CFLAGS   += -Werror
endif
ifdef SANITIZE
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=$(SANITIZE)
BUILD    := build-san
BINDIR   := build-san/bin
endif

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB_A    := $(BUILD)/libhoso.a

# program name -> source directory
PROGS    := hoso hoso-extract hoso-transform hoso-load hoso-gen
DIR_hoso           := runner
DIR_hoso-extract   := extract
DIR_hoso-transform := transform
DIR_hoso-load      := load
DIR_hoso-gen       := gen
BINS     := $(PROGS:%=$(BINDIR)/%)

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRC := $(wildcard fuzz/*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)

.PHONY: all deps test test-unit test-san test-long demo demo-stop demo-national bench bench-national bench-analytics bench-check fuzz clean install
all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

define prog_rule
$(1)_OBJ := $$(patsubst %.c,$(BUILD)/%.o,$$(wildcard $$(DIR_$(1))/*.c))
$(BINDIR)/$(1): $$($(1)_OBJ) $(LIB_A)
	@mkdir -p $(BINDIR)
	$(CC) $(LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(BUILD)/tests/%: tests/unit/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

# libFuzzer targets need clang; they link the library and the extract
# stage's modules (its parsers) minus its main(), compiled once for all.
FUZZ_EXTRA  := $(filter-out extract/main.c,$(wildcard extract/*.c))
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -DHOSO_VERSION='"$(VERSION)"' \
               -Ilib -Iextract $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -pthread
FUZZ_OBJ    := $(patsubst %.c,build-fuzz/obj/%.o,$(LIB_SRC) $(FUZZ_EXTRA))
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<
$(FUZZ_BIN): build-fuzz/%: fuzz/%.c $(FUZZ_OBJ)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

# make test replays each corpus through the same targets linked with a
# plain main() (fuzz/replay/main.c) and this build's library: no clang, and
# instrumented under SANITIZE.
REPLAY_BIN := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/replay/%)
REPLAY_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(FUZZ_EXTRA))
$(REPLAY_BIN): $(BUILD)/replay/%: fuzz/%.c fuzz/replay/main.c $(REPLAY_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iextract $(LDFLAGS) -o $@ $< fuzz/replay/main.c $(REPLAY_OBJ) $(LIB_A) $(LDLIBS)

deps:
	@scripts/deps.sh $(DEB_PKGS)

# make test: what a developer runs often (a few minutes): unit tests,
# fuzz-corpus replay, stage tests, and the integration tests against a
# private PostgreSQL the suite starts and stops.  Its last line is
# "N passed, N failed".
test: all $(UNIT_BIN) $(REPLAY_BIN)
	@HOSO_BIN=$(CURDIR)/$(BINDIR) HOSO_BUILD=$(BUILD) scripts/run-tests.sh

test-unit: $(UNIT_BIN)
	@HOSO_BUILD=$(BUILD) scripts/run-tests.sh unit

test-san:
	$(MAKE) SANITIZE=address,undefined test

# make test-long: the long checks, for CI and before a release: a bounded
# fuzz run, the suite under ASan/UBSan, then tests/long/ (the full scale-1
# Kon Tum sample, the long crash mode, the oracle over the whole sample).
test-long: all
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SECONDS_LONG)
	@$(MAKE) --no-print-directory test-san
	@HOSO_BIN=$(CURDIR)/$(BINDIR) HOSO_BUILD=$(BUILD) scripts/run-tests.sh --long

FUZZ_SECONDS_LONG ?= 30

# A bounded fuzz run of every target (FUZZ_SECONDS each), from its corpus.
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BIN)
	@scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

demo-stop:
	@scripts/demo.sh stop
	@scripts/demo-national.sh stop

# The 63 provinces over a coordinator and two shards, checked against one server.
demo-national: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo-national.sh

# hoso against its floors at scale 1, then the national warehouse
# (bench-national); BENCH_SCALE=10 measures growth against scale 1 instead
# (scripts/bench-growth.sh).  Knobs: the scripts' headers.
bench: all
	@scripts/deps.sh $(DEB_PKGS) $(BENCH_PKGS)
	@scripts/bench.sh
	@if [ "$${BENCH_SCALE:-1}" = 1 ]; then scripts/bench-national.sh; fi

# the 63 provinces loaded with 1 and 2 shards, the ranking on a coordinator
# against one server, planning time against the number of partitions;
# BENCH_NATIONAL_SCALE=0.001
bench-national: all
	@scripts/deps.sh $(DEB_PKGS) $(BENCH_PKGS)
	@scripts/bench-national.sh

# the analysts' functions on >= 2 million cases, where each must answer in
# under 100 ms; ANALYTICS_SCALE=5
bench-analytics: all
	@scripts/deps.sh $(DEB_PKGS) $(BENCH_PKGS)
	@scripts/bench-analytics.sh

bench-check:
	@scripts/bench-check.sh

# Everything under PREFIX (DESTDIR for staged installs): the programs, and
# hoso's data directory PREFIX/share/hoso laid out like the source tree
# (schemas/, pipelines/, contrib/), which the programs find from their own
# place (PREFIX/bin/../share/hoso), so the tree may move.  The contrib files
# name PREFIX/bin instead of /usr/local/bin.
DATADIR  := $(PREFIX)/share/hoso
MANDIR   := $(PREFIX)/share/man
DOCDIR   := $(PREFIX)/share/doc/hoso
MAN_PAGES := $(wildcard man/*.1)
CONTRIB  := $(wildcard contrib/*/*)
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/pipelines $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(DOCDIR)/docs $(addprefix $(DESTDIR)$(DATADIR)/,$(sort $(dir $(CONTRIB))))
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	rm -rf $(DESTDIR)$(DATADIR)/schemas
	cp -R schemas $(DESTDIR)$(DATADIR)/
	chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/schemas
	install -m 644 pipelines/*.yaml $(DESTDIR)$(DATADIR)/pipelines/
	for f in $(CONTRIB); do \
	  sed 's|/usr/local/|$(PREFIX)/|g' $$f >$(DESTDIR)$(DATADIR)/$$f && chmod 644 $(DESTDIR)$(DATADIR)/$$f || exit 1; \
	done
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/

clean:
	rm -rf build build-san build-fuzz bin

-include $(LIB_OBJ:.o=.d) $(foreach p,$(PROGS),$($(p)_OBJ:.o=.d)) $(FUZZ_OBJ:.o=.d)
