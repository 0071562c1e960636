package products

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
)

func execute(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cmdutil.FlagError{Err: err} })
	return cmd.ExecuteContext(context.Background())
}

func TestListFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    ListOptions // compared on Currency, PlanID, Country, Limit
		wantErr string
	}{
		{args: nil, want: ListOptions{Limit: cmdutil.ListLimit{Limit: 30}}},
		{args: []string{"--currency", " usd ", "--country", "pt", "--plan-id", "1GLOBAL-PARTNER", "-L", "5"},
			want: ListOptions{Currency: "USD", Country: "PT", PlanID: "1GLOBAL-PARTNER", Limit: cmdutil.ListLimit{Limit: 5}}},
		{args: []string{"--all"}, want: ListOptions{Limit: cmdutil.ListLimit{Limit: 0}}},
		{args: []string{"--country", "UK"}, wantErr: `--country: country code "UK"`},
		{args: []string{"--country", "PRT"}, wantErr: "use PT"},
		{args: []string{"--country", ""}, wantErr: `--country: country code ""`},
		{args: []string{"--currency", "XXX"}, wantErr: `--currency: currency "XXX"`},
		{args: []string{"--currency", "12"}, wantErr: "three-letter"},
		{args: []string{"--plan-id", " "}, wantErr: `--plan-id " ": empty`},
		{args: []string{"--limit", "-1"}, wantErr: "--limit -1: want a positive number"},
		{args: []string{"--limit", "30", "--all"}, wantErr: "--limit 30 and --all"},
		{args: []string{"extra"}, wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			var got *ListOptions
			cmd := NewCmdList(&factory.Factory{IOStreams: ios}, func(_ context.Context, o *ListOptions) error { got = o; return nil })
			err := execute(t, cmd, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
					t.Fatalf("exit %d, want 2", cmdutil.ExitCodeFor(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Currency != tt.want.Currency || got.Country != tt.want.Country || got.PlanID != tt.want.PlanID || got.Limit.N() != tt.want.Limit.N() {
				t.Errorf("got currency %q country %q plan %q limit %d, want %+v", got.Currency, got.Country, got.PlanID, got.Limit.N(), tt.want)
			}
		})
	}
}

func TestGetFlags(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		wantID  string
		wantErr string
	}{
		{args: []string{"qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI="}, wantID: "qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI="},
		{args: []string{"a-b_c*=", "--currency", "jpy"}, wantID: "a-b_c*="},
		{args: []string{""}, wantErr: `product id "": empty`},
		{args: []string{"a b"}, wantErr: "white space"},
		{args: []string{"x", "--currency", "ABCD"}, wantErr: "--currency"},
	} {
		ios, _, _, _ := iostreams.Test()
		var got *GetOptions
		cmd := NewCmdGet(&factory.Factory{IOStreams: ios}, func(_ context.Context, o *GetOptions) error { got = o; return nil })
		err := execute(t, cmd, tt.args...)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
				t.Errorf("%v: error %v, want exit 2 with %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.ID != tt.wantID {
			t.Errorf("%v: id %q err %v", tt.args, got.ID, err)
		}
	}
}

func product(t *testing.T, js string) connect.Product {
	t.Helper()
	var p connect.Product
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCountryFilter(t *testing.T) {
	prods := []connect.Product{
		{ID: "eu", Footprint: []string{"PT", "ES", "FR"}},
		{ID: "jp", Footprint: []string{"JP"}},
		{ID: "lower", Footprint: []string{"pt"}},
		{ID: "all", Footprint: []string{"ALL"}},
		{ID: "none"},
	}
	ids := func(ps []connect.Product) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.ID)
		}
		return strings.Join(s, ",")
	}
	for country, want := range map[string]string{
		"PT": "eu,lower,all",
		"JP": "jp,all",
		"US": "all",
		"":   "eu,jp,lower,all,none",
	} {
		if got := ids(FilterCountry(prods, country)); got != want {
			t.Errorf("FilterCountry(%q) = %s, want %s", country, got, want)
		}
	}
}

func TestColumnText(t *testing.T) {
	tests := []struct {
		js                  string
		currency            string
		data, period, price string
	}{
		{`{"id":"a","period":30,"period_unit":"DAYS","data":{"value":5,"unit":"GB"},"pricing":{"USD":10.5,"EUR":9.5}}`, "", "5 GB", "30 days", "9.50 EUR"},
		{`{"id":"a","period":1,"period_unit":"DAYS","data":{"value":500,"units":"MB"},"pricing":{"USD":"2.19"}}`, "", "500 MB", "1 day", "2.19 USD"},
		{`{"id":"a","period":7,"data":{"value":1024,"unit":"MB"},"pricing":{"JPY":800,"EUR":4.99}}`, "JPY", "1 GB", "7 days", "800 JPY"},
		{`{"id":"a","period":"2","period_unit":"MONTH","pricing":{"GBP":4.29,"AUD":9}}`, "", "", "2 months", "9.00 AUD"},
		{`{"id":"a","period":1,"period_unit":"MONTHS","pricing":{"EUR":4.99}}`, "USD", "", "1 month", ""},
		{`{"id":"a","pricing":{"EUR":4.999}}`, "", "", "", "4.999 EUR"},
	}
	for _, tt := range tests {
		p := product(t, tt.js)
		if got := DataText(p); got != tt.data {
			t.Errorf("%s: data %q, want %q", tt.js, got, tt.data)
		}
		if got := PeriodText(p); got != tt.period {
			t.Errorf("%s: period %q, want %q", tt.js, got, tt.period)
		}
		if got := PriceText(p, tt.currency); got != tt.price {
			t.Errorf("%s in %q: price %q, want %q", tt.js, tt.currency, got, tt.price)
		}
	}
}
