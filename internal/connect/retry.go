package connect

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// fullJitter draws a delay uniformly in [0, max].
func fullJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max) + 1))
}

// backoff is exponential with full jitter: uniform in
// [0, min(MaxDelay, BaseDelay·2^(attempt-1))].
func (c *Client) backoff(attempt int) time.Duration {
	ceil := c.retry.BaseDelay
	for i := 1; i < attempt && ceil < c.retry.MaxDelay; i++ {
		ceil *= 2
	}
	if ceil > c.retry.MaxDelay {
		ceil = c.retry.MaxDelay
	}
	return c.jitter(ceil)
}

// retryAfter reads how long the server asks us to wait: Retry-After (delay
// seconds or an HTTP date), else on a 429 x-rate-limit-reset (milliseconds
// since the epoch when the window ends). 0 when neither says.
func retryAfter(h http.Header, status int, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			if secs < 0 {
				return 0
			}
			return time.Duration(secs * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := t.Sub(now); d > 0 {
				return d
			}
			return 0
		}
	}
	if status == http.StatusTooManyRequests {
		if reset, ok := parseResetMillis(h.Get("x-rate-limit-reset")); ok {
			if d := reset.Sub(now); d > 0 {
				return d + resetMargin
			}
		}
	}
	return 0
}

// resetMargin is added to a window's announced end: the header has
// millisecond resolution and the two clocks are not the same clock.
const resetMargin = 50 * time.Millisecond

func parseResetMillis(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

// retryableTransport reports whether a failure without an answer is worth
// another try for a request that is safe to repeat: dial failures, resets,
// EOF, timeouts.
func retryableTransport(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, target := range []error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET, syscall.ECONNREFUSED,
		syscall.ECONNABORTED, syscall.EPIPE, context.DeadlineExceeded} {
		if errors.Is(err, target) {
			return true
		}
	}
	s := err.Error()
	for _, frag := range []string{"connection reset", "broken pipe", "server closed", "connection refused", "EOF"} {
		if strings.Contains(s, frag) {
			return true
		}
	}
	return false
}

func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
