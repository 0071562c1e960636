package connect

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The pacer keeps, per endpoint (method + route template, as the API counts
// them), what the last answers said about the quota (x-rate-limit-limit,
// -remaining, -reset) and holds requests back before the server would answer
// 429:
//
//   - the first request to an endpoint goes alone, so that its answer tells
//     the quota before concurrent callers could burst past it;
//   - requests in flight are subtracted from the remaining quota, since the
//     server counts them but has not told us yet;
//   - when nothing is left, callers wait for the window's end (or for an
//     answer that changes the picture);
//   - over the last tenth of the quota, requests are spread evenly over the
//     time left to the reset, so concurrent callers neither burst into a 429
//     nor strand quota;
//   - once the announced reset has passed, a fresh window of the last known
//     limit is assumed until an answer says otherwise.
//
// Without rate-limit headers nothing is held back.

// spreadFraction is the share of the quota that is spread over the time
// left rather than sent at once.
const spreadFraction = 10

// skewTolerance: when the server's Date differs from our clock by more than
// this, reset times are shifted onto our clock.
const skewTolerance = 2 * time.Second

type paceState struct {
	probed     bool // an answer (or a failure) came back for this endpoint
	known      bool // limit and remaining come from an answer
	resetKnown bool // reset is the window's announced end
	limit      int
	remaining  int
	reset      time.Time
	inflight   int
	next       time.Time     // earliest start of the next spread request
	changed    chan struct{} // closed and replaced on every update
}

type pacer struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	logf  func(format string, args ...any)

	mu  sync.Mutex
	eps map[string]*paceState
}

func newPacer(now func() time.Time, sleep func(context.Context, time.Duration) error, logf func(string, ...any)) *pacer {
	return &pacer{now: now, sleep: sleep, logf: logf, eps: map[string]*paceState{}}
}

func (p *pacer) state(key string) *paceState {
	st := p.eps[key]
	if st == nil {
		st = &paceState{changed: make(chan struct{})}
		p.eps[key] = st
	}
	return st
}

// plan decides, under p.mu, whether a request may start now. It returns 0
// and reserves a slot, or the time to wait; reserved is true when the slot
// is already taken (spreading) and the caller must go after sleeping d.
func (st *paceState) plan(now time.Time) (d time.Duration, reserved bool) {
	if !st.known || st.limit <= 0 {
		if !st.probed && st.inflight > 0 {
			// The first request to an endpoint goes alone: its answer tells
			// the quota before a concurrent burst could exceed it.
			return time.Second, false
		}
		st.inflight++
		return 0, true
	}
	if st.resetKnown && !now.Before(st.reset.Add(resetMargin)) {
		// The window is over: assume a full new one of unknown end.
		st.remaining, st.resetKnown, st.next = st.limit, false, time.Time{}
	}
	avail := st.remaining - st.inflight
	if avail <= 0 {
		if st.resetKnown {
			return st.reset.Add(resetMargin).Sub(now), false
		}
		if st.inflight == 0 {
			// Unknown end and nothing in flight (a 429 without rate-limit
			// headers or Retry-After): no answer will come to tell, so one
			// request goes as a probe; the caller's retry budget (attempts,
			// time, backoff with jitter) bounds how long this goes on.
			st.inflight++
			return 0, true
		}
		// Unknown end: the answer in flight will tell; poll meanwhile.
		return 250 * time.Millisecond, false
	}
	threshold := st.limit / spreadFraction
	if threshold < 1 {
		threshold = 1
	}
	if !st.resetKnown || avail > threshold {
		st.inflight++
		return 0, true
	}
	// The requests already given slots (counted in flight) hold the time up
	// to st.next: the avail left share what remains after it, else they
	// would be spaced too widely and spill past the reset.
	slot := now
	if st.next.After(slot) {
		slot = st.next
	}
	left := st.reset.Add(resetMargin).Sub(slot)
	if left <= 0 {
		st.inflight++
		return slot.Sub(now), true
	}
	st.next = slot.Add(left / time.Duration(avail))
	st.inflight++
	return slot.Sub(now), true
}

// wait blocks until a request to key may be sent, and counts it in flight.
// Every successful wait must be followed by done.
func (p *pacer) wait(ctx context.Context, key string) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		p.mu.Lock()
		st := p.state(key)
		d, reserved := st.plan(p.now())
		ch := st.changed
		remaining, inflight := st.remaining, st.inflight
		p.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if reserved {
			if p.logf != nil && d >= 10*time.Millisecond {
				p.logf("pacing %s: spreading the last of the quota, next request in %s", key, d.Round(time.Millisecond))
			}
			if err := p.sleep(ctx, d); err != nil {
				p.release(key)
				return err
			}
			return nil
		}
		if p.logf != nil {
			p.logf("pacing %s: quota used up (remaining %d, in flight %d), waiting up to %s", key,
				remaining, inflight, d.Round(time.Millisecond))
		}
		if err := p.sleepOrChange(ctx, d, ch); err != nil {
			return err
		}
	}
}

// sleepOrChange sleeps d, or less if the endpoint's state changes.
func (p *pacer) sleepOrChange(ctx context.Context, d time.Duration, ch <-chan struct{}) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-stop:
		}
	}()
	err := p.sleep(sctx, d)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

func (p *pacer) release(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.state(key)
	if st.inflight > 0 {
		st.inflight--
	}
	st.notify()
}

func (st *paceState) notify() {
	close(st.changed)
	st.changed = make(chan struct{})
}

// done records the answer (h nil when there was none) of a request that
// wait let through.
func (p *pacer) done(key string, h http.Header, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.state(key)
	if st.inflight > 0 {
		st.inflight--
	}
	st.probed = true
	defer st.notify()
	if h == nil {
		return
	}
	now := p.now()
	limit, okL := atoiHeader(h, "x-rate-limit-limit")
	remaining, okR := atoiHeader(h, "x-rate-limit-remaining")
	reset, okT := parseResetMillis(h.Get("x-rate-limit-reset"))
	if okT {
		if date, err := http.ParseTime(h.Get("Date")); err == nil {
			if skew := date.Sub(now); skew > skewTolerance || skew < -skewTolerance {
				reset = reset.Add(-skew)
			}
		}
	}
	if status == http.StatusTooManyRequests {
		okR, remaining = true, 0
		if !okT {
			if ra := retryAfter(h, 0, now); ra > 0 {
				reset, okT = now.Add(ra), true
			}
		}
	}
	if !okR {
		return
	}
	if okL && limit > 0 {
		st.limit = limit
	} else if st.limit < remaining {
		st.limit = remaining
	}
	switch {
	case !okT:
		st.remaining, st.known = remaining, true
	case !reset.After(now):
		// Stale: that window is already over.
	case !st.known || !st.resetKnown || reset.After(st.reset.Add(500*time.Millisecond)):
		// A new window.
		st.known, st.resetKnown, st.reset, st.remaining = true, true, reset, remaining
		st.next = time.Time{}
	case reset.Before(st.reset.Add(-500 * time.Millisecond)):
		// An answer from an older window arriving late: ignore.
	default:
		// The same window: the quota only shrinks within it.
		if remaining < st.remaining {
			st.remaining = remaining
		}
		if reset.After(st.reset) {
			st.reset = reset
		}
	}
}

func atoiHeader(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
