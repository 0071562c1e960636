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

// signals are the signals that cancel the context: Ctrl-C and a polite kill.
var signals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// Watcher owns the invocation's context; Watch starts the cancellation by
// signal, Stop ends it.
type Watcher struct {
	ctx    context.Context
	cancel context.CancelFunc

	once    sync.Once
	signals chan os.Signal // nil until Watch
}

// New returns a Watcher whose context is a child of parent.
func New(parent context.Context) *Watcher {
	ctx, cancel := context.WithCancel(parent)
	return &Watcher{ctx: ctx, cancel: cancel}
}

// Context is cancelled by the first signal after Watch, or by Stop; before
// Stop, an error from it means a signal came.
func (w *Watcher) Context() context.Context { return w.ctx }

// Watch starts turning SIGINT and SIGTERM into the context's cancellation; calls after
// the first do nothing. Like signal.NotifyContext, it keeps the signals
// caught until Stop, so that a second Ctrl-C cannot kill a run that is
// printing what an interrupted order left behind.
func (w *Watcher) Watch() {
	w.once.Do(func() {
		w.signals = make(chan os.Signal, 1)
		signal.Notify(w.signals, signals...)
		go func() {
			select {
			case <-w.signals:
				w.cancel()
			case <-w.ctx.Done(): // Stop
			}
		}()
	})
}

// Stop restores the signals' default handling and releases the context;
// calling it again does nothing.
func (w *Watcher) Stop() {
	if w.signals != nil {
		signal.Stop(w.signals)
	}
	w.cancel()
}
