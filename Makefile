# SPDX-License-Identifier: MIT
# scorch - one hand-written GNU Makefile.
#
#   make            build ./scorch (installs missing Debian packages first)
#   make check      unit + end-to-end tests, in the normal and the ASan/UBSan build
#   make demo       profile the bundled example workload -> scorch-demo.svg
#   make bench      overhead and speed benchmarks -> bench/results.md
#   make soak       10 minutes (SOAK_SECONDS) of record -F 999 on the loadtest
#                   server: RSS flat, lost samples counted -> bench/results.md
#   make asan       build build-asan/scorch with AddressSanitizer + UBSan
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (default 60) each
#   make format     clang-format every C file (format-check: verify only)
#   V=1             show full commands

SCORCH_VERSION := 0.1.0

# Every goal but these needs Debian packages: install what is missing before
# pkg-config is asked for flags. Each goal asks for its own set (scripts/
# deps.sh): building only what builds; check, each test family, bench, demo
# and soak what they run as well.
NODEPS_GOALS := clean format format-check
deps_set = $(or $(if $(filter check,$1),test),$(if $(filter fuzz fuzz-build \
	build-fuzz/%,$1),fuzz),$(if $(filter matrix build/examples/matrix/%,$1),matrix),\
	$(if $(filter build/tests/% build-asan/tests/% asan,$1),unit),\
	$(if $(filter bench demo soak,$1),$1),build)
DEPS_GOALS := $(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all))
ifneq ($(DEPS_GOALS),)
DEPS_SETS := $(sort $(foreach g,$(DEPS_GOALS),$(call deps_set,$g)))
DEPS_STATUS := $(shell sh scripts/deps.sh $(DEPS_SETS) >&2 && echo ok)
ifneq ($(DEPS_STATUS),ok)
$(error scripts/deps.sh $(DEPS_SETS) could not install the dependencies)
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
	common/regex.c \
	common/utf8.c common/escape.c common/strpool.c common/json.c \
	common/hash.c common/intmap.c
PROFILE_SRCS := profile/profile.c profile/folded.c profile/json.c \
	profile/lines.c \
	profile/load.c profile/aggregate.c profile/merge.c profile/split.c \
	profile/inline.c \
	profile/speedscope.c profile/pprof.c profile/budget.c \
	profile/jsontext.c profile/jsonsites.c profile/perfscript.c \
	profile/values.c profile/meta.c
SAMPLER_SRCS := sampler/sampler.c sampler/passes.c sampler/decode.c \
	sampler/handle.c sampler/events.c sampler/targets.c sampler/ring.c \
	sampler/stacks.c sampler/maps.c sampler/modules.c sampler/tasks.c \
	sampler/unwind-fp.c sampler/unwind.c sampler/unwind-libdw.c \
	sampler/unwind-rules.c sampler/unwind-libunwind.c sampler/unwind-ehret.c \
	sampler/unwind-plt.c \
	sampler/offcpu.c sampler/jitter.c
SYMBOLIZE_SRCS := symbolize/symbolizer.c symbolize/kallsyms.c \
	symbolize/perfmap.c symbolize/demangle.c symbolize/dwarfidx.c \
	symbolize/symtab.c symbolize/plt.c
RENDER_SRCS := $(sort $(wildcard render/*.c))
DIFF_SRCS := diff/diff.c diff/count.c diff/model.c diff/noise.c diff/tiers.c diff/findings.c diff/stats.c diff/align.c diff/paths.c
CLI_SRCS := cli/output.c cli/record.c cli/record_profile.c \
	cli/record_summary.c cli/svg.c cli/fold.c cli/flameopts.c \
	cli/addr2line.c cli/report.c cli/merge.c cli/export.c cli/diff.c \
	cli/check.c
CLI_SRCS += cli/pidof.c cli/usage.c cli/formats.c cli/value.c

LIB_SRCS := $(COMMON_SRCS) $(PROFILE_SRCS) $(SAMPLER_SRCS) \
	$(SYMBOLIZE_SRCS) $(RENDER_SRCS) $(DIFF_SRCS)
SCORCH_SRCS := scorch.c $(CLI_SRCS) $(LIB_SRCS)
# Generated at build time into each build's gen/ (never committed):
# protoc-c's encoder for profile/pprof.proto.
GEN_OBJS := gen/pprof.pb-c.o
LIB_OBJS := $(LIB_SRCS:.c=.o) $(GEN_OBJS)

UNIT_TESTS := test_profile test_render test_sampler test_symbolize test_table \
	test_diff test_diffmodel test_budget test_regex \
	test_modules test_escape test_roundtrip test_decode test_common \
	test_values test_offcpu test_meta test_jitter
EXAMPLES := cpuburn threads echo-server loadgen stackmix offcpu inlined lockstep pingpong

# ---- the builds: build/ (normal), build-asan/, build-fuzz/ -----------------
# $(call build_rules,DIR,EXTRA_FLAGS); CC_DIR is the build's compiler.
CC_build = $(CC)
CC_build-asan = $(CC)
define build_rules
$(1)/%.o: %.c $(1)/.flags | $(1)/.dirs
	$$(call msg,CC,$$@)$$(CC_$(1)) $$(BASE_CFLAGS) $(2) -I$(1)/gen $$(CFLAGS) -MMD -MP -c $$< -o $$@

# The SVG's script and style: render/*.js, *.css as C byte lists.
$(1)/render/assets.o: $(1)/gen/regex.js.inc $(1)/gen/flame.js.inc \
	$(1)/gen/flame.css.inc
$(1)/gen/%.inc: render/% scripts/embed.sh | $(1)/.dirs
	@mkdir -p $(1)/gen
	$$(call msg,EMBED,$$@)sh scripts/embed.sh $$< >$$@.tmp && mv $$@.tmp $$@

$(1)/gen/pprof.pb-c.c: profile/pprof.proto | $(1)/.dirs
	@mkdir -p $(1)/gen
	$$(call msg,PROTOC,$$@)protoc-c --proto_path=profile --c_out=$(1)/gen profile/pprof.proto

$(1)/gen/pprof.pb-c.h: $(1)/gen/pprof.pb-c.c

$(1)/gen/pprof.pb-c.o: $(1)/gen/pprof.pb-c.c $(1)/.flags
	$$(call msg,CC,$$@)$$(CC_$(1)) $$(BASE_CFLAGS) $(2) -I$(1)/gen $$(CFLAGS) -c $$< -o $$@

$(1)/profile/pprof.o: $(1)/gen/pprof.pb-c.h

$(1)/scorch: $(addprefix $(1)/,$(SCORCH_SRCS:.c=.o) $(GEN_OBJS))
	$$(call msg,LINK,$$@)$$(CC_$(1)) $(2) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)

$(1)/tests/%: $(1)/tests/unit/%.o $(addprefix $(1)/,$(LIB_OBJS))
	$$(call msg,LINK,$$@)$$(CC_$(1)) $(2) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(CMOCKA_LIBS)

# test_profile decodes pprof output with the generated code.
$(1)/tests/unit/test_profile.o: $(1)/gen/pprof.pb-c.h

# test_escape checks diagnostics too, which cli/output.c prints.
$(1)/tests/test_escape: $(1)/cli/output.o $(1)/cli/formats.o

# Objects rebuild when the flags change (the file's content is the flags).
$(1)/.flags: FORCE | $(1)/.dirs
	@echo '$$(CC_$(1)) $$(BASE_CFLAGS) $(2) $$(CFLAGS) $$(LDFLAGS)' | cmp -s - $$@ || \
		echo '$$(CC_$(1)) $$(BASE_CFLAGS) $(2) $$(CFLAGS) $$(LDFLAGS)' > $$@

$(1)/.dirs:
	$(Q)mkdir -p $(1)/common $(1)/profile $(1)/sampler $(1)/symbolize \
		$(1)/render $(1)/diff $(1)/cli $(1)/tests/unit $(1)/tests/fuzz \
		$(1)/gen
	@touch $$@

-include $(addprefix $(1)/,$(SCORCH_SRCS:.c=.d)) \
	$(patsubst %,$(1)/tests/unit/%.d,$(UNIT_TESTS)) \
	$(patsubst %,$(1)/tests/fuzz/%.d,$(FUZZ_TARGETS) fuzz)
endef

$(eval $(call build_rules,build,))
$(eval $(call build_rules,build-asan,$(SAN_FLAGS)))

# ---- libFuzzer harnesses (tests/fuzz/): clang, ASan + UBSan ------------------
# The product objects are instrumented for coverage (fuzzer-no-link); each
# harness links libFuzzer's main. tests/fuzz/run.sh runs them. No -Werror
# here: gcc's warnings are the gate; the two clang words differently (a
# va_list format, a fall-through comment) are off.
FUZZ_TARGETS := fuzz_folded fuzz_json fuzz_perfmap fuzz_kallsyms fuzz_budget \
	fuzz_roundtrip_folded fuzz_roundtrip_json
CC_build-fuzz = clang
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -Wno-format-nonliteral -Wno-implicit-fallthrough
$(eval $(call build_rules,build-fuzz,$(FUZZ_FLAGS)))

build-fuzz/%: build-fuzz/tests/fuzz/%.o build-fuzz/tests/fuzz/fuzz.o \
		$(addprefix build-fuzz/,$(LIB_OBJS))
	$(call msg,LINK,$@)clang -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

.PHONY: all asan check check-build check-asan demo bench soak examples matrix format \
	plt-examples \
	format-check clean fuzz fuzz-build FORCE
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
	build/examples/stackmix-lld build/examples/workers-base \
	build/examples/workers-pr
DC := build/examples/diffcorpus
DC_CLASSES := a b c d e f g h i j
DC_COMMON := examples/diffcorpus/work.c examples/diffcorpus/work.h
DIFFCORPUS := $(foreach c,$(DC_CLASSES),$(DC)/$(c)-base $(DC)/$(c)-pr) \
	$(DC)/aa-1 $(DC)/aa-2 $(DC)/power
examples: $(addprefix build/examples/,$(EXAMPLES)) $(UNWIND_EXAMPLES) \
	build/examples/loadtest-server plt-examples $(DIFFCORPUS)

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

# examples/diffcorpus: planted regressions, each class a base and a PR
# build (-DPR=1); aa-1 and aa-2 are two builds of one source; j links its
# own build of libdcshared.so through the rpath $ORIGIN/j-SIDE.lib.
dc_cc = $(call msg,CC,$@)$(CC) $(EXAMPLE_CFLAGS) -Iexamples/diffcorpus
$(DC)/%-base: examples/diffcorpus/%.c $(DC_COMMON) | build/.dirs
	@mkdir -p $(DC)
	$(dc_cc) -DPR=0 -o $@ $< examples/diffcorpus/work.c
$(DC)/%-pr: examples/diffcorpus/%.c $(DC_COMMON) | build/.dirs
	@mkdir -p $(DC)
	$(dc_cc) -DPR=1 -o $@ $< examples/diffcorpus/work.c
$(DC)/aa-1 $(DC)/aa-2: examples/diffcorpus/aa.c $(DC_COMMON) | build/.dirs
	@mkdir -p $(DC)
	$(dc_cc) -o $@ $< examples/diffcorpus/work.c
$(DC)/power: examples/diffcorpus/power.c $(DC_COMMON) | build/.dirs
	@mkdir -p $(DC)
	$(dc_cc) -o $@ $< examples/diffcorpus/work.c
$(DC)/j-%.lib/libdcshared.so: examples/diffcorpus/jlib.c \
		examples/diffcorpus/jlib.h $(DC_COMMON) | build/.dirs
	@mkdir -p $(@D)
	$(dc_cc) -DPR=$(if $(filter pr,$*),1,0) -fPIC -shared -o $@ $<
$(DC)/j-base: $(DC)/j-base.lib/libdcshared.so
$(DC)/j-pr: $(DC)/j-pr.lib/libdcshared.so
$(DC)/j-base $(DC)/j-pr: $(DC)/j-%: examples/diffcorpus/j.c $(DC_COMMON) | build/.dirs
	$(dc_cc) -DPR=$(if $(filter pr,$*),1,0) -o $@ $< \
		examples/diffcorpus/work.c -L$(DC)/j-$*.lib -ldcshared \
		-Wl,-rpath,'$$ORIGIN/j-$*.lib'

# examples/workers: four named threads, a baseline and a PR build.
build/examples/workers-base: examples/workers/workers.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(EXAMPLE_CFLAGS) -DWORKERS_PR=0 -o $@ $<

build/examples/workers-pr: examples/workers/workers.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(EXAMPLE_CFLAGS) -DWORKERS_PR=1 -o $@ $<

build/examples/stackmix-plugin.so: examples/stackmix-plugin.c | build/.dirs
	@mkdir -p build/examples
	$(call msg,CC,$@)$(CC) $(NOFP_CFLAGS) -fPIC -shared -o $@ $<

# ---- the toolchain matrix (tests/e2e/toolchain_matrix.sh, bench/matrix.sh) --
# One known call chain (examples/matrix/) built by each compiler and linker
# people ship with: optimized, with debug info, without frame pointers. A
# toolchain that is not installed is skipped here, loudly, and the test
# skips its binaries. Debian's rustc and go by path: a rustup toolchain on
# the PATH is not what CI has (scripts/deps.sh installs Debian's).
MX := build/examples/matrix
MATRIX_CFLAGS := -O2 -g -fomit-frame-pointer -Wall -Wextra
RUSTC_DEB ?= /usr/bin/rustc
GO_DEB ?= /usr/bin/go
MATRIX := c-gcc-bfd-pie c-gcc-bfd-nopie c-gcc-gold c-clang-lld \
	c-clang-lld-nopie c-gcc-static-pie cxx-gcc-throw c-gcc-dlopen \
	libchain.so rust-lld rust-cc go
matrix: $(addprefix $(MX)/,$(MATRIX))

# $(call mx_build,TOOL...,COMMAND): run COMMAND when every TOOL is on the
# PATH (or an executable path), else say which one is missing.
mx_have = $(foreach t,$(1),command -v $(t) >/dev/null &&) true
define mx_build
	@mkdir -p $(@D)
	$(Q)if $(call mx_have,$(1)); then printf '  %-6s %s\n' BUILD $@; \
	$(2); else echo "SKIP: $@: not built, one of '$(1)' is not installed" >&2; fi
endef

MX_C := examples/matrix/chain.c examples/matrix/chain.h
$(MX)/c-gcc-bfd-pie: $(MX_C) | build/.dirs
	$(call mx_build,gcc ld.bfd,gcc $(MATRIX_CFLAGS) -fuse-ld=bfd -fPIE -pie -o $@ $<)
$(MX)/c-gcc-bfd-nopie: $(MX_C) | build/.dirs
	$(call mx_build,gcc ld.bfd,gcc $(MATRIX_CFLAGS) -fuse-ld=bfd -fno-PIE -no-pie -o $@ $<)
$(MX)/c-gcc-gold: $(MX_C) | build/.dirs
	$(call mx_build,gcc ld.gold,gcc $(MATRIX_CFLAGS) -fuse-ld=gold -o $@ $<)
$(MX)/c-clang-lld: $(MX_C) | build/.dirs
	$(call mx_build,clang ld.lld,clang $(MATRIX_CFLAGS) -fuse-ld=lld -o $@ $<)
$(MX)/c-clang-lld-nopie: $(MX_C) | build/.dirs
	$(call mx_build,clang ld.lld,clang $(MATRIX_CFLAGS) -fuse-ld=lld -fno-PIE -no-pie -o $@ $<)
$(MX)/c-gcc-static-pie: $(MX_C) | build/.dirs
	$(call mx_build,gcc,gcc $(MATRIX_CFLAGS) -fPIE -static-pie -o $@ $<)
$(MX)/cxx-gcc-throw: examples/matrix/chain-throw.cc examples/matrix/chain.h | build/.dirs
	$(call mx_build,g++,g++ $(MATRIX_CFLAGS) -o $@ $<)
$(MX)/c-gcc-dlopen: $(MX_C) | build/.dirs
	$(call mx_build,gcc,gcc $(MATRIX_CFLAGS) -DCHAIN_DL -o $@ $< -ldl)
$(MX)/libchain.so: $(MX_C) | build/.dirs
	$(call mx_build,gcc,gcc $(MATRIX_CFLAGS) -DCHAIN_LIB -fPIC -shared -o $@ $<)
$(MX)/rust-lld: examples/matrix/chain.rs | build/.dirs
	$(call mx_build,$(RUSTC_DEB) ld.lld,$(RUSTC_DEB) -C opt-level=2 -g -C link-arg=-fuse-ld=lld -o $@ $<)
$(MX)/rust-cc: examples/matrix/chain.rs | build/.dirs
	$(call mx_build,$(RUSTC_DEB) cc,$(RUSTC_DEB) -C opt-level=2 -g -o $@ $<)
# Go's caches under build/, so a build needs no HOME.
$(MX)/go: examples/matrix/chain.go | build/.dirs
	$(call mx_build,$(GO_DEB),GOCACHE=$(abspath build/go-cache) GOPATH=$(abspath build/go-path) GO111MODULE=off $(GO_DEB) build -o $@ $<)

# ---- PLT stubs (tests/e2e/plt.sh) --------------------------------------------
# examples/plt/: a loop calling memcpy, strlen and qsort through the PLT,
# built by each linker in each PLT layout: lazy and -z now, PIE and not,
# IBT's .plt.sec, .plt.got, -fno-plt, static (IRELATIVE entries), LLD's
# retpoline PLT, and a shared library's own PLT (lib-*/libham.so, run by
# lib-*/main). $(PLTX)/plt.list names them with the tools each needs, so the
# test can tell a toolchain not installed (skip) from a build that failed.
PLTX := build/examples/plt
PLT_CFLAGS := -O1 -g -fno-builtin -Wall -Wextra
PLT_LIST :=
# lib-*/main finds its libham.so beside it, wherever build/ is.
PLT_RPATH = -Wl,-rpath,'$$ORIGIN'
# $(call plt_exe,NAME,COMPILER LINKER,FLAGS) / $(call plt_lib,...); no comma
# in FLAGS (call's separator): -z now, not -Wl,-z,now.
define plt_exe
PLT_LIST += $(1):$(firstword $(2))/$(lastword $(2))
$(PLTX)/$(1): examples/plt/hammer.c | build/.dirs
	$$(call mx_build,$(2),$(firstword $(2)) $$(PLT_CFLAGS) $(3) -o $$@ $$<)
endef
define plt_lib
PLT_LIST += $(1):$(firstword $(2))/$(lastword $(2))
$(PLTX)/$(1)/libham.so: examples/plt/libham.c | build/.dirs
	$$(call mx_build,$(2),$(firstword $(2)) $$(PLT_CFLAGS) -fPIC -shared $(3) -o $$@ $$<)
$(PLTX)/$(1)/main: examples/plt/libmain.c $(PLTX)/$(1)/libham.so | build/.dirs
	$$(call mx_build,$(2),$(firstword $(2)) $$(PLT_CFLAGS) $(3) -o $$@ $$< -L$$(@D) -lham $$(PLT_RPATH))
endef
NOIBT := -fcf-protection=none
$(eval $(call plt_exe,gcc-bfd-lazy,gcc ld.bfd,-fuse-ld=bfd $(NOIBT) -z lazy))
$(eval $(call plt_exe,gcc-bfd-now,gcc ld.bfd,-fuse-ld=bfd $(NOIBT) -z now))
$(eval $(call plt_exe,gcc-bfd-nopie,gcc ld.bfd,-fuse-ld=bfd $(NOIBT) -fno-PIE -no-pie -z lazy))
$(eval $(call plt_exe,gcc-bfd-ibt,gcc ld.bfd,-fuse-ld=bfd -fcf-protection -z ibt -z lazy))
$(eval $(call plt_exe,gcc-bfd-ibt-now,gcc ld.bfd,-fuse-ld=bfd -fcf-protection -z ibt -z now))
$(eval $(call plt_exe,gcc-bfd-gotplt,gcc ld.bfd,-fuse-ld=bfd $(NOIBT) -DHAMMER_TAKE_ADDR))
$(eval $(call plt_exe,gcc-bfd-noplt,gcc ld.bfd,-fuse-ld=bfd $(NOIBT) -fno-plt))
$(eval $(call plt_exe,gcc-gold,gcc ld.gold,-fuse-ld=gold $(NOIBT)))
$(eval $(call plt_exe,gcc-gold-nopie,gcc ld.gold,-fuse-ld=gold $(NOIBT) -fno-PIE -no-pie))
$(eval $(call plt_exe,gcc-lld,gcc ld.lld,-fuse-ld=lld $(NOIBT)))
$(eval $(call plt_exe,gcc-static,gcc ld.bfd,-fuse-ld=bfd $(NOIBT) -static))
$(eval $(call plt_exe,gcc-static-pie,gcc ld.bfd,-fuse-ld=bfd $(NOIBT) -fPIE -static-pie))
$(eval $(call plt_exe,clang-bfd-ibt,clang ld.bfd,-fuse-ld=bfd -fcf-protection -z ibt))
$(eval $(call plt_exe,clang-lld,clang ld.lld,-fuse-ld=lld $(NOIBT)))
$(eval $(call plt_exe,clang-lld-nopie,clang ld.lld,-fuse-ld=lld $(NOIBT) -fno-PIE -no-pie))
$(eval $(call plt_exe,clang-lld-now,clang ld.lld,-fuse-ld=lld $(NOIBT) -z now))
$(eval $(call plt_exe,clang-lld-ibt,clang ld.lld,-fuse-ld=lld -fcf-protection -z force-ibt))
$(eval $(call plt_exe,clang-lld-retpoline,clang ld.lld,-fuse-ld=lld $(NOIBT) -z retpolineplt))
$(eval $(call plt_exe,clang-lld-retpoline-now,clang ld.lld,-fuse-ld=lld $(NOIBT) -z retpolineplt -z now))
$(eval $(call plt_lib,lib-gcc-bfd,gcc ld.bfd,-fuse-ld=bfd $(NOIBT) -z lazy))
$(eval $(call plt_lib,lib-gcc-bfd-ibt,gcc ld.bfd,-fuse-ld=bfd -fcf-protection -z ibt))
$(eval $(call plt_lib,lib-gcc-gold,gcc ld.gold,-fuse-ld=gold $(NOIBT)))
$(eval $(call plt_lib,lib-clang-lld,clang ld.lld,-fuse-ld=lld $(NOIBT)))
PLT_NAMES := $(foreach e,$(PLT_LIST),$(firstword $(subst :, ,$(e))))
plt-examples: $(PLTX)/plt.list \
	$(foreach n,$(PLT_NAMES),$(if $(filter lib-%,$(n)),$(PLTX)/$(n)/main,$(PLTX)/$(n)))
$(PLTX)/plt.list: Makefile | build/.dirs
	@mkdir -p $(@D)
	$(Q)printf '%s\n' $(foreach e,$(PLT_LIST),'$(e)') >$@

# ---- tests ------------------------------------------------------------------
# The suite runs twice: the normal build with -Werror, then the sanitizers.
# Each run ends with "N passed, N failed"; the last line sums both runs.
check:
	$(Q)$(MAKE) --no-print-directory EXTRA_CFLAGS=-Werror \
		build/scorch $(addprefix build/tests/,$(UNIT_TESTS)) examples matrix
	$(Q)$(MAKE) --no-print-directory EXTRA_CFLAGS=-Werror \
		build-asan/scorch $(addprefix build-asan/tests/,$(UNIT_TESTS))
	$(Q)cp build/scorch scorch
	$(Q)sh tests/node/install.sh || \
		echo "scorch: tests/node: npm packages missing; export decoding tests will skip" >&2
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)sh tests/run.sh build build-asan

# Each libFuzzer target (FUZZ_TARGETS=... for some) for FUZZ_SECONDS
# (default 60) from its committed corpus, a new seed each run; `make check`
# runs them for 5 s each with a fixed seed (tests/run.sh).
FUZZ_SECONDS ?= 60
FUZZ_SEED ?= 0
fuzz-build: $(addprefix build-fuzz/,$(FUZZ_TARGETS))

fuzz: fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(FUZZ_SEED) \
		sh tests/fuzz/run.sh build-fuzz $(FUZZ_TARGETS)

# ---- the main job on a bundled example --------------------------------------
demo: scorch examples
	$(Q)sh examples/demo.sh

bench: scorch examples matrix build/bench/profile_io build/bench/gen-folded
	$(Q)sh bench/run.sh

# Not in check or bench: 10 minutes by default (bench/soak.sh).
soak: scorch examples
	$(Q)sh bench/soak.sh

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
	$(Q)rm -rf build build-asan build-fuzz scorch
