package order

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/bulk"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/iostreams"
)

// Every input problem of a bulk run is a usage error (exit 2) found before
// the client is even built: nothing can have been sent.
func TestBulkInputErrorsSendNothing(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "product,email,country,device-type\n"+europe1GB+",a@example.com,PT,ios\n")
	bad := write("bad.csv", "product,email,country,device-type\n"+europe1GB+",a@example.com,PT,ios\n"+
		europe1GB+",nope,PT,ios\n"+europe1GB+",b@example.com,UK,ios\n")
	noDevice := write("nodevice.csv", "product,email,country\n"+europe1GB+",a@example.com,PT\n")
	headerOnly := write("header.csv", "product,email\n")
	unknownColumn := write("unknown.csv", "product,mail\n"+europe1GB+",a@example.com\n")

	tests := []struct {
		name       string
		args       []string
		defaults   config.Defaults
		wantErr    string
		wantStderr []string
	}{
		{name: "bulk flag without a file", args: []string{"--product", europe1GB, "--concurrency", "4"}, wantErr: "--concurrency goes with --from-file"},
		{name: "force without a file", args: []string{"--force"}, wantErr: "--force goes with --from-file"},
		{name: "device id for every row", args: []string{"--from-file", good, "--device-id", "x"}, wantErr: "--device-id does not go with --from-file"},
		{name: "qr for every row", args: []string{"--from-file", good, "--qr"}, wantErr: "--qr does not go with --from-file"},
		{name: "concurrency out of range", args: []string{"--from-file", good, "--concurrency", "0"}, wantErr: "--concurrency 0"},
		{name: "blank batch", args: []string{"--from-file", good, "--batch", " "}, wantErr: "--batch"},
		{name: "bad default flag", args: []string{"--from-file", good, "--country", "UK"}, wantErr: "--country (a default for every row)"},
		{name: "bad wait timeout", args: []string{"--from-file", good, "--wait", "--wait-timeout", "0s"}, wantErr: "--wait-timeout"},
		{name: "missing file", args: []string{"--from-file", filepath.Join(dir, "nope.csv")}, wantErr: "--from-file"},
		{name: "header only", args: []string{"--from-file", headerOnly}, wantErr: headerOnly},
		{name: "unknown column", args: []string{"--from-file", unknownColumn}, wantErr: "mail"},
		{name: "invalid rows listed by line", args: []string{"--from-file", bad},
			wantErr: "2 of 3 rows are invalid; nothing was sent", wantStderr: []string{"line 3: email", "line 4: country"}},
		{name: "a required value missing everywhere", args: []string{"--from-file", noDevice}, wantErr: "1 of 1 rows are invalid",
			wantStderr: []string{"line 2: device-type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			f := &factory.Factory{IOStreams: ios}
			opts := &NewOptions{IO: ios, Printer: f.Printer, Now: func() time.Time { return fixedNow },
				Defaults: func() (config.Defaults, error) { return tt.defaults, nil },
				Client: func() (*connect.Client, error) {
					t.Fatal("the client was built: a request could have been sent")
					return nil, errors.New("unreachable")
				},
				Journaling: Journaling{JournalPath: func() (string, error) { return filepath.Join(dir, "journal.jsonl"), nil },
					Scope: func() (bulk.Scope, error) { return bulk.Scope{Target: "http://sandbox"}, nil }},
			}
			err := execute(t, newCmdNew(f, opts, nil), tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if code := cmdutil.ExitCodeFor(err); code != cmdutil.ExitUsage {
				t.Errorf("exit %d, want %d", code, cmdutil.ExitUsage)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
		})
	}
}

func TestBulkSummaryExit(t *testing.T) {
	tests := []struct {
		name    string
		summary bulk.Summary
		want    []string
		notWant []string
	}{
		{name: "all done", summary: bulk.Summary{Rows: 2, Counts: map[bulk.Outcome]int{bulk.Ordered: 1, bulk.Skipped: 1}},
			want: []string{"2 rows: 1 ordered, 1 skipped."}, notWant: []string{"Re-run"}},
		{name: "open outcomes ask for a re-run", summary: bulk.Summary{Rows: 3, Counts: map[bulk.Outcome]int{bulk.Ordered: 2, bulk.Unknown: 1},
			Problems: []bulk.Result{{Row: 3, Line: 4, Result: bulk.Unknown, Error: "HTTP 504"}}},
			want: []string{"3 rows: 2 ordered, 1 unknown.", "1 row did not succeed:", "row 3 (line 4): unknown: HTTP 504", "Re-run the same command"}},
		{name: "refusals need a fix, not a re-run", summary: bulk.Summary{Rows: 1, Counts: map[bulk.Outcome]int{bulk.Refused: 1},
			Problems: []bulk.Result{{Row: 1, Line: 2, Result: bulk.Refused, Error: "HTTP 400"}}},
			want: []string{"1 row: 1 refused."}, notWant: []string{"Re-run"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			printSummary(&b, tt.summary, "/state/orders.jsonl")
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("summary lacks %q:\n%s", w, b.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(b.String(), w) {
					t.Errorf("summary has %q:\n%s", w, b.String())
				}
			}
		})
	}
}

// A top-up file is checked whole before the client is built: bad ICCIDs
// (a wrong check digit included), products and flags are usage errors.
func TestBulkTopUpInputErrorsSendNothing(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "iccid,product\n"+goodICCID+","+europe1GB+"\n")
	bad := write("bad.csv", "iccid,product\n"+goodICCID+","+europe1GB+"\n"+badICCID+","+europe1GB+"\n12345,"+europe1GB+"\n"+goodICCID+",\n")
	newOrders := write("new.csv", "product,email,country,device-type\n"+europe1GB+",a@example.com,PT,ios\n")
	onlyICCIDs := write("iccids.csv", "iccid\n"+goodICCID+"\n")

	tests := []struct {
		name       string
		args       []string
		wantErr    string
		wantStderr []string
	}{
		{name: "ICCID argument and a file", args: []string{goodICCID, "--from-file", good}, wantErr: "does not go with --from-file"},
		{name: "no ICCID and no file", args: []string{"--product", europe1GB}, wantErr: "wants ICCID"},
		{name: "bulk flag without a file", args: []string{goodICCID, "--product", europe1GB, "--skip-invalid"}, wantErr: "--skip-invalid goes with --from-file"},
		{name: "concurrency out of range", args: []string{"--from-file", good, "--concurrency", "65"}, wantErr: "--concurrency 65"},
		{name: "bad default product", args: []string{"--from-file", onlyICCIDs, "--product", "a b"}, wantErr: "--product (a default for every row)"},
		{name: "bad default date", args: []string{"--from-file", onlyICCIDs, "--product", europe1GB, "--activation-date", "2001-01-01T00:00:00Z"},
			wantErr: "--activation-date (a default for every row)"},
		{name: "a price default without currency leaves it to the rows", args: []string{"--from-file", onlyICCIDs, "--product", europe1GB, "--price", "3"},
			wantErr: "1 of 1 rows are invalid", wantStderr: []string{"line 2: currency is required with a price"}},
		{name: "a new-order file", args: []string{"--from-file", newOrders}, wantErr: `unknown column "email"`},
		{name: "invalid rows listed by line", args: []string{"--from-file", bad},
			wantErr:    "3 of 4 rows are invalid; nothing was sent",
			wantStderr: []string{"line 3: iccid \"" + badICCID + "\"", "--ignore-checksum", "line 4: iccid \"12345\"", "line 5: product is required"}},
		{name: "a wrong check digit stays invalid with other rows fixed", args: []string{"--from-file", bad, "--product", europe1GB},
			wantErr: "2 of 4 rows are invalid", wantStderr: []string{"line 3: iccid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			f := &factory.Factory{IOStreams: ios}
			opts := &TopUpOptions{IO: ios, Printer: f.Printer, Now: func() time.Time { return fixedNow },
				Client: func() (*connect.Client, error) {
					t.Fatal("the client was built: a request could have been sent")
					return nil, errors.New("unreachable")
				},
				Journaling: Journaling{JournalPath: func() (string, error) { return filepath.Join(dir, "journal.jsonl"), nil },
					Scope: func() (bulk.Scope, error) { return bulk.Scope{Target: "http://sandbox"}, nil }},
			}
			err := execute(t, newCmdTopUp(f, opts, nil), tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if code := cmdutil.ExitCodeFor(err); code != cmdutil.ExitUsage {
				t.Errorf("exit %d, want %d", code, cmdutil.ExitUsage)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
		})
	}
}
