# hoso: one Makefile for the library, the five programs, tests, fuzzers, demo
# and benchmarks.  Knobs:
#   DEVELOPER=1                  warnings are errors
#   SANITIZE=address,undefined   instrumented build (objects go to build-san/)
#   PREFIX=/usr/local            for make install

PREFIX   ?= /usr/local
CC       ?= cc
PKGS     := libpq yaml-0.1 zlib libutf8proc libcrypto
DEB_PKGS := build-essential pkg-config libpq-dev libyaml-dev zlib1g-dev \
            libutf8proc-dev libssl-dev postgresql-15 postgresql-client-15 clang \
            libclang-rt-14-dev

CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wformat=2 \
            -Wno-unused-parameter -Wmissing-prototypes -Wstrict-prototypes -Ilib
CFLAGS   += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

BUILD    := build
ifdef DEVELOPER
CFLAGS   += -Werror
endif
ifdef SANITIZE
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=$(SANITIZE)
BUILD    := build-san
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
BINS     := $(PROGS:%=bin/%)

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRC := $(wildcard fuzz/*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)

.PHONY: all deps test test-unit test-san demo bench bench-check fuzz clean install
all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

define prog_rule
$(1)_OBJ := $$(patsubst %.c,$(BUILD)/%.o,$$(wildcard $$(DIR_$(1))/*.c))
bin/$(1): $$($(1)_OBJ) $(LIB_A)
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(BUILD)/tests/%: tests/unit/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

# libFuzzer targets need clang; they link the library sources directly.
build-fuzz/%: fuzz/%.c $(LIB_SRC)
	@mkdir -p build-fuzz
	clang -g -O1 -std=c11 -D_GNU_SOURCE -Ilib $(shell pkg-config --cflags $(PKGS)) \
	  -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_SRC) $(LDLIBS)

deps:
	@scripts/deps.sh $(DEB_PKGS)

test-unit: $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

test: all $(UNIT_BIN)
	@scripts/run-tests.sh

test-san:
	$(MAKE) SANITIZE=address,undefined BUILD=build-san test

fuzz: $(FUZZ_BIN)
	@scripts/fuzz.sh $(FUZZ_BIN)

demo: deps all
	@scripts/demo.sh

bench: all
	@scripts/bench.sh

bench-check:
	@scripts/bench-check.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/hoso
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	cp -r schemas $(DESTDIR)$(PREFIX)/share/hoso/

clean:
	rm -rf build build-san build-fuzz bin

-include $(LIB_OBJ:.o=.d) $(foreach p,$(PROGS),$($(p)_OBJ:.o=.d))
