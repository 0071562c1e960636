package bulk

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
)

// sims creates n SIMs on the sandbox and returns their ICCIDs.
func (e *sbEnv) sims(n int) []string {
	e.t.Helper()
	var out struct {
		ICCIDs []string `json:"iccids"`
	}
	e.admin(http.MethodPost, "/_sandbox/sims", map[string]any{"count": n}, &out)
	if len(out.ICCIDs) != n {
		e.t.Fatalf("created %d SIMs, want %d", len(out.ICCIDs), n)
	}
	return out.ICCIDs
}

func topUp(iccid string, products ...string) connect.OrderInput {
	in := connect.OrderInput{OperationType: connect.OperationTopUp, ESIM: &connect.OrderESIM{ICCID: iccid}}
	for _, p := range products {
		in.Subscriptions = append(in.Subscriptions, connect.OrderSubscription{ProductID: p})
	}
	return in
}

// plansOn counts the subscriptions of a SIM per product.
func (e *sbEnv) plansOn(iccid string) map[string]int {
	e.t.Helper()
	n := map[string]int{}
	for sb, err := range e.client.ListSubscriptions(context.Background(), connect.SubscriptionsQuery{ICCID: iccid}) {
		if err != nil {
			e.t.Fatal(err)
		}
		n[sb.Product.ID]++
	}
	return n
}

// A top-up whose answer was lost is found by its SIM and products, or
// proven absent and sent again; either way each row tops up exactly once,
// and the journal tells top-ups from new orders.
func TestTopUpLostAnswerIsSettledByTheNextRun(t *testing.T) {
	tests := []struct {
		name       string
		fault      map[string]any
		placed     bool
		want       Outcome
		wantStatus journal.Status
		resolution string
	}{
		{"504 after the work", map[string]any{"status": 504, "after": true}, true, Recovered, journal.Accepted, "found: TOPUP order"},
		{"connection dropped after the work", map[string]any{"drop": true, "after": true}, true, Recovered, journal.Accepted, "found: TOPUP order"},
		{"502 before the work", map[string]any{"status": 502}, false, Ordered, journal.Failed, "absent: no TOPUP order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSandbox(t, nil)
			iccids := e.sims(2)
			j, path := tempJournal(t)
			// Rows 1 and 2 top up the same SIM, the same plan: two orders.
			rows := []Order{
				{Row: 1, Line: 2, Input: topUp(iccids[0], e.product)},
				{Row: 2, Line: 3, Input: topUp(iccids[0], e.product)},
				{Row: 3, Line: 4, Input: topUp(iccids[1], e.product, e.product)},
			}
			ctx := context.Background()
			e.fault(tt.fault)

			r1 := newRunner(e.client, j, nil)
			r1.Concurrency = 1
			first := runFile(t, ctx, r1, rows)
			if first.err != nil {
				t.Fatal(first.err)
			}
			if res := first.byRow[1]; res.Result != Unknown || res.ICCID != iccids[0] || res.Email != "" {
				t.Fatalf("first run, row 1: %+v", res)
			}
			if first.sum.ExitCode() != 6 || first.byRow[2].Result != Ordered || first.byRow[3].Result != Ordered {
				t.Fatalf("first run: %+v", first.results)
			}
			for _, a := range load(t, path) {
				if a.Operation != connect.OperationTopUp || a.ICCID == "" || a.Email != "" || a.DeviceID != "" || a.RowKey == "" {
					t.Errorf("journaled top-up attempt %+v", a)
				}
			}
			before := e.stats()

			second := runFile(t, ctx, newRunner(e.client, j, load(t, path)), rows)
			if second.err != nil {
				t.Fatal(second.err)
			}
			if res := second.byRow[1]; res.Result != tt.want || res.OrderID == "" || res.ICCID != iccids[0] {
				t.Fatalf("second run, row 1: %+v", res)
			}
			for _, row := range []int{2, 3} {
				if got := second.byRow[row]; got.Result != Skipped || got.OrderID != first.byRow[row].OrderID {
					t.Errorf("second run, row %d: %+v", row, got)
				}
			}
			wantNew := 1
			if tt.placed {
				wantNew = 0
			}
			if got := e.stats().Requests["POST /v1/order"] - before.Requests["POST /v1/order"]; got != wantNew {
				t.Errorf("the second run sent %d orders, want %d", got, wantNew)
			}
			if got := e.plansOn(iccids[0])[e.product]; got != 2 {
				t.Errorf("SIM 1 holds %d plans, want 2 (rows 1 and 2)", got)
			}
			if got := e.plansOn(iccids[1])[e.product]; got != 2 {
				t.Errorf("SIM 2 holds %d plans, want 2 (row 3)", got)
			}
			a := attemptsOfRow(load(t, path), 1)[0]
			if a.Status != tt.wantStatus || !strings.HasPrefix(a.Resolution, tt.resolution) {
				t.Errorf("row 1's first attempt: %s %q, want %s %q…", a.Status, a.Resolution, tt.wantStatus, tt.resolution)
			}

			third := runFile(t, ctx, newRunner(e.client, j, load(t, path)), rows)
			if third.err != nil || third.sum.Counts[Skipped] != 3 {
				t.Errorf("third run: %v %+v", third.err, third.results)
			}
		})
	}
}

// A top-up of the row's SIM for other products is not the row's order, and
// one whose subscriptions cannot be read leaves the row unknown.
func TestTopUpSettlingMatchesProducts(t *testing.T) {
	const iccid = "8944478600000205337"
	done := func(id string, subs ...string) connect.Order {
		return connect.Order{ID: id, Status: connect.OrderStatusCompleted, OperationType: connect.OperationTopUp,
			Output: &connect.OrderOutput{ICCID: iccid, SubscriptionIDs: subs}}
	}
	sub := func(id, product string) connect.Subscription {
		return connect.Subscription{ID: id, ICCID: iccid, Product: &connect.Product{ID: product}}
	}
	tests := []struct {
		name   string
		listed []connect.Order
		subs   []connect.Subscription
		want   Outcome
		sent   int
	}{
		{name: "the row's top-up", listed: []connect.Order{done("o1", "s1", "s2")},
			subs: []connect.Subscription{sub("s1", "B"), sub("s2", "A")}, want: Recovered},
		{name: "another plan on the same SIM", listed: []connect.Order{done("o1", "s1")},
			subs: []connect.Subscription{sub("s1", "A")}, want: Ordered, sent: 1},
		{name: "subscriptions not listed", listed: []connect.Order{done("o1", "s9")}, want: Unknown},
		{name: "still pending", listed: []connect.Order{{ID: "o1", Status: connect.OrderStatusFulfilling}}, want: Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, path := tempJournal(t)
			rows := []Order{{Row: 1, Line: 2, Input: topUp(iccid, "A", "B")}}
			att, err := j.Begin(journal.Attempt{Target: testScope.Target, ClientID: testScope.ClientID, Batch: testScope.Batch,
				Row: 1, Line: 2, RowKey: rowContent(rows[0].Input) + "#1", Operation: connect.OperationTopUp, ICCID: iccid})
			if err != nil {
				t.Fatal(err)
			}
			if err := j.MarkUnknown(att.ID, 504, "HTTP 504"); err != nil {
				t.Fatal(err)
			}
			orders := map[string]connect.Order{}
			for _, o := range tt.listed {
				orders[o.ID] = o
			}
			api := &fakeAPI{listed: tt.listed, orders: orders, subs: tt.subs}
			r := newRunner(api, j, load(t, path))
			r.WaitTimeout = 0 // a pending candidate is not waited for
			rep := runFile(t, context.Background(), r, rows)
			if got := rep.byRow[1]; got.Result != tt.want {
				t.Fatalf("row 1: %+v, want %s", got, tt.want)
			}
			if tt.want == Recovered && rep.byRow[1].OrderID != "o1" {
				t.Errorf("recovered %s, want o1", rep.byRow[1].OrderID)
			}
			if api.created != tt.sent {
				t.Errorf("%d orders sent, want %d", api.created, tt.sent)
			}
		})
	}
}
