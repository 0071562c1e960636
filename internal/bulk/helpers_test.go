package bulk

import (
	"context"
	"iter"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/auth"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/journal"
	"github.com/connectctl/connectctl/internal/sandbox"
	"github.com/connectctl/connectctl/internal/testenv"
)

// sbEnv is a real sandbox served over loopback HTTP and a real client of it.
type sbEnv struct {
	t       *testing.T
	srv     *httptest.Server
	client  *connect.Client
	product string
}

// newSandbox starts a sandbox whose orders complete at once (unless mod
// says otherwise) and builds a client of it with real OAuth2 tokens.
func newSandbox(t *testing.T, mod func(*sandbox.Config), retry ...connect.RetryPolicy) *sbEnv {
	t.Helper()
	cfg := sandbox.DefaultConfig()
	cfg.OrderDelay = 0
	cfg.RateLimit = 0
	cfg.Seed = 42
	if mod != nil {
		mod(&cfg)
	}
	s, err := sandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	rp := connect.RetryPolicy{BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxElapsed: 2 * time.Second}
	if len(retry) > 0 {
		rp = retry[0]
	}
	c := newClient(t, srv.URL, rp)
	e := &sbEnv{t: t, srv: srv, client: c}
	ps, err := c.ListProducts(context.Background(), connect.ProductsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID != sandbox.FailProductID {
			e.product = p.ID
			break
		}
	}
	if e.product == "" {
		t.Fatal("no product in the sandbox catalogue")
	}
	return e
}

// newClient is a real client of the sandbox at url, with its own OAuth2
// token source.
func newClient(t *testing.T, url string, rp connect.RetryPolicy) *connect.Client {
	t.Helper()
	tokens, err := auth.NewClientCredentials(auth.Config{
		TokenURL: url + sandbox.TokenPath, ClientID: sandbox.BuiltinClientID, ClientSecret: sandbox.BuiltinClientSecret,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := connect.New(connect.Options{BaseURL: url, HTTPClient: &http.Client{Timeout: 10 * time.Second},
		TokenSource: tokens, DisablePacing: true, Retry: rp, UserAgent: "connectctl/bulk-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// admin calls an admin endpoint of the sandbox.
func (e *sbEnv) admin(method, path string, body, out any) {
	e.t.Helper()
	testenv.Admin(e.t, e.srv.URL, method, path, body, out)
}

// fault queues one deterministic fault on POST /v1/order.
func (e *sbEnv) fault(f map[string]any) {
	e.t.Helper()
	q := map[string]any{"method": "POST", "path": "/v1/order", "count": 1}
	for k, v := range f {
		q[k] = v
	}
	e.admin(http.MethodPost, "/_sandbox/faults", q, nil)
}

type sbStats struct {
	Requests map[string]int `json:"requests"`
	Orders   int            `json:"orders"`
}

func (e *sbEnv) stats() sbStats {
	e.t.Helper()
	var s sbStats
	e.admin(http.MethodGet, "/_sandbox/stats", nil, &s)
	return s
}

// orders lists the ids of every order the sandbox holds.
func (e *sbEnv) orders() []string {
	e.t.Helper()
	var ids []string
	for o, err := range e.client.ListOrders(context.Background(), connect.OrdersQuery{}) {
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	sort.Strings(ids)
	return ids
}

// byDevice counts the sandbox's subscriptions (one per completed order of
// these tests) per device id.
func (e *sbEnv) byDevice() map[string]int {
	e.t.Helper()
	n := map[string]int{}
	for sb, err := range e.client.ListSubscriptions(context.Background(), connect.SubscriptionsQuery{}) {
		if err != nil {
			e.t.Fatal(err)
		}
		n[sb.DeviceID]++
	}
	return n
}

// input is a NEW_ESIM order for email whose device id the run generates.
func (e *sbEnv) input(email string) connect.OrderInput {
	return connect.OrderInput{
		OperationType: "NEW_ESIM", CountryCode: "PT",
		Customer:      &connect.OrderCustomer{Email: email},
		Device:        &connect.OrderDevice{Type: "ios"},
		Subscriptions: []connect.OrderSubscription{{ProductID: e.product}},
	}
}

// rows builds one row per e-mail, numbered from 1 (line = row + 1, under a
// header line).
func (e *sbEnv) rows(emails ...string) []Order {
	out := make([]Order, 0, len(emails))
	for i, m := range emails {
		out = append(out, Order{Row: i + 1, Line: i + 2, Input: e.input(m)})
	}
	return out
}

var testScope = Scope{Target: "sandbox-target", ClientID: "sandbox", Profile: "test", Batch: "batch-1"}

// newRunner is a Runner with quick timings.
func newRunner(api API, j *journal.Journal, history []journal.Attempt) *Runner {
	return &Runner{
		API: api, Journal: j, History: history, Scope: testScope,
		Concurrency: 2, WaitTimeout: 2 * time.Second, PollInterval: 20 * time.Millisecond,
		Settle: 10 * time.Millisecond,
	}
}

// tempJournal opens a journal in a fresh temporary directory.
func tempJournal(t *testing.T) (*journal.Journal, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "orders.jsonl")
	j, err := journal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j, path
}

func load(t *testing.T, path string) []journal.Attempt {
	t.Helper()
	atts, err := journal.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return atts
}

// runReport is one Run: its summary, error, and the results by row.
type runReport struct {
	sum     Summary
	err     error
	results []Result
	byRow   map[int]Result
}

// runFile runs r over orders, collecting what Emit receives (on top of an Emit
// the test set, which is called first).
func runFile(t *testing.T, ctx context.Context, r *Runner, orders []Order, invalid ...Result) runReport {
	t.Helper()
	var mu sync.Mutex
	var got []Result
	inner := r.Emit
	r.Emit = func(res Result) {
		if inner != nil {
			inner(res)
		}
		mu.Lock()
		got = append(got, res)
		mu.Unlock()
	}
	r.Logf = func(format string, args ...any) { t.Logf("run: "+format, args...) }
	sum, err := r.Run(ctx, orders, invalid)
	mu.Lock()
	defer mu.Unlock()
	o := runReport{sum: sum, err: err, results: got, byRow: map[int]Result{}}
	for _, res := range got {
		if _, dup := o.byRow[res.Row]; dup {
			t.Errorf("row %d emitted twice", res.Row)
		}
		o.byRow[res.Row] = res
	}
	return o
}

// attemptsOfRow are the journal's attempts of one row, oldest first.
func attemptsOfRow(atts []journal.Attempt, row int) []journal.Attempt {
	var out []journal.Attempt
	for _, a := range atts {
		if a.Row == row {
			out = append(out, a)
		}
	}
	return out
}

// fakeAPI answers the calls a run makes from fixed data; it exists only for
// situations the sandbox cannot produce.
type fakeAPI struct {
	mu       sync.Mutex
	listed   []connect.Order          // what ListOrders yields
	listErr  error                    // yielded after listed, when set
	orders   map[string]connect.Order // what GetOrder answers
	subs     []connect.Subscription
	created  int
	gets     int
	subCalls int
}

func (f *fakeAPI) CreateOrder(ctx context.Context, in connect.OrderInput) (*connect.OrderAccepted, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created++
	return &connect.OrderAccepted{ID: "fake-new-order", Status: connect.OrderStatusAccepted}, nil
}

func (f *fakeAPI) GetOrder(ctx context.Context, id string) (*connect.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	o, ok := f.orders[id]
	if !ok {
		return nil, &connect.APIError{Status: 404, Method: "GET", Path: "/v1/order/" + id}
	}
	return &o, nil
}

func (f *fakeAPI) ListOrders(ctx context.Context, q connect.OrdersQuery) iter.Seq2[connect.Order, error] {
	return func(yield func(connect.Order, error) bool) {
		f.mu.Lock()
		listed, listErr := append([]connect.Order(nil), f.listed...), f.listErr
		f.mu.Unlock()
		for _, o := range listed {
			if !yield(o, nil) {
				return
			}
		}
		if listErr != nil {
			yield(connect.Order{}, listErr)
		}
	}
}

func (f *fakeAPI) ListSubscriptions(ctx context.Context, q connect.SubscriptionsQuery) iter.Seq2[connect.Subscription, error] {
	return func(yield func(connect.Subscription, error) bool) {
		f.mu.Lock()
		f.subCalls++
		subs := append([]connect.Subscription(nil), f.subs...)
		f.mu.Unlock()
		for _, sb := range subs {
			if !yield(sb, nil) {
				return
			}
		}
	}
}
