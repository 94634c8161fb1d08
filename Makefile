# ossec-nagios — build, test, benchmark.
GO       ?= go
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BIN      := bin/ossec-nagios
FUZZTIME ?= 10s

.PHONY: all build test vet lint fuzz bench demo clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ossec-nagios

# Every test, with the race detector; the real peers (nsca, send_nsca,
# nagios4, icinga2) must be installed for the integration tests (they fail
# when CI=true and skip otherwise).
test: vet lint
	$(GO) test -race -count=1 -timeout 30m ./...

vet:
	$(GO) vet ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt wants to change:"; echo "$$out"; exit 1; fi

# Every fuzz target for $(FUZZTIME) each, on top of its seed corpus.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "fuzz $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

bench: build
	bash contrib/bench/bench.sh

demo: build
	bash contrib/demo/demo.sh

clean:
	rm -rf bin dist
