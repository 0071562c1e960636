package bulk

import (
	"context"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/lpa"
	"github.com/connectctl/connectctl/internal/sandbox"
)

func TestSummaryExitCode(t *testing.T) {
	r := func(o Outcome) Result { return Result{Row: 1, Result: o} }
	tests := []struct {
		name string
		sum  Summary
		want int
	}{
		{"no rows", Summary{}, 0},
		{"every row ok", Summary{Rows: 3, Counts: map[Outcome]int{Ordered: 1, Skipped: 1, Recovered: 1}}, 0},
		{"refused row", Summary{Problems: []Result{r(Refused)}}, 5},
		{"failed row", Summary{Problems: []Result{r(Failed)}}, 5},
		{"invalid row", Summary{Problems: []Result{r(Invalid)}}, 5},
		{"refused, failed and invalid rows", Summary{Problems: []Result{r(Refused), r(Failed), r(Invalid)}}, 5},
		{"unknown row", Summary{Problems: []Result{r(Unknown)}}, 6},
		{"pending row", Summary{Problems: []Result{r(Pending)}}, 6},
		{"error row", Summary{Problems: []Result{r(Error)}}, 6},
		{"unknown row wins over failed rows", Summary{Problems: []Result{r(Failed), r(Refused), r(Unknown)}}, 6},
		{"rows not sent", Summary{NotSent: 2}, 6},
		{"rows not sent win over a refused row", Summary{Problems: []Result{r(Refused)}, NotSent: 1}, 6},
		{"interrupted with every row ok", Summary{Interrupted: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sum.ExitCode(); got != tt.want {
				t.Errorf("ExitCode() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestResultOK(t *testing.T) {
	for o, want := range map[Outcome]bool{
		Ordered: true, Skipped: true, Recovered: true,
		Failed: false, Pending: false, Refused: false, Unknown: false, Invalid: false, Error: false,
	} {
		if got := (Result{Result: o}).OK(); got != want {
			t.Errorf("Result{%s}.OK() = %v, want %v", o, got, want)
		}
	}
}

// TestRerunJudgesTheJournal runs a file once, then again with the journal
// as it was after the first run, and checks which rows the second run
// skips and which it orders again.
func TestRerunJudgesTheJournal(t *testing.T) {
	tests := []struct {
		name   string
		emails []string
		first  func(*Runner) // the first run's settings
		second func(*Runner) // the second run's settings
		want   []Outcome     // per row of the second run
		// sameID, per row: the second run reports the first run's order id.
		sameID []bool
	}{
		{
			name:   "every row already ordered is skipped",
			emails: []string{"a@example.com", "b@example.com", "c@example.com"},
			want:   []Outcome{Skipped, Skipped, Skipped},
			sameID: []bool{true, true, true},
		},
		{
			name:   "identical rows are distinct orders, skipped distinctly",
			emails: []string{"same@example.com", "same@example.com", "same@example.com"},
			want:   []Outcome{Skipped, Skipped, Skipped},
			sameID: []bool{true, true, true},
		},
		{
			name:   "an accepted order that FAILED is ordered again",
			emails: []string{"ok@example.com", "bad+fail@example.com"},
			first:  func(r *Runner) { r.Wait = true },
			want:   []Outcome{Skipped, Ordered},
			sameID: []bool{true, false},
		},
		{
			name:   "force orders every row again",
			emails: []string{"a@example.com", "b@example.com"},
			second: func(r *Runner) { r.Force = true },
			want:   []Outcome{Ordered, Ordered},
			sameID: []bool{false, false},
		},
		{
			name:   "another target does not skip",
			emails: []string{"a@example.com", "b@example.com"},
			second: func(r *Runner) { r.Scope.Target = "https://other.example" },
			want:   []Outcome{Ordered, Ordered},
			sameID: []bool{false, false},
		},
		{
			name:   "another batch does not skip",
			emails: []string{"a@example.com", "b@example.com"},
			second: func(r *Runner) { r.Scope.Batch = "batch-2" },
			want:   []Outcome{Ordered, Ordered},
			sameID: []bool{false, false},
		},
		{
			name:   "another client id does not skip",
			emails: []string{"a@example.com", "b@example.com"},
			second: func(r *Runner) { r.Scope.ClientID = "other-client" },
			want:   []Outcome{Ordered, Ordered},
			sameID: []bool{false, false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSandbox(t, nil)
			j, path := tempJournal(t)
			rows := e.rows(tt.emails...)
			ctx := context.Background()

			r1 := newRunner(e.client, j, nil)
			if tt.first != nil {
				tt.first(r1)
			}
			first := runFile(t, ctx, r1, rows)
			if first.err != nil {
				t.Fatalf("first run: %v", first.err)
			}
			seen := map[string]bool{}
			for _, row := range rows {
				res := first.byRow[row.Row]
				if res.OrderID == "" || seen[res.OrderID] {
					t.Fatalf("first run, row %d: order id %q (empty or shared): %+v", row.Row, res.OrderID, first.results)
				}
				seen[res.OrderID] = true
			}
			before := e.stats()

			r2 := newRunner(e.client, j, load(t, path))
			if tt.second != nil {
				tt.second(r2)
			}
			second := runFile(t, ctx, r2, rows)
			if second.err != nil {
				t.Fatalf("second run: %v", second.err)
			}
			newOrders := 0
			for i, row := range rows {
				res := second.byRow[row.Row]
				if res.Result != tt.want[i] {
					t.Errorf("row %d: %s (%s), want %s", row.Row, res.Result, res.Error, tt.want[i])
				}
				if got := res.OrderID == first.byRow[row.Row].OrderID; got != tt.sameID[i] {
					t.Errorf("row %d: order %s after %s; same = %v, want %v", row.Row, res.OrderID, first.byRow[row.Row].OrderID, got, tt.sameID[i])
				}
				if !tt.sameID[i] {
					newOrders++
				}
			}
			after := e.stats()
			if got := after.Orders - before.Orders; got != newOrders {
				t.Errorf("the second run placed %d orders, want %d", got, newOrders)
			}
			if got := after.Requests["POST /v1/order"] - before.Requests["POST /v1/order"]; got != newOrders {
				t.Errorf("the second run sent %d orders, want %d", got, newOrders)
			}
			if second.sum.ExitCode() != 0 || second.sum.NotSent != 0 || len(second.sum.Problems) != 0 {
				t.Errorf("second run summary %+v, exit %d", second.sum, second.sum.ExitCode())
			}
		})
	}
}

// TestEveryAttemptIsJournaledBeforeItIsSent checks, at the moment each
// order goes out, that the journal on disk already holds its attempt.
func TestEveryAttemptIsJournaledBeforeItIsSent(t *testing.T) {
	e := newSandbox(t, nil)
	j, path := tempJournal(t)
	api := &journalCheckingAPI{API: e.client, t: t, path: path}
	r := newRunner(api, j, nil)
	r.Concurrency = 3
	got := runFile(t, context.Background(), r, e.rows("a@example.com", "b@example.com", "c@example.com", "d@example.com"))
	if got.err != nil || got.sum.ExitCode() != 0 {
		t.Fatalf("run: %v %+v", got.err, got.sum)
	}
	if api.checked.Load() != 4 {
		t.Fatalf("%d orders sent, want 4", api.checked.Load())
	}
	atts := load(t, path)
	if len(atts) != 4 {
		t.Fatalf("%d attempts journaled, want 4", len(atts))
	}
	for _, a := range atts {
		res := got.byRow[a.Row]
		if a.Status != journal.Accepted || a.OrderID != res.OrderID || a.OrderStatus != connect.OrderStatusAccepted ||
			a.Batch != testScope.Batch || a.Target != testScope.Target || a.RowKey == "" || a.DeviceID == "" || a.Email != res.Email {
			t.Errorf("attempt %+v for result %+v", a, res)
		}
	}
}

type journalCheckingAPI struct {
	API
	t       *testing.T
	path    string
	checked atomic.Int32
}

func (a *journalCheckingAPI) CreateOrder(ctx context.Context, in connect.OrderInput) (*connect.OrderAccepted, error) {
	atts, err := journal.Load(a.path)
	if err != nil {
		a.t.Error(err)
	}
	found := false
	for _, at := range atts {
		if in.Device != nil && in.Device.ID != "" && at.DeviceID == in.Device.ID && at.Status == journal.Sending {
			found = true
		}
	}
	if !found {
		a.t.Errorf("order for device %+v sent with no attempt of status sending in the journal", in.Device)
	}
	a.checked.Add(1)
	return a.API.CreateOrder(ctx, in)
}

// TestLostAnswerIsSettledByTheNextRun loses the answer to one order (or
// the request itself) with a deterministic sandbox fault: the run reports
// the row unknown, and the next run finds the order when it was placed, or
// proves it absent and orders it exactly once.
func TestLostAnswerIsSettledByTheNextRun(t *testing.T) {
	tests := []struct {
		name       string
		fault      map[string]any
		placed     bool           // the sandbox holds the lost row's order after the first run
		httpStatus int            // journaled with the unknown outcome
		want       Outcome        // of the row in the second run
		wantStatus journal.Status // of the first attempt after the second run
		resolution string         // its resolution starts so
	}{
		{"504 after the work", map[string]any{"status": 504, "after": true}, true, 504, Recovered, journal.Accepted, "found"},
		{"500 after the work", map[string]any{"status": 500, "after": true}, true, 500, Recovered, journal.Accepted, "found"},
		{"connection dropped after the work", map[string]any{"drop": true, "after": true}, true, 0, Recovered, journal.Accepted, "found"},
		{"502 before the work", map[string]any{"status": 502}, false, 502, Ordered, journal.Failed, "absent"},
		{"503 before the work", map[string]any{"status": 503}, false, 503, Ordered, journal.Failed, "absent"},
		{"connection dropped before the work", map[string]any{"drop": true}, false, 0, Ordered, journal.Failed, "absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSandbox(t, nil)
			j, path := tempJournal(t)
			rows := e.rows("lost@example.com", "b@example.com", "c@example.com")
			ctx := context.Background()
			e.fault(tt.fault) // hits the first order sent: row 1 at concurrency 1

			r1 := newRunner(e.client, j, nil)
			r1.Concurrency = 1
			first := runFile(t, ctx, r1, rows)
			if first.err != nil {
				t.Fatal(first.err)
			}
			if res := first.byRow[1]; res.Result != Unknown || res.OrderID != "" || !strings.Contains(res.Error, "re-run") {
				t.Fatalf("first run, row 1: %+v", res)
			}
			for _, row := range []int{2, 3} {
				if res := first.byRow[row]; res.Result != Ordered {
					t.Fatalf("first run, row %d: %+v", row, res)
				}
			}
			if code := first.sum.ExitCode(); code != 6 || first.sum.Counts[Unknown] != 1 {
				t.Fatalf("first run: exit %d, summary %+v", code, first.sum)
			}
			atts := attemptsOfRow(load(t, path), 1)
			if len(atts) != 1 || atts[0].Status != journal.Unknown || atts[0].HTTPStatus != tt.httpStatus || atts[0].DeviceID == "" {
				t.Fatalf("journal of row 1 after the first run: %+v", atts)
			}
			lostDevice := atts[0].DeviceID
			known := map[string]bool{first.byRow[2].OrderID: true, first.byRow[3].OrderID: true}
			var lost []string
			for _, id := range e.orders() {
				if !known[id] {
					lost = append(lost, id)
				}
			}
			if tt.placed != (len(lost) == 1) || len(lost) > 1 {
				t.Fatalf("orders the first run did not report: %v; want placed = %v", lost, tt.placed)
			}
			before := e.stats()

			r2 := newRunner(e.client, j, load(t, path))
			second := runFile(t, ctx, r2, rows)
			if second.err != nil {
				t.Fatal(second.err)
			}
			res := second.byRow[1]
			if res.Result != tt.want || res.OrderID == "" {
				t.Fatalf("second run, row 1: %+v", res)
			}
			for _, row := range []int{2, 3} {
				if got := second.byRow[row]; got.Result != Skipped || got.OrderID != first.byRow[row].OrderID {
					t.Errorf("second run, row %d: %+v", row, got)
				}
			}
			if code := second.sum.ExitCode(); code != 0 {
				t.Errorf("second run: exit %d, summary %+v", code, second.sum)
			}
			after := e.stats()
			wantNew := 0
			if tt.placed {
				if res.OrderID != lost[0] {
					t.Errorf("recovered order %s, but the lost one is %s", res.OrderID, lost[0])
				}
			} else {
				wantNew = 1
			}
			if got := after.Requests["POST /v1/order"] - before.Requests["POST /v1/order"]; got != wantNew {
				t.Errorf("the second run sent %d orders, want %d", got, wantNew)
			}
			if n := e.byDevice()[lostDevice]; n != 1 {
				t.Errorf("the sandbox holds %d orders for row 1's device, want exactly 1", n)
			}

			atts = attemptsOfRow(load(t, path), 1)
			a := atts[0]
			if a.Status != tt.wantStatus || !strings.HasPrefix(a.Resolution, tt.resolution) {
				t.Errorf("first attempt of row 1 after settling: status %s, resolution %q; want %s, %q…", a.Status, a.Resolution, tt.wantStatus, tt.resolution)
			}
			if tt.placed {
				if len(atts) != 1 || a.OrderID != res.OrderID || !strings.Contains(a.Resolution, lostDevice) {
					t.Errorf("journal of row 1: %+v", atts)
				}
			} else if len(atts) != 2 || atts[1].Status != journal.Accepted || atts[1].OrderID != res.OrderID {
				t.Errorf("journal of row 1: %+v", atts)
			}

			// A third run has nothing left to do.
			third := runFile(t, ctx, newRunner(e.client, j, load(t, path)), rows)
			if third.err != nil || third.sum.Counts[Skipped] != 3 || third.byRow[1].OrderID != res.OrderID {
				t.Errorf("third run: %v %+v", third.err, third.results)
			}
		})
	}
}

// TestRefusedRowIsNotRetriedButOrderedByTheNextRun: a 4xx creates no
// order; the journal says so, and the next run sends the row again.
func TestRefusedRowIsOrderedByTheNextRun(t *testing.T) {
	e := newSandbox(t, nil)
	j, path := tempJournal(t)
	rows := e.rows("a@example.com", "b@example.com")
	e.fault(map[string]any{"status": 400})
	r1 := newRunner(e.client, j, nil)
	r1.Concurrency = 1
	first := runFile(t, context.Background(), r1, rows)
	if first.err != nil || first.byRow[1].Result != Refused || first.byRow[2].Result != Ordered || first.sum.ExitCode() != 5 {
		t.Fatalf("first run: %v %+v exit %d", first.err, first.results, first.sum.ExitCode())
	}
	if a := attemptsOfRow(load(t, path), 1); len(a) != 1 || a[0].Status != journal.Failed || a[0].HTTPStatus != 400 || a[0].Resolution != "refused" {
		t.Fatalf("journal of row 1: %+v", a)
	}
	second := runFile(t, context.Background(), newRunner(e.client, j, load(t, path)), rows)
	if second.err != nil || second.byRow[1].Result != Ordered || second.byRow[2].Result != Skipped || second.sum.ExitCode() != 0 {
		t.Fatalf("second run: %v %+v", second.err, second.results)
	}
	if n := e.stats().Orders; n != 2 {
		t.Errorf("the sandbox holds %d orders, want 2", n)
	}
}

// TestKilledRunIsSettled: a run killed between journaling an attempt and
// hearing back leaves it in status sending. The next run recovers the one
// whose order exists and orders the other exactly once.
func TestKilledRunIsSettled(t *testing.T) {
	e := newSandbox(t, nil)
	j, path := tempJournal(t)
	rows := e.rows("killed1@example.com", "killed2@example.com")
	devices := []string{"dev-killed-1", "dev-killed-2"}
	for i, row := range rows {
		_, err := j.Begin(journal.Attempt{
			Target: testScope.Target, ClientID: testScope.ClientID, Profile: testScope.Profile, Batch: testScope.Batch,
			Row: row.Row, Line: row.Line, RowKey: rowContent(row.Input) + "#1", Operation: "NEW_ESIM",
			Email: row.Input.Customer.Email, Products: []string{e.product}, DeviceID: devices[i], CorrelationID: "cid-killed",
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The first attempt did reach the API before the kill.
	in := rows[0].Input
	in.Device = &connect.OrderDevice{ID: devices[0], Type: "ios"}
	acc, err := e.client.CreateOrder(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	history := load(t, path)
	for _, a := range history {
		if a.Status != journal.Sending {
			t.Fatalf("setup: attempt %+v", a)
		}
	}
	before := e.stats()

	got := runFile(t, context.Background(), newRunner(e.client, j, history), rows)
	if got.err != nil {
		t.Fatal(got.err)
	}
	if res := got.byRow[1]; res.Result != Recovered || res.OrderID != acc.ID {
		t.Errorf("row 1: %+v, want recovered order %s", res, acc.ID)
	}
	if res := got.byRow[2]; res.Result != Ordered || res.OrderID == "" || res.OrderID == acc.ID {
		t.Errorf("row 2: %+v, want a new order", res)
	}
	if got.sum.ExitCode() != 0 {
		t.Errorf("exit %d: %+v", got.sum.ExitCode(), got.sum)
	}
	after := e.stats()
	if n := after.Requests["POST /v1/order"] - before.Requests["POST /v1/order"]; n != 1 {
		t.Errorf("%d orders sent, want 1", n)
	}
	bd := e.byDevice()
	if bd[devices[0]] != 1 || bd[devices[1]] != 1 {
		t.Errorf("orders per device %v, want one each for %v", bd, devices)
	}
	atts := load(t, path)
	r1, r2 := attemptsOfRow(atts, 1), attemptsOfRow(atts, 2)
	if len(r1) != 1 || r1[0].Status != journal.Accepted || r1[0].OrderID != acc.ID || !strings.HasPrefix(r1[0].Resolution, "found") {
		t.Errorf("journal of row 1: %+v", r1)
	}
	if len(r2) != 2 || r2[0].Status != journal.Failed || !strings.HasPrefix(r2[0].Resolution, "absent") ||
		r2[1].Status != journal.Accepted || r2[1].OrderID != got.byRow[2].OrderID {
		t.Errorf("journal of row 2: %+v", r2)
	}
}

// TestWaitFollowsOrdersToTheEnd: with Wait, a COMPLETED order reports its
// ICCID and activation code, a FAILED one fails the row, and the journal
// keeps each order's final status.
func TestWaitFollowsOrdersToTheEnd(t *testing.T) {
	e := newSandbox(t, func(c *sandbox.Config) { c.OrderDelay = 60 * time.Millisecond })
	j, path := tempJournal(t)
	rows := e.rows("one@example.com", "two+fail@example.com", "three@example.com")
	r := newRunner(e.client, j, nil)
	r.Wait = true
	got := runFile(t, context.Background(), r, rows)
	if got.err != nil {
		t.Fatal(got.err)
	}
	for _, row := range []int{1, 3} {
		res := got.byRow[row]
		if res.Result != Ordered || res.Status != connect.OrderStatusCompleted || res.ICCID == "" || res.Error != "" {
			t.Errorf("row %d: %+v", row, res)
			continue
		}
		code, err := lpa.Parse(res.ActivationCode)
		if err != nil || code.SMDP == "" || code.MatchingID == "" {
			t.Errorf("row %d: activation code %q: %v", row, res.ActivationCode, err)
		}
	}
	if res := got.byRow[2]; res.Result != Failed || res.Status != connect.OrderStatusFailed || res.OrderID == "" || !strings.Contains(res.Error, "+fail") || res.ActivationCode != "" {
		t.Errorf("row 2: %+v", res)
	}
	if code := got.sum.ExitCode(); code != 5 || len(got.sum.Problems) != 1 || got.sum.Problems[0].Row != 2 {
		t.Errorf("exit %d, summary %+v", code, got.sum)
	}
	for _, a := range load(t, path) {
		res := got.byRow[a.Row]
		if a.Status != journal.Accepted || a.OrderID != res.OrderID || a.OrderStatus != res.Status || a.ICCID != res.ICCID {
			t.Errorf("journal %+v for result %+v", a, res)
		}
		if a.Row == 2 && (a.OrderStatus != connect.OrderStatusFailed || a.Error == "") {
			t.Errorf("journal of the FAILED row: %+v", a)
		}
		if a.Row != 2 && a.OrderStatus != connect.OrderStatusCompleted {
			t.Errorf("journal of row %d: %+v", a.Row, a)
		}
	}
}

// TestWaitReportsPendingAtTheTimeout: an order that outlives WaitTimeout is
// reported pending with a hint, and the run's fate stays open (exit 6).
func TestWaitReportsPendingAtTheTimeout(t *testing.T) {
	e := newSandbox(t, func(c *sandbox.Config) { c.OrderDelay = time.Hour })
	j, _ := tempJournal(t)
	r := newRunner(e.client, j, nil)
	r.Wait = true
	r.WaitTimeout = 100 * time.Millisecond
	got := runFile(t, context.Background(), r, e.rows("slow@example.com"))
	res := got.byRow[1]
	if got.err != nil || res.Result != Pending || res.OrderID == "" || !strings.Contains(res.Error, "connectctl order wait "+res.OrderID) {
		t.Fatalf("%v %+v", got.err, res)
	}
	if got.sum.ExitCode() != 6 {
		t.Errorf("exit %d", got.sum.ExitCode())
	}
}

// TestInterruptionLosesNoOrder cancels the run while orders are in flight:
// every order the sandbox holds is reported, the rest are counted as not
// sent, no attempt is left in status sending, and the next run orders
// exactly the rest. No row comes out unknown: an interruption stops
// requests that wait for the limiter, never one on the wire
// (connect.WithFinishOnceSent).
func TestInterruptionLosesNoOrder(t *testing.T) {
	e := newSandbox(t, func(c *sandbox.Config) { c.Latency = 25 * time.Millisecond })
	j, path := tempJournal(t)
	emails := make([]string, 24)
	for i := range emails {
		emails[i] = "int" + string(rune('a'+i)) + "@example.com"
	}
	rows := e.rows(emails...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newRunner(e.client, j, nil)
	r.Concurrency = 4
	n := 0
	r.Emit = func(Result) {
		if n++; n == 3 {
			cancel()
		}
	}
	got := runFile(t, ctx, r, rows)
	if got.err != nil {
		t.Fatal(got.err)
	}
	if !got.sum.Interrupted || got.sum.NotSent == 0 {
		t.Fatalf("summary %+v: want interrupted, some rows not sent", got.sum)
	}
	if got.sum.NotSent+len(got.results) != len(rows) {
		t.Errorf("%d emitted + %d not sent != %d rows", len(got.results), got.sum.NotSent, len(rows))
	}
	if got.sum.ExitCode() != 6 {
		t.Errorf("exit %d", got.sum.ExitCode())
	}
	reported := map[string]bool{}
	for _, res := range got.results {
		if res.Result != Ordered || res.OrderID == "" {
			t.Errorf("row %d: %+v", res.Row, res)
		}
		reported[res.OrderID] = true
	}
	for _, id := range e.orders() {
		if !reported[id] {
			t.Errorf("the sandbox holds order %s, never reported", id)
		}
	}
	for _, a := range load(t, path) {
		if a.Status == journal.Sending {
			t.Errorf("attempt left in status sending: %+v", a)
		}
		if a.Status == journal.Accepted && !reported[a.OrderID] {
			t.Errorf("journaled order %s never reported", a.OrderID)
		}
		if res, ok := got.byRow[a.Row]; ok && res.Result == Unknown && a.Status != journal.Unknown {
			t.Errorf("row %d reported unknown, journaled %s", a.Row, a.Status)
		}
	}

	// The next run orders exactly the rest.
	second := runFile(t, context.Background(), newRunner(e.client, j, load(t, path)), rows)
	if second.err != nil || second.sum.ExitCode() != 0 || second.sum.Counts[Skipped] != len(reported) {
		t.Fatalf("second run: %v %+v", second.err, second.sum)
	}
	if n := len(e.orders()); n != len(rows) {
		t.Errorf("the sandbox holds %d orders after the second run, want %d", n, len(rows))
	}
	for dev, n := range e.byDevice() {
		if n != 1 {
			t.Errorf("device %s has %d orders", dev, n)
		}
	}
}

// TestInterruptedWaitReportsAcceptedOrdersAsPending: cancelling while
// orders are followed still reports each accepted order, as pending.
func TestInterruptedWaitReportsAcceptedOrdersAsPending(t *testing.T) {
	e := newSandbox(t, func(c *sandbox.Config) { c.OrderDelay = time.Hour })
	j, _ := tempJournal(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newRunner(e.client, j, nil)
	r.Wait = true
	api := &createHook{API: e.client}
	api.after = func(n int32) {
		if n == 2 {
			time.AfterFunc(50*time.Millisecond, cancel)
		}
	}
	r.API = api
	got := runFile(t, ctx, r, e.rows("p1@example.com", "p2@example.com"))
	if got.err != nil || !got.sum.Interrupted {
		t.Fatalf("%v %+v", got.err, got.sum)
	}
	for _, row := range []int{1, 2} {
		res := got.byRow[row]
		if res.Result != Pending || res.OrderID == "" || !strings.Contains(res.Error, "interrupted") {
			t.Errorf("row %d: %+v", row, res)
		}
	}
	if got.sum.ExitCode() != 6 {
		t.Errorf("exit %d", got.sum.ExitCode())
	}
}

// createHook calls after with the count of orders created so far.
type createHook struct {
	API
	n     atomic.Int32
	after func(int32)
}

func (c *createHook) CreateOrder(ctx context.Context, in connect.OrderInput) (*connect.OrderAccepted, error) {
	acc, err := c.API.CreateOrder(ctx, in)
	if c.after != nil {
		c.after(c.n.Add(1))
	}
	return acc, err
}

// TestUnwritableJournalSendsNothing: without a journal a lost answer could
// become a duplicate later, so the run sends nothing and fails.
func TestUnwritableJournalSendsNothing(t *testing.T) {
	e := newSandbox(t, nil)
	j, _ := tempJournal(t)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	r := newRunner(e.client, j, nil)
	r.Concurrency = 3
	rows := e.rows("a@example.com", "b@example.com", "c@example.com", "d@example.com")
	got := runFile(t, context.Background(), r, rows)
	if got.err == nil || !strings.Contains(got.err.Error(), "order journal") {
		t.Fatalf("err = %v, want an order journal error", got.err)
	}
	st := e.stats()
	if st.Orders != 0 || st.Requests["POST /v1/order"] != 0 {
		t.Fatalf("sandbox: %d orders, %d POSTs; want none", st.Orders, st.Requests["POST /v1/order"])
	}
	if got.sum.NotSent != len(rows) || got.sum.ExitCode() != 6 {
		t.Errorf("summary %+v, exit %d", got.sum, got.sum.ExitCode())
	}
}

// TestInvalidRowsAreReportedFirstAndNeverSent: the rows that failed the
// checks are emitted as given, before any other, and count as problems.
func TestInvalidRowsAreReportedFirstAndNeverSent(t *testing.T) {
	e := newSandbox(t, nil)
	j, _ := tempJournal(t)
	rows := e.rows("a@example.com")
	rows[0].Row, rows[0].Line = 2, 3
	invalid := []Result{{Row: 1, Line: 2, Result: Invalid, Error: "bad e-mail"}}
	got := runFile(t, context.Background(), newRunner(e.client, j, nil), rows, invalid...)
	if got.err != nil || len(got.results) != 2 || !reflect.DeepEqual(got.results[0], invalid[0]) || got.results[1].Result != Ordered {
		t.Fatalf("%v %+v", got.err, got.results)
	}
	if got.sum.Rows != 2 || got.sum.ExitCode() != 5 || e.stats().Orders != 1 {
		t.Errorf("summary %+v, exit %d", got.sum, got.sum.ExitCode())
	}
}

// TestRandomFaultsConvergeToOneOrderPerRow runs a file against a sandbox
// that fails a share of all requests, before or after the work, until a run
// succeeds: every row ends with exactly one order.
func TestRandomFaultsConvergeToOneOrderPerRow(t *testing.T) {
	e := newSandbox(t, func(c *sandbox.Config) { c.FailRate = 0.4; c.Seed = 7 },
		connect.RetryPolicy{MaxAttempts: 1}) // no retries: the draws of the faults follow from the seed alone
	j, path := tempJournal(t)
	emails := make([]string, 12)
	for i := range emails {
		emails[i] = "chaos" + string(rune('a'+i%4)) + "@example.com" // shared e-mails, distinct rows
	}
	rows := e.rows(emails...)
	rows = append(rows, Order{Row: 13, Line: 14, Input: rows[0].Input}) // an identical row too
	var last runReport
	seenOutcomes := map[Outcome]int{}
	runs := 0
	for runs = 1; runs <= 40; runs++ {
		r := newRunner(e.client, j, load(t, path))
		r.Concurrency = 1
		last = runFile(t, context.Background(), r, rows)
		if last.err != nil {
			t.Fatalf("run %d: %v", runs, last.err)
		}
		t.Logf("run %d: %v", runs, last.sum.Counts)
		for o, n := range last.sum.Counts {
			seenOutcomes[o] += n
		}
		if last.sum.ExitCode() == 0 {
			break
		}
	}
	if last.sum.ExitCode() != 0 {
		t.Fatalf("no clean run after %d runs: %+v", runs, last.sum)
	}
	found, absent := 0, 0
	for _, a := range load(t, path) {
		switch {
		case strings.HasPrefix(a.Resolution, "found"):
			found++
		case strings.HasPrefix(a.Resolution, "absent"):
			absent++
		}
	}
	if found == 0 || absent == 0 {
		t.Errorf("over %d runs (%v), %d lost answers were found and %d attempts proven absent; want some of each", runs, seenOutcomes, found, absent)
	}
	ids := map[string]bool{}
	for _, row := range rows {
		res := last.byRow[row.Row]
		if res.OrderID == "" || ids[res.OrderID] {
			t.Errorf("row %d: order %q empty or shared", row.Row, res.OrderID)
		}
		ids[res.OrderID] = true
	}
	// The admin endpoints take no random faults; the reads get patient retries.
	if n := e.stats().Orders; n != len(rows) {
		t.Fatalf("sandbox holds %d orders for %d rows", n, len(rows))
	}
	patient := newClient(t, e.srv.URL, connect.RetryPolicy{MaxAttempts: 50, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxElapsed: 30 * time.Second})
	for id := range ids {
		if _, err := patient.GetOrder(context.Background(), id); err != nil {
			t.Errorf("order %s: %v", id, err)
		}
	}
}
