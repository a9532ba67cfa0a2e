# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
#
# mptcp-xdp build. `make` builds build/mptcp-xdp; `make test` runs every
# test; `make demo` shows the inspector on a built-in network. `deps` runs
# first for all of them and installs (apt-get) only what is missing.

OUT        := build
CLANG      ?= clang
BPFTOOL    ?= bpftool
CC         ?= cc
ARCH       := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH  := $(shell $(CC) -print-multiarch 2>/dev/null || echo $(shell uname -m)-linux-gnu)

# Userspace: warnings are errors (project rule).
CFLAGS     ?= -O2 -g
WARNFLAGS  := -Wall -Wextra -Werror
USER_CFLAGS = $(CFLAGS) $(WARNFLAGS) -std=gnu11 -D_GNU_SOURCE \
              -Iinclude -Ibpf -I$(OUT) $(EXTRA_CFLAGS)
PKGS       := libbpf libpcap libcrypto libmicrohttpd libelf zlib
LDLIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lpcap -lcrypto -lmicrohttpd -lelf -lz) -lpthread

# BPF: clang 14 defaults to -mcpu=v1; v3 gives 32-bit jumps and ALU.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
              -I. -Iinclude -Ibpf -I/usr/include/$(MULTIARCH) \
              -Wall -Werror

BPF_SRC    := bpf/mptcp_xdp.bpf.c
BPF_HDRS   := $(wildcard bpf/*.h) $(wildcard include/*.h) vmlinux.h
BPF_OBJ    := $(OUT)/mptcp_xdp.bpf.o
SKEL       := $(OUT)/mptcp_xdp.skel.h

USER_SRCS  := $(wildcard user/*.c)
USER_HDRS  := $(wildcard user/*.h) $(wildcard include/*.h) $(wildcard bpf/*.h)
USER_OBJS  := $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS))
LIB_OBJS   := $(filter-out $(OUT)/user/main.o,$(USER_OBJS))
BIN        := $(OUT)/mptcp-xdp

# Debian 12 packages the build and the tests need. `deps` installs the
# missing ones non-interactively.
DEB_PKGS   := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev \
              libpcap-dev libssl-dev libmicrohttpd-dev pkg-config tcpdump \
              tshark iproute2 ethtool python3 jq hyperfine time prometheus \
              libclang-rt-14-dev gcc make

.PHONY: all deps test demo bench fuzz clean install check-format lint

all: deps $(BIN)

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

$(OUT) $(OUT)/user $(OUT)/tests:
	@mkdir -p $@

$(BPF_OBJ): $(BPF_SRC) $(BPF_HDRS) | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(BPFTOOL) gen skeleton $< name mptcp_xdp > $@

$(OUT)/user/%.o: user/%.c $(USER_HDRS) $(SKEL) | $(OUT)/user
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(BIN): $(USER_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

include tests/tests.mk
include tests/tests_correlate.mk

test: deps
	@$(MAKE) --no-print-directory $(BIN) test-binaries test-binaries-correlate
	@tests/run_all.sh

demo: deps
	@$(MAKE) --no-print-directory $(BIN) $(OUT)/tests/mptcp_xfer
	@tests/e2e/demo.sh

# libFuzzer on the shared parser, seeded with real frames; ASan + UBSan.
FUZZ_SECONDS ?= 60
FUZZ_BIN     := $(OUT)/fuzz/fuzz_parser
$(FUZZ_BIN): tests/fuzz/fuzz_parser.c user/host_flow_table.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(WARNFLAGS) -Iinclude -Ibpf -Iuser \
		-o $@ tests/fuzz/fuzz_parser.c user/host_flow_table.c

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@tests/fuzz/seed_corpus.py $(OUT)/fuzz/corpus ../shared/testdata/pcaps/*.pcap tests/data/*.pcap
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=2048 \
		-artifact_prefix=$(OUT)/fuzz/ $(OUT)/fuzz/corpus

bench: deps
	@$(MAKE) --no-print-directory $(BIN) bench-binaries
	@tests/bench/run_bench.sh

check-format:
	clang-format --dry-run --Werror bpf/*.c bpf/*.h include/*.h user/*.c \
		user/*.h tests/*.c tests/*.h tests/unit/*.c tests/bpf/*.c \
		tests/tools/*.c

# cppcheck does not read system headers: libbpf's option macro is spelled
# out for it.
lint: $(SKEL)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -Iinclude -Ibpf -I$(OUT) \
		"-DLIBBPF_OPTS(TYPE,NAME,...)=struct TYPE NAME = {.sz = sizeof(struct TYPE), __VA_ARGS__}" \
		user/

PREFIX ?= /usr/local
install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/mptcp-xdp
	install -D -m 0644 docs/mptcp-xdp.8 $(DESTDIR)$(PREFIX)/share/man/man8/mptcp-xdp.8

clean:
	rm -rf $(OUT)
