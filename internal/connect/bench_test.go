package connect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/connectctl/connectctl/internal/auth"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/sandbox"
)

// A page of 40 subscriptions as the API sends them: balances as strings,
// auto_renew as a string, a nested product.
func subscriptionPage(b *testing.B) []byte {
	b.Helper()
	item := map[string]any{
		"status": "ACTIVE", "id": "Njc1NzY1NzY1ZDIK", "initialBalance": "1073741824", "spentBalance": "1024",
		"activationDate": "2020-10-16T19:05:05Z", "expirationDate": "2020-11-16T19:05:05Z",
		"createdDate": "2020-11-16T19:05:05Z", "iccid": "8944478600000213091", "device_id": "123456",
		"auto_renew": "false",
		"product": map[string]any{"id": "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=", "name": "My product",
			"period": 365, "period_unit": "DAYS", "data": map[string]any{"value": 10, "units": "MB"},
			"footprint": []string{"US", "GB", "PT"}, "pricing": map[string]any{"EUR": 10}},
	}
	page := make([]any, 40)
	for i := range page {
		page[i] = item
	}
	data, err := json.Marshal(page)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkDecodeSubscriptionPage(b *testing.B) {
	data := subscriptionPage(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var subs []connect.Subscription
		if err := json.Unmarshal(data, &subs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListSIMs walks 1,000 SIMs page by page through the client against
// an in-process sandbox over loopback HTTP: 25 pages per iteration.
func BenchmarkListSIMs(b *testing.B) {
	cfg := sandbox.DefaultConfig()
	cfg.RateLimit = 0
	srv, err := sandbox.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	resp, err := http.Post(hs.URL+"/_sandbox/sims", "application/json",
		jsonBody(map[string]any{"client_id": "sandbox", "count": 1000}))
	if err != nil || resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		b.Fatalf("seed: %v %v", err, resp)
	}
	resp.Body.Close()
	ts, err := auth.NewClientCredentials(auth.Config{TokenURL: hs.URL + sandbox.TokenPath, ClientID: "sandbox", ClientSecret: "sandbox"})
	if err != nil {
		b.Fatal(err)
	}
	c, err := connect.New(connect.Options{BaseURL: hs.URL, TokenSource: ts})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range c.ListSIMs(ctx) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 1000 {
			b.Fatalf("%d SIMs", n)
		}
	}
}

func jsonBody(v any) *bytes.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}
