package sandbox

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCatalogue(t *testing.T) {
	if len(catalogue.Get()) < 13 {
		t.Fatalf("%d products", len(catalogue.Get()))
	}
	var slashPlus, dash, underscore bool
	regions := map[string]bool{}
	seen := map[string]bool{}
	for _, p := range catalogue.Get() {
		if seen[p.ID] {
			t.Fatalf("duplicate id %s", p.ID)
		}
		seen[p.ID] = true
		slashPlus = slashPlus || (strings.Contains(p.ID, "/") && strings.Contains(p.ID, "+"))
		dash = dash || strings.Contains(p.ID, "-")
		underscore = underscore || strings.Contains(p.ID, "_")
		regions[p.Region] = true
		if p.Pricing["EUR"] == "" || p.Period < 1 || p.Period > 365 || p.bytes() < 100<<20 || p.bytes() > 50<<30 {
			t.Fatalf("product %+v", p)
		}
		for c := range p.Pricing {
			if !supportedCurrency(c) {
				t.Fatalf("%s priced in unsupported %s", p.Name, c)
			}
			if dec := currencyDecimals(c); strings.Contains(p.Pricing[c], ".") && len(strings.SplitN(p.Pricing[c], ".", 2)[1]) > dec {
				t.Fatalf("%s: %s %s has too many decimals", p.Name, p.Pricing[c], c)
			}
		}
		for _, c := range append(append([]string{}, p.Footprint...), p.ActiveCountries...) {
			if c != "ALL" && !countries.Get()[c] {
				t.Fatalf("%s: country %s", p.Name, c)
			}
		}
	}
	if !slashPlus || !dash || !underscore || productByID(FailProductID) == nil || len(regions) < 8 {
		t.Fatal("catalogue lacks an id form, the fail product or regions")
	}
	if len(countries.Get()) != 249 || countries.Get()["UK"] || !countries.Get()["GB"] {
		t.Fatalf("%d countries", len(countries.Get()))
	}
	if len(eurRates.Get()) != 82 {
		t.Fatalf("%d currencies", len(eurRates.Get()))
	}
}

func TestProducts(t *testing.T) {
	e := newEnv(t, nil)
	list := e.get("/v1/products").arr(t)
	if len(list) != len(catalogue.Get()) {
		t.Fatalf("%d products", len(list))
	}
	units := map[string]bool{}
	for i, p := range list {
		data := p["data"].(map[string]any)
		key := "unit"
		if i%2 == 1 {
			key = "units"
		}
		if data[key] == nil || data["value"] == nil {
			t.Fatalf("product %d data %v", i, data)
		}
		units[key] = true
		if p["period_unit"] != "DAYS" || p["id"] == "" || len(p["pricing"].(map[string]any)) == 0 {
			t.Fatalf("product %v", p)
		}
	}
	// A currency narrows and converts the pricing.
	usd := e.get("/v1/products?currency=USD").arr(t)
	if pr := usd[0]["pricing"].(map[string]any); len(pr) != 1 || pr["USD"] != 5.49 {
		t.Fatalf("USD pricing %v", pr)
	}
	jpy := e.get("/v1/products?currency=KRW").arr(t)
	if pr := jpy[0]["pricing"].(map[string]any); pr["KRW"] != float64(7385) {
		t.Fatalf("converted KRW pricing %v", pr)
	}
	for _, q := range []string{"currency=XYZ", "currency=usd"} {
		r := e.get("/v1/products?" + q)
		if r.status != 400 || v1Type(t, r) != "INVALID_REQUEST_PARAMS" {
			t.Fatalf("%s: %d", q, r.status)
		}
	}
	if n := len(e.get("/v1/products?plan_id=1GLOBAL-PARTNER").arr(t)); n != 2 {
		t.Fatalf("plan filter: %d", n)
	}
	if r := e.get("/v1/products?plan_id=nope"); string(r.body) != "[]\n" {
		t.Fatalf("unknown plan: %s", r.body)
	}

	// Every id, including those holding "/", "+" and "=", works as one
	// escaped path segment.
	for _, p := range catalogue.Get() {
		r := e.get("/v1/products/" + url.PathEscape(p.ID) + "?currency=EUR")
		e.mustStatus(r, 200)
		if m := r.obj(t); m["id"] != p.ID || len(m["pricing"].(map[string]any)) != 1 {
			t.Fatalf("GET %s: %v", p.ID, m)
		}
	}
	if !strings.Contains(url.PathEscape(pEurope1.ID), "%2F") {
		t.Fatal("test product id has no slash")
	}
	r := e.get("/v1/products/" + pEurope1.ID) // unescaped: two segments
	if r.status != 404 {
		t.Fatalf("unescaped slash: %d", r.status)
	}
	r = e.get("/v1/products/nope")
	if r.status != 404 || v1Type(t, r) != "NOT_FOUND" {
		t.Fatalf("unknown product: %d %s", r.status, r.body)
	}
}

func TestIdentifiers(t *testing.T) {
	for _, ok := range []string{"8944478600000205337", "79927398713"} {
		if !luhnValid(ok) {
			t.Errorf("%s should be Luhn-valid", ok)
		}
	}
	for _, bad := range []string{"8944474600000109299", "", "12a4"} {
		if luhnValid(bad) {
			t.Errorf("%s should not be Luhn-valid", bad)
		}
	}
	if !validEID("89049032004008882600019002594762") {
		t.Error("the documents' EID should be valid")
	}
	for _, bad := range []string{"89049032004008882600019002594763", "8904903200400888260001900259476", "8904903200400888260001900259476x"} {
		if validEID(bad) {
			t.Errorf("EID %s should be invalid", bad)
		}
	}
	for i := range 200 {
		eid := makeEID(fmt.Sprintf("89049032%022d", i*7919))
		if !validEID(eid) {
			t.Fatalf("makeEID %s", eid)
		}
	}
	g := idGen{seed: 7}
	seen := map[string]bool{}
	for seq := int64(1); seq <= 2000; seq++ {
		iccid := iccidFor(seq)
		if len(iccid) != 19 || !strings.HasPrefix(iccid, "894447") || !luhnValid(iccid) || seen[iccid] {
			t.Fatalf("iccid %s", iccid)
		}
		seen[iccid] = true
		if m := g.matchingID(seq); !matchingIDRe.Get().MatchString(m) {
			t.Fatalf("matching id %s", m)
		}
		if s := g.subscriptionID(seq); len(s) != 44 || !strings.HasSuffix(s, "=") {
			t.Fatalf("subscription id %s", s)
		}
	}
	if g.uuid("order", 1) != (idGen{seed: 7}).uuid("order", 1) || g.uuid("order", 1) == g.uuid("order", 2) {
		t.Fatal("ids are not deterministic and distinct")
	}
}

// A list of 10,000 SIMs paged 40 at a time must stay fast.
func TestLargeSIMList(t *testing.T) {
	if testing.Short() {
		t.Skip("large list")
	}
	e := newEnv(t, nil)
	e.bulkSIMs("", 10000)
	start := time.Now()
	n, pages := 0, 0
	for page := 1; ; page++ {
		items := e.get(fmt.Sprintf("/v1/sim?page=%d&size=40", page)).arr(t)
		n += len(items)
		pages++
		if len(items) < 40 {
			break
		}
	}
	if n != 10000 || pages != 251 {
		t.Fatalf("%d SIMs in %d pages", n, pages)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("paging 10,000 SIMs took %v", d)
	}
	// The cursor walk too.
	next, n := "/v1/sim?limit=40", 0
	for next != "" {
		var p struct {
			Embedded map[string][]any             `json:"_embedded"`
			Links    map[string]map[string]string `json:"_links"`
		}
		e.get(next).json(t, &p)
		n += len(p.Embedded["sims"])
		next = p.Links["next"]["href"]
	}
	if n != 10000 {
		t.Fatalf("cursor walk saw %d SIMs", n)
	}
}

func BenchmarkSIMPage(b *testing.B) {
	clock := newClock()
	srv, err := New(testConfig(clock))
	if err != nil {
		b.Fatal(err)
	}
	s := srv
	s.mu.Lock()
	for range 10000 {
		s.newSIM(BuiltinClientID, clock.Now())
	}
	s.mu.Unlock()
	c := &call{client: s.clients[BuiltinClientID]}
	p := paging{page: 200, size: 40}
	b.ResetTimer()
	for range b.N {
		s.mu.Lock()
		page, _ := pageOf(s.st.clientSIMs[c.client.ID], p)
		for _, sm := range page {
			_ = simItem(sm)
		}
		s.mu.Unlock()
	}
}

// BenchmarkStateCommit measures one state file write with 10,000 SIMs and
// 1,000 completed orders.
func BenchmarkStateCommit(b *testing.B) {
	clock := newClock()
	cfg := testConfig(clock)
	cfg.StateFile = filepath.Join(b.TempDir(), "state.json")
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	s.mu.Lock()
	for range 10000 {
		s.newSIM(BuiltinClientID, clock.Now())
	}
	for range 1000 {
		seq := s.st.next("order")
		s.st.addOrder(&orderRec{Seq: seq, ID: s.ids.uuid("order", seq), Client: BuiltinClientID, Created: clock.Now(),
			Due: clock.Now(), Op: "NEW_ESIM", Email: "a@example.com", Subs: []orderSub{{ProductID: pPT.ID}, {ProductID: pPT.ID}}})
	}
	s.advance(clock.Now())
	s.mu.Unlock()
	b.ResetTimer()
	for range b.N {
		s.mu.Lock()
		s.changed()
		s.mu.Unlock()
		if err := s.commit(); err != nil {
			b.Fatal(err)
		}
	}
}
