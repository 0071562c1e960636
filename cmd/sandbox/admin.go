package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/config"
)

// adminClient calls a sandbox's admin endpoints (/_sandbox/..., no
// authentication) at the base URL of the invocation's profile.
type adminClient struct {
	base  string
	http  *http.Client
	debug io.Writer
}

// adminError is a non-2xx answer of an admin endpoint; its status picks the
// exit code (404 exit 4, 400 exit 5).
type adminError struct {
	Status   int
	Type     string
	Messages []string
}

func (e *adminError) Error() string {
	msg := strings.Join(e.Messages, "; ")
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Type != "" {
		return fmt.Sprintf("the sandbox refused: %d %s: %s", e.Status, e.Type, msg)
	}
	return fmt.Sprintf("the sandbox refused: %d: %s", e.Status, msg)
}

// HTTPStatus gives cmdutil.ExitCodeFor the status.
func (e *adminError) HTTPStatus() int { return e.Status }

// newAdminClient resolves the profile's base URL and makes sure it is a
// sandbox before anything is sent to it: an https URL or the real API's host
// is refused outright (exit 2, nothing sent; the sandbox serves plain http),
// anything else must answer GET /_sandbox/health as a sandbox does (exit 2
// when it answers otherwise, 6 when nothing answers).
func newAdminClient(ctx context.Context, f *factory.Factory) (*adminClient, error) {
	file, err := f.Config()
	if err != nil {
		return nil, err
	}
	s, err := config.Resolve(file, config.ResolveOptions{Profile: f.Globals.Profile, ProfileSource: f.FlagSource("profile")})
	if err != nil {
		return nil, cmdutil.FlagErrorf("%v", err)
	}
	base := s.Profile.BaseURL
	u, err := url.Parse(base)
	if err != nil {
		return nil, cmdutil.FlagErrorf("profile %q base URL %q: %v", s.Profile.Name, base, err)
	}
	host := strings.ToLower(u.Hostname())
	if u.Scheme != "http" || host == "truphone.com" || strings.HasSuffix(host, ".truphone.com") {
		return nil, cmdutil.FlagErrorf("profile %q points at %s, which is not a sandbox: `connectctl sandbox` commands only talk to a `connectctl sandbox serve` (plain http); use --profile sandbox, or point CONNECTCTL_BASE_URL at the sandbox's URL", s.Profile.Name, base)
	}
	c := &adminClient{base: base, http: &http.Client{Timeout: f.Globals.Timeout}}
	if f.Globals.Debug {
		c.debug = f.IOStreams.ErrOut
	}
	var health struct {
		OK bool `json:"ok"`
	}
	status, body, err := c.send(ctx, http.MethodGet, "/_sandbox/health", nil)
	if err != nil {
		return nil, &cmdutil.ExitError{Code: cmdutil.ExitServer, Err: fmt.Errorf(
			"no sandbox answers at %s (profile %q): %v; start one with `connectctl sandbox serve`, or point CONNECTCTL_BASE_URL at it", base, s.Profile.Name, err)}
	}
	if status != http.StatusOK || json.Unmarshal(body, &health) != nil || !health.OK {
		return nil, cmdutil.FlagErrorf("profile %q points at %s, which is not a connectctl sandbox (GET /_sandbox/health answered %d): nothing was changed", s.Profile.Name, base, status)
	}
	return c, nil
}

// send makes one request and returns the status and the body.
func (c *adminClient) send(ctx context.Context, method, path string, in any) (int, []byte, error) {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		if c.debug != nil {
			fmt.Fprintf(c.debug, "debug: %s %s: %v\n", method, req.URL, err)
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if c.debug != nil {
		fmt.Fprintf(c.debug, "debug: %s %s -> %d (%s)\n", method, req.URL, resp.StatusCode, time.Since(start).Round(time.Millisecond))
	}
	return resp.StatusCode, body, err
}

// call makes one admin request and decodes a 2xx answer into out; any other
// answer is an adminError, a transport failure exit 6.
func (c *adminClient) call(ctx context.Context, method, path string, in, out any) error {
	status, body, err := c.send(ctx, method, path, in)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &cmdutil.ExitError{Code: cmdutil.ExitServer, Err: fmt.Errorf("%s %s: %w", method, path, err)}
	}
	if status/100 != 2 {
		var v1 struct { // the sandbox's admin errors are v1 {"type", "messages"}
			Type     string   `json:"type"`
			Messages []string `json:"messages"`
		}
		_ = json.Unmarshal(body, &v1)
		return &adminError{Status: status, Type: v1.Type, Messages: v1.Messages}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: unexpected answer: %w", method, path, err)
	}
	return nil
}
