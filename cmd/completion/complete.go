// Package completion gives connectctl's flags and arguments their dynamic
// shell completion: static lists (output formats, countries, currencies,
// device and notification types, order statuses, --columns names, profile
// names) and lists fetched from the API of the chosen profile (product ids,
// ICCIDs, order ids).
//
// Completion runs inside `connectctl __complete`, on every TAB: it never
// prompts, never writes to stdout outside Cobra's protocol and writes to
// stderr only with --debug. An API lookup has a short overall deadline, one
// attempt and a keyring timeout to match, and its answer is cached for a
// minute in the user cache dir; when the API fails or is slow, completion
// offers what the cache holds, or nothing.
package completion

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/credentials"
)

// Defaults of API-backed completion.
const (
	// DefaultTimeout bounds one API-backed completion: credentials, token
	// and request together.
	DefaultTimeout = 2 * time.Second
	// DefaultTTL is how long a fetched list is served from the cache.
	DefaultTTL = time.Minute
	// DefaultMaxStale is how old a cached list may be and still stand in
	// for an API that failed.
	DefaultMaxStale = 24 * time.Hour
	// DefaultFailTTL is how long a failed lookup keeps completion from
	// asking the API again.
	DefaultFailTTL = 10 * time.Second
	// MaxItems caps the ICCIDs and order ids offered.
	MaxItems = 200
)

// Completer holds what API-backed completion needs.
type Completer struct {
	F       *factory.Factory
	Cache   *Cache
	Timeout time.Duration

	prepared bool
	clientMu sync.Mutex // a lookup left behind by its deadline may still be building the client
}

// New returns a Completer with the default timeout and cache.
func New(f *factory.Factory) *Completer {
	c := &Completer{F: f, Timeout: DefaultTimeout, Cache: &Cache{TTL: DefaultTTL, MaxStale: DefaultMaxStale, FailTTL: DefaultFailTTL}}
	if dir, err := DefaultCacheDir(); err == nil {
		c.Cache.Dir = dir
	}
	return c
}

// noFiles is the directive of every completion here: none completes a path.
const noFiles = cobra.ShellCompDirectiveNoFileComp

// Func is a completion function as Cobra calls it.
type Func = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

// --- static lists ---

// Values completes a fixed list, keeping the entries that start with what
// was typed. An entry may carry a description after a tab.
func Values(values ...string) Func {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return filterPrefix(values, toComplete), noFiles
	}
}

// FirstArg applies fn to the first positional argument only.
func FirstArg(fn Func) Func {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noFiles
		}
		return fn(cmd, args, toComplete)
	}
}

// filterPrefix keeps the items (value, or value\tdescription) whose value
// starts with prefix.
func filterPrefix(items []string, prefix string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		v, _, _ := strings.Cut(it, "\t")
		if strings.HasPrefix(v, prefix) {
			out = append(out, it)
		}
	}
	return out
}

// Codes completes upper-case codes (countries, currencies) with their
// names as descriptions; typed in lower case, the codes come in lower case,
// which the commands accept as well.
func Codes(list func() []string, name func(string) string) Func {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		codes := list()
		lower := toComplete != "" && toComplete == strings.ToLower(toComplete) && toComplete != strings.ToUpper(toComplete)
		out := make([]string, 0, len(codes))
		for _, c := range codes {
			v := c
			if lower {
				v = strings.ToLower(c)
			}
			if !strings.HasPrefix(v, toComplete) {
				continue
			}
			if n := name(c); n != "" {
				v += "\t" + n
			}
			out = append(out, v)
		}
		return out, noFiles
	}
}

// Columns completes the global --columns flag from the command's columns
// annotation (factory.SetColumns). The value is a comma-separated list: the
// part after the last comma is completed, what comes before is kept, names
// already given are left out, and no space follows so another name can be
// added.
func Columns(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	names := strings.Split(cmd.Annotations[factory.ColumnsAnnotation], ",")
	done, part := "", toComplete
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		done, part = toComplete[:i+1], toComplete[i+1:]
	}
	given := strings.Split(strings.TrimSuffix(done, ","), ",")
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || !strings.HasPrefix(n, part) || slices.Contains(given, n) {
			continue
		}
		out = append(out, done+n)
	}
	return out, noFiles | cobra.ShellCompDirectiveNoSpace
}

// Profiles completes profile names, built-in and from the config file, each
// described by its base URL.
func (c *Completer) Profiles(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	c.prepare(cmd) // --config and CONNECTCTL_CONFIG
	file, err := c.F.Config()
	if err != nil {
		c.debugf("profiles: %v", err)
		return nil, noFiles
	}
	var out []string
	for _, n := range file.Names() {
		if !strings.HasPrefix(n, toComplete) {
			continue
		}
		if p, ok := file.Profile(n); ok && p.BaseURL != "" {
			n += "\t" + p.BaseURL
		}
		out = append(out, n)
	}
	return out, noFiles
}

// --- API-backed lists ---

// kind is one API-backed list: its cache file's name and how to fetch it.
type kind struct {
	name  string
	fetch func(ctx context.Context, cl *connect.Client) ([]string, error)
}

var (
	productKind = kind{name: "products", fetch: func(ctx context.Context, cl *connect.Client) ([]string, error) {
		prods, err := cl.ListProducts(ctx, connect.ProductsQuery{})
		if err != nil {
			return nil, err
		}
		out := make([]string, 0, len(prods))
		for _, p := range prods {
			out = append(out, item(p.ID, p.Name))
		}
		return out, nil
	}}
	simKind = kind{name: "sims", fetch: func(ctx context.Context, cl *connect.Client) ([]string, error) {
		// The list holds ICCIDs only; a SIM's state would cost a request
		// per SIM.
		var out []string
		for s, err := range cl.ListSIMs(ctx) {
			if err != nil {
				return nil, err
			}
			if out = append(out, item(s.ID, "")); len(out) >= MaxItems {
				break
			}
		}
		return out, nil
	}}
	orderKind = kind{name: "orders", fetch: func(ctx context.Context, cl *connect.Client) ([]string, error) {
		var out []string
		for o, err := range cl.ListOrders(ctx, connect.OrdersQuery{}) {
			if err != nil {
				return nil, err
			}
			if out = append(out, item(o.ID, o.Status)); len(out) >= MaxItems {
				break
			}
		}
		return out, nil
	}}
)

// item is a completion entry: the value, a tab and a one-line description.
func item(value, desc string) string {
	desc = strings.Join(strings.Fields(desc), " ")
	if desc == "" {
		return value
	}
	return value + "\t" + desc
}

// Products completes product ids, described by the product's name.
func (c *Completer) Products(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return c.fromAPI(cmd, productKind, toComplete)
}

// ICCIDs completes the ICCIDs of the SIMs the profile's account bought.
func (c *Completer) ICCIDs(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return c.fromAPI(cmd, simKind, toComplete)
}

// Orders completes order ids, described by the order's status.
func (c *Completer) Orders(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return c.fromAPI(cmd, orderKind, toComplete)
}

// prepare readies the factory for completion, once: the CONNECTCTL_*
// environment applied over the flags Cobra parsed (the root's pre-run hook
// skips __complete), stderr silenced unless --debug, short timeouts, one
// attempt per request.
func (c *Completer) prepare(cmd *cobra.Command) {
	if c.prepared {
		return
	}
	c.prepared = true
	f := c.F
	if cmd != nil {
		_ = f.ApplyEnvironment(cmd)
	}
	if !f.Globals.Debug {
		// Settings' warnings and anything else meant for a person.
		f.IOStreams.ErrOut = io.Discard
	}
	if f.Globals.Timeout <= 0 || f.Globals.Timeout > c.Timeout {
		f.Globals.Timeout = c.Timeout
	}
	f.Retry = connect.RetryPolicy{MaxAttempts: 1, MaxElapsed: c.Timeout}
	if f.Keyring == nil {
		// A keyring that wants unlocking is given up on quickly: a TAB
		// press is no time to wait for one.
		f.Keyring = credentials.NewKeyring(min(c.Timeout/2, 500*time.Millisecond))
	}
}

// cacheKey names the profile and the endpoint and client id its lists come
// from, resolved without the keyring.
func (c *Completer) cacheKey() (profile, key string, err error) {
	file, err := c.F.Config()
	if err != nil {
		return "", "", err
	}
	s, err := config.Resolve(file, config.ResolveOptions{Profile: c.F.Globals.Profile, ProfileSource: c.F.FlagSource("profile")})
	if err != nil {
		return "", "", err
	}
	return s.Profile.Name, s.Profile.BaseURL + " " + s.ClientID, nil
}

type fetched struct {
	items []string
	err   error
}

// fromAPI returns kind's list for the chosen profile: from the cache while
// fresh, else from the API under the deadline (and then cached), else
// whatever the cache still has, else nothing. It never reports an error.
func (c *Completer) fromAPI(cmd *cobra.Command, k kind, toComplete string) ([]string, cobra.ShellCompDirective) {
	c.prepare(cmd)
	start := time.Now()
	profile, key, err := c.cacheKey()
	if err != nil {
		c.debugf("%s: %v", k.name, err)
		return nil, noFiles
	}
	e, cached := c.Cache.Load(profile, k.name, key)
	stale := func(why string) ([]string, cobra.ShellCompDirective) {
		if cached && c.Cache.Usable(e) {
			c.debugf("%s: %s; %d from the cache of profile %s, fetched %s", k.name, why, len(e.Items), profile, e.Fetched.Format(time.RFC3339))
			return filterPrefix(e.Items, toComplete), noFiles
		}
		c.debugf("%s: %s", k.name, why)
		return nil, noFiles
	}
	switch {
	case cached && c.Cache.Fresh(e):
		c.debugf("%s: %d from the cache of profile %s", k.name, len(e.Items), profile)
		return filterPrefix(e.Items, toComplete), noFiles
	case cached && c.Cache.Backoff(e):
		return stale("the API failed at " + e.Failed.Format(time.RFC3339) + ", not asked again yet")
	}

	parent := context.Background()
	if cmd != nil && cmd.Context() != nil {
		parent = cmd.Context()
	}
	ctx, cancel := context.WithTimeout(parent, c.Timeout)
	defer cancel()
	// The lookup runs aside so that nothing in it (a keyring, a token
	// request, a stalled connection) can hold the shell past the deadline.
	done := make(chan fetched, 1)
	go func() {
		c.clientMu.Lock()
		cl, err := c.F.Client()
		c.clientMu.Unlock()
		if err != nil {
			done <- fetched{err: err}
			return
		}
		items, err := k.fetch(ctx, cl)
		done <- fetched{items: items, err: err}
	}()
	select {
	case r := <-done:
		err = r.err
		if err == nil {
			c.store(profile, k.name, Entry{Key: key, Fetched: c.Cache.now().UTC(), Items: r.items})
			c.debugf("%s: %d from the API of profile %s in %v", k.name, len(r.items), profile, time.Since(start).Round(time.Millisecond))
			return filterPrefix(r.items, toComplete), noFiles
		}
	case <-ctx.Done():
		err = fmt.Errorf("no answer within %v", c.Timeout)
	}
	if parent.Err() == nil { // not interrupted: remember the failure
		if !cached {
			e = Entry{Key: key}
		}
		e.Failed = c.Cache.now().UTC()
		c.store(profile, k.name, e)
	}
	return stale(err.Error())
}

func (c *Completer) store(profile, kind string, e Entry) {
	if err := c.Cache.Store(profile, kind, e); err != nil {
		c.debugf("%s: cache: %v", kind, err)
	}
}

func (c *Completer) debugf(format string, args ...any) {
	if c.F.Globals.Debug {
		fmt.Fprintf(c.F.IOStreams.ErrOut, "debug: completion: "+format+"\n", args...)
	}
}
