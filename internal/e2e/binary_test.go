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

// TestReleaseBinarySize guards the size of a binary built as `make build`
// builds it (-s -w -trimpath) from growing past 16 MiB.
func TestReleaseBinarySize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds another binary")
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir() + "/connectctl"
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	// A guard against growth, not issue 13's goal (under 15 MB), which the
	// binary does not meet yet (tablewriter's go-runewidth tables alone are
	// about 2 MB).
	const limit = 16 << 20
	t.Logf("release binary: %d bytes (%.2f MiB)", fi.Size(), float64(fi.Size())/(1<<20))
	if fi.Size() >= limit {
		t.Errorf("release binary is %d bytes, over the 16 MiB guard", fi.Size())
	}
}
