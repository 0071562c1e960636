package e2e

import (
	"sort"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// Allocation budgets of package-level initialisation before main, read from
// GODEBUG=inittrace=1 (allocation counts are deterministic; init clock is
// measured in BenchmarkInit, not asserted here). Tables and regexps go
// behind lazy.Value; a package over budget is named in the failure.
const (
	// Each of connectctl's own packages.
	ownPackageAllocs = 12
	// All of connectctl's own packages together (about 40 in December 2026).
	ownTotalAllocs = 60
	// Any other package, the standard library's included (net/http's is
	// the largest, 49): a module that builds tables in init fails here.
	otherPackageAllocs = 60
	// Everything before main (issue 13's goal: under 500; about 420 in
	// December 2026, of which the standard library ~300).
	totalAllocs = 499
)

func TestInitAllocationBudget(t *testing.T) {
	res := testenv.Run(t, bin, []string{"GODEBUG=inittrace=1"}, "version")
	if res.ExitCode != 0 {
		t.Fatalf("version: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	recs := testenv.ParseInitTrace(res.Stderr)
	if len(recs) == 0 {
		t.Fatalf("no inittrace lines in stderr:\n%s", res.Stderr)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Allocs > recs[j].Allocs })
	var own, total int64
	for _, r := range recs {
		total += r.Allocs
		// The patched copies of internal/thirdparty count as the modules
		// they come from.
		ours := strings.HasPrefix(r.Package, "github.com/connectctl/connectctl/") && !strings.Contains(r.Package, "/internal/thirdparty/")
		if !ours {
			if r.Allocs > otherPackageAllocs {
				t.Errorf("package %s allocates %d times in init (budget %d): a heavy initialiser linked in; see internal/thirdparty/README.md",
					r.Package, r.Allocs, otherPackageAllocs)
			}
			continue
		}
		if strings.HasSuffix(r.Package, "/internal/sandbox") && r.Allocs > 0 {
			t.Errorf("the sandbox allocates %d times in init: it must cost nothing until `sandbox serve` runs", r.Allocs)
		}
		own += r.Allocs
		if r.Allocs > ownPackageAllocs {
			t.Errorf("package %s allocates %d times in init (budget %d): build its tables on first use (lazy.Value)",
				r.Package, r.Allocs, ownPackageAllocs)
		}
	}
	if own > ownTotalAllocs {
		t.Errorf("connectctl's packages allocate %d times in init (budget %d)", own, ownTotalAllocs)
	}
	if total > totalAllocs {
		top := recs
		if len(top) > 5 {
			top = top[:5]
		}
		t.Errorf("init allocates %d times before main (budget %d); heaviest: %+v", total, totalAllocs, top)
	}
	t.Logf("init allocations: %d in all, %d in connectctl's packages", total, own)
}
