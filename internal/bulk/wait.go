package bulk

import (
	"context"
	"time"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
)

// follow polls one order until it is COMPLETED or FAILED, or its
// WaitTimeout runs out, then reports the row. At most Concurrency polls are
// in flight across the run; the client's limiter paces them.
func (ru *run) follow(ctx context.Context, st *rowState) {
	deadline := ru.Now().Add(ru.WaitTimeout)
	var lastErr error
	for {
		o, err := ru.poll(ctx, st.orderID)
		switch {
		case err == nil:
			lastErr = nil
			st.status = o.Status
			if o.Done() {
				ru.finish(st, o)
				return
			}
		case ctx.Err() != nil:
			return // reported as pending at the end of the run
		case connect.IsNotFound(err):
			ru.emit(st, Result{Result: Error, Status: st.status, Error: err.Error()})
			return
		default:
			// Transient trouble (the client already retried): keep
			// following until the deadline.
			lastErr = err
		}
		if !ru.Now().Add(ru.PollInterval).Before(deadline) {
			res := Result{Result: Pending, Status: st.status,
				Error: "still " + orDefault(st.status, "ACCEPTED") + " after " + ru.WaitTimeout.String() + "; follow it with: connectctl order wait " + st.orderID}
			if lastErr != nil {
				res.Error += " (last poll: " + lastErr.Error() + ")"
			}
			ru.emit(st, res)
			return
		}
		t := time.NewTimer(ru.PollInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (ru *run) poll(ctx context.Context, id string) (*connect.Order, error) {
	select {
	case ru.waitSem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-ru.waitSem }()
	return ru.API.GetOrder(ctx, id)
}

// finish reports a finished order and journals its final status.
func (ru *run) finish(st *rowState, o *connect.Order) {
	iccid := ""
	var subs []string
	if o.Output != nil {
		iccid, subs = o.Output.ICCID, o.Output.AllSubscriptionIDs()
	}
	ru.mark(ru.Journal.Progress(st.attempt.ID, journal.Update{OrderStatus: o.Status, ICCID: iccid, SubscriptionIDs: subs, Error: o.Error}))
	res := Result{Result: st.outcome, Status: o.Status, ICCID: iccid, SubscriptionIDs: subs}
	if o.Status == connect.OrderStatusFailed {
		res.Result = Failed
		res.Error = orDefault(o.Error, "the order FAILED")
	} else if o.Output != nil {
		if code, _, err := o.Output.ActivationCode(); err == nil {
			res.ActivationCode = code.String()
		} else if o.Output.MatchingID != "" || o.Output.LPAURL != "" {
			res.Error = "the API's activation code is malformed: " + err.Error()
		}
	}
	ru.emit(st, res)
}
