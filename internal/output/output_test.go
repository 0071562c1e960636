package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/iostreams"
)

var update = flag.Bool("update", false, "rewrite golden files")

type sim struct {
	ICCID  string `json:"iccid"`
	Status string `json:"status"`
	EID    string `json:"eid,omitempty"`
	Bytes  int64  `json:"bytes"`
	Auto   bool   `json:"autoRenew"`
}

var simCols = []Column[sim]{
	{Name: "iccid", Header: "ICCID", Value: func(s sim) string { return s.ICCID }},
	{Name: "state", Header: "STATE", Value: func(s sim) string { return s.Status }},
	{Name: "eid", Header: "EID", Value: func(s sim) string { return s.EID }},
	{Name: "bytes", Header: "BYTES", Value: func(s sim) string { return "n/a" }, Wide: true},
}

var sims = []sim{
	{ICCID: "8944478600000205337", Status: "Released", Bytes: 1073741824},
	{ICCID: "8944478600000213091", Status: "Installed", EID: "89049032004008882600019002594762", Bytes: 5, Auto: true},
}

func seqOf[T any](items []T, failAfter int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for i, it := range items {
			if failAfter >= 0 && i == failAfter {
				var zero T
				yield(zero, errors.New("page 2: 503 Service Unavailable"))
				return
			}
			if !yield(it, nil) {
				return
			}
		}
	}
}

func newPrinter(t *testing.T, tty bool, o Options) (*Printer, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	ios.SetTTY(false, tty, false)
	p, err := New(ios, o)
	if err != nil {
		t.Fatal(err)
	}
	return p, out, errOut
}

func read(b *bytes.Buffer) string { return b.String() }

func TestListFormats(t *testing.T) {
	tests := []struct {
		name  string
		tty   bool
		opts  Options
		limit int
		want  string
	}{
		{name: "piped table is tab separated with a header", opts: Options{},
			want: "ICCID\tSTATE\tEID\n8944478600000205337\tReleased\t-\n8944478600000213091\tInstalled\t89049032004008882600019002594762\n"},
		{name: "no headers", opts: Options{NoHeaders: true}, limit: 1,
			want: "8944478600000205337\tReleased\t-\n"},
		{name: "columns choose and order, wide ones too", opts: Options{Columns: []string{"bytes", "ICCID"}},
			want: "BYTES\tICCID\nn/a\t8944478600000205337\nn/a\t8944478600000213091\n"},
		{name: "json array", opts: Options{Format: "json"}, limit: 1,
			want: "[\n  {\n    \"iccid\": \"8944478600000205337\",\n    \"status\": \"Released\",\n    \"bytes\": 1073741824,\n    \"autoRenew\": false\n  }\n]\n"},
		{name: "ndjson", opts: Options{Format: "ndjson"},
			want: `{"iccid":"8944478600000205337","status":"Released","bytes":1073741824,"autoRenew":false}` + "\n" +
				`{"iccid":"8944478600000213091","status":"Installed","eid":"89049032004008882600019002594762","bytes":5,"autoRenew":true}` + "\n"},
		{name: "jq scalars print raw", opts: Options{Format: "json", JQ: ".[].iccid"},
			want: "8944478600000205337\n8944478600000213091\n"},
		{name: "jq keeps big integers exact", opts: Options{JQ: "map(.bytes) | add"},
			want: "1073741829\n"},
		{name: "jq objects compact in a pipe", opts: Options{JQ: ".[] | {iccid}"},
			want: "{\"iccid\":\"8944478600000205337\"}\n{\"iccid\":\"8944478600000213091\"}\n"},
		{name: "jq per line with ndjson", opts: Options{Format: "ndjson", JQ: ".status"},
			want: "Released\nInstalled\n"},
		{name: "template", opts: Options{Template: "{{range .}}{{.iccid}} {{.status}}\n{{end}}"},
			want: "8944478600000205337 Released\n8944478600000213091 Installed\n"},
		{name: "yaml", opts: Options{Format: "yaml"}, limit: 1,
			want: "- autoRenew: false\n  bytes: 1073741824\n  iccid: \"8944478600000205337\"\n  status: Released\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out, _ := newPrinter(t, tt.tty, tt.opts)
			if err := CheckColumns(p, simCols); err != nil {
				t.Fatal(err)
			}
			if _, err := List(p, seqOf(sims, -1), simCols, tt.limit); err != nil {
				t.Fatal(err)
			}
			if got := read(out); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestEmptyLists(t *testing.T) {
	for _, tt := range []struct {
		format string
		want   string
	}{{"json", "[]\n"}, {"ndjson", ""}, {"yaml", "[]\n"}, {"table", "ICCID\tSTATE\tEID\n"}} {
		p, out, _ := newPrinter(t, false, Options{Format: tt.format})
		n, err := List(p, seqOf([]sim{}, -1), simCols, 0)
		if err != nil || n != 0 || read(out) != tt.want {
			t.Errorf("%s: %q (n=%d, %v), want %q", tt.format, read(out), n, err, tt.want)
		}
	}
	p, out, errOut := newPrinter(t, true, Options{})
	if _, err := List(p, seqOf([]sim{}, -1), simCols, 0); err != nil || read(out) != "" || !strings.Contains(read(errOut), "No results") {
		t.Errorf("tty empty list: out %q err %q", read(out), read(errOut))
	}
}

// A failure mid-list still leaves parseable JSON holding what arrived.
func TestStreamingJSONFailureLeavesValidArray(t *testing.T) {
	p, out, _ := newPrinter(t, false, Options{Format: "json"})
	n, err := List(p, seqOf(sims, 1), simCols, 0)
	if err == nil || n != 1 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	var got []map[string]any
	if jerr := json.Unmarshal([]byte(read(out)), &got); jerr != nil || len(got) != 1 {
		t.Fatalf("output %q: %v", read(out), jerr)
	}
}

// --limit stops pulling items: later pages are never fetched.
func TestLimitStopsPulling(t *testing.T) {
	pulled := 0
	seq := func(yield func(sim, error) bool) {
		for i := 0; i < 1000; i++ {
			pulled++
			if !yield(sim{ICCID: "89"}, nil) {
				return
			}
		}
	}
	for _, f := range []string{"json", "ndjson", "table", "yaml"} {
		pulled = 0
		p, _, _ := newPrinter(t, false, Options{Format: f})
		if n, err := List(p, seq, simCols, 3); err != nil || n != 3 || pulled > 4 {
			t.Errorf("%s: n=%d pulled=%d err=%v", f, n, pulled, err)
		}
	}
}

func TestTTYTableGolden(t *testing.T) {
	p, out, _ := newPrinter(t, true, Options{})
	if _, err := List(p, seqOf(sims, -1), simCols, 0); err != nil {
		t.Fatal(err)
	}
	golden(t, "sims_tty.golden", read(out))
}

func TestItem(t *testing.T) {
	p, out, _ := newPrinter(t, true, Options{})
	if err := Item(p, sims[1], simCols); err != nil {
		t.Fatal(err)
	}
	golden(t, "sim_item_tty.golden", read(out))

	p, out, _ = newPrinter(t, false, Options{})
	if err := Item(p, sims[0], simCols); err != nil {
		t.Fatal(err)
	}
	if want := "ICCID\tSTATE\tEID\tBYTES\n8944478600000205337\tReleased\t-\tn/a\n"; read(out) != want {
		t.Errorf("piped item %q, want %q", read(out), want)
	}

	p, out, _ = newPrinter(t, false, Options{Format: "json", JQ: ".eid // \"none\""})
	if err := Item(p, sims[0], simCols); err != nil || read(out) != "none\n" {
		t.Errorf("jq item %q %v", read(out), err)
	}
}

func TestBadOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Format: "xml"}, `--output "xml": want one of table, json, yaml, ndjson`},
		{Options{JQ: ".[] | "}, "--jq"},
		{Options{JQ: ".x", Template: "{{.}}"}, "do not go together"},
		{Options{Template: "{{.x"}, "--template"},
	} {
		_, err := New(ios, tt.opts)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.opts, err, tt.want)
		}
	}
	p, err := New(ios, Options{Columns: []string{"iccid", "colour", "size"}})
	if err != nil {
		t.Fatal(err)
	}
	err = CheckColumns(p, simCols)
	if err == nil || !strings.Contains(err.Error(), `"colour", "size"`) || !strings.Contains(err.Error(), "available: iccid, state, eid, bytes") {
		t.Errorf("columns: %v", err)
	}
}

func TestRunJQOnRawBody(t *testing.T) {
	p, out, _ := newPrinter(t, false, Options{JQ: ".[0].id"})
	ok, err := p.RunJQ([]byte(`[{"id":"a"},{"id":"b"}]`))
	if !ok || err != nil || read(out) != "a\n" {
		t.Fatalf("%v %v %q", ok, err, read(out))
	}
	if _, err := p.RunJQ([]byte(`<html>`)); err == nil {
		t.Fatal("non-JSON body accepted")
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}
