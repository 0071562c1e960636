package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// TestBinaryLinksNoTestOnlyCode: the shipped binary carries the sandbox but
// none of the contract-test code (kin-openapi, internal/contract), and
// `go version -m` shows no test-only module.
func TestBinaryLinksNoTestOnlyCode(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	list := exec.Command("go", "list", "-deps", ".")
	list.Dir = root
	deps, err := list.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	if !strings.Contains(string(deps), "/internal/sandbox\n") {
		t.Errorf("the sandbox is no longer linked into the binary")
	}
	for _, banned := range []string{"/internal/contract\n", "getkin/kin-openapi", "bojanz/currency", "/internal/testenv\n", "\ntesting\n"} {
		if strings.Contains(string(deps), banned) {
			t.Errorf("the binary links %q", strings.TrimSpace(banned))
		}
	}
	mods, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	if strings.Contains(string(mods), "kin-openapi") {
		t.Errorf("go version -m lists kin-openapi:\n%s", mods)
	}
}

// TestReleaseBinarySize: the binary built as `make build` builds it is
// under 15 MB (issue 13; 14.4 MB in December 2026).
func TestReleaseBinarySize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds another binary")
	}
	out, err := testenv.BuildRelease(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 15_000_000
	t.Logf("release binary: %d bytes (%.2f MB)", fi.Size(), float64(fi.Size())/1e6)
	if fi.Size() >= limit {
		t.Errorf("release binary is %d bytes, over %d", fi.Size(), limit)
	}
	mods, err := exec.Command("go", "version", "-m", out).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	// Test-only modules, and viper, whose dependencies' init cost every
	// start-up about 600 allocations.
	for _, unwanted := range []string{"getkin/kin-openapi", "bojanz/currency", "spf13/viper"} {
		if strings.Contains(string(mods), unwanted) {
			t.Errorf("go version -m lists %s:\n%s", unwanted, mods)
		}
	}
}
