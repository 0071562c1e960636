package bulk

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
)

// A top-up has no device id of its own to find it by (its subscriptions
// carry the SIM's), so an attempt of unknown outcome is settled by what it
// asked for: a TOPUP order among the candidates (created around the
// attempts, unknown to the journal) whose output names the row's ICCID and
// whose subscriptions are the row's products. Each such order settles one
// attempt. Every candidate finished and none matching means the attempt
// placed nothing (or an order that FAILED), and the row is sent again.
// What this cannot tell apart: an identical top-up placed in that window by
// something that does not write this journal (another tool, the portal).

// topUpICCID is the SIM a TOPUP order adds plans to, or "" for other orders.
func topUpICCID(in connect.OrderInput) string {
	if connect.NormalizeOperationType(in.OperationType) != connect.OperationTopUp || in.ESIM == nil {
		return ""
	}
	return in.ESIM.ICCID
}

// rowProducts are the product ids an order asks for, sorted.
func rowProducts(in connect.OrderInput) []string {
	out := make([]string, 0, len(in.Subscriptions))
	for _, s := range in.Subscriptions {
		out = append(out, s.ProductID)
	}
	slices.Sort(out)
	return out
}

// settleTopUp settles one top-up row and reports whether it is proven to
// have no order, to be sent again; otherwise it is recovered or reported
// unknown here.
func (ru *run) settleTopUp(ctx context.Context, st *rowState, iccid string, cands []*connect.Order,
	productsByICCID map[string]map[string]string, claimed map[string]bool, open int, q connect.OrdersQuery) bool {
	products, ok := productsByICCID[iccid]
	if !ok {
		var err error
		if products, err = ru.productsOn(ctx, iccid); err != nil {
			ru.unknown(st, "the earlier attempt's outcome is unknown and looking it up failed: "+err.Error())
			return false
		}
		productsByICCID[iccid] = products
	}
	want := rowProducts(st.order.Input)
	var found *connect.Order
	var foundBy journal.Attempt
	var absent []journal.Attempt
	uncertain := ""
	for _, a := range st.unsettled {
		o, unsure := matchTopUp(cands, iccid, want, products, claimed)
		switch {
		case o != nil:
			claimed[o.ID] = true
			ru.mark(ru.Journal.Resolve(a.ID, o.ID, fmt.Sprintf("found: TOPUP order %s of SIM %s for the row's products", o.ID, iccid)))
			ru.mu.Lock()
			ru.known[o.ID] = true
			ru.mu.Unlock()
			if found == nil {
				found, foundBy = o, a
			} else {
				ru.logf("Row %d (line %d): an earlier attempt placed a second top-up, %s (kept in the journal).", st.order.Row, st.order.Line, o.ID)
			}
		case unsure != "":
			uncertain = unsure
		default:
			absent = append(absent, a)
		}
	}
	if uncertain == "" && open == 0 {
		for _, a := range absent {
			how := "absent: no TOPUP order of SIM " + iccid + " for the row's products created between " + q.StartDate.Format(time.RFC3339) + " and then"
			ru.mark(ru.Journal.Fail(a.ID, 0, "the earlier attempt placed no order", how))
		}
	}
	switch {
	case found != nil:
		st.attempt = foundBy
		st.attempt.OrderID = found.ID
		st.orderID, st.status = found.ID, found.Status
		ru.logf("Row %d (line %d): the earlier attempt did place top-up %s; not ordering again.", st.order.Row, st.order.Line, found.ID)
		ru.placed(ctx, st, Recovered)
	case uncertain != "":
		ru.unknown(st, uncertain)
	case open > 0:
		ru.unknown(st, fmt.Sprintf("%d orders created around the earlier attempt are still pending, and one may be this row's; re-run later to settle it", open))
	default:
		ru.logf("Row %d (line %d): the earlier attempt placed no order; topping up now.", st.order.Row, st.order.Line)
		return true
	}
	return false
}

// matchTopUp finds the unclaimed finished top-up of iccid whose
// subscriptions are the products want. unsure explains a candidate of that
// SIM whose subscriptions cannot be read, which might be the row's.
func matchTopUp(cands []*connect.Order, iccid string, want []string, products map[string]string, claimed map[string]bool) (o *connect.Order, unsure string) {
	for _, c := range cands {
		if claimed[c.ID] || c.Status != connect.OrderStatusCompleted || c.Output == nil || c.Output.ICCID != iccid {
			continue
		}
		switch op := connect.NormalizeOperationType(c.OperationType); {
		case op == connect.OperationTopUp:
		case op == "" && c.Output.MatchingID == "": // a top-up has no matching id
		default:
			continue
		}
		var got []string
		complete := true
		for _, id := range c.Output.AllSubscriptionIDs() {
			p, ok := products[id]
			if !ok {
				complete = false
				break
			}
			got = append(got, p)
		}
		if !complete || len(got) == 0 {
			unsure = fmt.Sprintf("top-up %s of SIM %s was created around the earlier attempt, but its subscriptions are not listed; check with: connectctl order get %s", c.ID, iccid, c.ID)
			continue
		}
		slices.Sort(got)
		if slices.Equal(got, want) {
			return c, ""
		}
	}
	return nil, unsure
}

// productsOn maps every subscription of the SIM to its product id.
func (ru *run) productsOn(ctx context.Context, iccid string) (map[string]string, error) {
	out := map[string]string{}
	for sb, err := range ru.API.ListSubscriptions(ctx, connect.SubscriptionsQuery{ICCID: iccid}) {
		if err != nil {
			return nil, err
		}
		if sb.Product != nil && sb.ID != "" {
			out[sb.ID] = sb.Product.ID
		}
	}
	return out, nil
}
