package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func (e *env) bulkSIMs(client string, n int) []string {
	e.t.Helper()
	r := e.admin("POST", "/_sandbox/sims", map[string]any{"client_id": client, "count": n})
	e.mustStatus(r, 201)
	var out struct {
		ICCIDs []string `json:"iccids"`
	}
	r.json(e.t, &out)
	if len(out.ICCIDs) != n {
		e.t.Fatalf("bulk made %d SIMs", len(out.ICCIDs))
	}
	return out.ICCIDs
}

func TestSIMQuirks(t *testing.T) {
	e := newEnv(t, nil)
	iccids := e.bulkSIMs("", 9)
	lpas := map[string]bool{}
	spellings := map[string]bool{}
	for _, iccid := range iccids {
		if !luhnValid(iccid) || len(iccid) != 19 || !strings.HasPrefix(iccid, "894447") {
			t.Fatalf("iccid %s", iccid)
		}
		m := e.get("/v1/sim/" + iccid).obj(t)
		even := (iccid[18]-'0')%2 == 0
		mid, status := "matchingId", "profileStatus"
		if even {
			mid, status = "matching_id", "status"
		}
		if m[mid] == nil || m[status] != "Released" || m["iccid"] != iccid || m["last_modified"] == nil {
			t.Fatalf("SIM %s (even %v): %v", iccid, even, m)
		}
		spellings[mid] = true
		lpa := m["lpa_url"].(string)
		switch {
		case strings.HasPrefix(lpa, "LPA:1$%rsp.truphone.com$%"):
			lpas["percent"] = true
		case strings.HasPrefix(lpa, "LPA:1$rsp.truphone.com$"):
			lpas["lpa"] = true
		case strings.HasPrefix(lpa, "1$rsp.truphone.com$"):
			lpas["bare"] = true
		default:
			t.Fatalf("lpa_url %q", lpa)
		}
		if !strings.HasSuffix(lpa, m[mid].(string)) {
			t.Fatalf("lpa %q does not end with the matching id", lpa)
		}
	}
	if len(lpas) != 3 || len(spellings) != 2 {
		t.Fatalf("spellings seen: %v %v", lpas, spellings)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t, nil)
	iccids := e.bulkSIMs("", 95)

	t.Run("page and size", func(t *testing.T) {
		var got []string
		sizes := []int{}
		for page := 1; ; page++ {
			items := e.get("/v1/sim?size=40&page=" + strconv.Itoa(page)).arr(t)
			sizes = append(sizes, len(items))
			for _, it := range items {
				if it["url"] != "/v1/sim/"+it["id"].(string) {
					t.Fatalf("item %v", it)
				}
				got = append(got, it["id"].(string))
			}
			if len(items) < 40 {
				break
			}
		}
		if strings.Join(got, ",") != strings.Join(iccids, ",") || len(sizes) != 3 || sizes[2] != 15 {
			t.Fatalf("pages %v", sizes)
		}
		// Defaults are page 1, size 40; a page past the end is empty.
		if n := len(e.get("/v1/sim").arr(t)); n != 40 {
			t.Fatalf("default page %d", n)
		}
		if r := e.get("/v1/sim?page=9"); string(r.body) != "[]\n" {
			t.Fatalf("empty page %q", r.body)
		}
		for _, q := range []string{"size=41", "size=0", "page=0", "size=x", "limit=41", "limit=0", "cursor=nonsense"} {
			r := e.get("/v1/sim?" + q)
			if r.status != 400 || v1Type(t, r) != "INVALID_REQUEST_PARAMS" {
				t.Fatalf("%s: %d %s", q, r.status, r.body)
			}
		}
		// An exactly full last page is followed by an empty one.
		e2 := newEnv(t, nil)
		e2.bulkSIMs("", 40)
		if n := len(e2.get("/v1/sim?page=1&size=40").arr(t)); n != 40 {
			t.Fatal(n)
		}
		if n := len(e2.get("/v1/sim?page=2&size=40").arr(t)); n != 0 {
			t.Fatal(n)
		}
	})

	t.Run("HAL cursor", func(t *testing.T) {
		type halPage struct {
			Embedded map[string][]map[string]any `json:"_embedded"`
			Links    map[string]struct {
				Href string `json:"href"`
			} `json:"_links"`
		}
		var got []string
		next := "/v1/sim?limit=40"
		var pages []halPage
		for next != "" {
			var p halPage
			e.get(next).json(t, &p)
			pages = append(pages, p)
			for _, it := range p.Embedded["sims"] {
				got = append(got, it["id"].(string))
			}
			next = p.Links["next"].Href
			if next != "" && (!strings.HasPrefix(next, e.ts.URL+"/v1/sim?") || !strings.Contains(next, "cursor=") || !strings.Contains(next, "limit=40")) {
				t.Fatalf("next link %q", next)
			}
			if p.Links["self"].Href == "" {
				t.Fatal("no self link")
			}
		}
		if strings.Join(got, ",") != strings.Join(iccids, ",") || len(pages) != 3 {
			t.Fatalf("HAL walk got %d items in %d pages", len(got), len(pages))
		}
		if _, ok := pages[0].Links["prev"]; ok {
			t.Fatal("first page has prev")
		}
		// prev of the last page is the middle page.
		var prev halPage
		e.get(pages[2].Links["prev"].Href).json(t, &prev)
		if len(prev.Embedded["sims"]) != 40 || prev.Embedded["sims"][0]["id"] != iccids[40] {
			t.Fatalf("prev page starts %v", prev.Embedded["sims"][0])
		}
		// An empty list still has the _embedded key.
		e2 := newEnv(t, nil)
		var empty halPage
		r := e2.get("/v1/sim?limit=10")
		r.json(t, &empty)
		if list, ok := empty.Embedded["sims"]; !ok || len(list) != 0 || empty.Links["next"].Href != "" {
			t.Fatalf("empty HAL page %s", r.body)
		}
		// Orders and subscriptions speak it too.
		e2.buy(e2.tok, "h@example.com", pPT.ID, pPT.ID, pPT.ID)
		var op, sp halPage
		e2.get("/v1/order?limit=5").json(t, &op)
		e2.get("/v1/subscription?limit=2").json(t, &sp)
		if len(op.Embedded["orders"]) != 1 || len(sp.Embedded["subscriptions"]) != 2 || sp.Links["next"].Href == "" {
			t.Fatalf("orders %v subscriptions %v", op, sp)
		}
	})

	t.Run("X-Next-Page", func(t *testing.T) {
		e := newEnv(t, nil)
		for range 3 {
			e.buy(e.tok, "x@example.com", manyIDs(pPT.ID, 15)...)
		}
		var total, pages int
		next := "/v1/subscription?size=20&email=x%40example.com"
		prevSeen := false
		for next != "" {
			r := e.get(next)
			e.mustStatus(r, 200)
			total += len(r.arr(t))
			pages++
			prevSeen = prevSeen || r.header.Get("X-Previous-Page") != ""
			next = r.header.Get("X-Next-Page")
			if next != "" && (!strings.HasPrefix(next, "http://") || !strings.Contains(next, "email=x%40example.com")) {
				t.Fatalf("X-Next-Page %q", next)
			}
		}
		if total != 45 || pages != 3 || !prevSeen {
			t.Fatalf("walked %d subscriptions in %d pages", total, pages)
		}
		if r := e.get("/v1/subscription?page=1&size=40"); r.header.Get("X-Previous-Page") != "" || r.header.Get("X-Next-Page") == "" {
			t.Fatalf("first page headers %v", r.header)
		}
	})
}

func TestSubscriptionFilters(t *testing.T) {
	e := newEnv(t, nil)
	a := e.buy(e.tok, "a@example.com", pPT.ID, pEurope1.ID)
	e.advance(time.Hour)
	b := e.buy(e.tok, "B@example.com", pEurope1.ID)
	mid := e.clock.Now().Add(-time.Minute).Format(time.RFC3339)
	count := func(q string) int {
		r := e.get("/v1/subscription?" + q)
		e.mustStatus(r, 200)
		return len(r.arr(t))
	}
	for q, want := range map[string]int{
		"":                             3,
		"email=b%40example.com":        1,
		"iccid=" + a["iccid"].(string): 2,
		"iccid=" + b["iccid"].(string): 1,
		"product-id=" + url.QueryEscape(pEurope1.ID): 2,
		"after=" + url.QueryEscape(mid):              1,
		"before=" + url.QueryEscape(mid):             2,
	} {
		if got := count(q); got != want {
			t.Errorf("%q: %d, want %d", q, got, want)
		}
	}
	e.mustStatus(e.get("/v1/subscription?after=monday"), 400)
}

func TestOwnership(t *testing.T) {
	e := newEnv(t, nil)
	out := e.buy(e.tok, "mine@example.com", pEurope1.ID)
	iccid, sid := out["iccid"].(string), out["subscription_id"].(string)
	orders := e.get("/v1/order").arr(t)
	other := e.token(otherID, otherSec)
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/sim/" + iccid},
		{"PUT", "/v1/sim/" + iccid},
		{"DELETE", "/v1/sim/" + iccid},
		{"GET", "/v1/sim/" + iccid + "/subscriptions"},
		{"GET", "/v1/sim/" + iccid + "/preferences"},
		{"POST", "/v1/sim/" + iccid + "/preferences/notifications/USAGE_THRESHOLD"},
		{"GET", "/v1/order/" + orders[0]["id"].(string)},
		{"GET", "/v1/subscription/" + url.PathEscape(sid)},
		{"POST", "/v1/subscription/" + url.PathEscape(sid) + "/activate"},
	} {
		var body any
		if c.method == "PUT" {
			body = map[string]any{"eid": makeEID("890490320040088826000190025947")}
		}
		if strings.HasSuffix(c.path, "USAGE_THRESHOLD") {
			body = map[string]any{"webhook_url": "http://127.0.0.1:1/hook"}
		}
		r := e.call(c.method, c.path, other, body)
		if r.status != 403 || v1Type(t, r) != "ACCESS_DENIED" {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	// The other client's lists are its own.
	for _, p := range []string{"/v1/sim", "/v1/order", "/v1/subscription"} {
		if n := len(e.call("GET", p, other, nil).arr(t)); n != 0 {
			t.Errorf("%s shows %d of another client's items", p, n)
		}
	}
	r := e.get("/v1/sim/8944478600000000001")
	if r.status != 404 || v1Type(t, r) != "NOT_FOUND" {
		t.Fatalf("unknown SIM: %d %s", r.status, r.body)
	}
}

func TestCustomers(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct{ method, path string }{{"POST", "/v1/customer"}, {"GET", "/v1/customer?email=a%40b.co"}, {"GET", "/v1/customer/x"}, {"PATCH", "/v1/customer/x"}} {
		r := e.call(c.method, c.path, e.tok, map[string]any{"email": "a@b.co"})
		if r.status != 403 || v1Type(t, r) != "ACCESS_DENIED" {
			t.Fatalf("reseller %s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	am := e.token(amID, amSec)
	r := e.call("POST", "/v1/customer", am, map[string]any{"email": "jane@example.com", "firstName": "Jane", "countryOfResidence": "PT"})
	e.mustStatus(r, 201)
	cu := r.obj(t)
	id := cu["id"].(string)
	if cu["email"] != "jane@example.com" || cu["firstName"] != "Jane" {
		t.Fatalf("customer %v", cu)
	}
	if r := e.call("POST", "/v1/customer", am, map[string]any{"email": "jane@example.com"}); r.status != 400 {
		t.Fatalf("duplicate: %d", r.status)
	}
	for _, body := range []any{map[string]any{}, map[string]any{"email": "nope"}, map[string]any{"email": "a@b.co", "countryOfResidence": "UK"}, "{"} {
		if r := e.call("POST", "/v1/customer", am, body); r.status != 400 {
			t.Fatalf("bad customer %v: %d", body, r.status)
		}
	}
	if got := e.call("GET", "/v1/customer?email=JANE%40example.com", am, nil).obj(t); got["id"] != id {
		t.Fatalf("find by email %v", got)
	}
	e.mustStatus(e.call("GET", "/v1/customer?email=ghost%40example.com", am, nil), 404)
	e.mustStatus(e.call("GET", "/v1/customer", am, nil), 400)
	r = e.call("PATCH", "/v1/customer/"+id, am, map[string]any{"lastName": "Doe", "email": "jane.doe@example.com"})
	e.mustStatus(r, 200)
	if got := e.call("GET", "/v1/customer/"+id, am, nil).obj(t); got["lastName"] != "Doe" || got["firstName"] != "Jane" || got["email"] != "jane.doe@example.com" {
		t.Fatalf("patched %v", got)
	}
	e.mustStatus(e.call("GET", "/v1/customer?email=jane%40example.com", am, nil), 404)
	e.mustStatus(e.call("GET", "/v1/customer/nope", am, nil), 404)
	// Orders create unknown customers.
	e.buy(am, "buyer@example.com", pPT.ID)
	e.mustStatus(e.call("GET", "/v1/customer?email=buyer%40example.com", am, nil), 200)
}

func TestDeleteAndEIDRules(t *testing.T) {
	e := newEnv(t, nil)
	iccids := e.bulkSIMs("", 4)
	setStatus := func(iccid, st string) {
		e.mustStatus(e.admin("PUT", "/_sandbox/sims/"+iccid+"/status", map[string]any{"status": st}), 200)
	}
	// Released, never installed, unused: deleted.
	e.mustStatus(e.call("DELETE", "/v1/sim/"+iccids[0], e.tok, nil), 204)
	e.mustStatus(e.get("/v1/sim/"+iccids[0]), 404)
	// Installed once: never deletable again.
	setStatus(iccids[1], "installed")
	r := e.call("DELETE", "/v1/sim/"+iccids[1], e.tok, nil)
	if r.status != 400 || v1Type(t, r) != "INVALID_REQUEST_PARAMS" {
		t.Fatalf("delete installed: %d %s", r.status, r.body)
	}
	setStatus(iccids[1], "Released")
	e.mustStatus(e.call("DELETE", "/v1/sim/"+iccids[1], e.tok, nil), 400)
	setStatus(iccids[2], "Downloaded")
	e.mustStatus(e.call("DELETE", "/v1/sim/"+iccids[2], e.tok, nil), 400)
	// Used data: not deletable.
	out := e.buy(e.tok, "d@example.com", pPT.ID)
	used := out["iccid"].(string)
	e.mustStatus(e.admin("POST", "/_sandbox/usage", map[string]any{"iccid": used, "bytes": 10}), 200)
	setStatus(used, "Released")
	e.mustStatus(e.call("DELETE", "/v1/sim/"+used, e.tok, nil), 400)
	// Deleting a fresh SIM removes its subscriptions.
	fresh := e.buy(e.tok, "d@example.com", pPT.ID)
	e.mustStatus(e.call("DELETE", "/v1/sim/"+fresh["iccid"].(string), e.tok, nil), 204)
	e.mustStatus(e.get("/v1/subscription/"+url.PathEscape(fresh["subscription_id"].(string))), 404)

	eid := makeEID("890490320040088826000190025947")
	put := func(iccid string, body any) result { return e.call("PUT", "/v1/sim/"+iccid, e.tok, body) }
	e.mustStatus(put(iccids[3], map[string]any{"eid": eid}), 200)
	if m := e.get("/v1/sim/" + iccids[3]).obj(t); m["eid"] != eid {
		t.Fatalf("eid not bound: %v", m)
	}
	for name, body := range map[string]any{
		"bad check digits": map[string]any{"eid": "89049032004008882600019002594763"},
		"short":            map[string]any{"eid": "8904903200400888"},
		"missing":          map[string]any{},
	} {
		r := put(iccids[3], body)
		if r.status != 400 || v1Type(t, r) != "INVALID_REQUEST_PARAMS" {
			t.Fatalf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := put(iccids[3], "{not json"); r.status != 400 || v1Type(t, r) != "INVALID_HTTP_MESSAGE" {
		t.Fatalf("bad json: %d %s", r.status, r.body)
	}
	setStatus(iccids[3], "Installed")
	e.mustStatus(put(iccids[3], map[string]any{"eid": eid}), 400)
	setStatus(iccids[3], "Downloaded")
	e.mustStatus(put(iccids[3], map[string]any{"eid": eid}), 400)
	setStatus(iccids[3], "Unavailable")
	e.mustStatus(put(iccids[3], map[string]any{"eid": eid}), 200)
}

// hookRecorder is a webhook receiver.
type hookRecorder struct {
	mu   sync.Mutex
	got  []map[string]any
	path string
}

func newHookServer(t *testing.T) (*hookRecorder, *httptest.Server) {
	h := &hookRecorder{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		if r.Method != "POST" || r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&m) != nil {
			w.WriteHeader(400)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, m)
		h.path = r.URL.Path
		h.mu.Unlock()
		w.WriteHeader(204)
	}))
	t.Cleanup(ts.Close)
	return h, ts
}

func (h *hookRecorder) types() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.got {
		out = append(out, m["type"].(string))
	}
	return out
}

func TestUsageWebhooks(t *testing.T) {
	e := newEnv(t, nil)
	hooks, hs := newHookServer(t)
	out := e.buy(e.tok, "w@example.com", pPT.ID, pPT.ID) // 2 x 500 MB
	iccid, sid := out["iccid"].(string), out["subscription_id"].(string)
	base := "/v1/sim/" + iccid + "/preferences/notifications/"
	e.mustStatus(e.call("POST", base+"usage_threshold", e.tok, map[string]any{"webhook_url": hs.URL + "/t0k3n"}), 200)
	e.mustStatus(e.call("POST", base+"SUBSCRITPION_END", e.tok, map[string]any{"webhook_url": hs.URL + "/t0k3n"}), 200)
	for _, bad := range []struct {
		typ  string
		body any
	}{{"SOMETHING", map[string]any{"webhook_url": hs.URL}}, {"USAGE_THRESHOLD", map[string]any{"webhook_url": "ftp://x"}}, {"USAGE_THRESHOLD", map[string]any{}}} {
		if r := e.call("POST", base+bad.typ, e.tok, bad.body); r.status != 400 {
			t.Fatalf("register %v: %d", bad, r.status)
		}
	}
	prefs := e.get("/v1/sim/" + iccid + "/preferences").obj(t)["notifications"].([]any)
	if len(prefs) != 2 || prefs[0].(map[string]any)["type"] != "SUBSCRIPTION_END" || prefs[1].(map[string]any)["type"] != "USAGE_THRESHOLD" {
		t.Fatalf("preferences %v", prefs)
	}

	const mb = 1 << 20
	use := func(n int64) map[string]any {
		r := e.admin("POST", "/_sandbox/usage", map[string]any{"iccid": iccid, "bytes": n})
		e.mustStatus(r, 200)
		return r.obj(t)
	}
	use(350 * mb) // 70 %
	if got := hooks.types(); len(got) != 0 {
		t.Fatalf("notified early: %v", got)
	}
	res := use(75 * mb) // 85 %: threshold
	if got := hooks.types(); len(got) != 1 || got[0] != "USAGE_THRESHOLD" {
		t.Fatalf("after 85%%: %v", got)
	}
	notes := res["notifications"].([]any)
	if len(notes) != 1 || notes[0].(map[string]any)["delivery"] != "delivered" {
		t.Fatalf("usage answer %v", res)
	}
	use(25 * mb) // 90 %: nothing new
	if got := hooks.types(); len(got) != 1 {
		t.Fatalf("threshold twice: %v", got)
	}
	use(50 * mb) // 100 %: end of the first subscription
	got := hooks.types()
	if len(got) != 2 || got[1] != "SUBSCRIPTION_END" {
		t.Fatalf("after depletion: %v", got)
	}
	hooks.mu.Lock()
	end := hooks.got[1]
	thr := hooks.got[0]
	path := hooks.path
	hooks.mu.Unlock()
	if end["iccid"] != iccid || end["subscription_id"] != sid || end["id"] == "" || end["threshold"] != nil ||
		thr["threshold"] != float64(80) || path != "/t0k3n" {
		t.Fatalf("payloads %v %v %s", thr, end, path)
	}
	if st := e.get("/v1/subscription/" + url.PathEscape(sid)).obj(t); st["status"] != "DEPLETED" || st["spentBalance"] != "524288000" {
		t.Fatalf("depleted subscription %v", st)
	}
	// The next usage goes to the second subscription; a big one crosses
	// both marks at once, and more usage after that notifies nothing.
	res = use(600 * mb)
	if got := hooks.types(); len(got) != 4 || got[2] != "USAGE_THRESHOLD" || got[3] != "SUBSCRIPTION_END" {
		t.Fatalf("second subscription: %v", got)
	}
	if res["unconsumed"] != float64(100*mb) {
		t.Fatalf("unconsumed %v", res["unconsumed"])
	}
	use(mb)
	if got := hooks.types(); len(got) != 4 {
		t.Fatalf("notified again: %v", got)
	}
	if m := e.get("/v1/sim/" + iccid).obj(t); m["status"] != "Installed" && m["profileStatus"] != "Installed" {
		t.Fatalf("profile after usage %v", m)
	}
	// Unregistered: the event happens, nothing is delivered.
	e.mustStatus(e.call("DELETE", base+"USAGE_THRESHOLD", e.tok, nil), 200)
	out2 := e.buy(e.tok, "w@example.com", pPT.ID)
	e.mustStatus(e.call("POST", "/v1/sim/"+out2["iccid"].(string)+"/preferences/notifications/SUBSCRIPTION_END", e.tok, map[string]any{"webhook_url": "http://127.0.0.1:1/closed"}), 200)
	r := e.admin("POST", "/_sandbox/usage", map[string]any{"iccid": out2["iccid"], "bytes": 500 * mb})
	var ans struct {
		Notifications []map[string]any `json:"notifications"`
	}
	r.json(t, &ans)
	if len(ans.Notifications) != 2 || ans.Notifications[0]["delivery"] != "not_registered" || ans.Notifications[1]["delivery"] != "failed" {
		t.Fatalf("deliveries %s", r.body)
	}
	e.mustStatus(e.admin("POST", "/_sandbox/usage", map[string]any{"iccid": "8944478600000000001", "bytes": 1}), 404)
}

// Subscription ids use both base64 alphabets; each works as one escaped
// path segment.
func TestSubscriptionIDsInPaths(t *testing.T) {
	e := newEnv(t, nil)
	e.buy(e.tok, "ids@example.com", manyIDs(pPT.ID, 15)...)
	subs := e.get("/v1/subscription").arr(t)
	var slash, dash bool
	for _, sb := range subs {
		id := sb["id"].(string)
		slash = slash || strings.ContainsAny(id, "/+")
		dash = dash || strings.ContainsAny(id, "-_")
		r := e.get("/v1/subscription/" + url.PathEscape(id))
		e.mustStatus(r, 200)
		if r.obj(t)["id"] != id {
			t.Fatalf("GET %s answered %s", id, r.body)
		}
	}
	if !slash || !dash {
		t.Fatalf("ids lack an alphabet: %v", subs)
	}
}

// A usage given as a percent is that share of the SIM's ACTIVE plans' data.
func TestUsagePercent(t *testing.T) {
	e := newEnv(t, nil)
	out := e.buy(e.tok, "pct@example.com", pPT.ID) // 500 MB
	iccid := out["iccid"].(string)
	r := e.admin("POST", "/_sandbox/usage", map[string]any{"iccid": iccid, "percent": 85})
	e.mustStatus(r, 200)
	m := r.obj(t)
	want := float64((int64(500) << 20) * 85 / 100)
	if m["requested"] != want || m["consumed"] != want || m["unconsumed"] != float64(0) {
		t.Fatalf("85 %%: %s, want %v bytes consumed", r.body, want)
	}
	for _, bad := range []map[string]any{
		{"iccid": iccid, "percent": 101},
		{"iccid": iccid, "percent": -1},
		{"iccid": iccid, "percent": 10, "bytes": 10},
		{"iccid": iccid},
	} {
		if r := e.admin("POST", "/_sandbox/usage", bad); r.status != 400 || v1Type(t, r) != "INVALID_REQUEST_PARAMS" {
			t.Errorf("%v: %d %s, want 400", bad, r.status, r.body)
		}
	}
}
