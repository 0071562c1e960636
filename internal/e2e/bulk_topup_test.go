package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// secondPlan is another product of the sandbox catalogue.
const secondPlan = "brXJ4UXLbZiiqGph6636YVI-lbQIo5wu5_5-1xzPmkk="

// topUpResult mirrors one result of `order topup --from-file`.
type topUpResult struct {
	Row             int      `json:"row"`
	Line            int      `json:"line"`
	Result          string   `json:"result"`
	ICCID           string   `json:"iccid"`
	OrderID         string   `json:"order_id"`
	Status          string   `json:"status"`
	SubscriptionIDs []string `json:"subscription_ids"`
	Error           string   `json:"error"`
}

// newSIMs creates n SIMs of the sandbox's built-in client, with no plans.
func newSIMs(t *testing.T, sb *testenv.Sandbox, n int) []string {
	t.Helper()
	var created struct {
		ICCIDs []string `json:"iccids"`
	}
	sb.Admin(t, http.MethodPost, "/_sandbox/sims", map[string]any{"client_id": "sandbox", "count": n}, &created)
	if len(created.ICCIDs) != n {
		t.Fatalf("created %d SIMs, want %d", len(created.ICCIDs), n)
	}
	return created.ICCIDs
}

// writeTopUps writes a top-up CSV: one row per ICCID, the products in one
// cell, and returns its path.
func writeTopUps(t *testing.T, iccids []string, products func(i int) []string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("iccid,product\n")
	for i, iccid := range iccids {
		fmt.Fprintf(&b, "%s,\"%s\"\n", iccid, strings.Join(products(i), " "))
	}
	path := filepath.Join(t.TempDir(), "topups.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func onePlan(int) []string { return []string{europe1GB} }

func parseTopUps(t *testing.T, stdout string) map[int]topUpResult {
	t.Helper()
	out := map[int]topUpResult{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r topUpResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("result line %q: %v", line, err)
		}
		if _, dup := out[r.Row]; dup {
			t.Fatalf("row %d reported twice:\n%s", r.Row, stdout)
		}
		out[r.Row] = r
	}
	return out
}

// plansOn lists the product ids of a SIM's subscriptions through `subs list`.
func plansOn(t *testing.T, env []string, iccid string) []string {
	t.Helper()
	res := runOK(t, env, "subs", "list", "--iccid", iccid, "--all", "-o", "json")
	var subs []struct {
		ID      string `json:"id"`
		ICCID   string `json:"iccid"`
		Product struct {
			ID string `json:"id"`
		} `json:"product"`
	}
	decodeJSON(t, res.Stdout, &subs)
	var out []string
	for _, s := range subs {
		if s.ICCID != iccid {
			t.Fatalf("subs list --iccid %s listed a subscription of %s", iccid, s.ICCID)
		}
		out = append(out, s.Product.ID)
	}
	slices.Sort(out)
	return out
}

func postOrders(st testenv.Stats) int { return st.Requests["POST /v1/order"] }

// (1) and (2): a file of top-ups completes, the SIMs hold the new plans,
// and running the same file again sends no order.
func TestBulkTopUpWaitThenRerunSkips(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "200ms")
	env, _ := bulkEnv(t, sb)
	iccids := newSIMs(t, sb, 4)
	products := func(i int) []string {
		if i == 1 {
			return []string{europe1GB, secondPlan} // two plans in one top-up
		}
		return []string{europe1GB}
	}
	csv := writeTopUps(t, iccids, products)
	args := []string{"order", "topup", "--from-file", csv, "--wait", "--poll-interval", "100ms"}
	res := testenv.Run(t, bin, env, append(args, "-o", "ndjson")...)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	first := parseTopUps(t, res.Stdout)
	if len(first) != 4 || !strings.Contains(res.Stderr, "4 rows: 4 ordered.") {
		t.Fatalf("results:\n%s\nstderr:\n%s", res.Stdout, res.Stderr)
	}
	for i, iccid := range iccids {
		r := first[i+1]
		if r.Result != "ordered" || r.Status != "COMPLETED" || r.ICCID != iccid || r.OrderID == "" ||
			len(r.SubscriptionIDs) != len(products(i)) || r.Line != i+2 {
			t.Errorf("row %d: %+v", i+1, r)
		}
		want := slices.Clone(products(i))
		slices.Sort(want)
		if got := plansOn(t, env, iccid); !slices.Equal(got, want) {
			t.Errorf("SIM %s holds plans %v, want %v", iccid, got, want)
		}
	}
	st := sb.Stats(t)
	if st.Orders != 4 || postOrders(st) != 4 || st.SIMs != 4 {
		t.Fatalf("sandbox after the run: %+v", st)
	}

	// The journal tells the top-ups from new orders.
	res = runOK(t, env, "order", "history", "--all", "-o", "json")
	var hist []struct {
		Operation string `json:"operation"`
		ICCID     string `json:"iccid"`
		Status    string `json:"status"`
	}
	decodeJSON(t, res.Stdout, &hist)
	if len(hist) != 4 {
		t.Fatalf("history: %d attempts, want 4:\n%s", len(hist), res.Stdout)
	}
	for _, h := range hist {
		if h.Operation != "TOPUP" || !slices.Contains(iccids, h.ICCID) || h.Status != "accepted" {
			t.Errorf("history entry %+v", h)
		}
	}

	// Again, as one JSON array: every row skipped with its order, no POST.
	res = testenv.Run(t, bin, env, append(args, "-o", "json")...)
	if res.ExitCode != 0 {
		t.Fatalf("re-run: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	var again []topUpResult
	decodeJSON(t, res.Stdout, &again)
	if len(again) != 4 {
		t.Fatalf("re-run results:\n%s", res.Stdout)
	}
	for _, r := range again {
		if f := first[r.Row]; r.Result != "skipped" || r.OrderID != f.OrderID || r.ICCID != f.ICCID || r.Status != "COMPLETED" {
			t.Errorf("re-run row %d: %+v, first run %+v", r.Row, r, f)
		}
	}
	if st2 := sb.Stats(t); postOrders(st2) != 4 || st2.Orders != 4 {
		t.Fatalf("the re-run ordered again: %+v", st2)
	}
	for i, iccid := range iccids {
		if got := plansOn(t, env, iccid); len(got) != len(products(i)) {
			t.Errorf("SIM %s holds %d plans after the re-run, want %d", iccid, len(got), len(products(i)))
		}
	}
}

// (3): a top-up whose answer is lost (the sandbox fault bulk_test.go uses
// for single orders) is settled by the next run: found when the sandbox did
// the work, sent again when it did not; each SIM gets its plan once.
func TestBulkTopUpUnknownOutcomeSettlesOnRerun(t *testing.T) {
	tests := []struct {
		name     string
		fault    map[string]any
		want     string // row 1's result in the second run
		wantPOST int    // orders the second run sends
	}{
		{"504 after the work", map[string]any{"status": 504, "after": true}, "recovered", 0},
		{"connection dropped after the work", map[string]any{"drop": true, "after": true}, "recovered", 0},
		{"503 before the work", map[string]any{"status": 503}, "ordered", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
			env, _ := bulkEnv(t, sb)
			iccids := newSIMs(t, sb, 3)
			csv := writeTopUps(t, iccids, onePlan)
			fault := map[string]any{"method": "POST", "path": "/v1/order", "count": 1}
			for k, v := range tt.fault {
				fault[k] = v
			}
			sb.Admin(t, "POST", "/_sandbox/faults", fault, nil)
			args := []string{"order", "topup", "--from-file", csv, "--concurrency", "1", "-o", "ndjson"}

			res := testenv.Run(t, bin, env, args...)
			if res.ExitCode != 6 {
				t.Fatalf("first run: exit %d, want 6\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
			}
			first := parseTopUps(t, res.Stdout)
			if r := first[1]; r.Result != "unknown" || r.OrderID != "" || r.ICCID != iccids[0] {
				t.Fatalf("first run, row 1: %+v", r)
			}
			if !strings.Contains(res.Stderr, "Re-run the same command") {
				t.Errorf("no advice to re-run:\n%s", res.Stderr)
			}
			before := postOrders(sb.Stats(t))

			res = testenv.Run(t, bin, env, args...)
			if res.ExitCode != 0 {
				t.Fatalf("second run: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
			}
			second := parseTopUps(t, res.Stdout)
			if r := second[1]; r.Result != tt.want || r.OrderID == "" {
				t.Fatalf("second run, row 1: %+v\nstderr:\n%s", r, res.Stderr)
			}
			for _, row := range []int{2, 3} {
				if r := second[row]; r.Result != "skipped" || r.OrderID != first[row].OrderID {
					t.Errorf("second run, row %d: %+v", row, r)
				}
			}
			if got := postOrders(sb.Stats(t)) - before; got != tt.wantPOST {
				t.Errorf("the second run sent %d orders, want %d", got, tt.wantPOST)
			}
			for _, iccid := range iccids {
				if got := plansOn(t, env, iccid); len(got) != 1 {
					t.Errorf("SIM %s holds %d plans, want exactly 1", iccid, len(got))
				}
			}
			ids := sandboxOrderIDs(t, env)
			for row, r := range second {
				if !ids[r.OrderID] {
					t.Errorf("row %d: order %s is not on the sandbox", row, r.OrderID)
				}
			}
			if len(ids) != 3 {
				t.Errorf("the sandbox holds %d orders for 3 rows", len(ids))
			}
		})
	}
}

// (4): an invalid row (a wrong ICCID check digit among them) stops the run
// before any request, exit 2; --skip-invalid tops up the rest, exit 5.
func TestBulkTopUpInvalidRowsSendNothing(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env, _ := bulkEnv(t, sb)
	iccids := newSIMs(t, sb, 2)
	wrongLuhn := iccids[1][:len(iccids[1])-1] + fmt.Sprint((int(iccids[1][len(iccids[1])-1]-'0')+1)%10)
	content := "iccid,product\n" +
		iccids[0] + "," + europe1GB + "\n" +
		wrongLuhn + "," + europe1GB + "\n" +
		iccids[1] + ",\n" + // no product, and no --product to fill it
		iccids[1] + "," + europe1GB + "\n"
	before := sb.Stats(t)
	res := runIn(t, content, env, "order", "topup", "--from-file", "-")
	if res.ExitCode != 2 {
		t.Fatalf("exit %d, want 2\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	for _, want := range []string{"line 3: iccid", wrongLuhn, "--ignore-checksum", "line 4: product is required", "2 of 4 rows are invalid; nothing was sent"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
		}
	}
	if st := sb.Stats(t); st.APIRequests() != before.APIRequests() || st.TokenRequests != before.TokenRequests {
		t.Fatalf("a request was sent: %+v", st)
	}

	res = runIn(t, content, env, "order", "topup", "--from-file", "-", "--skip-invalid", "-o", "ndjson")
	if res.ExitCode != 5 {
		t.Fatalf("--skip-invalid: exit %d, want 5\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	got := map[int]string{}
	for row, r := range parseTopUps(t, res.Stdout) {
		got[row] = r.Result
	}
	if want := map[int]string{1: "ordered", 2: "invalid", 3: "invalid", 4: "ordered"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	if n := sb.Stats(t).Orders; n != 2 {
		t.Fatalf("%d orders, want 2", n)
	}

	// --ignore-checksum sends the ICCID as written, with a warning; the
	// sandbox knows no such SIM and refuses it.
	content = "iccid,product\n" + wrongLuhn + "," + europe1GB + "\n"
	res = runIn(t, content, env, "order", "topup", "--from-file", "-", "--ignore-checksum", "-o", "ndjson")
	if res.ExitCode != 5 || !strings.Contains(res.Stderr, "line 2: iccid") || !strings.Contains(res.Stderr, "sending it anyway (--ignore-checksum)") {
		t.Fatalf("--ignore-checksum: exit %d, want 5 with a warning\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if r := parseTopUps(t, res.Stdout)[1]; r.Result != "refused" || r.ICCID != wrongLuhn {
		t.Errorf("--ignore-checksum row: %+v", r)
	}
}
