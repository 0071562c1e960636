package connect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// simPages serves n SIM refs in v1 page style, recording the queries.
type listServer struct {
	mu      sync.Mutex
	queries []url.Values
	paths   []string
}

func (l *listServer) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queries = append(l.queries, r.URL.Query())
	l.paths = append(l.paths, r.URL.Path)
}

func (l *listServer) count() int { l.mu.Lock(); defer l.mu.Unlock(); return len(l.queries) }

func refs(from, to int) []map[string]string {
	out := []map[string]string{}
	for i := from; i < to; i++ {
		id := fmt.Sprintf("89444786%011d", i)
		out = append(out, map[string]string{"id": id, "url": "/v1/sim/" + id})
	}
	return out
}

func pageStyle(l *listServer, total int, sizeParam string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l.record(r)
		q := r.URL.Query()
		page, _ := strconv.Atoi(q.Get("page"))
		size, _ := strconv.Atoi(q.Get(sizeParam))
		if page < 1 || size < 1 {
			http.Error(w, "missing page/size", 400)
			return
		}
		from := min((page-1)*size, total)
		to := min(from+size, total)
		json.NewEncoder(w).Encode(refs(from, to))
	}
}

func TestPaginationPageStyle(t *testing.T) {
	for _, tc := range []struct {
		total     int
		wantPages int
	}{
		{0, 1},   // empty first page
		{7, 1},   // short first page
		{40, 2},  // full page, then an empty one
		{95, 3},  // 40 + 40 + 15
		{120, 4}, // 3 full + empty
	} {
		t.Run(strconv.Itoa(tc.total), func(t *testing.T) {
			l := &listServer{}
			srv := httptest.NewServer(pageStyle(l, tc.total, "size"))
			defer srv.Close()
			c, _, _ := newTestClient(t, srv)
			got, err := Collect(c.ListSIMs(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.total || l.count() != tc.wantPages {
				t.Fatalf("%d items in %d pages, want %d in %d", len(got), l.count(), tc.total, tc.wantPages)
			}
			for i, q := range l.queries {
				if q.Get("page") != strconv.Itoa(i+1) || q.Get("size") != "40" {
					t.Errorf("page %d query %v", i, q)
				}
			}
			if tc.total > 0 && (got[0].ID != "8944478600000000000" || got[0].URL == "") {
				t.Errorf("first item %+v", got[0])
			}
		})
	}
}

func TestPaginationOrdersUsePageSize(t *testing.T) {
	l := &listServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.record(r)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		n := 0
		if page == 1 {
			n = size
		} else if page == 2 {
			n = 3
		}
		var out []map[string]string
		for i := range n {
			out = append(out, map[string]string{"id": fmt.Sprintf("o-%d-%d", page, i), "externalId": "x", "status": "FULFILING"})
		}
		json.NewEncoder(w).Encode(out)
	}))
	defer srv.Close()
	c, _, _ := newTestClient(t, srv)
	got, err := Collect(c.ListOrders(context.Background(), OrdersQuery{Status: "completed"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 43 || l.count() != 2 || got[0].Status != OrderStatusFulfilling {
		t.Fatalf("%d orders in %d pages: %+v", len(got), l.count(), got[0])
	}
	if q := l.queries[0]; q.Get("page_size") != "40" || q.Has("size") || q.Get("status") != "COMPLETED" {
		t.Fatalf("query %v", q)
	}
}

func TestPaginationNextPageHeader(t *testing.T) {
	l := &listServer{}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.record(r)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		// Pages of 2 items although size=40 was asked: only the header tells.
		if page < 3 {
			w.Header().Set("X-Next-Page", fmt.Sprintf("%s/v1/subscription?page=%d&size=40&email=a%%2Bb%%40x.com", srv.URL, page+1))
		}
		if page > 1 {
			w.Header().Set("X-Previous-Page", fmt.Sprintf("%s/v1/subscription?page=%d", srv.URL, page-1))
		}
		fmt.Fprintf(w, `[{"id":"s%d-a","initialBalance":"10","spentBalance":"1","status":"ACTIVE"},{"id":"s%d-b","initialBalance":5,"spentBalance":"0","status":"EXPIRED"}]`, page, page)
	}))
	defer srv.Close()
	c, _, _ := newTestClient(t, srv)
	got, err := Collect(c.ListSubscriptions(context.Background(), SubscriptionsQuery{Email: "a+b@x.com", ProductID: "p=/+"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || l.count() != 3 {
		t.Fatalf("%d items in %d pages", len(got), l.count())
	}
	if q := l.queries[0]; q.Get("email") != "a+b@x.com" || q.Get("product-id") != "p=/+" {
		t.Fatalf("first query %v", q)
	}
	if q := l.queries[1]; q.Get("email") != "a+b@x.com" || q.Get("page") != "2" {
		t.Fatalf("followed query %v", q)
	}
	if Balance(got) != 27 {
		t.Fatalf("balance %d", Balance(got))
	}
}

func TestPaginationHAL(t *testing.T) {
	for _, tc := range []struct {
		name string
		href func(base string, next int) string
	}{
		{"absolute next", func(base string, next int) string {
			return fmt.Sprintf("%s/api/v1/sim?cursor=c%d&limit=2", base, next)
		}},
		{"path-absolute next relative to the API base", func(_ string, next int) string {
			return fmt.Sprintf("/v1/sim?cursor=c%d&limit=2", next)
		}},
		{"path-absolute next that already has the base path", func(_ string, next int) string {
			return fmt.Sprintf("/api/v1/sim?cursor=c%d&limit=2", next)
		}},
		{"relative next", func(_ string, next int) string { return fmt.Sprintf("sim?cursor=c%d&limit=2", next) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &listServer{}
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				l.record(r)
				if r.URL.Path != "/api/v1/sim" {
					http.Error(w, "wrong path "+r.URL.Path, 404)
					return
				}
				cur := 0
				if c := r.URL.Query().Get("cursor"); c != "" {
					cur, _ = strconv.Atoi(strings.TrimPrefix(c, "c"))
				}
				links := map[string]any{"self": map[string]string{"href": r.URL.String()}}
				if cur < 2 {
					links["next"] = map[string]string{"href": tc.href(srv.URL, cur+1)}
				}
				json.NewEncoder(w).Encode(map[string]any{
					"_embedded": map[string]any{"sims": refs(cur*2, cur*2+2)},
					"_links":    links,
				})
			}))
			defer srv.Close()
			c, _, _ := newTestClient(t, srv, func(o *Options) { o.BaseURL = srv.URL + "/api"; o.PageStyle = PageStyleCursor })
			got, err := Collect(c.ListSIMs(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 6 || l.count() != 3 {
				t.Fatalf("%d items in %d pages; paths %v", len(got), l.count(), l.paths)
			}
			if q := l.queries[0]; q.Get("limit") != "40" || q.Has("page") {
				t.Fatalf("first query %v", q)
			}
		})
	}
}

func TestPaginationHALEmbeddedName(t *testing.T) {
	// The items are under the first array of _embedded, whatever its name.
	pg, err := parsePage([]byte(`{"_embedded":{"count":3,"things":[{"id":"a"}],"other":[{"id":"b"}]},"_links":{}}`), "sims")
	if err != nil || len(pg.items) != 1 || string(pg.items[0]) != `{"id":"a"}` || pg.next != "" {
		t.Fatalf("%+v %v", pg, err)
	}
	pg, _ = parsePage([]byte(`{"_embedded":{"things":[{"id":"a"}],"sims":[{"id":"b"}]},"_links":{"next":[{"href":"/n"}]}}`), "sims")
	if string(pg.items[0]) != `{"id":"b"}` || pg.next != "/n" {
		t.Fatalf("%+v", pg)
	}
}

func TestPaginationStopsOnEmptyHALPage(t *testing.T) {
	srv, sc := newScripted(t, jsonOK(`{"_embedded":{"sims":[]},"_links":{"next":{"href":"/v1/sim?cursor=x"}}}`))
	c, _, _ := newTestClient(t, srv)
	got, err := Collect(c.ListSIMs(context.Background()))
	if err != nil || len(got) != 0 || sc.count() != 1 {
		t.Fatalf("%v %v %d", got, err, sc.count())
	}
}

func TestPaginationIsLazy(t *testing.T) {
	l := &listServer{}
	srv := httptest.NewServer(pageStyle(l, 100, "size"))
	defer srv.Close()
	c, _, _ := newTestClient(t, srv)
	n := 0
	for ref, err := range c.ListSIMs(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n <= 40 && l.count() != 1 {
			t.Fatalf("item %d (%s): %d pages fetched, want 1", n, ref.ID, l.count())
		}
		if n == 41 && l.count() != 2 {
			t.Fatalf("second page not fetched when needed")
		}
		if n == 45 {
			break
		}
	}
	if l.count() != 2 {
		t.Fatalf("%d pages fetched after stopping at item 45", l.count())
	}
}

func TestPaginationRefusesForeignHost(t *testing.T) {
	for _, next := range []string{"http://evil.example.com/v1/sim?page=2", "//evil.example.com/v1/sim", "https://127.0.0.1/v1/sim"} {
		srv, sc := newScripted(t, respond(200, "application/json", `[{"id":"1"}]`, "X-Next-Page", next))
		c, _, _ := newTestClient(t, srv)
		got, err := Collect(c.ListSIMs(context.Background()))
		if err == nil || !strings.Contains(err.Error(), "refusing") || len(got) != 1 || sc.count() != 1 {
			t.Fatalf("%s: %v %v %d", next, got, err, sc.count())
		}
	}
}

func TestPaginationErrorMidway(t *testing.T) {
	full := func(w http.ResponseWriter, r *http.Request) { json.NewEncoder(w).Encode(refs(0, 40)) }
	srv, _ := newScripted(t, full, respond(403, "application/json", `{"type":"ACCESS_DENIED","messages":["no"]}`))
	c, _, _ := newTestClient(t, srv)
	got, err := Collect(c.ListSIMs(context.Background()))
	if len(got) != 40 || err == nil {
		t.Fatalf("%d items, err %v", len(got), err)
	}
}

func TestRawPaginate(t *testing.T) {
	t.Run("table endpoint gets page params", func(t *testing.T) {
		l := &listServer{}
		srv := httptest.NewServer(pageStyle(l, 50, "size"))
		defer srv.Close()
		c, _, _ := newTestClient(t, srv)
		got, err := Collect(c.Paginate(context.Background(), "/v1/sim", nil))
		if err != nil || len(got) != 50 || l.count() != 2 {
			t.Fatalf("%d items, %d pages, %v", len(got), l.count(), err)
		}
	})
	t.Run("caller's page size", func(t *testing.T) {
		l := &listServer{}
		srv := httptest.NewServer(pageStyle(l, 25, "size"))
		defer srv.Close()
		c, _, _ := newTestClient(t, srv)
		got, err := Collect(c.Paginate(context.Background(), "/v1/sim?size=10", url.Values{"page": {"1"}}))
		if err != nil || len(got) != 25 || l.count() != 3 {
			t.Fatalf("%d items, %d pages, %v", len(got), l.count(), err)
		}
	})
	t.Run("single object", func(t *testing.T) {
		srv, sc := newScripted(t, jsonOK(`{"iccid":"1","status":"Released"}`))
		c, _, _ := newTestClient(t, srv)
		got, err := Collect(c.Paginate(context.Background(), "/v1/sim/1", nil))
		if err != nil || len(got) != 1 || sc.count() != 1 {
			t.Fatalf("%v %v", got, err)
		}
	})
	t.Run("HAL detected from the answer", func(t *testing.T) {
		srv, sc := newScripted(t,
			jsonOK(`{"_embedded":{"orders":[{"id":"a"},{"id":"b"}]},"_links":{"next":{"href":"/v1/order?cursor=2"}}}`),
			jsonOK(`{"_embedded":{"orders":[{"id":"c"}]},"_links":{"self":{"href":"/v1/order?cursor=2"}}}`))
		c, _, _ := newTestClient(t, srv)
		got, err := Collect(c.Paginate(context.Background(), "/v1/order", url.Values{"limit": {"2"}}))
		if err != nil || len(got) != 3 || sc.count() != 2 {
			t.Fatalf("%d %v", len(got), err)
		}
		if q := sc.requests()[1].URL.Query(); q.Get("cursor") != "2" {
			t.Fatalf("second query %v", q)
		}
	})
}
