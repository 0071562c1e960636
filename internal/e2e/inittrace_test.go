package e2e

import (
	"sort"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// Allocation budgets of package-level initialisation before main, read from
// GODEBUG=inittrace=1 (allocation counts are deterministic; init clock is
// measured in BenchmarkStartup, not asserted here). Tables and regexps go
// behind sync.OnceValue; a package over budget is named in the failure.
const (
	// Each of connectctl's own packages.
	ownPackageAllocs = 30
	// All of connectctl's own packages together.
	ownTotalAllocs = 120
	// Everything linked, third-party included (gojq alone is ~2,300 today):
	// a ceiling that catches a new heavy import, to be lowered as they go.
	totalAllocs = 4200
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
		if !strings.HasPrefix(r.Package, "github.com/connectctl/connectctl") {
			continue
		}
		own += r.Allocs
		if r.Allocs > ownPackageAllocs {
			t.Errorf("package %s allocates %d times in init (budget %d): build its tables on first use (sync.OnceValue)",
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
