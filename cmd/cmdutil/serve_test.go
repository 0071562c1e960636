package cmdutil

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCheckListenAddr(t *testing.T) {
	tests := []struct {
		addr    string
		remote  bool
		wantErr string
	}{
		{addr: "127.0.0.1:0"},
		{addr: "localhost:8787"},
		{addr: "[::1]:1"},
		{addr: "0.0.0.0:80", wantErr: "--allow-remote"},
		{addr: ":8787", wantErr: "--allow-remote"},
		{addr: "0.0.0.0:80", remote: true},
		{addr: "127.0.0.1", wantErr: "want HOST:PORT, e.g. 127.0.0.1:1"},
	}
	for _, tt := range tests {
		err := CheckListenAddr(tt.addr, tt.remote, "127.0.0.1:1")
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.addr, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) || ExitCodeFor(err) != ExitUsage {
			t.Errorf("%s: err = %v, want usage error with %q", tt.addr, err, tt.wantErr)
		}
	}
}

// Serve answers until the context ends, then lets the open request finish.
func TestServeShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(200 * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, hs, ln) }()

	resp := make(chan int, 1)
	go func() {
		r, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			resp <- 0
			return
		}
		r.Body.Close()
		resp <- r.StatusCode
	}()
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if got := <-resp; got != http.StatusNoContent {
		t.Fatalf("the open request got %d, want it to finish with 204", got)
	}
}

func TestServeReportsListenerFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // Serve fails at once on a closed listener
	if err := Serve(context.Background(), &http.Server{}, ln); err == nil {
		t.Fatal("a failing server reported success")
	}
}
