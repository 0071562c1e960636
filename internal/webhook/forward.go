package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

const (
	// DefaultForwardQueue is how many events may wait for the relay.
	DefaultForwardQueue = 256
	// DefaultForwardTimeout bounds one relay request.
	DefaultForwardTimeout = 10 * time.Second
)

type forwardItem struct {
	id   string
	body []byte
}

// Forwarder relays events to a URL from one worker behind a bounded queue,
// so the receiver answers the API without waiting for the relay.
type Forwarder struct {
	url    string
	client *http.Client
	log    io.Writer
	logMu  sync.Mutex

	queue     chan forwardItem
	done      chan struct{}
	ctx       context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
}

// ForwarderOptions configure a Forwarder; zero values pick the defaults.
type ForwarderOptions struct {
	Log     io.Writer
	Queue   int
	Timeout time.Duration
	Client  *http.Client // its Timeout is replaced; redirects are never followed
}

// NewForwarder starts a Forwarder relaying to url (checked by the caller,
// e.g. with validate.WebhookURL). Close stops it.
func NewForwarder(url string, o ForwarderOptions) *Forwarder {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Queue <= 0 {
		o.Queue = DefaultForwardQueue
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultForwardTimeout
	}
	c := &http.Client{}
	if o.Client != nil {
		cc := *o.Client
		c = &cc
	}
	c.Timeout = o.Timeout
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ctx, cancel := context.WithCancel(context.Background())
	f := &Forwarder{url: url, client: c, log: o.Log, queue: make(chan forwardItem, o.Queue),
		done: make(chan struct{}), ctx: ctx, cancel: cancel}
	go f.run()
	return f
}

func (f *Forwarder) logf(format string, args ...any) {
	f.logMu.Lock()
	defer f.logMu.Unlock()
	fmt.Fprintf(f.log, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}

// Enqueue queues an event for relaying; when the queue is full the event is
// dropped (and logged) rather than delaying the receiver. It must not be
// called after Close.
func (f *Forwarder) Enqueue(id string, body []byte) {
	select {
	case f.queue <- forwardItem{id: id, body: body}:
	default:
		f.logf("forward queue full: dropped %s", idOrDash(id))
	}
}

func (f *Forwarder) run() {
	defer close(f.done)
	for it := range f.queue {
		f.send(it)
	}
}

func (f *Forwarder) send(it forwardItem) {
	req, err := http.NewRequestWithContext(f.ctx, http.MethodPost, f.url, bytes.NewReader(it.body))
	if err != nil {
		f.logf("forward %s failed: %v", idOrDash(it.id), err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "connectctl-webhook-listen")
	resp, err := f.client.Do(req)
	if err != nil {
		f.logf("forward %s failed: %v", idOrDash(it.id), err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	f.logf("forwarded %s -> %d", idOrDash(it.id), resp.StatusCode)
}

// Close stops taking events and waits for the queued ones to be relayed,
// until ctx ends; then it abandons the rest. Call it once the receiver has
// stopped (no Enqueue may follow).
func (f *Forwarder) Close(ctx context.Context) error {
	f.closeOnce.Do(func() { close(f.queue) })
	select {
	case <-f.done:
		f.cancel()
		return nil
	case <-ctx.Done():
		f.cancel()
		<-f.done // the rest fail fast on the cancelled context
		return ctx.Err()
	}
}

func idOrDash(id string) string {
	if id == "" {
		return "-"
	}
	return id
}
