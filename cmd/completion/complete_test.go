package completion

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
)

func values(items []string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _, _ = strings.Cut(it, "\t")
	}
	return out
}

func TestStatic(t *testing.T) {
	tests := []struct {
		name       string
		fn         Func
		args       []string
		toComplete string
		want       []string
	}{
		{"formats", Formats, nil, "", []string{"table", "json", "yaml", "ndjson", "csv"}},
		{"formats prefix", Formats, nil, "j", []string{"json"}},
		{"device types", DeviceTypes, nil, "", []string{"ios", "android", "iot"}},
		{"order statuses", OrderStatuses, nil, "C", []string{"COMPLETED"}},
		{"countries upper", Countries, nil, "PT", []string{"PT"}},
		{"countries lower", Countries, nil, "p", []string{"pa", "pe", "pf", "pg", "ph", "pk", "pl", "pm", "pn", "pr", "ps", "pt", "pw", "py"}},
		{"currencies", Currencies, nil, "EU", []string{"EUR"}},
		{"currencies lower", Currencies, nil, "us", []string{"usd"}},
		{"profile set keys", profileSet, nil, "defaults.c", []string{"defaults.country", "defaults.currency"}},
		{"profile set country", profileSet, []string{"defaults.country"}, "G", []string{"GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY"}},
		{"profile set output", profileSet, []string{"defaults.output"}, "", []string{"table", "json", "yaml", "ndjson", "csv"}},
		{"profile set free value", profileSet, []string{"base-url"}, "", nil},
		{"first arg only", FirstArg(Formats), []string{"json"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dir := tt.fn(&cobra.Command{}, tt.args, tt.toComplete)
			if dir != cobra.ShellCompDirectiveNoFileComp {
				t.Errorf("directive %v, want NoFileComp", dir)
			}
			if g := values(got); !slices.Equal(g, tt.want) && !(len(g) == 0 && len(tt.want) == 0) {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
	got, _ := Countries(nil, nil, "PT")
	if !slices.Equal(got, []string{"PT\tPortugal"}) {
		t.Errorf("country description: %q", got)
	}
	got, _ = Currencies(nil, nil, "EUR")
	if !slices.Equal(got, []string{"EUR\tEuro"}) {
		t.Errorf("currency description: %q", got)
	}
}

func TestColumns(t *testing.T) {
	cmd := &cobra.Command{Annotations: map[string]string{factory.ColumnsAnnotation: "iccid,state,eid,matching-id"}}
	tests := []struct {
		toComplete string
		want       []string
	}{
		{"", []string{"iccid", "state", "eid", "matching-id"}},
		{"e", []string{"eid"}},
		{"iccid,", []string{"iccid,state", "iccid,eid", "iccid,matching-id"}},
		{"iccid,state,m", []string{"iccid,state,matching-id"}},
		{"iccid,x", nil},
	}
	for _, tt := range tests {
		got, dir := Columns(cmd, nil, tt.toComplete)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Columns(%q) = %q, want %q", tt.toComplete, got, tt.want)
		}
		if dir != cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace {
			t.Errorf("Columns(%q) directive %v, want NoFileComp|NoSpace", tt.toComplete, dir)
		}
	}
	if got, _ := Columns(&cobra.Command{}, nil, ""); len(got) != 0 {
		t.Errorf("a command without columns completes %q", got)
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }
func testCache(t *testing.T, c *clock) *Cache {
	return &Cache{Dir: filepath.Join(t.TempDir(), "completion"), TTL: time.Minute, MaxStale: time.Hour, FailTTL: 10 * time.Second, Now: c.Now}
}

func TestCacheFile(t *testing.T) {
	clk := newClock()
	c := testCache(t, clk)
	if _, ok := c.Load("sandbox", "products", "k"); ok {
		t.Fatal("empty cache answered")
	}
	if err := c.Store("sandbox", "products", Entry{Key: "k", Fetched: clk.Now(), Items: []string{"a\tA"}}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(c.Dir, "sandbox-products.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	e, ok := c.Load("sandbox", "products", "k")
	if !ok || !slices.Equal(e.Items, []string{"a\tA"}) || !c.Fresh(e) {
		t.Fatalf("Load = %+v, %v", e, ok)
	}
	if _, ok := c.Load("sandbox", "products", "other base URL"); ok {
		t.Error("an entry of another key answered")
	}
	if _, ok := c.Load("prod", "products", "k"); ok {
		t.Error("an entry of another profile answered")
	}
	if _, ok := c.Load("../x", "products", "k"); ok {
		t.Error("a bad profile name answered")
	}
	clk.Add(59 * time.Second)
	if !c.Fresh(e) {
		t.Error("stale after 59s")
	}
	clk.Add(time.Second)
	if c.Fresh(e) || !c.Usable(e) {
		t.Error("fresh after 60s, or unusable")
	}
	clk.Add(time.Hour)
	if c.Usable(e) {
		t.Error("usable past MaxStale")
	}
}

// api is a fake Connect API: a token endpoint and /v1/products, /v1/sim,
// /v1/order, with a switchable delay.
type api struct {
	srv      *httptest.Server
	requests atomic.Int32
	delay    atomic.Int64 // nanoseconds
	fail     atomic.Bool
}

func newAPI(t *testing.T) *api {
	a := &api{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/token" {
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "tok", "token_type": "bearer", "expires_in": 300})
			return
		}
		a.requests.Add(1)
		if d := time.Duration(a.delay.Load()); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		if a.fail.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"status":500,"messages":["boom"]}`))
			return
		}
		switch r.URL.Path {
		case "/v1/products":
			_, _ = w.Write([]byte(`[{"id":"qJ+qU2v/9vF=","name":"Europe 1GB 7 days"},{"id":"brXJ4U-lb_5=","name":"Europe\n5GB"}]`))
		case "/v1/sim":
			_, _ = w.Write([]byte(`[{"id":"8944478600001000018"},{"iccid":"8944478600001000026"}]`))
		case "/v1/order":
			_, _ = w.Write([]byte(`[{"id":"31b28374-3f18-4e1c-957c-3ebb5a7eab4b","status":"COMPLETED"}]`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// newCompleter returns a Completer whose factory talks to a, with a fake
// clock on its cache, and the buffer its stderr goes to.
func newCompleter(t *testing.T, a *api, clk *clock) (*Completer, *strings.Builder) {
	t.Setenv("CONNECTCTL_BASE_URL", a.srv.URL)
	t.Setenv("CONNECTCTL_TOKEN_URL", a.srv.URL+"/token")
	t.Setenv("CONNECTCTL_CLIENT_ID", "id")
	t.Setenv("CONNECTCTL_CLIENT_SECRET", "secret")
	f := factory.New()
	ios, _, _, _ := iostreams.Test()
	errOut := &strings.Builder{}
	ios.ErrOut = errOut
	f.IOStreams = ios
	f.Globals.ConfigFile = filepath.Join(t.TempDir(), "config.yaml")
	f.TokenCacheDir = t.TempDir()
	return &Completer{F: f, Timeout: 300 * time.Millisecond, Cache: testCache(t, clk)}, errOut
}

func TestFromAPI(t *testing.T) {
	a := newAPI(t)
	clk := newClock()
	c, errOut := newCompleter(t, a, clk)

	got, dir := c.Products(nil, nil, "")
	want := []string{"qJ+qU2v/9vF=\tEurope 1GB 7 days", "brXJ4U-lb_5=\tEurope 5GB"}
	if !slices.Equal(got, want) || dir != cobra.ShellCompDirectiveNoFileComp {
		t.Fatalf("Products = %q, %v; want %q", got, dir, want)
	}
	if got, _ := c.Products(nil, nil, "qJ"); !slices.Equal(got, want[:1]) {
		t.Errorf("Products(qJ) = %q", got)
	}
	if n := a.requests.Load(); n != 1 {
		t.Errorf("%d API requests, want 1 (the second from the cache)", n)
	}
	if got, _ := c.ICCIDs(nil, nil, ""); !slices.Equal(got, []string{"8944478600001000018", "8944478600001000026"}) {
		t.Errorf("ICCIDs = %q", got)
	}
	if got, _ := c.Orders(nil, nil, ""); !slices.Equal(got, []string{"31b28374-3f18-4e1c-957c-3ebb5a7eab4b\tCOMPLETED"}) {
		t.Errorf("Orders = %q", got)
	}

	// After a minute the API is asked again; when it fails, the stale list
	// stands in, and the API is left alone for FailTTL.
	clk.Add(61 * time.Second)
	a.fail.Store(true)
	before := a.requests.Load()
	if got, _ := c.Products(nil, nil, ""); !slices.Equal(got, want) {
		t.Errorf("with the API failing: %q, want the stale list", got)
	}
	if n := a.requests.Load() - before; n != 1 {
		t.Errorf("%d requests after the TTL, want 1 (no retries)", n)
	}
	if got, _ := c.Products(nil, nil, ""); !slices.Equal(got, want) {
		t.Errorf("during the backoff: %q, want the stale list", got)
	}
	if n := a.requests.Load() - before; n != 1 {
		t.Errorf("the API was asked again %d times during the backoff", n-1)
	}
	clk.Add(11 * time.Second)
	a.fail.Store(false)
	if got, _ := c.Products(nil, nil, ""); !slices.Equal(got, want) || a.requests.Load()-before != 2 {
		t.Errorf("after the backoff: %q, %d requests", got, a.requests.Load()-before)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr without --debug: %q", errOut.String())
	}
}

func TestFromAPISlow(t *testing.T) {
	a := newAPI(t)
	a.delay.Store(int64(5 * time.Second))
	clk := newClock()
	c, errOut := newCompleter(t, a, clk)
	start := time.Now()
	got, dir := c.Products(nil, nil, "")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v with a 300ms timeout", d)
	}
	if len(got) != 0 || dir != cobra.ShellCompDirectiveNoFileComp {
		t.Errorf("got %q, %v; want nothing, NoFileComp", got, dir)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr without --debug: %q", errOut.String())
	}
	// A cached list stands in for the slow API.
	a.delay.Store(0)
	clk.Add(time.Minute)
	if got, _ := c.Products(nil, nil, ""); len(got) != 2 {
		t.Fatalf("after the backoff, with a fast API: %q", got)
	}
	clk.Add(2 * time.Minute)
	a.delay.Store(int64(5 * time.Second))
	start = time.Now()
	if got, _ := c.Products(nil, nil, ""); len(got) != 2 || time.Since(start) > 2*time.Second {
		t.Errorf("slow API with a stale cache: %q in %v", got, time.Since(start))
	}
}

func TestFromAPIUnreachableDebug(t *testing.T) {
	a := newAPI(t)
	c, errOut := newCompleter(t, a, newClock())
	a.srv.Close()
	c.F.Globals.Debug = true
	if got, _ := c.Products(nil, nil, ""); len(got) != 0 {
		t.Errorf("got %q from a closed server", got)
	}
	if !strings.Contains(errOut.String(), "debug: completion: products:") {
		t.Errorf("--debug says nothing about the failure: %q", errOut.String())
	}
}

func TestFromAPIBadProfile(t *testing.T) {
	a := newAPI(t)
	c, errOut := newCompleter(t, a, newClock())
	c.F.Globals.Profile = "nosuch"
	if got, dir := c.Products(nil, nil, ""); len(got) != 0 || dir != cobra.ShellCompDirectiveNoFileComp {
		t.Errorf("got %q, %v", got, dir)
	}
	if a.requests.Load() != 0 || errOut.Len() != 0 {
		t.Errorf("%d requests, stderr %q", a.requests.Load(), errOut.String())
	}
}
