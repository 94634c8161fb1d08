# ossec-nagios — build, test, benchmark.
# The go: GO=... if given, else a Go 1.26+ on PATH, else the one
# contrib/bootstrap.sh installs in $(GO_PREFIX); its directory goes first
# on PATH, so the tests' own go commands use the same Go.
GO_PREFIX ?= /usr/local/go
ifeq ($(origin GO),undefined)
GO := $(or $(shell sh contrib/bootstrap.sh -which -prefix '$(GO_PREFIX)' 2>/dev/null),go)
endif
ifneq ($(filter /%,$(GO)),)
export PATH := $(patsubst %/,%,$(dir $(GO))):$(PATH)
endif
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS  := -s -w -X main.version=$(VERSION) $(if $(COMMIT),-X main.commit=$(COMMIT))
BIN      := bin/ossec-nagios
FUZZTIME ?= 10s

# install, uninstall, man, deb, test-package
include packaging.mk

.PHONY: all build test vet lint fuzz bench demo bootstrap clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ossec-nagios

# Every test: go vet, gofmt, the unit and integration tests with the race
# detector (the real peers nsca, send_nsca, nagios4 and icinga2 must be
# installed for the integration tests: they fail when CI=true and skip
# otherwise), every fuzz target for $(TEST_FUZZTIME) on top of its seed
# corpus, and, as root on Debian, the Debian package installed with dpkg.
TEST_FUZZTIME ?= 5s

test: vet lint
	$(GO) test -race -count=1 -timeout 30m ./...
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(TEST_FUZZTIME)
	@$(MAKE) --no-print-directory test-package-if-root

vet:
	$(GO) vet ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt wants to change:"; echo "$$out"; exit 1; fi

# Every fuzz target (func FuzzX in a _test.go) for $(FUZZTIME) each, on top
# of its seed corpus (contrib/fuzz.sh says how). A crasher is written to
# the package's testdata/fuzz/FuzzX/ and fails the run: commit that file
# (go test then replays it every time) and add a named regression test.
fuzz:
	GO='$(GO)' bash contrib/fuzz.sh $(FUZZTIME)

bench: build
	bash contrib/bench/bench.sh

# The demo: Debian's stock nagios4 with the generated objects, the alerts
# through the active response, who was paged, then a wrong NSCA password
# and what tells the operator. Needs the packages bootstrap installs.
demo: build
	bash contrib/demo/demo.sh

# Debian packages and Go 1.26 (README's first command runs the script
# itself, since a bare Debian has no make).
bootstrap:
	sh contrib/bootstrap.sh -prefix '$(GO_PREFIX)'

clean:
	rm -rf bin dist
