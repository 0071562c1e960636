package interrupt

import (
	"context"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// The signal is real: sent to this test process, caught by Watch.
func TestWatchCancelsOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			w := New(context.Background())
			defer w.Stop()
			w.Watch()
			w.Watch() // a second call is harmless
			if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-w.Context().Done():
			case <-time.After(10 * time.Second):
				t.Fatalf("%v did not cancel the context", sig)
			}
		})
	}
}

func TestNotWatchingLeavesSignalsAlone(t *testing.T) {
	w := New(context.Background())
	if signal.Ignored(syscall.SIGINT) {
		t.Skip("SIGINT ignored by the test's parent")
	}
	if w.signals != nil {
		t.Fatal("New caught signals before Watch")
	}
	if w.Context().Err() != nil {
		t.Fatal("context cancelled before any signal")
	}
	w.Stop()
	if w.Context().Err() == nil {
		t.Fatal("Stop left the context live")
	}
	w.Stop() // idempotent
}

func TestStopEndsWatch(t *testing.T) {
	w := New(context.Background())
	w.Watch()
	w.Stop()
	select {
	case <-w.ctx.Done(): // what ends Watch's goroutine
	default:
		t.Fatal("Stop did not end the watch")
	}
	if w.Context().Err() == nil {
		t.Fatal("Stop left the context live")
	}
}
