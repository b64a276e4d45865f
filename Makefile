# SPDX-License-Identifier: MIT
# scorch - one hand-written GNU Makefile.
#
#   make            build ./scorch (installs missing Debian packages first)
#   make check      unit + end-to-end tests, in the normal and the ASan/UBSan build
#   make demo       profile the bundled example workload -> scorch-demo.svg
#   make bench      overhead and speed benchmarks -> bench/results.md
#   make asan       build build-asan/scorch with AddressSanitizer + UBSan
#   make format     clang-format every C file (format-check: verify only)
#   V=1             show full commands

SCORCH_VERSION := 0.1.0

# Every goal but these needs the Debian packages: install what is missing
# before pkg-config is asked for flags.
NODEPS_GOALS := clean format format-check
ifneq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
DEPS_STATUS := $(shell sh scripts/deps.sh >&2 && echo ok)
ifneq ($(DEPS_STATUS),ok)
$(error scripts/deps.sh could not install the build dependencies)
endif
endif

.DEFAULT_GOAL := all

CC ?= cc
PKGS := libdw libelf libcjson libunwind-generic libprotobuf-c zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -liberty -lm
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wwrite-strings -Wundef \
	-Wimplicit-fallthrough
OPT ?= -O2
BASE_CFLAGS := -std=gnu11 -g $(OPT) -fno-omit-frame-pointer -D_GNU_SOURCE \
	-DSCORCH_VERSION='"$(SCORCH_VERSION)"' -I. $(WARN) $(PKG_CFLAGS) \
	$(EXTRA_CFLAGS)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all

Q := $(if $(V),,@)
msg = $(if $(V),,@printf '  %-6s %s\n' $(1) $(2);)

# ---- sources, one list per room -------------------------------------------
COMMON_SRCS := common/xalloc.c common/strbuf.c common/err.c common/atomic.c \
	common/utf8.c common/strpool.c common/json.c \
	common/hash.c common/intmap.c
PROFILE_SRCS := profile/profile.c profile/folded.c profile/json.c \
	profile/load.c profile/aggregate.c profile/merge.c \
	profile/speedscope.c profile/pprof.c profile/budget.c
SAMPLER_SRCS := sampler/sampler.c sampler/events.c sampler/ring.c \
	sampler/stacks.c sampler/maps.c sampler/modules.c sampler/tasks.c \
	sampler/unwind-fp.c sampler/unwind.c sampler/unwind-libdw.c \
	sampler/unwind-rules.c sampler/unwind-libunwind.c
SYMBOLIZE_SRCS := symbolize/symbolizer.c symbolize/kallsyms.c \
	symbolize/perfmap.c symbolize/demangle.c symbolize/dwarfidx.c \
	symbolize/symtab.c symbolize/plt.c
RENDER_SRCS := $(sort $(wildcard render/*.c))
DIFF_SRCS := diff/diff.c diff/stats.c diff/align.c diff/paths.c \
	diff/report.c
CLI_SRCS := cli/output.c cli/record.c cli/svg.c cli/fold.c cli/flameopts.c \
	cli/addr2line.c cli/report.c cli/merge.c cli/export.c cli/diff.c \
	cli/check.c
CLI_SRCS += cli/pidof.c cli/usage.c

LIB_SRCS := $(COMMON_SRCS) $(PROFILE_SRCS) $(SAMPLER_SRCS) \
	$(SYMBOLIZE_SRCS) $(RENDER_SRCS) $(DIFF_SRCS)
SCORCH_SRCS := scorch.c $(CLI_SRCS) $(LIB_SRCS)
# Generated at build time into each build's gen/ (never committed):
# protoc-c's encoder for profile/pprof.proto.
GEN_OBJS := gen/pprof.pb-c.o
LIB_OBJS := $(LIB_SRCS:.c=.o) $(GEN_OBJS)

UNIT_TESTS := test_profile test_render test_sampler test_symbolize test_table \
	test_diff test_budget \
	test_modules
EXAMPLES := cpuburn threads echo-server loadgen stackmix

# ---- the two builds: build/ (normal) and build-asan/ ----------------------
# $(call build_rules,DIR,EXTRA_FLAGS)
define build_rules
$(1)/%.o: %.c $(1)/.flags | $(1)/.dirs
	$$(call msg,CC,$$@)$$(CC) $$(BASE_CFLAGS) $(2) -I$(1)/gen $$(CFLAGS) -MMD -MP -c $$< -o $$@

# The SVG's script and style: render/*.js, *.css as C byte lists.
$(1)/render/assets.o: $(1)/gen/flame.js.inc $(1)/gen/flame.css.inc
$(1)/gen/%.inc: render/% scripts/embed.sh | $(1)/.dirs
	@mkdir -p $(1)/gen
	$$(call msg,EMBED,$$@)sh scripts/embed.sh $$< >$$@.tmp && mv $$@.tmp $$@

$(1)/gen/pprof.pb-c.c: profile/pprof.proto | $(1)/.dirs
	@mkdir -p $(1)/gen
	$$(call msg,PROTOC,$$@)protoc-c --proto_path=profile --c_out=$(1)/gen profile/pprof.proto

$(1)/gen/pprof.pb-c.h: $(1)/gen/pprof.pb-c.c

$(1)/gen/pprof.pb-c.o: $(1)/gen/pprof.pb-c.c $(1)/.flags
	$$(call msg,CC,$$@)$$(CC) $$(BASE_CFLAGS) $(2) -I$(1)/gen $$(CFLAGS) -c $$< -o $$@

$(1)/profile/pprof.o: $(1)/gen/pprof.pb-c.h

$(1)/scorch: $(addprefix $(1)/,$(SCORCH_SRCS:.c=.o) $(GEN_OBJS))
	$$(call msg,LINK,$$@)$$(CC) $(2) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)

$(1)/tests/%: $(1)/tests/unit/%.o $(addprefix $(1)/,$(LIB_OBJS))
	$$(call msg,LINK,$$@)$$(CC) $(2) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(CMOCKA_LIBS)

# Objects rebuild when the flags change (the file's content is the flags).
$(1)/.flags: FORCE | $(1)/.dirs
	@echo '$$(CC) $$(BASE_CFLAGS) $(2) $$(CFLAGS) $$(LDFLAGS)' | cmp -s - $$@ || \
		echo '$$(CC) $$(BASE_CFLAGS) $(2) $$(CFLAGS) $$(LDFLAGS)' > $$@

$(1)/.dirs:
	$(Q)mkdir -p $(1)/common $(1)/profile $(1)/sampler $(1)/symbolize \
		$(1)/render $(1)/diff $(1)/cli $(1)/tests/unit $(1)/gen
	@touch $$@

-include $(addprefix $(1)/,$(SCORCH_SRCS:.c=.d)) \
	$(patsubst %,$(1)/tests/unit/%.d,$(UNIT_TESTS))
endef

$(eval $(call build_rules,build,))
$(eval $(call build_rules,build-asan,$(SAN_FLAGS)))

.PHONY: all asan check check-build check-asan demo bench examples format \
	format-check clean FORCE
FORCE:

# Keep test objects: they are not intermediates to throw away.
.SECONDARY:

all: scorch examples

scorch: build/scorch
	$(Q)cp build/scorch scorch

asan: build-asan/scorch $(addprefix build-asan/tests/,$(UNIT_TESTS))

# Example workloads: always optimized, always with frame pointers.
EXAMPLE_CFLAGS := -std=gnu11 -O2 -g -fno-omit-frame-pointer -Wall -Wextra \
	-pthread
NOFP_CFLAGS := $(filter-out -fno-omit-frame-pointer,$(EXAMPLE_CFLAGS)) \
	-fomit-frame-pointer
UNWIND_EXAMPLES := build/examples/stackmix-nofp \
	build/examples/stackmix-dbgframe build/examples/stackmix-plugin.so \
	build/examples/regression-base build/examples/regression-pr \
	build/examples/stackmix-lld
examples: $(addprefix build/examples/,$(EXAMPLES)) $(UNWIND_EXAMPLES) \
	build/examples/loadtest-server

build/examples/%: examples/%.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(EXAMPLE_CFLAGS) -o $@ $< -lm

# The HTTP server examples/loadtest/run.sh profiles under wrk.
build/examples/loadtest-server: examples/loadtest/server.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(EXAMPLE_CFLAGS) -o $@ $<

# stackmix, for unwinding: with frame pointers, without them, and with its
# own CFI only in .debug_frame (no .eh_frame); the plugin it dlopens has no
# frame pointers either.

build/examples/stackmix-nofp: examples/stackmix.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(NOFP_CFLAGS) -o $@ $<

# Linked by LLD (clang -fuse-ld=lld), whose read-only and code segments
# share a file page; without clang or lld, tests/e2e/record_lld.sh skips.
build/examples/stackmix-lld: examples/stackmix.c | build/.dirs
	@mkdir -p build/examples
	$(Q)if command -v clang >/dev/null && command -v ld.lld >/dev/null; \
	then printf '  %-6s %s\n' CC $@; \
	clang -fuse-ld=lld $(NOFP_CFLAGS) -o $@ $<; \
	else echo "SKIP: $@: clang or lld not installed" >&2; fi

build/examples/stackmix-dbgframe: examples/stackmix.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(NOFP_CFLAGS) -fno-asynchronous-unwind-tables \
		-fno-unwind-tables -o $@ $<

# examples/regression: one program, a baseline and a PR build (diff demo).
build/examples/regression-base: examples/regression/app.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(NOFP_CFLAGS) -DAPP_PR=0 -o $@ $<

build/examples/regression-pr: examples/regression/app.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(NOFP_CFLAGS) -DAPP_PR=1 -o $@ $<

build/examples/stackmix-plugin.so: examples/stackmix-plugin.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(NOFP_CFLAGS) -fPIC -shared -o $@ $<

# ---- tests ------------------------------------------------------------------
# The suite runs twice: the normal build with -Werror, then the sanitizers.
# Each run ends with "N passed, N failed"; the last line sums both runs.
check:
	$(Q)$(MAKE) --no-print-directory EXTRA_CFLAGS=-Werror \
		build/scorch $(addprefix build/tests/,$(UNIT_TESTS)) examples
	$(Q)$(MAKE) --no-print-directory EXTRA_CFLAGS=-Werror \
		build-asan/scorch $(addprefix build-asan/tests/,$(UNIT_TESTS))
	$(Q)cp build/scorch scorch
	$(Q)sh tests/node/install.sh || \
		echo "scorch: tests/node: npm packages missing; export decoding tests will skip" >&2
	$(Q)sh tests/run.sh build build-asan

# ---- the main job on a bundled example --------------------------------------
demo: scorch examples
	$(Q)sh examples/demo.sh

bench: scorch examples build/bench/profile_io build/bench/gen-folded
	$(Q)sh bench/run.sh

# In-process timing of the profile readers and writers (bench/artifacts.sh).
build/bench/profile_io: build/bench/profile_io.o $(addprefix build/,$(LIB_OBJS))
	$(call msg,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/bench/profile_io.o: bench/profile_io.c build/.flags | build/.dirs
	@mkdir -p build/bench
	$(call msg,CC,$@)$(CC) $(BASE_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# Deterministic synthetic folded profiles for bench/flame.sh.
build/bench/gen-folded: bench/gen-folded.c | build/.dirs
	@mkdir -p build/bench
	$(call msg,CC,$@)$(CC) $(EXAMPLE_CFLAGS) -o $@ $<

# ---- layout -------------------------------------------------------------------
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	$(Q)clang-format -i $(FORMAT_FILES)

format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	$(Q)rm -rf build build-asan scorch
