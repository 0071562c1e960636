package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/lpa"
	"github.com/connectctl/connectctl/internal/testenv"
)

// bulkResult mirrors one result line of `order new --from-file -o ndjson`.
type bulkResult struct {
	Row            int    `json:"row"`
	Line           int    `json:"line"`
	Email          string `json:"email"`
	Result         string `json:"result"`
	OrderID        string `json:"order_id"`
	Status         string `json:"status"`
	ICCID          string `json:"iccid"`
	ActivationCode string `json:"activation_code"`
	Error          string `json:"error"`
}

// writeBulkCSV writes a CSV of n rows, one attendee each, and returns its path.
func writeBulkCSV(t *testing.T, n int, email func(i int) string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("product,email,country,device-type\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s,%s,PT,ios\n", europe1GB, email(i))
	}
	path := filepath.Join(t.TempDir(), "attendees.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func attendee(i int) string { return fmt.Sprintf("attendee%03d@example.com", i) }

func parseBulk(t *testing.T, stdout string) []bulkResult {
	t.Helper()
	var out []bulkResult
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r bulkResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("result line %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

// bulkEnv is a sandbox's environment plus a journal that outlives each run
// (testenv.Run gives every run a fresh HOME).
func bulkEnv(t *testing.T, sb *testenv.Sandbox) ([]string, string) {
	journal := filepath.Join(t.TempDir(), "state", "orders.jsonl")
	return append(sandboxEnv(sb), "CONNECTCTL_JOURNAL="+journal), journal
}

// sandboxOrderIDs lists every order id the sandbox holds, through the CLI.
func sandboxOrderIDs(t *testing.T, env []string) map[string]bool {
	t.Helper()
	res := testenv.Run(t, bin, env, "order", "list", "--all", "-o", "json", "--jq", ".[].id")
	if res.ExitCode != 0 {
		t.Fatalf("order list: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	ids := map[string]bool{}
	for _, id := range strings.Fields(res.Stdout) {
		if ids[id] {
			t.Fatalf("order %s listed twice", id)
		}
		ids[id] = true
	}
	return ids
}

// checkEveryRowOrderedOnce asserts the final run's results: one per row,
// each ok with a distinct order id, and the sandbox holding exactly those
// orders.
func checkEveryRowOrderedOnce(t *testing.T, results []bulkResult, rows int, onSandbox map[string]bool) {
	t.Helper()
	byRow := map[int]bulkResult{}
	ids := map[string]int{}
	for _, r := range results {
		if _, dup := byRow[r.Row]; dup {
			t.Errorf("row %d reported twice", r.Row)
		}
		byRow[r.Row] = r
		if r.OrderID == "" {
			t.Errorf("row %d has no order id: %+v", r.Row, r)
			continue
		}
		if prev, dup := ids[r.OrderID]; dup {
			t.Errorf("rows %d and %d share order %s", prev, r.Row, r.OrderID)
		}
		ids[r.OrderID] = r.Row
		if !onSandbox[r.OrderID] {
			t.Errorf("row %d: order %s is not on the sandbox", r.Row, r.OrderID)
		}
	}
	for i := 1; i <= rows; i++ {
		if _, ok := byRow[i]; !ok {
			t.Errorf("row %d missing from the output", i)
		}
	}
	if len(onSandbox) != rows {
		t.Errorf("the sandbox holds %d orders for %d rows", len(onSandbox), rows)
	}
}

func TestBulkOrderWaitThenRerunSkips(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "200ms")
	env, _ := bulkEnv(t, sb)
	csv := filepath.Join(t.TempDir(), "team.csv")
	content := "product,email,country,device-type,first-name\n" +
		europe1GB + ",ana@example.com,PT,ios,Ana\n" +
		"\"" + europe1GB + " " + europe1GB + "\",bo@example.com,ES,android,Bo\n" +
		europe1GB + ",ana@example.com,PT,ios,Ana\n" // the same order twice is two orders
	if err := os.WriteFile(csv, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"order", "new", "--from-file", csv, "--wait", "--poll-interval", "100ms", "-o", "ndjson"}
	res := testenv.Run(t, bin, env, args...)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	first := parseBulk(t, res.Stdout)
	if len(first) != 3 {
		t.Fatalf("%d results for 3 rows:\n%s", len(first), res.Stdout)
	}
	for _, r := range first {
		if r.Result != "ordered" || r.Status != "COMPLETED" || r.ICCID == "" || r.Line != r.Row+1 {
			t.Errorf("row %d: %+v", r.Row, r)
		}
		if c, err := lpa.Parse(r.ActivationCode); err != nil || c.String() != r.ActivationCode {
			t.Errorf("row %d: activation code %q: %v", r.Row, r.ActivationCode, err)
		}
	}
	if !strings.Contains(res.Stderr, "3 rows: 3 ordered.") {
		t.Errorf("no summary on stderr:\n%s", res.Stderr)
	}
	if got := sb.Stats(t).Orders; got != 3 {
		t.Fatalf("sandbox has %d orders, want 3", got)
	}

	// The same file again: nothing is ordered, every row is reported with
	// its order and activation code, as CSV this time.
	res = testenv.Run(t, bin, env, "order", "new", "--from-file", csv, "--wait", "--poll-interval", "100ms", "-o", "csv")
	if res.ExitCode != 0 {
		t.Fatalf("re-run: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if len(lines) != 4 || lines[0] != "row,result,order_id,status,iccid,activation_code,error" {
		t.Fatalf("CSV results:\n%s", res.Stdout)
	}
	for _, r := range first {
		if !strings.Contains(res.Stdout, fmt.Sprintf("%d,skipped,%s,COMPLETED,%s,%s,", r.Row, r.OrderID, r.ICCID, r.ActivationCode)) {
			t.Errorf("row %d not reported skipped with its order in:\n%s", r.Row, res.Stdout)
		}
	}
	if got := sb.Stats(t).Orders; got != 3 {
		t.Fatalf("re-run ordered again: %d orders", got)
	}

	// --force orders every row again.
	res = testenv.Run(t, bin, env, "order", "new", "--from-file", csv, "--force", "-o", "ndjson")
	if res.ExitCode != 0 || len(parseBulk(t, res.Stdout)) != 3 {
		t.Fatalf("--force: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if got := sb.Stats(t).Orders; got != 6 {
		t.Fatalf("--force: %d orders, want 6", got)
	}

	// The journal lists every attempt.
	res = testenv.Run(t, bin, env, "order", "history", "--all", "-o", "json")
	if res.ExitCode != 0 {
		t.Fatalf("order history: exit %d\n%s", res.ExitCode, res.Stderr)
	}
	var hist []struct {
		Status  string `json:"status"`
		OrderID string `json:"order_id"`
		Line    int    `json:"line"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &hist); err != nil {
		t.Fatalf("history JSON: %v\n%s", err, res.Stdout)
	}
	if len(hist) != 6 {
		t.Fatalf("history has %d attempts, want 6:\n%s", len(hist), res.Stdout)
	}
	for _, h := range hist {
		if h.Status != "accepted" || h.OrderID == "" || h.Line < 2 {
			t.Errorf("history entry %+v", h)
		}
	}
}

func TestBulkInvalidRowsSendNothing(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env, _ := bulkEnv(t, sb)
	csv := filepath.Join(t.TempDir(), "bad.csv")
	content := "product,email,country,device-type\n" +
		europe1GB + ",ok1@example.com,PT,ios\n" +
		europe1GB + ",not-an-email,PT,ios\n" +
		europe1GB + ",ok2@example.com,PT,ios\n" +
		europe1GB + ",ok3@example.com,UK,ios\n"
	if err := os.WriteFile(csv, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	res := testenv.Run(t, bin, env, "order", "new", "--from-file", csv)
	if res.ExitCode != 2 {
		t.Fatalf("exit %d, want 2\n%s", res.ExitCode, res.Stderr)
	}
	for _, want := range []string{"line 3", "not-an-email", "line 5", "UK", "2 of 4 rows are invalid; nothing was sent", "--skip-invalid"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
		}
	}
	if st := sb.Stats(t); st.APIRequests() != 0 || st.TokenRequests != 0 {
		t.Fatalf("a request was sent: %+v", st)
	}

	// --skip-invalid orders the valid rows, reports the others, exits 5.
	res = testenv.Run(t, bin, env, "order", "new", "--from-file", csv, "--skip-invalid", "-o", "ndjson")
	if res.ExitCode != 5 {
		t.Fatalf("exit %d, want 5\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	got := map[int]string{}
	for _, r := range parseBulk(t, res.Stdout) {
		got[r.Row] = r.Result
	}
	want := map[int]string{1: "ordered", 2: "invalid", 3: "ordered", 4: "invalid"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("results %v, want %v", got, want)
	}
	if !strings.Contains(res.Stderr, "row 2 (line 3): invalid") {
		t.Errorf("summary does not name the invalid rows:\n%s", res.Stderr)
	}
	if n := sb.Stats(t).Orders; n != 2 {
		t.Fatalf("%d orders, want 2", n)
	}
}

func TestBulkFailedOrdersExit5(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "100ms")
	env, _ := bulkEnv(t, sb)
	csv := writeBulkCSV(t, 3, func(i int) string {
		if i == 2 {
			return "ops+fail@example.com" // the sandbox fails this order
		}
		return attendee(i)
	})
	res := testenv.Run(t, bin, env, "order", "new", "--from-file", csv, "--wait", "--poll-interval", "100ms", "-o", "ndjson")
	if res.ExitCode != 5 {
		t.Fatalf("exit %d, want 5\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	for _, r := range parseBulk(t, res.Stdout) {
		wantResult, wantStatus := "ordered", "COMPLETED"
		if r.Row == 2 {
			wantResult, wantStatus = "failed", "FAILED"
		}
		if r.Result != wantResult || r.Status != wantStatus || r.OrderID == "" {
			t.Errorf("row %d: %+v", r.Row, r)
		}
	}
	if !strings.Contains(res.Stderr, "row 2 (line 3): failed") {
		t.Errorf("summary does not name the failed row:\n%s", res.Stderr)
	}
}

// runUntilDone re-runs a bulk command until it exits 0, checking that every
// run in between exits 6 (some outcome open) and never orders twice.
func runUntilDone(t *testing.T, env []string, args []string, maxRuns int) (last testenv.Result, runs int, seen map[string]int) {
	t.Helper()
	seen = map[string]int{}
	for runs = 1; runs <= maxRuns; runs++ {
		last = testenv.Run(t, bin, env, args...)
		for _, r := range parseBulk(t, last.Stdout) {
			seen[r.Result]++
		}
		if last.ExitCode == 0 {
			return last, runs, seen
		}
		if last.ExitCode != 6 {
			t.Fatalf("run %d: exit %d, want 0 or 6\nstdout:\n%s\nstderr:\n%s", runs, last.ExitCode, last.Stdout, last.Stderr)
		}
	}
	t.Fatalf("still not done after %d runs; last stderr:\n%s", maxRuns, last.Stderr)
	return last, runs, seen
}

// The fault test: 200 rows against a sandbox failing a fifth of
// all requests (before or after doing the work), run again until exit 0:
// exactly 200 orders, none twice, every row's order id in the output.
func TestBulkFaultsRerunUntilDone(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 200 orders through random faults")
	}
	sb := testenv.StartSandbox(t, bin, "--fail-rate", "0.2", "--order-delay", "0")
	env, _ := bulkEnv(t, sb)
	const rows = 200
	csv := writeBulkCSV(t, rows, attendee)
	args := []string{"order", "new", "--from-file", csv, "--wait", "--poll-interval", "100ms", "-o", "ndjson"}
	last, runs, seen := runUntilDone(t, env, args, 12)
	t.Logf("done after %d runs; results seen across runs: %v", runs, seen)
	if runs < 2 || seen["unknown"] == 0 {
		t.Fatalf("the faults never left an outcome unknown (runs %d, %v): the test proves nothing", runs, seen)
	}
	if seen["recovered"] == 0 {
		t.Errorf("no row was recovered, though faults after the work must have placed orders whose answer was lost: %v", seen)
	}
	results := parseBulk(t, last.Stdout)
	for _, r := range results {
		if r.Status != "COMPLETED" || r.ActivationCode == "" {
			t.Errorf("row %d: %+v", r.Row, r)
		}
	}
	// Listing through the faulty sandbox works: GETs are retried.
	checkEveryRowOrderedOnce(t, results, rows, sandboxOrderIDs(t, env))
	if n := sb.Stats(t).Orders; n != rows {
		t.Fatalf("sandbox stats: %d orders for %d rows", n, rows)
	}
}

// The kill test: SIGKILL in the middle of a run, then re-run until
// exit 0: same result as if nothing had happened.
func TestBulkKilledMidRunResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0", "--latency", "30ms")
	env, _ := bulkEnv(t, sb)
	const rows = 120
	csv := writeBulkCSV(t, rows, attendee)
	args := []string{"order", "new", "--from-file", csv, "-o", "ndjson"}

	killed := startAndStop(t, env, args, syscall.SIGKILL, 30)
	t.Logf("killed after %d results; sandbox holds %d orders", len(killed), sb.Stats(t).Orders)
	if n := sb.Stats(t).Orders; n >= rows {
		t.Fatalf("the run finished before the kill (%d orders): the test proves nothing", n)
	}

	last, runs, seen := runUntilDone(t, env, args, 5)
	t.Logf("done after %d more runs: %v", runs, seen)
	results := parseBulk(t, last.Stdout)
	checkEveryRowOrderedOnce(t, results, rows, sandboxOrderIDs(t, env))
	// What the killed run printed was true: the same rows, the same orders.
	final := map[int]string{}
	for _, r := range results {
		final[r.Row] = r.OrderID
	}
	for _, r := range killed {
		if final[r.Row] != r.OrderID {
			t.Errorf("row %d: the killed run printed order %s, the final run %s", r.Row, r.OrderID, final[r.Row])
		}
	}
}

// Ctrl-C in the middle of a run: exit 130, and every order the sandbox
// accepted is in the output (the orders in flight were awaited).
func TestBulkInterruptReportsEveryAcceptedOrder(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0", "--latency", "50ms")
	env, _ := bulkEnv(t, sb)
	csv := writeBulkCSV(t, 200, attendee)
	args := []string{"order", "new", "--from-file", csv, "-o", "ndjson"}
	results := startAndStop(t, env, args, syscall.SIGINT, 20)
	onSandbox := sandboxOrderIDs(t, env)
	printed := map[string]bool{}
	for _, r := range results {
		if r.OrderID != "" {
			printed[r.OrderID] = true
		}
	}
	if len(onSandbox) >= 200 {
		t.Fatal("the run finished before the interrupt: the test proves nothing")
	}
	for id := range onSandbox {
		if !printed[id] {
			t.Errorf("order %s was placed but not reported", id)
		}
	}
	if len(printed) != len(onSandbox) {
		t.Errorf("%d orders printed, %d on the sandbox", len(printed), len(onSandbox))
	}
}

// startAndStop starts a bulk run, lets it print after results, sends sig,
// and returns the results it printed. For SIGINT it checks exit 130.
func startAndStop(t *testing.T, env []string, args []string, sig syscall.Signal, after int) []bulkResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(testenv.CleanEnv(t), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	lines := 0
	sc := bufio.NewScanner(stdout)
	signalled := false
	timer := time.AfterFunc(90*time.Second, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		lines++
		if lines == after && !signalled {
			signalled = true
			_ = cmd.Process.Signal(sig)
		}
	}
	err = cmd.Wait()
	if sig == syscall.SIGINT {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
			t.Fatalf("after SIGINT: %v, want exit 130\nstderr:\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "Re-run the same command") {
			t.Errorf("no advice to re-run on stderr:\n%s", stderr.String())
		}
	}
	if !signalled {
		t.Fatalf("the run ended before %d results; stderr:\n%s", after, stderr.String())
	}
	return parseBulk(t, out.String())
}

// A single `order new` is journaled too: accepted with its id, and an
// outcome-unknown attempt stays listed as unknown, as the error says.
func TestSingleOrdersAreJournaled(t *testing.T) {
	sb := testenv.StartSandbox(t, bin)
	env, _ := bulkEnv(t, sb)
	res := testenv.Run(t, bin, env, orderArgs()...)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d\n%s", res.ExitCode, res.Stderr)
	}
	id := strings.TrimSpace(res.Stdout)

	sb.Admin(t, "POST", "/_sandbox/faults", map[string]any{"method": "POST", "path": "/v1/order", "status": 504, "after": true, "count": 1}, nil)
	res = testenv.Run(t, bin, env, orderArgs("--correlation-id", "e2e-journal-1")...)
	if res.ExitCode != 6 || !strings.Contains(res.Stderr, "connectctl order history --status unknown") {
		t.Fatalf("exit %d, want 6 pointing at the journal:\n%s", res.ExitCode, res.Stderr)
	}

	var hist []struct {
		Status        string `json:"status"`
		OrderID       string `json:"order_id"`
		Email         string `json:"email"`
		DeviceID      string `json:"device_id"`
		CorrelationID string `json:"correlation_id"`
	}
	res = testenv.Run(t, bin, env, "order", "history", "-o", "json")
	if err := json.Unmarshal([]byte(res.Stdout), &hist); err != nil || len(hist) != 2 {
		t.Fatalf("history (%v):\n%s", err, res.Stdout)
	}
	// Newest first.
	if h := hist[0]; h.Status != "unknown" || h.OrderID != "" || h.CorrelationID != "e2e-journal-1" || h.DeviceID == "" {
		t.Errorf("unknown attempt journaled as %+v", h)
	}
	if h := hist[1]; h.Status != "accepted" || h.OrderID != id || h.Email != "e2e@example.com" {
		t.Errorf("accepted attempt journaled as %+v, want order %s", h, id)
	}
}
