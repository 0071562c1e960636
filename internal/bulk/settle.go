package bulk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/output"
)

// The API has no idempotency key and an order does not echo its device or
// customer, so an attempt whose answer was lost is settled through what it
// leaves behind (top-ups: see settleTopUp): every attempt sends a device id of its own (journaled
// before sending), and a completed order's subscription carries that device
// id. Settling a batch of such attempts:
//
//  1. list the orders created in a window around the attempts; those the
//     journal does not know are candidates;
//  2. wait until every candidate is COMPLETED or FAILED (a pending one
//     could be ours, and shows no subscription yet);
//  3. look up the customer's subscriptions and pick the one with the
//     attempt's device id; the candidate that produced it is the order.
//
// An attempt with no such subscription while every candidate is finished
// placed no order (or one that FAILED, which provisioned nothing), and the
// row is sent again. Anything less certain leaves the row unknown.
const (
	// windowMargin widens the window for clock skew between us and the API.
	windowMargin = 10 * time.Minute
	// inFlightMax bounds how long after we last heard of an attempt the API
	// might still create its order (a request in flight when we gave up).
	inFlightMax = 2 * time.Minute
)

func attemptEnd(a journal.Attempt) time.Time {
	if a.Status == journal.Unknown && a.Updated.After(a.Started) {
		return a.Updated
	}
	return a.Started
}

// settle returns the rows proven to have no order, to be sent again. Rows
// found to have one are recovered; the rest are reported unknown.
func (ru *run) settle(ctx context.Context, rows []*rowState) ([]*rowState, error) {
	ru.logf("Looking up %s whose earlier attempt's outcome is unknown before ordering anything again…", output.Plural(len(rows), "row"))
	var from, newest time.Time
	for _, st := range rows {
		for _, a := range st.unsettled {
			if from.IsZero() || a.Started.Before(from) {
				from = a.Started
			}
			if end := attemptEnd(a); end.After(newest) {
				newest = end
			}
		}
	}
	// A request still in flight at the server may not show yet.
	if d := newest.Add(ru.Settle).Sub(ru.Now()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ru.leaveUnknown(rows, ctx.Err())
		case <-t.C:
		}
	}
	q := connect.OrdersQuery{StartDate: from.Add(-windowMargin)}
	if to := newest.Add(inFlightMax + windowMargin); to.Before(ru.Now()) {
		q.EndDate = to
	}

	var candidates []*connect.Order
	for o, err := range ru.API.ListOrders(ctx, q) {
		if err != nil {
			return nil, ru.leaveUnknown(rows, fmt.Errorf("listing the orders created since %s: %w", q.StartDate.Format(time.RFC3339), err))
		}
		ru.mu.Lock()
		known := ru.known[o.ID]
		ru.mu.Unlock()
		if !known {
			o := o
			candidates = append(candidates, &o)
		}
	}
	open := ru.finishCandidates(ctx, candidates)
	if ctx.Err() != nil {
		return nil, ru.leaveUnknown(rows, ctx.Err())
	}

	byICCID, bySub := map[string]*connect.Order{}, map[string]*connect.Order{}
	for _, o := range candidates {
		if o.Status == connect.OrderStatusCompleted && o.Output != nil {
			if o.Output.ICCID != "" {
				byICCID[o.Output.ICCID] = o
			}
			if o.Output.SubscriptionID != "" {
				bySub[o.Output.SubscriptionID] = o
			}
		}
	}

	subsByEmail := map[string][]connect.Subscription{}
	productsByICCID := map[string]map[string]string{}
	claimed := map[string]bool{}
	var again []*rowState
	for _, st := range rows {
		if ctx.Err() != nil {
			ru.leaveUnknown([]*rowState{st}, ctx.Err())
			continue
		}
		if iccid := topUpICCID(st.order.Input); iccid != "" {
			if ru.settleTopUp(ctx, st, iccid, candidates, productsByICCID, claimed, open, q) {
				again = append(again, st)
			}
			continue
		}
		email := ""
		if c := st.order.Input.Customer; c != nil {
			email = c.Email
		}
		if email == "" || st.deviceID == "" {
			ru.unknown(st, "the earlier attempt's outcome is unknown and it has no e-mail and device id to look it up by")
			continue
		}
		subs, ok := subsByEmail[email]
		if !ok {
			var err error
			if subs, err = ru.subscriptions(ctx, email); err != nil {
				ru.unknown(st, "the earlier attempt's outcome is unknown and looking it up failed: "+err.Error())
				continue
			}
			subsByEmail[email] = subs
		}
		// Each unsettled attempt: its order (by its device id's
		// subscription), or proof it placed none.
		var found *connect.Order
		var foundBy journal.Attempt
		var absent []journal.Attempt
		mine := "" // a device id whose eSIM exists without a candidate order
		for _, a := range st.unsettled {
			o, hasSub := match(subs, a.DeviceID, bySub, byICCID, claimed)
			switch {
			case o != nil:
				claimed[o.ID] = true
				ru.mark(ru.Journal.Resolve(a.ID, o.ID, fmt.Sprintf("found: order %s created a subscription for device %s", o.ID, a.DeviceID)))
				ru.mu.Lock()
				ru.known[o.ID] = true
				ru.mu.Unlock()
				if found == nil {
					found, foundBy = o, a
				} else {
					ru.logf("Row %d (line %d): an earlier attempt placed a second order, %s (kept in the journal).", st.order.Row, st.order.Line, o.ID)
				}
			case hasSub:
				mine = a.DeviceID
			default:
				absent = append(absent, a)
			}
		}
		provable := mine == "" && open == 0
		if provable {
			for _, a := range absent {
				how := "absent: no order created between " + q.StartDate.Format(time.RFC3339) + " and then has a subscription for device " + a.DeviceID
				ru.mark(ru.Journal.Fail(a.ID, 0, "the earlier attempt placed no order", how))
			}
		}
		switch {
		case found != nil:
			st.attempt = foundBy
			st.attempt.OrderID = found.ID
			st.orderID, st.status = found.ID, found.Status
			ru.logf("Row %d (line %d): the earlier attempt did place order %s; not ordering again.", st.order.Row, st.order.Line, found.ID)
			ru.placed(ctx, st, Recovered)
		case mine != "":
			ru.unknown(st, fmt.Sprintf("an eSIM for device %s exists but its order is not among those created around %s; check with: connectctl order list --since %s",
				mine, st.attempt.Started.Format(time.RFC3339), q.StartDate.Format(time.RFC3339)))
		case open > 0:
			ru.unknown(st, fmt.Sprintf("%s created around the earlier attempt still pending, and one may be this row's; re-run later to settle it", output.Plural(open, "order")))
		default:
			ru.logf("Row %d (line %d): the earlier attempt placed no order; ordering it now.", st.order.Row, st.order.Line)
			again = append(again, st)
		}
	}
	return again, nil
}

// match finds the unclaimed candidate order whose subscription carries
// deviceID; hasSub reports a subscription with that device id even when no
// candidate produced it.
func match(subs []connect.Subscription, deviceID string, bySub, byICCID map[string]*connect.Order, claimed map[string]bool) (o *connect.Order, hasSub bool) {
	if deviceID == "" {
		return nil, false
	}
	for _, sb := range subs {
		if sb.DeviceID != deviceID {
			continue
		}
		hasSub = true
		c := bySub[sb.ID]
		if c == nil {
			c = byICCID[sb.ICCID]
		}
		if c != nil && !claimed[c.ID] {
			return c, true
		}
	}
	return nil, hasSub
}

// finishCandidates follows the unfinished candidates until they finish or
// WaitTimeout runs out, and returns how many are still open.
func (ru *run) finishCandidates(ctx context.Context, cands []*connect.Order) int {
	deadline := ru.Now().Add(ru.WaitTimeout)
	for {
		open := 0
		for _, o := range cands {
			if o.Done() {
				continue
			}
			got, err := ru.poll(ctx, o.ID)
			if err == nil {
				*o = *got
			}
			if !o.Done() {
				open++
			}
		}
		if open == 0 || ctx.Err() != nil || !ru.Now().Add(ru.PollInterval).Before(deadline) {
			return open
		}
		ru.logf("Waiting for %s created around the earlier attempts to finish…", output.Plural(open, "order"))
		t := time.NewTimer(ru.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return open
		case <-t.C:
		}
	}
}

func (ru *run) subscriptions(ctx context.Context, email string) ([]connect.Subscription, error) {
	var out []connect.Subscription
	for sb, err := range ru.API.ListSubscriptions(ctx, connect.SubscriptionsQuery{Email: email}) {
		if err != nil {
			return nil, err
		}
		if sb.DeviceID != "" {
			out = append(out, sb)
		}
	}
	return out, nil
}

// leaveUnknown reports rows left unknown by a failure that stopped settling.
func (ru *run) leaveUnknown(rows []*rowState, err error) error {
	if errors.Is(err, context.Canceled) {
		return err // interrupted: counted as not sent
	}
	for _, st := range rows {
		ru.unknown(st, "the earlier attempt's outcome is unknown and could not be checked: "+err.Error())
	}
	return err
}

// unknown reports a row whose earlier attempt stays unsettled.
func (ru *run) unknown(st *rowState, why string) {
	var b strings.Builder
	b.WriteString(why)
	fmt.Fprintf(&b, " (attempt %s at %s; see: connectctl order history --status unknown)", st.attempt.ID, st.attempt.Started.Format(time.RFC3339))
	ru.emit(st, Result{Result: Unknown, Error: b.String()})
}
