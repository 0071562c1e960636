// Package interrupt turns SIGINT and SIGTERM into the cancellation of a
// context, from the moment a command starts real work.
//
// signal.Notify makes the runtime start a thread that holds the signal
// mask; on every run that is about 0.3 ms, a sixth of connectctl's start-up
// (issue 13). A command that only prints (version, help) never asks for it,
// and Ctrl-C there ends the process as it would any program.
package interrupt

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Signals are the signals that cancel the context: Ctrl-C and a polite kill.
var Signals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// Watcher owns the invocation's context; Watch starts the cancellation by
// signal, Stop ends it.
type Watcher struct {
	ctx    context.Context
	cancel context.CancelFunc

	once     sync.Once
	signals  chan os.Signal // nil until Watch
	stopOnce sync.Once
	done     chan struct{} // closed by Stop; ends Watch's goroutine
}

// New returns a Watcher whose context is a child of parent.
func New(parent context.Context) *Watcher {
	ctx, cancel := context.WithCancel(parent)
	return &Watcher{ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// Context is cancelled by the first signal after Watch, or by Stop; before
// Stop, an error from it means a signal came.
func (w *Watcher) Context() context.Context { return w.ctx }

// Watch starts turning Signals into the context's cancellation; calls after
// the first do nothing. Like signal.NotifyContext, it keeps the signals
// caught until Stop, so that a second Ctrl-C cannot kill a run that is
// printing what an interrupted order left behind.
func (w *Watcher) Watch() {
	w.once.Do(func() {
		w.signals = make(chan os.Signal, 1)
		signal.Notify(w.signals, Signals...)
		go func() {
			select {
			case <-w.signals:
				w.cancel()
			case <-w.done:
			}
		}()
	})
}

// Stop restores the signals' default handling and releases the context.
func (w *Watcher) Stop() {
	w.stopOnce.Do(func() {
		if w.signals != nil {
			signal.Stop(w.signals)
		}
		close(w.done)
		w.cancel()
	})
}
