# ftpscope — build, test and regenerate the lab captures.
#
#   make demo      analyse a bundled capture (no root, no libpcap needed)
#   make test      everything CI runs: packages, static checks, unit/corpus/golden
#                  tests, and the namespace lab end to end (root)
#   make samples   regenerate every capture under samples/captures (root)
#   make goldens   refresh the golden JSON reports after a deliberate change

GO        ?= go
STATICCHECK_VERSION ?= v0.8.2
DEMO      ?= samples/captures/active-nohelper/client.pcap
export PATH := $(PATH):/usr/local/go/bin:$(shell $(GO) env GOPATH 2>/dev/null)/bin

.PHONY: all build demo deps check test unit e2e samples goldens bench clean

all: build

build:
	$(GO) build -o ftpscope ./cmd/ftpscope

demo:
	CGO_ENABLED=0 $(GO) run ./cmd/ftpscope -r $(DEMO) -o text

# Debian packages: libpcap for live capture and filter expressions, tmux for
# the terminal-UI test, nftables for the conntrack lab test of ctwatch/ (a
# unit test as root), tshark to check the Wireshark filters and the comments
# of -w slices; the lab installs its own (vsftpd, …).
deps:
	@missing=""; for p in libpcap-dev tmux nftables tshark; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; }; \
	fi
	@command -v staticcheck >/dev/null 2>&1 || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

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
# skips) without them.
e2e: deps
	FTPSCOPE_LAB=1 $(GO) test -count=1 -run 'Lab' -v -timeout 30m ./samples/

test: check unit e2e

samples:
	samples/lab/all.sh

goldens:
	$(GO) test ./samples/ -run TestGolden -update

bench:
	$(GO) test -run XXX -bench . -benchmem ./...

clean:
	rm -f ftpscope
