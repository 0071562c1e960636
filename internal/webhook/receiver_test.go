package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const testToken = "tok_0123456789abcdefghij"

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type recordingEnqueuer struct {
	mu  sync.Mutex
	ids []string
}

func (r *recordingEnqueuer) Enqueue(id string, _ []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, id)
}

func newTestHandler(t *testing.T, o Options) (*Handler, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	o.Token, o.Out = testToken, out
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return h, out
}

func post(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestNewToken(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if a == b || len(a) < 22 || strings.ContainsAny(a, "+/=") {
		t.Errorf("tokens %q %q: want distinct base64url of 128+ bits", a, b)
	}
}

func TestNewRejectsWeakToken(t *testing.T) {
	for _, tok := range []string{"", "short", "has/a/slash-0123456789"} {
		if _, err := New(Options{Token: tok, Out: &bytes.Buffer{}}); err == nil {
			t.Errorf("token %q accepted", tok)
		}
	}
}

func TestHandler(t *testing.T) {
	const iccid = "8944478600000205337"
	good := `{"id":"n1","type":"USAGE_THRESHOLD","iccid":"` + iccid + `","subscription_id":"s1","threshold":80}`
	tests := []struct {
		name     string
		method   string
		path     string
		body     string
		want     int
		wantLine string // the exact stdout; "" means nothing printed
	}{
		{name: "good event", body: good, want: 204,
			wantLine: `{"id":"n1","type":"USAGE_THRESHOLD","iccid":"` + iccid + `","subscription_id":"s1","threshold":80}` + "\n"},
		{name: "misspelt type", body: `{"id":"n2","type":"SUBSCRITPION_END","iccid":"` + iccid + `","subscription_id":"s1"}`, want: 204,
			wantLine: `{"id":"n2","type":"SUBSCRIPTION_END","iccid":"` + iccid + `","subscription_id":"s1"}` + "\n"},
		{name: "camelCase and string threshold", body: `{"id":"n3","type":"usage_threshold","iccid":"` + iccid + `","subscriptionId":"s9","threshold":"80"}`, want: 204,
			wantLine: `{"id":"n3","type":"USAGE_THRESHOLD","iccid":"` + iccid + `","subscription_id":"s9","threshold":80}` + "\n"},
		{name: "wrong path", path: "/nope", body: good, want: 404},
		{name: "token prefix", path: "/" + testToken[:10], body: good, want: 404},
		{name: "token with suffix", path: "/" + testToken + "/x", body: good, want: 404},
		{name: "root", path: "/", body: good, want: 404},
		{name: "wrong method", method: http.MethodGet, want: 405},
		{name: "PUT", method: http.MethodPut, body: good, want: 405},
		{name: "oversize body", body: `{"id":"n4","type":"USAGE_THRESHOLD","iccid":"` + iccid + `","x":"` + strings.Repeat("a", 70<<10) + `"}`, want: 413},
		{name: "not JSON", body: "hello", want: 400},
		{name: "empty body", body: "", want: 400},
		{name: "JSON array", body: `[` + good + `]`, want: 400},
		{name: "null", body: `null`, want: 400},
		{name: "trailing data", body: good + `{}`, want: 400},
		{name: "missing type", body: `{"id":"n5","iccid":"` + iccid + `"}`, want: 400},
		{name: "unknown type", body: `{"id":"n6","type":"DAILY","iccid":"` + iccid + `"}`, want: 400},
		{name: "missing iccid", body: `{"id":"n7","type":"SUBSCRIPTION_END"}`, want: 400},
		{name: "bad threshold", body: `{"id":"n8","type":"USAGE_THRESHOLD","iccid":"` + iccid + `","threshold":"lots"}`, want: 400},
		{name: "wrong field type", body: `{"id":1,"type":"USAGE_THRESHOLD","iccid":"` + iccid + `"}`, want: 400},
		{name: "huge field", body: `{"id":"` + strings.Repeat("i", 300) + `","type":"USAGE_THRESHOLD","iccid":"` + iccid + `"}`, want: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fwd := &recordingEnqueuer{}
			h, out := newTestHandler(t, Options{Forward: fwd})
			method, path := tt.method, tt.path
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = "/" + testToken
			}
			rec := post(h, method, path, tt.body)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.want, rec.Body)
			}
			if got := out.String(); got != tt.wantLine {
				t.Errorf("stdout %q, want %q", got, tt.wantLine)
			}
			if strings.Contains(rec.Body.String(), testToken) {
				t.Errorf("the answer reveals the token: %q", rec.Body)
			}
			if tt.want == 405 && rec.Header().Get("Allow") != "POST" {
				t.Errorf("Allow %q", rec.Header().Get("Allow"))
			}
			if wantFwd := tt.wantLine != ""; (len(fwd.ids) == 1) != wantFwd {
				t.Errorf("forwarded %v", fwd.ids)
			}
		})
	}
}

func TestHandlerDuplicateID(t *testing.T) {
	fwd := &recordingEnqueuer{}
	var log syncBuffer
	h, out := newTestHandler(t, Options{Forward: fwd, Log: &log, DedupSize: 2})
	ev := func(id string) string {
		return `{"id":"` + id + `","type":"SUBSCRIPTION_END","iccid":"8944478600000205337"}`
	}
	for _, id := range []string{"a", "a", "b", "a", "c", "d", "a"} {
		if rec := post(h, http.MethodPost, "/"+testToken, ev(id)); rec.Code != 204 {
			t.Fatalf("%s: status %d", id, rec.Code)
		}
	}
	// The set holds two ids: "a" is forgotten once "c" and "d" arrive.
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		ids = append(ids, m["id"].(string))
	}
	if got := strings.Join(ids, ","); got != "a,b,c,d,a" {
		t.Errorf("printed ids %s, want a,b,c,d,a", got)
	}
	if got := strings.Join(fwd.ids, ","); got != "a,b,c,d,a" {
		t.Errorf("forwarded ids %s", got)
	}
	if !strings.Contains(log.String(), "duplicate") {
		t.Errorf("log %q does not mention the duplicate", log.String())
	}
}

func TestHandlerConcurrentPostsWholeLines(t *testing.T) {
	h, out := newTestHandler(t, Options{})
	srv := httptest.NewServer(NewServer(h).Handler)
	defer srv.Close()
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"id":"id-%d","type":"USAGE_THRESHOLD","iccid":"8944478600000205337","subscription_id":"%s","threshold":80}`,
				i, strings.Repeat("s", 200))
			resp, err := http.Post(srv.URL+"/"+testToken, "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 204 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines, want %d", len(lines), n)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q is not whole JSON: %v", l, err)
		}
		seen[m["id"].(string)] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct ids, want %d", len(seen), n)
	}
}

func TestNewServerTimeouts(t *testing.T) {
	s := NewServer(http.NotFoundHandler())
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 {
		t.Errorf("server without limits: %+v", s)
	}
}
