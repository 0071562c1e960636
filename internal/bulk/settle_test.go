package bulk

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/sandbox"
)

// TestPlanJudgesEachRowByItsHistory checks what plan makes of a row's
// journaled attempts: skip it (an order exists), settle an attempt first,
// or send it.
func TestPlanJudgesEachRowByItsHistory(t *testing.T) {
	in := connect.OrderInput{OperationType: "NEW_ESIM", CountryCode: "PT",
		Customer: &connect.OrderCustomer{Email: "j@example.com"}, Device: &connect.OrderDevice{Type: "ios"},
		Subscriptions: []connect.OrderSubscription{{ProductID: "p1"}}}
	key := rowContent(in) + "#1"
	at := func(id string, st journal.Status, orderID, orderStatus, dev string) journal.Attempt {
		return journal.Attempt{ID: id, Target: testScope.Target, ClientID: testScope.ClientID, Batch: testScope.Batch,
			RowKey: key, Status: st, OrderID: orderID, OrderStatus: orderStatus, DeviceID: dev}
	}
	type want struct{ orderID, settle, device string }
	tests := []struct {
		name    string
		history []journal.Attempt
		force   bool
		want    want
	}{
		{"no history: send", nil, false, want{}},
		{"accepted: skip", []journal.Attempt{at("a1", journal.Accepted, "o1", "ACCEPTED", "d1")}, false, want{orderID: "o1"}},
		{"accepted and COMPLETED: skip", []journal.Attempt{at("a1", journal.Accepted, "o1", "COMPLETED", "d1")}, false, want{orderID: "o1"}},
		{"accepted but FAILED: send", []journal.Attempt{at("a1", journal.Accepted, "o1", "FAILED", "d1")}, false, want{}},
		{"refused: send", []journal.Attempt{at("a1", journal.Failed, "", "", "d1")}, false, want{}},
		{"unknown: settle", []journal.Attempt{at("a1", journal.Unknown, "", "", "d1")}, false, want{settle: "a1", device: "d1"}},
		{"left sending: settle", []journal.Attempt{at("a1", journal.Sending, "", "", "d1")}, false, want{settle: "a1", device: "d1"}},
		{"FAILED order, then unknown: settle", []journal.Attempt{
			at("a1", journal.Accepted, "o1", "FAILED", "d1"), at("a2", journal.Unknown, "", "", "d2")}, false, want{settle: "a2", device: "d2"}},
		{"proven absent, then accepted: skip", []journal.Attempt{
			at("a1", journal.Failed, "", "", "d1"), at("a2", journal.Accepted, "o2", "ACCEPTED", "d1")}, false, want{orderID: "o2"}},
		{"accepted twice (forced): the newest", []journal.Attempt{
			at("a1", journal.Accepted, "o1", "COMPLETED", "d1"), at("a2", journal.Accepted, "o2", "ACCEPTED", "d2")}, false, want{orderID: "o2"}},
		{"force ignores an accepted order", []journal.Attempt{at("a1", journal.Accepted, "o1", "ACCEPTED", "d1")}, true, want{}},
		{"force ignores an unknown attempt", []journal.Attempt{at("a1", journal.Unknown, "", "", "d1")}, true, want{}},
		{"another batch's attempt is ignored", []journal.Attempt{func() journal.Attempt {
			a := at("a1", journal.Accepted, "o1", "ACCEPTED", "d1")
			a.Batch = "other"
			return a
		}()}, false, want{}},
		{"another row's attempt is ignored", []journal.Attempt{func() journal.Attempt {
			a := at("a1", journal.Accepted, "o1", "ACCEPTED", "d1")
			a.RowKey = rowContent(in) + "#2"
			return a
		}()}, false, want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ru := &run{Runner: &Runner{History: tt.history, Scope: testScope, Force: tt.force}}
			rows := ru.plan([]Order{{Row: 1, Line: 2, Input: in}})
			st := rows[0]
			if st.key != key {
				t.Fatalf("key %q, want %q", st.key, key)
			}
			settle := ""
			if st.orderID == "" {
				settle = st.attempt.ID
			}
			got := want{orderID: st.orderID, settle: settle, device: st.deviceID}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRowKeys(t *testing.T) {
	base := connect.OrderInput{OperationType: "NEW_ESIM", CountryCode: "PT",
		Customer: &connect.OrderCustomer{Email: "k@example.com"}, Device: &connect.OrderDevice{Type: "ios"},
		Subscriptions: []connect.OrderSubscription{{ProductID: "p1"}}}
	other := base
	other.Customer = &connect.OrderCustomer{Email: "other@example.com"}
	named := base
	named.Device = &connect.OrderDevice{ID: "dev-1", Type: "ios"}
	ru := &run{Runner: &Runner{Scope: testScope}}
	rows := ru.plan([]Order{{Row: 1, Input: base}, {Row: 2, Input: other}, {Row: 3, Input: base}, {Row: 4, Input: named}})
	keys := map[string]int{}
	for _, st := range rows {
		keys[st.key]++
	}
	if len(keys) != 4 {
		t.Fatalf("keys %v: want 4 distinct", keys)
	}
	if !strings.HasSuffix(rows[0].key, "#1") || !strings.HasSuffix(rows[2].key, "#2") ||
		strings.TrimSuffix(rows[0].key, "#1") != strings.TrimSuffix(rows[2].key, "#2") {
		t.Errorf("identical rows: keys %q and %q", rows[0].key, rows[2].key)
	}
	if rows[3].deviceID != "dev-1" || !rows[3].given || rows[0].given {
		t.Errorf("named device: %+v; unnamed: %+v", rows[3], rows[0])
	}
	// The key does not depend on the row's place in the file.
	again := ru.plan([]Order{{Row: 9, Line: 40, Input: base}})
	if again[0].key != rows[0].key {
		t.Errorf("key moved with the row: %q vs %q", again[0].key, rows[0].key)
	}
}

// TestUnsettledRowStaysUnknown covers what the sandbox cannot stage: the
// API's answers leave an earlier attempt's outcome open, so the row is
// reported unknown and nothing is sent.
func TestUnsettledRowStaysUnknown(t *testing.T) {
	const dev = "dev-unsettled"
	pending := connect.Order{ID: "cand-pending", Status: connect.OrderStatusAccepted}
	tests := []struct {
		name      string
		api       *fakeAPI
		noEmail   bool
		status    journal.Status // of the earlier attempt
		wantMsg   string
		wantPolls bool
	}{
		{
			name:      "a candidate order stays pending",
			api:       &fakeAPI{listed: []connect.Order{pending}, orders: map[string]connect.Order{pending.ID: pending}},
			status:    journal.Unknown,
			wantMsg:   "1 order created around the earlier attempt still pending",
			wantPolls: true,
		},
		{
			name: "the device's eSIM exists but its order is outside the window",
			api: &fakeAPI{
				listed: []connect.Order{{ID: "unrelated", Status: connect.OrderStatusCompleted,
					Output: &connect.OrderOutput{ICCID: "8944000000000000001", SubscriptionID: "sub-unrelated"}}},
				subs: []connect.Subscription{{ID: "sub-old", ICCID: "8944000000000000099", DeviceID: dev}},
			},
			status:  journal.Sending,
			wantMsg: "an eSIM for device " + dev + " exists but its order is not among those created around",
		},
		{
			name:    "listing the orders fails",
			api:     &fakeAPI{listErr: errors.New("listing exploded")},
			status:  journal.Unknown,
			wantMsg: "could not be checked: listing the orders created since",
		},
		{
			name:    "the row has no e-mail to look it up by",
			api:     &fakeAPI{},
			noEmail: true,
			status:  journal.Unknown,
			wantMsg: "no e-mail and device id",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, path := tempJournal(t)
			in := connect.OrderInput{OperationType: "NEW_ESIM", CountryCode: "PT",
				Customer: &connect.OrderCustomer{Email: "open@example.com"}, Device: &connect.OrderDevice{Type: "ios"},
				Subscriptions: []connect.OrderSubscription{{ProductID: "p1"}}}
			if tt.noEmail {
				in.Customer = nil
			}
			a, err := j.Begin(journal.Attempt{Target: testScope.Target, ClientID: testScope.ClientID, Batch: testScope.Batch,
				Row: 1, Line: 2, RowKey: rowContent(in) + "#1", DeviceID: dev, Email: "open@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.status == journal.Unknown {
				if err := j.MarkUnknown(a.ID, 504, "gateway timeout"); err != nil {
					t.Fatal(err)
				}
			}
			r := newRunner(tt.api, j, load(t, path))
			r.WaitTimeout = 150 * time.Millisecond
			got := runFile(t, context.Background(), r, []Order{{Row: 1, Line: 2, Input: in}})
			res := got.byRow[1]
			if res.Result != Unknown || !strings.Contains(res.Error, tt.wantMsg) || !strings.Contains(res.Error, a.ID) {
				t.Errorf("row 1: %+v\nwant unknown with %q", res, tt.wantMsg)
			}
			if got.sum.ExitCode() != 6 {
				t.Errorf("exit %d", got.sum.ExitCode())
			}
			if tt.api.created != 0 {
				t.Errorf("%d orders sent, want none", tt.api.created)
			}
			if tt.wantPolls && tt.api.gets < 2 {
				t.Errorf("the pending candidate was polled %d times", tt.api.gets)
			}
			atts := load(t, path)
			if len(atts) != 1 || atts[0].Status != tt.status {
				t.Errorf("journal changed: %+v", atts)
			}
		})
	}
}

// TestSettlingWaitsForACandidateToFinish: the lost order is still
// FULFILLING when the next run looks; settling follows it until it
// completes and then recovers it.
func TestSettlingWaitsForACandidateToFinish(t *testing.T) {
	e := newSandbox(t, func(c *sandbox.Config) { c.OrderDelay = 300 * time.Millisecond })
	j, path := tempJournal(t)
	rows := e.rows("slowlost@example.com")
	e.fault(map[string]any{"status": 504, "after": true})
	first := runFile(t, context.Background(), newRunner(e.client, j, nil), rows)
	if first.byRow[1].Result != Unknown {
		t.Fatalf("first run: %+v", first.results)
	}
	lost := e.orders()
	if len(lost) != 1 {
		t.Fatalf("orders %v", lost)
	}
	o, err := e.client.GetOrder(context.Background(), lost[0])
	if err != nil || o.Done() {
		t.Fatalf("the lost order should still be running: %+v %v", o, err)
	}
	second := runFile(t, context.Background(), newRunner(e.client, j, load(t, path)), rows)
	if res := second.byRow[1]; res.Result != Recovered || res.OrderID != lost[0] || res.Status != connect.OrderStatusCompleted {
		t.Fatalf("second run: %+v", res)
	}
	if n := e.stats().Orders; n != 1 {
		t.Errorf("sandbox holds %d orders, want 1", n)
	}
}

// TestSettlingClaimsEachOrderOnce: two identical rows that name the same
// device both lose their answers; each recovers its own order.
func TestSettlingClaimsEachOrderOnce(t *testing.T) {
	e := newSandbox(t, nil)
	j, path := tempJournal(t)
	in := e.input("twins@example.com")
	in.Device.ID = "dev-twins"
	rows := []Order{{Row: 1, Line: 2, Input: in}, {Row: 2, Line: 3, Input: in}}
	e.fault(map[string]any{"status": 504, "after": true, "count": 2})
	first := runFile(t, context.Background(), newRunner(e.client, j, nil), rows)
	if first.sum.Counts[Unknown] != 2 {
		t.Fatalf("first run: %+v", first.results)
	}
	second := runFile(t, context.Background(), newRunner(e.client, j, load(t, path)), rows)
	a, b := second.byRow[1], second.byRow[2]
	if a.Result != Recovered || b.Result != Recovered || a.OrderID == b.OrderID {
		t.Fatalf("second run: %+v", second.results)
	}
	held := e.orders()
	if len(held) != 2 || !(held[0] == a.OrderID && held[1] == b.OrderID || held[0] == b.OrderID && held[1] == a.OrderID) {
		t.Errorf("sandbox orders %v, recovered %s and %s", held, a.OrderID, b.OrderID)
	}
}

// TestSettlingSeesEveryUnknownAttemptOfARow: a forced run over a row of
// unknown outcome leaves two unknown attempts of that row; the later one
// placed an order, the earlier did not. The next run must find the order,
// not order the row a third time.
func TestSettlingSeesEveryUnknownAttemptOfARow(t *testing.T) {
	e := newSandbox(t, nil)
	j, path := tempJournal(t)
	rows := e.rows("forced@example.com")

	e.fault(map[string]any{"status": 502}) // before the work: no order
	first := runFile(t, context.Background(), newRunner(e.client, j, nil), rows)
	e.fault(map[string]any{"status": 504, "after": true}) // after the work: an order
	r2 := newRunner(e.client, j, load(t, path))
	r2.Force = true
	second := runFile(t, context.Background(), r2, rows)
	if first.byRow[1].Result != Unknown || second.byRow[1].Result != Unknown {
		t.Fatalf("setup: %+v then %+v", first.results, second.results)
	}
	lost := e.orders()
	if len(lost) != 1 {
		t.Fatalf("setup: orders %v", lost)
	}

	third := runFile(t, context.Background(), newRunner(e.client, j, load(t, path)), rows)
	res := third.byRow[1]
	if n := e.stats().Orders; n != 1 || res.Result != Recovered || res.OrderID != lost[0] {
		t.Fatalf("the newer attempt's order %s was not found: result %+v, sandbox holds %d orders", lost[0], res, n)
	}
}
