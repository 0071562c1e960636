# connectctl build, test and demo targets. `make test` is the one command that
# runs every test on a fresh machine; .ci/run calls it.

GO        ?= go
BIN       ?= bin/connectctl
PKG       := github.com/connectctl/connectctl
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE      ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   := -s -w \
	-X $(PKG)/internal/buildinfo.Version=$(VERSION) \
	-X $(PKG)/internal/buildinfo.Commit=$(COMMIT) \
	-X $(PKG)/internal/buildinfo.Date=$(DATE)

.PHONY: all build test test-short vet fmt-check lint bench fuzz demo clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) .

# Every test: unit, contract, and end-to-end runs of the built binary against
# the sandbox. -race because the client, pacer and sandbox are concurrent.
test: fmt-check vet
	$(GO) test -race -count=1 -timeout 15m ./...

test-short:
	$(GO) test -short ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

lint: fmt-check vet

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Short fuzzing of each fuzz target.
# A count, not a duration: Go 1.26 sometimes reports "context deadline exceeded"
# when a -fuzztime duration ends (go.dev/issue/75804).
FUZZTIME ?= 200000x
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; \
	  done; \
	done

# Build, start a sandbox on a free port, order an eSIM and show its QR code.
demo: build
	./scripts/demo.sh $(BIN)

clean:
	rm -rf bin dist
