package order

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/bulk"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
)

// Journaling is where order attempts are recorded: every order, single or
// bulk, is written to the journal before it is sent.
type Journaling struct {
	// JournalPath is the journal file; tests point it elsewhere.
	JournalPath func() (string, error)
	// Scope names the profile, API and client the orders go to.
	Scope func() (bulk.Scope, error)
	// CorrelationID is --correlation-id, when given (read when used: flags
	// are parsed after the command is built).
	CorrelationID func() string
}

func journalingOf(f *factory.Factory) Journaling {
	return Journaling{JournalPath: journal.DefaultPath, CorrelationID: func() string { return f.Globals.CorrelationID },
		Scope: func() (bulk.Scope, error) {
			s, err := f.Settings()
			if err != nil {
				return bulk.Scope{}, err
			}
			return scopeFromSettings(s), nil
		}}
}

// attemptRecord is one single order's journal entry. A journal that cannot
// be written costs a warning, not the order: the order id goes to stderr
// the moment it is known anyway.
type attemptRecord struct {
	j    *journal.Journal
	id   string
	cid  string
	warn io.Writer
}

// begin journals an attempt about to be sent and returns the context to
// send it with (carrying the attempt's correlation id).
func (jl Journaling) begin(ctx context.Context, warn io.Writer, in connect.OrderInput) (context.Context, *attemptRecord) {
	rec := &attemptRecord{cid: jl.correlationID(), warn: warn}
	if rec.cid == "" {
		rec.cid = uuid.NewString()
		ctx = connect.WithCorrelationID(ctx, rec.cid)
	}
	if jl.JournalPath == nil {
		return ctx, rec
	}
	err := func() error {
		path, err := jl.JournalPath()
		if err != nil {
			return err
		}
		var scope bulk.Scope
		if jl.Scope != nil {
			if scope, err = jl.Scope(); err != nil {
				return err
			}
		}
		j, err := journal.Open(path)
		if err != nil {
			return err
		}
		a := journal.Attempt{Target: scope.Target, ClientID: scope.ClientID, Profile: scope.Profile,
			Operation: connect.NormalizeOperationType(in.OperationType), CorrelationID: rec.cid}
		if in.Customer != nil {
			a.Email = in.Customer.Email
		}
		if in.Device != nil {
			a.DeviceID = in.Device.ID
		}
		if in.ESIM != nil {
			a.ICCID = in.ESIM.ICCID
		}
		for _, s := range in.Subscriptions {
			a.Products = append(a.Products, s.ProductID)
		}
		if a, err = j.Begin(a); err != nil {
			j.Close()
			return err
		}
		rec.j, rec.id = j, a.ID
		return nil
	}()
	if err != nil {
		fmt.Fprintf(warn, "warning: order journal: %v (the order is sent anyway; keep its id)\n", err)
	}
	return ctx, rec
}

// done completes the entry with the API's answer and closes the journal.
func (r *attemptRecord) done(accepted *connect.OrderAccepted, err error) {
	if r.j == nil {
		return
	}
	var werr error
	var ae *connect.APIError
	switch {
	case err == nil:
		werr = r.j.Accept(r.id, accepted.ID, accepted.Status)
	case errors.As(err, &ae) && ae.OutcomeUnknown:
		werr = r.j.MarkUnknown(r.id, ae.Status, err.Error())
	case errors.As(err, &ae) && ae.Status > 0 && ae.Status < 500:
		werr = r.j.Fail(r.id, ae.Status, err.Error(), "refused")
	case errors.As(err, &ae) && ae.Status == 0:
		werr = r.j.Fail(r.id, 0, err.Error(), "not sent")
	default:
		werr = r.j.MarkUnknown(r.id, 0, err.Error())
	}
	if werr != nil {
		fmt.Fprintf(r.warn, "warning: order journal: %v\n", werr)
	}
}

// finished journals how a followed order ended: its status, ICCID and
// every subscription, so `order history` can tell them later.
func (r *attemptRecord) finished(o *connect.Order) {
	if r.j == nil || o == nil {
		return
	}
	u := journal.Update{OrderStatus: o.Status, Error: o.Error}
	if o.Output != nil {
		u.ICCID, u.SubscriptionIDs = o.Output.ICCID, o.Output.AllSubscriptionIDs()
	}
	if err := r.j.Progress(r.id, u); err != nil {
		fmt.Fprintf(r.warn, "warning: order journal: %v\n", err)
	}
}

// close closes the journal; the entry is complete.
func (r *attemptRecord) close() {
	if r.j != nil {
		r.j.Close()
		r.j = nil
	}
}

func (jl Journaling) correlationID() string {
	if jl.CorrelationID == nil {
		return ""
	}
	return jl.CorrelationID()
}
