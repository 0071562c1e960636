// Package bulk places many orders at once (new eSIMs or top-ups), from the
// rows of a file, so that a run can be interrupted, killed or hit by network
// faults at any point and simply run again: every attempt goes to the order journal before it is
// sent; a re-run skips the rows the journal shows as accepted, settles the
// rows whose outcome was unknown by looking for their orders on the API, and
// only then orders what is provably missing.
package bulk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/connectctl/connectctl/internal/auth"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/output"
)

// API is the part of the Connect client a run uses; *connect.Client has it.
type API interface {
	CreateOrder(ctx context.Context, in connect.OrderInput) (*connect.OrderAccepted, error)
	GetOrder(ctx context.Context, id string) (*connect.Order, error)
	ListOrders(ctx context.Context, q connect.OrdersQuery) iter.Seq2[connect.Order, error]
	ListSubscriptions(ctx context.Context, q connect.SubscriptionsQuery) iter.Seq2[connect.Subscription, error]
}

// Order is one valid row of the file, ready to send. Input.Device.ID is
// empty when the row names no device: the run assigns one per attempt and
// journals it, since it is what finds an order whose answer was lost.
type Order struct {
	Row   int
	Line  int
	Input connect.OrderInput
}

// Outcome is what became of a row in this run.
type Outcome string

const (
	Ordered   Outcome = "ordered"   // placed by this run (with --wait: and COMPLETED)
	Skipped   Outcome = "skipped"   // placed by an earlier run, per the journal
	Recovered Outcome = "recovered" // an earlier attempt of unknown outcome did place it
	Failed    Outcome = "failed"    // the order was placed and FAILED
	Pending   Outcome = "pending"   // placed, not finished when waiting stopped
	Refused   Outcome = "refused"   // the API refused the request (4xx): no order
	Unknown   Outcome = "unknown"   // sent, outcome unknown; a re-run settles it
	Invalid   Outcome = "invalid"   // the row failed the checks (--skip-invalid)
	Error     Outcome = "error"     // not sent, or could not be followed (network, server)
)

// Result is the report of one row.
type Result struct {
	Row            int     `json:"row"`
	Line           int     `json:"line"`
	Email          string  `json:"email,omitempty"`
	Result         Outcome `json:"result"`
	OrderID        string  `json:"order_id,omitempty"`
	Status         string  `json:"status,omitempty"` // the order's status at the API
	ICCID          string  `json:"iccid,omitempty"`
	ActivationCode string  `json:"activation_code,omitempty"`
	// SubscriptionIDs are the finished order's plans (with --wait).
	SubscriptionIDs []string `json:"subscription_ids,omitempty"`
	Error           string   `json:"error,omitempty"`
}

// OK reports whether the row is done: ordered now or before, and, when the
// run waited, COMPLETED.
func (r Result) OK() bool {
	switch r.Result {
	case Ordered, Skipped, Recovered:
		return true
	}
	return false
}

// Scope is where the orders go. Journal entries of another API, client id
// or batch never count for this run; the profile name is only recorded
// (two profiles with the same API and client are the same account).
type Scope struct {
	Target   string // API base URL
	ClientID string
	Profile  string
	Batch    string // the file's identity
}

// Runner places the orders of one file.
type Runner struct {
	API     API
	Journal *journal.Journal
	// History is the journal as it was before the run (journal.Load).
	History []journal.Attempt
	Scope   Scope

	Concurrency  int           // orders in flight at once
	Wait         bool          // follow every order to COMPLETED or FAILED
	WaitTimeout  time.Duration // per order, from its acceptance
	PollInterval time.Duration
	Force        bool // order every row again, whatever the journal says
	// CorrelationID, when set (--correlation-id), is sent with every order
	// instead of a fresh one per attempt.
	CorrelationID string

	// Emit receives each row's result once, as soon as it is final; calls
	// are serialised.
	Emit func(Result)
	// Logf receives notes for the user (stderr); may be nil.
	Logf func(format string, args ...any)
	Now  func() time.Time
	// Settle is how old an attempt of unknown outcome must be before its
	// absence at the API is trusted (a request still in flight at the
	// server may not show yet). Zero means 5 s.
	Settle time.Duration
}

// Summary counts the results of a run.
type Summary struct {
	Rows        int
	Counts      map[Outcome]int
	Problems    []Result // rows that did not succeed, by row number
	NotSent     int      // rows left unsent by an interruption or an abort
	Interrupted bool
}

// ExitCode maps a run to the CLI's exit codes: 0 when every row succeeded;
// 6 when any row's fate is open (outcome unknown, still pending, a network
// or server failure); else 5 (refused, FAILED or invalid rows).
func (s Summary) ExitCode() int {
	if len(s.Problems) == 0 && s.NotSent == 0 {
		return 0
	}
	for _, p := range s.Problems {
		switch p.Result {
		case Unknown, Pending, Error:
			return 6
		}
	}
	if s.NotSent > 0 {
		return 6
	}
	return 5
}

// rowState is one row through the run.
type rowState struct {
	order    Order
	key      string
	deviceID string // the device id of the attempt being made or settled
	given    bool   // the row named its device id
	prior    []journal.Attempt
	// unsettled are the earlier attempts of unknown outcome, newest first:
	// any of them may have placed the row's order.
	unsettled []journal.Attempt
	attempt   journal.Attempt // the attempt this run made, skipped or recovered
	orderID   string
	status    string // last known order status
	emitted   bool
	outcome   Outcome // of the order placement: Ordered, Skipped, Recovered
}

// run is one Run's shared state.
type run struct {
	*Runner
	mu      sync.Mutex
	summary Summary
	known   map[string]bool // order ids the journal or this run knows
	waitWG  sync.WaitGroup
	waitSem chan struct{}
	abort   error
}

// Run places the orders and reports each row through Emit; invalid are the
// rows that failed the checks (reported first, never sent). The error is
// fatal to the run (the journal cannot be written, the credentials are
// refused); the summary holds the rows' fates either way.
func (r *Runner) Run(ctx context.Context, orders []Order, invalid []Result) (Summary, error) {
	if r.Concurrency < 1 {
		r.Concurrency = 1
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Settle <= 0 {
		r.Settle = 5 * time.Second
	}
	ru := &run{Runner: r, known: map[string]bool{}, waitSem: make(chan struct{}, r.Concurrency)}
	ru.summary = Summary{Rows: len(orders) + len(invalid), Counts: map[Outcome]int{}}
	for _, a := range r.History {
		if a.OrderID != "" {
			ru.known[a.OrderID] = true
		}
	}
	for _, res := range invalid {
		ru.emit(nil, res)
	}

	rows := ru.plan(orders)
	var toSend, toSettle, done []*rowState
	for _, st := range rows {
		switch {
		case st.orderID != "":
			done = append(done, st)
		case len(st.unsettled) > 0:
			toSettle = append(toSettle, st)
		default:
			toSend = append(toSend, st)
		}
	}
	if len(done) > 0 {
		ru.logf("%s already ordered by an earlier run (order journal): skipping %s.", output.Plural(len(done), "row"), map[bool]string{true: "it", false: "them"}[len(done) == 1])
		for _, st := range done {
			ru.placed(ctx, st, Skipped)
		}
	}
	if len(toSettle) > 0 && ctx.Err() == nil {
		again, err := ru.settle(ctx, toSettle)
		if err != nil {
			ru.logf("Could not settle the rows whose earlier outcome is unknown: %v", err)
		}
		toSend = append(toSend, again...)
		sort.Slice(toSend, func(i, j int) bool { return toSend[i].order.Row < toSend[j].order.Row })
	}
	ru.send(ctx, toSend)
	ru.waitWG.Wait()

	// Every row the API accepted reaches the user, finished or not.
	for _, st := range rows {
		if !st.emitted && st.orderID != "" {
			msg := "still " + orDefault(st.status, "ACCEPTED") + "; follow it with: connectctl order wait " + st.orderID
			if ctx.Err() != nil {
				msg = "interrupted while waiting; follow it with: connectctl order wait " + st.orderID
			}
			ru.emit(st, Result{Result: Pending, OrderID: st.orderID, Status: st.status, Error: msg})
		}
	}
	ru.mu.Lock()
	defer ru.mu.Unlock()
	for _, st := range rows {
		if !st.emitted {
			ru.summary.NotSent++
		}
	}
	ru.summary.Interrupted = ctx.Err() != nil
	sort.Slice(ru.summary.Problems, func(i, j int) bool { return ru.summary.Problems[i].Row < ru.summary.Problems[j].Row })
	return ru.summary, ru.abort
}

// plan keys every row and reads its history from the journal.
func (ru *run) plan(orders []Order) []*rowState {
	byKey := map[string][]journal.Attempt{}
	for _, a := range ru.History {
		if a.Target == ru.Scope.Target && a.ClientID == ru.Scope.ClientID && a.Batch == ru.Scope.Batch && a.RowKey != "" {
			byKey[a.RowKey] = append(byKey[a.RowKey], a)
		}
	}
	seen := map[string]int{}
	rows := make([]*rowState, 0, len(orders))
	for _, o := range orders {
		content := rowContent(o.Input)
		seen[content]++
		st := &rowState{order: o, key: content + "#" + strconv.Itoa(seen[content]),
			given: o.Input.Device != nil && o.Input.Device.ID != ""}
		if st.given {
			st.deviceID = o.Input.Device.ID
		}
		st.prior = byKey[st.key]
		if !ru.Force {
			ru.judge(st)
		}
		rows = append(rows, st)
	}
	return rows
}

// judge reads a row's earlier attempts: an accepted order that did not FAIL
// means skip; attempts of unknown outcome must be settled first (every one
// of them: after --force a row may have several); else (nothing, or only
// attempts that created nothing) the row is sent.
func (ru *run) judge(st *rowState) {
	for i := len(st.prior) - 1; i >= 0; i-- {
		a := st.prior[i]
		switch a.Status {
		case journal.Accepted:
			if a.OrderStatus == connect.OrderStatusFailed {
				// A FAILED order provisioned nothing: order again.
				continue
			}
			st.attempt, st.orderID, st.status = a, a.OrderID, a.OrderStatus
			st.unsettled = nil
			return
		case journal.Unknown, journal.Sending:
			st.unsettled = append(st.unsettled, a)
		}
	}
	if len(st.unsettled) > 0 {
		// A re-send keeps the newest attempt's device id.
		st.attempt = st.unsettled[0]
		if !st.given {
			st.deviceID = st.attempt.DeviceID
		}
	}
}

// rowContent is a row's identity within its file: a digest of the order as
// it would be sent, less a generated device id. Identical rows are told
// apart by their occurrence number.
func rowContent(in connect.OrderInput) string {
	if in.Device != nil && in.Device.ID == "" {
		d := *in.Device
		in.Device = &d
	}
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// send places the rows' orders, Concurrency at a time, each journaled
// before it is sent and completed after.
func (ru *run) send(ctx context.Context, rows []*rowState) {
	queue := make(chan *rowState)
	var wg sync.WaitGroup
	for range min(ru.Concurrency, max(len(rows), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for st := range queue {
				ru.sendOne(ctx, st)
			}
		}()
	}
	for _, st := range rows {
		if ctx.Err() != nil || ru.aborted() {
			break
		}
		select {
		case queue <- st:
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
}

func (ru *run) aborted() bool {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	return ru.abort != nil
}

func (ru *run) setAbort(err error) {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	if ru.abort == nil {
		ru.abort = err
	}
}

func (ru *run) sendOne(ctx context.Context, st *rowState) {
	if ctx.Err() != nil || ru.aborted() {
		return
	}
	in := st.order.Input
	if in.Device != nil {
		d := *in.Device
		if st.deviceID == "" {
			st.deviceID = uuid.NewString()
		}
		d.ID = st.deviceID
		in.Device = &d
	}
	products := make([]string, 0, len(in.Subscriptions))
	for _, s := range in.Subscriptions {
		products = append(products, s.ProductID)
	}
	email := ""
	if in.Customer != nil {
		email = in.Customer.Email
	}
	cid := ru.CorrelationID
	if cid == "" {
		cid = uuid.NewString()
	}
	att, err := ru.Journal.Begin(journal.Attempt{
		Target: ru.Scope.Target, ClientID: ru.Scope.ClientID, Profile: ru.Scope.Profile, Batch: ru.Scope.Batch,
		Row: st.order.Row, Line: st.order.Line, RowKey: st.key, Operation: connect.NormalizeOperationType(in.OperationType),
		Email: email, Products: products, DeviceID: st.deviceID, ICCID: topUpICCID(in), CorrelationID: cid,
	})
	if err != nil {
		// Without the journal a lost answer could mean a duplicate later.
		ru.setAbort(fmt.Errorf("order journal: %w (nothing more is sent)", err))
		return
	}
	st.attempt = att

	// An interruption may stop the order while it waits for the limiter,
	// never once it is on the wire: its answer is awaited and reported.
	acc, err := ru.API.CreateOrder(connect.WithFinishOnceSent(connect.WithCorrelationID(ctx, cid)), in)
	if err == nil {
		ru.mark(ru.Journal.Accept(att.ID, acc.ID, acc.Status))
		ru.mu.Lock()
		ru.known[acc.ID] = true
		ru.mu.Unlock()
		st.orderID, st.status = acc.ID, acc.Status
		ru.placed(ctx, st, Ordered)
		return
	}
	msg := err.Error()
	var ae *connect.APIError
	var authErr *auth.Error
	switch {
	case errors.As(err, &ae) && ae.OutcomeUnknown:
		ru.mark(ru.Journal.MarkUnknown(att.ID, ae.Status, msg))
		ru.emit(st, Result{Result: Unknown, Error: msg + "; re-run the same command to settle it (it looks the order up before ordering again)"})
	case errors.As(err, &authErr):
		ru.mark(ru.Journal.Fail(att.ID, 0, msg, "not sent"))
		ru.emit(st, Result{Result: Error, Error: msg})
		ru.setAbort(err)
	case errors.As(err, &ae) && ae.Status == 0:
		// Nothing reached the server (see connect.APIError.OutcomeUnknown).
		ru.mark(ru.Journal.Fail(att.ID, 0, msg, "not sent"))
		if ctx.Err() != nil {
			return // interrupted before sending: counted as not sent
		}
		ru.emit(st, Result{Result: Error, Error: msg})
	case errors.As(err, &ae) && (ae.Status == 401 || ae.Status == 403):
		ru.mark(ru.Journal.Fail(att.ID, ae.Status, msg, "refused"))
		ru.emit(st, Result{Result: Refused, Error: msg})
		ru.setAbort(err)
	case errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500:
		ru.mark(ru.Journal.Fail(att.ID, ae.Status, msg, "refused"))
		ru.emit(st, Result{Result: Refused, Error: msg})
	default:
		// Anything else may have been sent: never assume it was not.
		ru.mark(ru.Journal.MarkUnknown(att.ID, 0, msg))
		ru.emit(st, Result{Result: Unknown, Error: msg})
	}
}

// mark turns a failed journal write after a request into an abort: the
// run goes on with what is in flight but sends nothing new.
func (ru *run) mark(err error) {
	if err != nil {
		ru.setAbort(fmt.Errorf("order journal: %w (nothing more is sent)", err))
	}
}

// placed records a row whose order exists: emitted now, or followed first.
func (ru *run) placed(ctx context.Context, st *rowState, how Outcome) {
	st.outcome = how
	if !ru.Wait {
		ru.emit(st, Result{Result: how, OrderID: st.orderID, Status: st.status})
		return
	}
	if ctx.Err() != nil {
		return
	}
	ru.waitWG.Add(1)
	go func() {
		defer ru.waitWG.Done()
		ru.follow(ctx, st)
	}()
}

// emit reports a row once; st is nil for rows that were never orders.
func (ru *run) emit(st *rowState, res Result) {
	ru.mu.Lock()
	defer ru.mu.Unlock()
	if st != nil {
		if st.emitted {
			return
		}
		st.emitted = true
		res.Row, res.Line = st.order.Row, st.order.Line
		if res.OrderID == "" {
			res.OrderID = st.orderID
		}
		if st.order.Input.Customer != nil {
			res.Email = st.order.Input.Customer.Email
		}
		if res.ICCID == "" {
			// A top-up's SIM is known before any answer.
			res.ICCID = topUpICCID(st.order.Input)
		}
	}
	ru.summary.Counts[res.Result]++
	if !res.OK() {
		ru.summary.Problems = append(ru.summary.Problems, res)
	}
	if ru.Emit != nil {
		ru.Emit(res)
	}
}

func (ru *run) logf(format string, args ...any) {
	if ru.Logf != nil {
		ru.Logf(format, args...)
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
