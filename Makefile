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

.PHONY: all build test test-short vet fmt-check lint bench bench-cli fuzz demo install clean docs completions release-check

all: build

# Static (CGO_ENABLED=0), as .goreleaser.yaml releases it: linked dynamically
# (net's cgo resolver) every run paid the loader, about 4 ms (issue 13).
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

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

# The command-line benchmarks alone (internal/bench; docs/benchmarks.md):
# start-up and per-call 40 runs each (their figures are medians, and a few
# runs on a shared machine are noise), the others five; the bulk one (a
# minute per run, at the quota) once.
bench-cli:
	$(GO) test -run '^$$' -bench 'Startup|Init|PerCall' -benchtime 40x ./internal/bench/
	$(GO) test -run '^$$' -bench 'TokenReuse|SimListAll' -benchtime 5x ./internal/bench/
	$(GO) test -run '^$$' -bench 'BulkOrders' -benchtime 1x ./internal/bench/

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

# Puts connectctl on PATH: $(go env GOBIN), else $(go env GOPATH)/bin.
install:
	CGO_ENABLED=0 $(GO) install -trimpath -ldflags '$(LDFLAGS)' .

# Generated files, committed; tests in internal/tools/gendocs fail when they
# are stale. docs/reference (Markdown, one page a command) and docs/man
# (section 1) are rewritten whole.
docs:
	$(GO) run ./internal/tools/gendocs -docs docs

completions:
	$(GO) run ./internal/tools/gendocs -completions completions

# GoReleaser, pinned; installed with `go install` into $GOPATH/bin when missing.
GORELEASER_VERSION := v2.16.0
GOPATH_BIN         := $(firstword $(subst :, ,$(shell $(GO) env GOPATH)))/bin
GORELEASER         ?= $(GOPATH_BIN)/goreleaser

# Check .goreleaser.yaml and build a snapshot of every target into dist/, then
# check what came out: six archives, deb and rpm packages, checksums, and a
# linux/amd64 binary that reports the snapshot's version and commit.
# goreleaser reads the commit from git and wants a remote URL for that; a
# clone without a remote gets one for this run only, through the environment.
release-check:
	@if ! "$(GORELEASER)" --version 2>/dev/null | grep -q 'GitVersion: *$(GORELEASER_VERSION)$$'; then \
	  echo "installing goreleaser $(GORELEASER_VERSION) into $(GOPATH_BIN)"; \
	  GOBIN="$(GOPATH_BIN)" $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION); \
	fi
	@set -e; \
	if [ -z "$$(git remote)" ]; then \
	  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url \
	         GIT_CONFIG_VALUE_0=https://github.com/connectctl/connectctl.git; \
	fi; \
	"$(GORELEASER)" check; \
	"$(GORELEASER)" release --snapshot --clean --skip=publish
	@set -e; cd dist; \
	version=$$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' metadata.json); \
	commit=$$(git rev-parse HEAD); \
	case "$$version" in dev|*none*|"") echo "release-check: no snapshot version ($$version)"; exit 1;; esac; \
	echo "== dist/connectctl_linux_amd64_v1/connectctl version"; \
	out=$$(./connectctl_linux_amd64_v1/connectctl version); echo "$$out"; \
	echo "$$out" | grep -Fqx "connectctl $$version" || { echo "release-check: version is not $$version"; exit 1; }; \
	echo "$$out" | grep -Fqx "commit: $$commit" || { echo "release-check: commit is not $$commit"; exit 1; }; \
	for t in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64 windows_arm64; do \
	  case $$t in windows_*) a=connectctl_$${version}_$$t.zip; list="unzip -Z1";; \
	                      *) a=connectctl_$${version}_$$t.tar.gz; list="tar -tzf";; esac; \
	  test -f "$$a" || { echo "release-check: no $$a"; exit 1; }; \
	  command -v $${list%% *} >/dev/null 2>&1 || continue; \
	  files=$$($$list "$$a"); \
	  for f in README.md LICENSE completions/connectctl.bash completions/connectctl.zsh \
	           completions/connectctl.fish completions/connectctl.ps1 docs/man/connectctl.1; do \
	    echo "$$files" | grep -Fqx "$$f" || { echo "release-check: $$a lacks $$f"; exit 1; }; \
	  done; \
	done; \
	for p in deb rpm; do \
	  n=$$(ls *.$$p 2>/dev/null | wc -l); \
	  [ "$$n" -eq 2 ] || { echo "release-check: want 2 .$$p packages (amd64, arm64), have $$n"; exit 1; }; \
	done; \
	if command -v dpkg-deb >/dev/null 2>&1; then \
	  deb=$$(ls *amd64.deb); contents=$$(dpkg-deb -c "$$deb"); \
	  for f in ./usr/bin/connectctl ./usr/share/man/man1/connectctl.1 \
	           ./usr/share/bash-completion/completions/connectctl ./usr/share/zsh/vendor-completions/_connectctl \
	           ./usr/share/fish/vendor_completions.d/connectctl.fish; do \
	    echo "$$contents" | grep -q " $$f$$" || { echo "release-check: $$deb lacks $$f"; exit 1; }; \
	  done; \
	fi; \
	if command -v rpm >/dev/null 2>&1; then \
	  rpmf=$$(ls *x86_64.rpm); contents=$$(rpm -qlp "$$rpmf"); \
	  for f in /usr/bin/connectctl /usr/share/man/man1/connectctl.1 \
	           /usr/share/bash-completion/completions/connectctl /usr/share/zsh/site-functions/_connectctl \
	           /usr/share/fish/vendor_completions.d/connectctl.fish; do \
	    echo "$$contents" | grep -Fqx "$$f" || { echo "release-check: $$rpmf lacks $$f"; exit 1; }; \
	  done; \
	fi; \
	[ "$$(wc -l < checksums.txt)" -eq 10 ] || { echo "release-check: want 10 checksums (6 archives, 4 packages)"; exit 1; }; \
	sha256sum -c --quiet checksums.txt; \
	echo "== dist"; ls -1 *.tar.gz *.zip *.deb *.rpm checksums.txt; \
	echo "release-check: ok"

clean:
	rm -rf bin dist
