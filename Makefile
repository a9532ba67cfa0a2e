# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#
# mptcp-xdp build, in the manner of libbpf-bootstrap and xdp-tools:
#
#   make / make all   build build/mptcp-xdp (never installs anything)
#   make deps         install the missing Debian packages (apt-get, as root)
#   make test         deps, then build and run every test; T=PATTERN runs only
#                     the tests whose name contains PATTERN, in every suite
#   make demo         deps, then the inspector on a built-in network
#   make bench        deps, then speed and memory against baselines
#   make fuzz         deps, then each libFuzzer target (FUZZ_SECONDS=60 each)
#   make fuzz-smoke   each target FUZZ_SMOKE_SECONDS=10, then its regressions
#   make lint         cppcheck;  make check-format   clang-format
#   make install      PREFIX=/usr/local DESTDIR=
#
# V=1 prints every command in full.

OUT        := build
CLANG      ?= clang
BPFTOOL    ?= bpftool
CC         ?= cc
ARCH       := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH  := $(shell $(CC) -print-multiarch 2>/dev/null || echo $(shell uname -m)-linux-gnu)

ifeq ($(V),1)
Q          :=
msg         =
else
Q          := @
msg         = @printf '  %-8s %s\n' "$(1)" "$(2)";
MAKEFLAGS  += --no-print-directory
endif

# A target whose recipe fails is deleted: no half-written object or
# skeleton survives to be taken for a good one.
.DELETE_ON_ERROR:

# Libraries found through pkg-config, each with the Debian package that
# ships its .pc file (for the error message when one is missing).
PKGS       := libbpf libpcap libcrypto libmicrohttpd libsodium libcap-ng libelf zlib yara hiredis libmnl
DEB_libbpf := libbpf-dev
DEB_libpcap := libpcap-dev
DEB_libcrypto := libssl-dev
DEB_libmicrohttpd := libmicrohttpd-dev
DEB_libsodium := libsodium-dev
DEB_libcap-ng := libcap-ng-dev
DEB_libelf := libelf-dev
DEB_zlib   := zlib1g-dev
DEB_yara   := libyara-dev
DEB_hiredis := libhiredis-dev
DEB_libmnl := libmnl-dev
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS      = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

# libbpf feature probes (xdp-tools' HAVE_LIBBPF_* convention): 1 when the
# installed libbpf has the function, else 0. Debian 12 ships libbpf 1.1.
libbpf_has = $(shell printf '#include <bpf/libbpf.h>\nint main(void) { return !(long)&$(1); }\n' | \
	$(CC) -x c - -o /dev/null -lbpf >/dev/null 2>&1 && echo 1 || echo 0)
HAVE_LIBBPF_ATTACH_TCX := $(call libbpf_has,bpf_program__attach_tcx)
HAVE_LIBBPF_XDP_QUERY  := $(call libbpf_has,bpf_xdp_query)
FEATURE_FLAGS := -DHAVE_LIBBPF_ATTACH_TCX=$(HAVE_LIBBPF_ATTACH_TCX) \
                 -DHAVE_LIBBPF_XDP_QUERY=$(HAVE_LIBBPF_XDP_QUERY)

# Userspace: warnings are errors (project rule). -MMD -MP: each object's
# header dependencies, written beside it and read back below.
CFLAGS     ?= -O2 -g
WARNFLAGS  := -Wall -Wextra -Werror
DEPFLAGS    = -MMD -MP
USER_CFLAGS = $(CFLAGS) $(WARNFLAGS) -std=gnu11 -D_GNU_SOURCE \
              -Iinclude -Ibpf -Iuser -I$(OUT) $(FEATURE_FLAGS) $(PKG_CFLAGS) \
              $(EXTRA_CFLAGS)

# BPF: clang 14 defaults to -mcpu=v1; v3 gives 32-bit jumps and ALU.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
              -I. -Iinclude -Ibpf -I/usr/include/$(MULTIARCH) \
              -Wall -Werror

BPF_SRC    := bpf/mptcp_xdp.bpf.c
BPF_OBJ    := $(OUT)/mptcp_xdp.bpf.o
SKEL       := $(OUT)/mptcp_xdp.skel.h

USER_SRCS  := $(wildcard user/*.c user/*/*.c)
USER_OBJS  := $(patsubst %.c,$(OUT)/%.o,$(USER_SRCS))
MAIN_OBJ   := $(OUT)/user/cli/main.o
LIB_OBJS   := $(filter-out $(MAIN_OBJ),$(USER_OBJS))
BIN        := $(OUT)/mptcp-xdp

# Debian 12 packages the build and the tests need. `deps` installs the
# missing ones non-interactively.
DEB_PKGS   := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev \
              libpcap-dev libssl-dev libmicrohttpd-dev libsodium-dev libcap-ng-dev libyara-dev yara pkg-config tcpdump \
              tshark iproute2 ethtool python3 jq hyperfine time prometheus \
              libclang-rt-14-dev gcc make tcpreplay curl python3-scapy \
              tcpflow ngrep nftables libhiredis-dev redis-server libmnl-dev \
              linux-perf

.PHONY: all deps test demo bench fuzz clean install check-format lint \
        check-pkgs

all: $(BIN)

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then \
			echo "deps: missing packages and not root: run as root or install:" $$missing >&2; exit 1; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections; \
		apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; \
	fi

# One clear line naming the package when a library is missing, instead of
# a wall of undefined references.
check-pkgs:
	@$(foreach p,$(PKGS),pkg-config --exists $(p) 2>/dev/null || { \
		echo "error: pkg-config cannot find $(p): install the Debian package $(DEB_$(p)) (or run 'make deps')" >&2; \
		exit 1; };)
	@command -v $(CLANG) >/dev/null || { echo "error: $(CLANG) not found: install the Debian package clang (or run 'make deps')" >&2; exit 1; }
	@command -v $(BPFTOOL) >/dev/null || { echo "error: $(BPFTOOL) not found: install the Debian package bpftool (or run 'make deps')" >&2; exit 1; }

$(BPF_OBJ): $(BPF_SRC) | check-pkgs
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name mptcp_xdp > $@

# Every userspace object waits for the skeleton: some include it, and the
# dependency files only know that after the first build.
$(OUT)/user/%.o: user/%.c $(SKEL)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BIN): $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

include tests/tests.mk

test: deps
	$(Q)$(MAKE) $(BIN) test-binaries
	$(Q)T='$(T)' tests/run_all.sh

demo: deps
	$(Q)$(MAKE) $(BIN) $(OUT)/tests/mptcp_xfer
	$(Q)tests/e2e/demo.sh

bench: deps
	$(Q)$(MAKE) $(BIN) bench-binaries
	$(Q)tests/bench/run_bench.sh

# Every target in turn, FUZZ_SECONDS each, on a fresh corpus of seeds; a
# finding is written to build/fuzz/<target>/ (crash-*, leak-*, timeout-*)
# and the run stops there.
fuzz: deps
	$(Q)$(MAKE) $(FUZZ_BINS) fuzz-seeds
	$(Q)for t in $(FUZZ_TARGETS); do \
		echo "== $$t ($(FUZZ_SECONDS) s)"; \
		$(FUZZ_OUT)/bin/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_OUT)/$$t/ $$(cat tests/fuzz/$$t.flags) \
			$(FUZZ_OUT)/$$t/corpus || exit 1; \
	done

FORMAT_SRCS = $(wildcard bpf/*.c bpf/*.h include/*.h user/*.[ch] user/*/*.[ch] \
                tests/*.[ch] tests/*/*.[ch])
check-format:
	clang-format --dry-run --Werror $(FORMAT_SRCS)

# cppcheck does not read system headers: libbpf's option macro is spelled
# out for it.
lint: $(SKEL)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -Iinclude -Ibpf -Iuser -I$(OUT) \
		"-DLIBBPF_OPTS(TYPE,NAME,...)=struct TYPE NAME = {.sz = sizeof(struct TYPE), __VA_ARGS__}" \
		user/

PREFIX ?= /usr/local
install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/mptcp-xdp
	install -D -m 0644 docs/mptcp-xdp.8 $(DESTDIR)$(PREFIX)/share/man/man8/mptcp-xdp.8

clean:
	rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
