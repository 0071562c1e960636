package connect

import (
	"context"
	"net/http"
	"testing"
)

// A catalogue the server pages is read to its end, in every style: an
// X-Next-Page header, or the 2024 edition's _embedded/_links.
func TestListProductsEveryPage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pages func(base func() string) []http.HandlerFunc
	}{
		{"X-Next-Page", func(base func() string) []http.HandlerFunc {
			return []http.HandlerFunc{
				func(w http.ResponseWriter, r *http.Request) {
					respond(200, "application/json", `[{"id":"p1"},{"id":"p2"}]`, "X-Next-Page", base()+"/v1/products?page=2")(w, r)
				},
				jsonOK(`[{"id":"p3"}]`),
			}
		}},
		{"_links.next", func(base func() string) []http.HandlerFunc {
			return []http.HandlerFunc{
				jsonOK(`{"_embedded":{"products":[{"id":"p1"},{"id":"p2"}]},"_links":{"next":{"href":"/v1/products?cursor=abc"}}}`),
				jsonOK(`{"_embedded":{"products":[{"id":"p3"}]},"_links":{}}`),
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var url string
			srv, sc := newScripted(t, tc.pages(func() string { return url })...)
			url = srv.URL
			c, _, _ := newTestClient(t, srv)
			ps, err := c.ListProducts(context.Background(), ProductsQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 3 || ps[2].ID != "p3" || sc.count() != 2 {
				t.Fatalf("got %d products (last %s) in %d requests, want 3 in 2", len(ps), ps[len(ps)-1].ID, sc.count())
			}
			if q := sc.requests()[0].URL.RawQuery; q != "" {
				t.Errorf("the first request asks for the whole catalogue, got query %q", q)
			}
		})
	}
}
