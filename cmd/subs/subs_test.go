package subs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
)

func TestListFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantErr  string // "" = accepted
		wantWarn string
		check    func(t *testing.T, o *ListOptions)
	}{
		{name: "no filters", check: func(t *testing.T, o *ListOptions) {
			if o.query != (connect.SubscriptionsQuery{}) || o.Limit.N() != cmdutil.DefaultLimit {
				t.Errorf("query %+v limit %d", o.query, o.Limit.N())
			}
		}},
		{name: "every filter", args: []string{"--iccid", "8944478600000205337", "--email", " ana@example.com ",
			"--product", "qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI=", "--after", "2025-01-01T00:00:00Z",
			"--before", "2025-02-01T00:00:00+01:00", "--all"},
			check: func(t *testing.T, o *ListOptions) {
				q := o.query
				if q.ICCID != "8944478600000205337" || q.Email != "ana@example.com" ||
					q.ProductID != "qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI=" ||
					!q.After.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) ||
					!q.Before.Equal(time.Date(2025, 1, 31, 23, 0, 0, 0, time.UTC)) || o.Limit.N() != 0 {
					t.Errorf("query %+v limit %d", q, o.Limit.N())
				}
			}},
		{name: "ICCID filler stripped", args: []string{"--iccid", "8944478600000205337F"}, check: func(t *testing.T, o *ListOptions) {
			if o.query.ICCID != "8944478600000205337" {
				t.Errorf("iccid %q", o.query.ICCID)
			}
		}},
		{name: "wrong Luhn digit only warns (read-only)", args: []string{"--iccid", "8944474600000109299"}, wantWarn: "warning: --iccid"},
		{name: "bad ICCID", args: []string{"--iccid", "1234"}, wantErr: `--iccid: ICCID "1234"`},
		{name: "bad e-mail", args: []string{"--email", "ana@"}, wantErr: `--email: email "ana@"`},
		{name: "e-mail with a name", args: []string{"--email", "Ana <ana@example.com>"}, wantErr: "--email"},
		{name: "blank product", args: []string{"--product", " "}, wantErr: `--product " ": empty`},
		{name: "product with a space", args: []string{"--product", "abc def"}, wantErr: "white space"},
		{name: "a date is midnight local time", args: []string{"--since", "2025-01-01"}, check: func(t *testing.T, o *ListOptions) {
			if want := time.Date(2025, 1, 1, 0, 0, 0, 0, time.Local); !o.query.After.Equal(want) {
				t.Errorf("after %v, want %v", o.query.After, want)
			}
		}},
		{name: "fraction kept", args: []string{"--after", "2025-01-01T10:00:00.250Z"}, check: func(t *testing.T, o *ListOptions) {
			if o.query.After.Nanosecond() != 250_000_000 {
				t.Errorf("after %v lost its fraction", o.query.After)
			}
		}},
		{name: "a duration", args: []string{"--until", "48h"}, check: func(t *testing.T, o *ListOptions) {
			if d := time.Since(o.query.Before); d < 47*time.Hour || d > 49*time.Hour {
				t.Errorf("before %v is not 48h ago", o.query.Before)
			}
		}},
		{name: "since and its alias", args: []string{"--since", "7d", "--after", "2025-01-01"}, wantErr: "--since and --after are the same filter"},
		{name: "no zone", args: []string{"--before", "2025-01-01T10:00:00"}, wantErr: "--before \"2025-01-01T10:00:00\": missing time zone"},
		{name: "after not before before", args: []string{"--after", "2025-02-01T00:00:00Z", "--before", "2025-01-01T00:00:00Z"}, wantErr: "is not before --before"},
		{name: "since not before until", args: []string{"--since", "1d", "--until", "2d"}, wantErr: "is not before --until"},
		{name: "limit 0", args: []string{"--limit", "0"}, wantErr: "--limit 0: want a positive number"},
		{name: "limit and all", args: []string{"--limit", "5", "--all"}, wantErr: "--limit 5 and --all do not go together"},
		{name: "limit", args: []string{"--limit", "5"}, check: func(t *testing.T, o *ListOptions) {
			if o.Limit.N() != 5 {
				t.Errorf("limit %d", o.Limit.N())
			}
		}},
		{name: "unknown column", args: []string{"--columns", "iccid,nope"}, wantErr: `unknown column "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			f := &factory.Factory{IOStreams: ios}
			var got *ListOptions
			cmd := NewCmdList(f, func(_ context.Context, o *ListOptions) error { got = o; return nil })
			args := tt.args
			// --columns is a global flag; emulate the root's binding.
			for i := 0; i < len(args); i++ {
				if args[i] == "--columns" {
					f.Globals.Output.Columns = strings.Split(args[i+1], ",")
					args = append(append([]string{}, args[:i]...), args[i+2:]...)
					break
				}
			}
			cmd.SetArgs(args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
					t.Fatalf("err = %v (exit %d), want exit 2 mentioning %q", err, cmdutil.ExitCodeFor(err), tt.wantErr)
				}
				if got != nil {
					t.Fatal("ran despite bad input")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(errOut.String(), tt.wantWarn) {
				t.Errorf("stderr %q, want %q", errOut.String(), tt.wantWarn)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestSubscriptionIDArg(t *testing.T) {
	ok := []string{"8KthI06F14g12fxRjHpxmbCT1dRjwZUcG4V8X7a3HYY=", "a-b_c+d/e==", "***masked***"}
	for _, id := range ok {
		if err := OpaqueID("SUBSCRIPTION_ID", subscriptionIDWant, id); err != nil {
			t.Errorf("%q refused: %v", id, err)
		}
	}
	for _, id := range []string{"", "  ", "abc def", "abc\n", "a\x00b"} {
		err := OpaqueID("SUBSCRIPTION_ID", subscriptionIDWant, id)
		if err == nil || cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "SUBSCRIPTION_ID") {
			t.Errorf("%q: %v", id, err)
		}
	}
}

func TestColumnsHumanSizes(t *testing.T) {
	s := connect.Subscription{ID: "x", Status: "ACTIVE", InitialBalance: 1 << 30, SpentBalance: 300 << 20,
		ExpirationDate: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Product: &connect.Product{ID: "p", Name: "Europe 1 GB"}}
	vals := map[string]string{}
	for _, c := range Columns(true) {
		vals[c.Name] = c.Value(s)
	}
	want := map[string]string{"product": "Europe 1 GB", "spentBalance": "300 MB", "left": "724 MB", "initialBalance": "1 GB",
		"expirationDate": "2030-01-02T03:04:05Z", "product_id": "p", "id": "x", "status": "ACTIVE"}
	for k, v := range want {
		if vals[k] != v {
			t.Errorf("%s = %q, want %q", k, vals[k], v)
		}
	}
	for _, c := range Columns(false) {
		if c.Name == "iccid" {
			t.Error("sim subs columns carry the ICCID")
		}
		if c.Name == "id" && !c.Wide {
			t.Error("id should be wide in sim subs")
		}
	}
}

func TestColumnsAnnotation(t *testing.T) {
	f := &factory.Factory{IOStreams: func() *iostreams.IOStreams { ios, _, _, _ := iostreams.Test(); return ios }()}
	cmd := NewCmdSubs(f)
	for _, c := range cmd.Commands() {
		if got := c.Annotations[factory.ColumnsAnnotation]; !strings.HasPrefix(got, "id,iccid,product,status,spentBalance,left,expirationDate") {
			t.Errorf("%s: columns annotation %q", c.Name(), got)
		}
	}
}
