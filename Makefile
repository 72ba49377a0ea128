# ftpscope — build, test and regenerate the lab captures.
#
#   make demo      analyse a bundled capture (no root, no libpcap needed)
#   make test      everything CI runs: packages, static checks, unit/corpus/golden
#                  tests, and the namespace lab end to end (root)
#   make samples   regenerate every capture under samples/captures (root)
#   make goldens   refresh the golden JSON reports after a deliberate change
#   make install   the binary, its manual page and bash/zsh/fish completions
#                  under PREFIX (/usr/local); DESTDIR for staging
#   make install-caps  live capture without root for the members of
#                  CAPTURE_GROUP (root)
#   make fuzz      fuzz every target for FUZZTIME each (default 30s)

SHELL     := /bin/bash
GO        ?= go
STATICCHECK_VERSION ?= v0.8.2
DEMO      ?= samples/captures/active-nohelper/client.pcap
export PATH := $(PATH):/usr/local/go/bin:$(shell $(GO) env GOPATH 2>/dev/null)/bin

PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
CAPTURE_GROUP ?= pcap

.PHONY: all build demo deps clickhouse-deps check test unit e2e fuzz samples goldens bench clean install install-caps

all: build

build:
	$(GO) build -o ftpscope ./cmd/ftpscope

demo:
	CGO_ENABLED=0 $(GO) run ./cmd/ftpscope -r $(DEMO) -o text

# Debian packages: libpcap for live capture and filter expressions, tmux for
# the terminal-UI test, nftables for the conntrack lab test of ctwatch/ (a
# unit test as root), man-db, zsh and fish for the manual page and completion
# tests, tshark to check the Wireshark filters and the comments of -w slices,
# openssl for the TLS decryption tests against a second implementation;
# the lab installs its own (vsftpd, …).
deps:
	@missing=""; for p in libpcap-dev tmux nftables man-db zsh fish tshark openssl; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; }; \
	fi
	@command -v staticcheck >/dev/null 2>&1 || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# ClickHouse for its end-to-end test (deploy/clickhouse), as root: Debian's
# clickhouse-server and clickhouse-client. Where they cannot be installed,
# the test says so and skips.
clickhouse-deps:
	@missing=""; for p in clickhouse-server clickhouse-client; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }; } || \
	  echo "could not install$$missing: the ClickHouse end-to-end test will skip"; \
	fi

check: deps
	@fmt=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$fmt" ]; then echo "gofmt would change: $$fmt"; exit 1; fi
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) vet ./...
	CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/ftpscope
	staticcheck ./...

unit: deps
	FTPSCOPE_TUI_E2E=1 FTPSCOPE_TSHARK=1 $(GO) test -race -count=1 ./...

# The lab test builds network namespaces: it needs root and fails (never
# skips) without them. It holds /tmp/ftpscope-lab.lock (flock(1), from
# util-linux), so that two runs on one machine take turns instead of
# building the same namespaces at once; run by hand, wrap it the same way:
# flock /tmp/ftpscope-lab.lock env FTPSCOPE_LAB=1 go test -run Lab ./samples/
e2e: deps clickhouse-deps
	flock /tmp/ftpscope-lab.lock env FTPSCOPE_LAB=1 $(GO) test -count=1 -run 'Lab' -v -timeout 30m ./samples/
	FTPSCOPE_CLICKHOUSE=1 $(GO) test -count=1 -run 'ClickHouse' -v -timeout 10m ./deploy/clickhouse/

# Every fuzz target of the module (go test -list), as package:Target, or
# those FUZZ_TARGETS names. Each runs FUZZTIME on FUZZPARALLEL workers; an
# input that fails is kept under the package's testdata/fuzz/ (commit it
# with the fix: it then runs with every go test). A new-coverage input is
# minimised for at most FUZZMINIMIZETIME, so that the time goes to fuzzing.
FUZZTIME         ?= 30s
FUZZPARALLEL     ?= 1
FUZZMINIMIZETIME ?= 200x
FUZZ_TARGETS     ?= $$($(GO) test -run '^$$' -list '^Fuzz' ./... | \
	awk '/^Fuzz/ { n[++c] = $$1 } /^ok / { for (i = 1; i <= c; i++) print $$2 ":" n[i]; c = 0 }')

fuzz:
	@targets="$(FUZZ_TARGETS)"; [ -n "$$targets" ] || { echo "no fuzz targets found"; exit 1; }; \
	for t in $$targets; do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$name in $$pkg for $(FUZZTIME)"; \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg)/testdata/fuzz/$$name; \
	  before=$$(ls $$dir 2>/dev/null | wc -l); \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) \
	    -fuzzminimizetime $(FUZZMINIMIZETIME) -parallel $(FUZZPARALLEL) 2>&1 | tee /tmp/ftpscope-fuzz.$$$$.log; \
	  rc=$${PIPESTATUS[0]}; after=$$(ls $$dir 2>/dev/null | wc -l); \
	  if [ $$rc -ne 0 ]; then \
	    if [ "$$after" = "$$before" ] && grep -q '^    context deadline exceeded$$' /tmp/ftpscope-fuzz.$$$$.log && ! grep -q 'Failing input written' /tmp/ftpscope-fuzz.$$$$.log; then \
	      echo "fuzz $$name: no failing input; the end-of-fuzztime race of Go 1.26's fuzz coordinator (golang/go#75804), not a finding"; \
	    else rm -f /tmp/ftpscope-fuzz.$$$$.log; exit 1; fi; \
	  fi; \
	  rm -f /tmp/ftpscope-fuzz.$$$$.log; \
	done

test: check unit e2e fuzz

samples:
	samples/lab/all.sh

goldens:
	$(GO) test ./samples/ -run TestGolden -update

bench:
	$(GO) test -run XXX -bench . -benchmem ./...

# The manual page and the completions are generated from the -h summary
# by the binary just built (ftpscope --man, --completion SHELL).
install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 ftpscope $(DESTDIR)$(BINDIR)/ftpscope
	./ftpscope --man > $(DESTDIR)$(MANDIR)/man1/ftpscope.1
	./ftpscope --completion bash > $(DESTDIR)$(BASHCOMPDIR)/ftpscope
	./ftpscope --completion zsh > $(DESTDIR)$(ZSHCOMPDIR)/_ftpscope
	./ftpscope --completion fish > $(DESTDIR)$(FISHCOMPDIR)/ftpscope.fish

# Live capture without sudo, as Wireshark's dumpcap: the installed binary
# gets cap_net_raw (packet sockets) and cap_net_admin (promiscuous mode,
# conntrack) and only members of CAPTURE_GROUP may run it. Run as root after
# make install; add users with: usermod -aG $(CAPTURE_GROUP) USER
install-caps:
	@test -x $(DESTDIR)$(BINDIR)/ftpscope || { echo "$(DESTDIR)$(BINDIR)/ftpscope: run make install PREFIX=$(PREFIX) first"; exit 1; }
	@command -v setcap >/dev/null || { echo "setcap not found (Debian: apt-get install libcap2-bin)"; exit 1; }
	getent group $(CAPTURE_GROUP) >/dev/null || groupadd --system $(CAPTURE_GROUP)
	chgrp $(CAPTURE_GROUP) $(DESTDIR)$(BINDIR)/ftpscope
	chmod 0750 $(DESTDIR)$(BINDIR)/ftpscope
	setcap cap_net_raw,cap_net_admin+ep $(DESTDIR)$(BINDIR)/ftpscope
	@echo "members of $(CAPTURE_GROUP) can now capture with $(DESTDIR)$(BINDIR)/ftpscope -i IF (usermod -aG $(CAPTURE_GROUP) USER, then log in again)"

clean:
	rm -f ftpscope
