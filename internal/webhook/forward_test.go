package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestForwarderRelaysAndLogsStatus(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if strings.Contains(string(b), `"id":"bad"`) {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	var log syncBuffer
	f := NewForwarder(srv.URL+"/relay", ForwarderOptions{Log: &log})
	f.Enqueue("n1", []byte(`{"id":"n1"}`))
	f.Enqueue("bad", []byte(`{"id":"bad"}`))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.Close(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(bodies, ",") != `{"id":"n1"},{"id":"bad"}` {
		t.Errorf("relayed %q", bodies)
	}
	for _, want := range []string{"forwarded n1 -> 202", "forwarded bad -> 500"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log %q lacks %q", log.String(), want)
		}
	}
}

func TestForwarderDoesNotBlockTheReceiver(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	defer close(release)

	var log syncBuffer
	f := NewForwarder(srv.URL, ForwarderOptions{Log: &log, Queue: 2, Timeout: 2 * time.Second})
	h, _ := newTestHandler(t, Options{Forward: f, Log: &log})
	start := time.Now()
	for i := range 6 {
		body := `{"id":"q` + string(rune('0'+i)) + `","type":"USAGE_THRESHOLD","iccid":"8944478600000205337"}`
		if rec := post(h, http.MethodPost, "/"+testToken, body); rec.Code != 204 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the receiver waited %v for the relay", d)
	}
	if !strings.Contains(log.String(), "forward queue full") {
		t.Errorf("log %q: want a dropped event", log.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = f.Close(ctx) // gives up on the stuck relay
	if !strings.Contains(log.String(), "failed") {
		t.Errorf("log %q: want the abandoned relays reported", log.String())
	}
}

func TestForwarderDoesNotFollowRedirects(t *testing.T) {
	hits := 0
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	var log syncBuffer
	f := NewForwarder(srv.URL, ForwarderOptions{Log: &log})
	f.Enqueue("r1", []byte(`{}`))
	_ = f.Close(context.Background())
	mu.Lock()
	defer mu.Unlock()
	if hits != 1 || !strings.Contains(log.String(), "forwarded r1 -> 307") {
		t.Errorf("hits %d, log %q", hits, log.String())
	}
}
