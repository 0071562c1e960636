package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
)

// outcome is what a client saw of one request: a status, or status 0 for a
// connection dropped without an answer.
type outcome struct {
	status int
	header http.Header
	body   []byte
}

func (o outcome) String() string {
	if o.status == 0 {
		return "dropped"
	}
	return fmt.Sprint(o.status)
}

// rawClient opens a connection per request, so that a dropped connection is
// never retried behind the test's back (net/http replays a GET that failed
// on a reused connection).
func (e *env) rawClient() *http.Client {
	tr := &http.Transport{DisableKeepAlives: true}
	e.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// try is call with the built-in client's token that reports a dropped
// connection as status 0 instead of failing the test.
func (e *env) try(c *http.Client, method, path string, body any) outcome {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return outcome{header: http.Header{}}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return outcome{header: http.Header{}}
	}
	return outcome{status: resp.StatusCode, header: resp.Header, body: data}
}

func (e *env) hasCustomer(email string) bool {
	e.srv.mu.Lock()
	defer e.srv.mu.Unlock()
	return e.srv.st.custByEmail[BuiltinClientID+"\x00"+email] != nil
}

type sandboxStats struct {
	Requests      map[string]int `json:"requests"`
	TokenRequests int            `json:"token_requests"`
	Orders        int            `json:"orders"`
	SIMs          int            `json:"sims"`
	Subscriptions int            `json:"subscriptions"`
}

func (e *env) stats() sandboxStats {
	e.t.Helper()
	var st sandboxStats
	r := e.admin("GET", "/_sandbox/stats", nil)
	e.mustStatus(r, 200)
	r.json(e.t, &st)
	return st
}

// At a fail rate of 1 every order request meets a fault, some before the
// work (no order) and some after it (the order exists, the answer was lost).
func TestRandomFaultsBeforeAndAfter(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.FailRate = 1; c.RateLimit = 1000 })
	c := e.rawClient()
	const n = 200
	type kindWhen struct {
		kind  string
		after bool
	}
	seen := map[kindWhen]int{}
	after := 0
	for i := range n {
		email := fmt.Sprintf("rf%d@example.com", i)
		o := e.try(c, "POST", "/v1/order", newESIM(email, pPT.ID))
		switch o.status {
		case 0, 500, 502, 503, 504:
		default:
			t.Fatalf("order %d: %s %s", i, o, o.body)
		}
		done := e.hasCustomer(email)
		if done {
			after++
		}
		seen[kindWhen{o.String(), done}]++
	}
	for _, k := range []string{"500", "502", "503", "504", "dropped"} {
		if seen[kindWhen{k, false}] == 0 || seen[kindWhen{k, true}] == 0 {
			t.Errorf("%s: %d before, %d after the work", k, seen[kindWhen{k, false}], seen[kindWhen{k, true}])
		}
	}
	if after < n/4 || after > 3*n/4 {
		t.Errorf("%d of %d faults came after the work", after, n)
	}

	// Every request is counted; every order done before its answer was lost
	// is a real one, with its SIM and subscription.
	st := e.stats()
	if st.Requests["POST /v1/order"] != n || st.Orders != after || st.SIMs != after || st.Subscriptions != after {
		t.Fatalf("stats %+v, want %d requests and %d orders", st, n, after)
	}
	// The work went through rate limiting too.
	e.srv.rlMu.Lock()
	w := e.srv.windows[BuiltinClientID+"\x00POST /v1/order"]
	e.srv.rlMu.Unlock()
	if w == nil || w.count != after {
		t.Fatalf("rate limit window %+v, want %d requests", w, after)
	}
	t.Logf("outcomes (kind, after the work): %v", seen)
}

// An order made by an after-fault is listed and answered like any other;
// GETs that meet faults change nothing.
func TestRandomFaultOrdersVisible(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.FailRate = 0.5 })
	c := e.rawClient()
	// get retries a GET until it is answered 200.
	get := func(path string) outcome {
		t.Helper()
		for range 100 {
			if o := e.try(c, "GET", path, nil); o.status == 200 {
				return o
			}
		}
		t.Fatalf("GET %s never succeeded", path)
		return outcome{}
	}
	const n = 120
	accepted := map[string]bool{}
	var faulted []string
	for i := range n {
		email := fmt.Sprintf("v%d@example.com", i)
		o := e.try(c, "POST", "/v1/order", newESIM(email, pPT.ID))
		switch o.status {
		case 201:
			var m map[string]any
			if err := json.Unmarshal(o.body, &m); err != nil {
				t.Fatal(err)
			}
			accepted[m["id"].(string)] = true
		case 0, 500, 502, 503, 504:
			faulted = append(faulted, email)
		default:
			t.Fatalf("order %d: %s %s", i, o, o.body)
		}
	}
	created := 0
	for _, email := range faulted {
		if e.hasCustomer(email) {
			created++
		}
	}
	if created == 0 || created == len(faulted) {
		t.Fatalf("%d of %d faulted orders were created: want some, not all", created, len(faulted))
	}

	// Faulted GETs, before or after the work, change nothing.
	before := e.stats()
	for range 40 {
		e.try(c, "GET", "/v1/order", nil)
		e.try(c, "GET", "/v1/sim", nil)
	}
	if st := e.stats(); st.Orders != before.Orders || st.SIMs != before.SIMs {
		t.Fatalf("GETs changed the state: %+v then %+v", before, st)
	}

	var listed []map[string]any
	for page := 1; ; page++ {
		var p []map[string]any
		o := get(fmt.Sprintf("/v1/order?page=%d&page_size=40", page))
		if err := json.Unmarshal(o.body, &p); err != nil {
			t.Fatal(err)
		}
		listed = append(listed, p...)
		if len(p) < 40 {
			break
		}
	}
	st := e.stats()
	if want := len(accepted) + created; len(listed) != want || st.Orders != want {
		t.Fatalf("%d orders listed, %d in stats; want %d (%d accepted, %d made by after-faults)",
			len(listed), st.Orders, want, len(accepted), created)
	}
	for _, o := range listed {
		id := o["id"].(string)
		if accepted[id] {
			continue
		}
		// One an after-fault made: a real order, answered by its id.
		r := get("/v1/order/" + url.PathEscape(id))
		var m map[string]any
		if err := json.Unmarshal(r.body, &m); err != nil || m["id"] != id || m["status"] != "COMPLETED" {
			t.Fatalf("order %s: %s", id, r.body)
		}
	}
}

// The same seed meets the same faults in the same order.
func TestRandomFaultsSeeded(t *testing.T) {
	run := func(seed int64) []string {
		e := newEnv(t, func(c *Config) { c.FailRate = 0.5; c.Seed = seed })
		c := e.rawClient()
		var out []string
		for i := range 40 {
			o := e.try(c, "POST", "/v1/order", newESIM(fmt.Sprintf("s%d@example.com", i), pPT.ID))
			out = append(out, fmt.Sprintf("%s/%v", o, e.hasCustomer(fmt.Sprintf("s%d@example.com", i))))
		}
		return out
	}
	a, b, other := run(7), run(7), run(8)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("seed 7 twice:\n%v\n%v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(other) {
		t.Fatalf("seeds 7 and 8 gave the same faults: %v", a)
	}
}
