package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	{Name: "iccid", Value: func(s sim) string { return s.ICCID }},
	{Name: "state", Value: func(s sim) string { return s.Status }},
	{Name: "eid", Value: func(s sim) string { return s.EID }},
	{Name: "bytes", Value: func(s sim) string { return "n/a" }, Wide: true},
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
	// A detail view is the same "LABEL: value" lines in a pipe as on a terminal.
	if want := "ICCID:  8944478600000205337\nSTATE:  Released\nEID:    -\nBYTES:  n/a\n"; read(out) != want {
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

// tricky holds what CSV must quote: a comma, quotes, a line break.
var tricky = sim{ICCID: "89,1", Status: "Say \"hi\"\nthere", Bytes: 7}

func TestCSVList(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		items []sim
		cols  []Column[sim]
		limit int
		want  string
	}{
		{name: "header and the default columns, empty values empty",
			want: "iccid,state,eid\n8944478600000205337,Released,\n8944478600000213091,Installed,89049032004008882600019002594762\n"},
		{name: "no headers", opts: Options{NoHeaders: true}, limit: 1,
			want: "8944478600000205337,Released,\n"},
		{name: "columns choose and order, wide ones too", opts: Options{Columns: []string{"bytes", "ICCID"}},
			want: "bytes,iccid\nn/a,8944478600000205337\nn/a,8944478600000213091\n"},
		{name: "empty list is a header", items: []sim{}, want: "iccid,state,eid\n"},
		{name: "empty list without headers is nothing", items: []sim{}, opts: Options{NoHeaders: true}, want: ""},
		{name: "commas quotes and newlines are quoted", items: []sim{tricky},
			want: "iccid,state,eid\n\"89,1\",\"Say \"\"hi\"\"\nthere\",\n"},
		{name: "no columns: the JSON keys, later ones appended", cols: []Column[sim]{},
			want: "iccid,status,bytes,autoRenew,eid\n8944478600000205337,Released,1073741824,false,\n8944478600000213091,Installed,5,true,89049032004008882600019002594762\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out, _ := newPrinter(t, false, Options{Format: "csv", Columns: tt.opts.Columns, NoHeaders: tt.opts.NoHeaders})
			items, cols := tt.items, tt.cols
			if items == nil {
				items = sims
			}
			if cols == nil {
				cols = simCols
			}
			if _, err := List(p, seqOf(items, -1), cols, tt.limit); err != nil {
				t.Fatal(err)
			}
			if got := read(out); got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
	// A TTY changes nothing: CSV is data.
	p, out, _ := newPrinter(t, true, Options{Format: "CSV"})
	if _, err := List(p, seqOf(sims[:1], -1), simCols, 0); err != nil || read(out) != "iccid,state,eid\n8944478600000205337,Released,\n" {
		t.Errorf("tty csv %q %v", read(out), err)
	}
	if !p.Structured() || p.Format() != CSV {
		t.Error("csv is not structured")
	}
}

func TestCSVItem(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		item any
		cols []Column[sim]
		want string
	}{
		{name: "every column of one item", item: sims[0], cols: simCols,
			want: "iccid,state,eid,bytes\n8944478600000205337,Released,,n/a\n"},
		{name: "columns", item: sims[0], cols: simCols, opts: Options{Columns: []string{"state"}},
			want: "state\nReleased\n"},
		{name: "no headers", item: tricky, cols: simCols, opts: Options{NoHeaders: true},
			want: "\"89,1\",\"Say \"\"hi\"\"\nthere\",,n/a\n"},
		{name: "no columns: the struct's JSON in field order", item: sims[0],
			want: "iccid,status,bytes,autoRenew\n8944478600000205337,Released,1073741824,false\n"},
		{name: "raw array of objects keeps the document's key order",
			item: json.RawMessage(`[{"b": 1, "a": {"x": [1, 2], "y": "<&>"}, "c": null}, {"a": "s,t", "d": true, "b": 2.50}]`),
			want: "b,a,c,d\n1,\"{\"\"x\"\":[1,2],\"\"y\"\":\"\"<&>\"\"}\",,\n2.50,\"s,t\",,true\n"},
		{name: "raw array of objects without headers",
			item: json.RawMessage(`[{"id": "a"}, {"id": "b"}]`), opts: Options{NoHeaders: true},
			want: "a\nb\n"},
		{name: "raw object", item: json.RawMessage(`{"iccid": "89", "eid": null}`),
			want: "iccid,eid\n89,\n"},
		{name: "raw string scalar", item: json.RawMessage(`"hello, world"`), want: "\"hello, world\"\n"},
		{name: "raw number scalar", item: json.RawMessage(`12345678901234567890`), want: "12345678901234567890\n"},
		{name: "raw array of scalars", item: json.RawMessage(`["a", 1, [2]]`), want: "a\n1\n[2]\n"},
		{name: "raw empty array", item: json.RawMessage(`[]`), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Format = "csv"
			p, out, _ := newPrinter(t, false, o)
			var err error
			if s, ok := tt.item.(sim); ok {
				err = Item(p, s, tt.cols)
			} else {
				err = Item(p, tt.item, nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := read(out); got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
	// Generic data without key order: alphabetical.
	p, out, _ := newPrinter(t, false, Options{Format: "csv"})
	if err := p.structured(map[string]any{"z": json.Number("1"), "a": "x"}); err != nil || read(out) != "a,z\nx,1\n" {
		t.Errorf("generic map %q %v", read(out), err)
	}
}

func TestCSVRefusesJQAndTemplate(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	for _, o := range []Options{{Format: "csv", JQ: ".x"}, {Format: "csv", Template: "{{.}}"}} {
		_, err := New(ios, o)
		var ie *InputError
		if !errors.As(err, &ie) || err.Error() != "--jq/--template produce their own output: drop -o csv" {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

// Every format prints a single item as the same kind of document.
func TestItemFormats(t *testing.T) {
	tests := []struct {
		format string
		opts   Options
		want   string
	}{
		{"table", Options{}, "ICCID:  8944478600000205337\nSTATE:  Released\nEID:    -\nBYTES:  n/a\n"},
		{"table", Options{NoHeaders: true, Columns: []string{"eid", "iccid"}}, "-\n8944478600000205337\n"},
		// Items go through the generic data model: keys sorted.
		{"json", Options{}, "{\n  \"autoRenew\": false,\n  \"bytes\": 1073741824,\n  \"iccid\": \"8944478600000205337\",\n  \"status\": \"Released\"\n}\n"},
		{"yaml", Options{}, "autoRenew: false\nbytes: 1073741824\niccid: \"8944478600000205337\"\nstatus: Released\n"},
		{"ndjson", Options{}, `{"autoRenew":false,"bytes":1073741824,"iccid":"8944478600000205337","status":"Released"}` + "\n"},
		{"csv", Options{}, "iccid,state,eid,bytes\n8944478600000205337,Released,,n/a\n"},
		{"csv", Options{NoHeaders: true, Columns: []string{"eid", "iccid"}}, ",8944478600000205337\n"},
	}
	for _, tt := range tests {
		o := tt.opts
		o.Format = tt.format
		p, out, _ := newPrinter(t, false, o)
		if err := Item(p, sims[0], simCols); err != nil {
			t.Fatal(err)
		}
		if got := read(out); got != tt.want {
			t.Errorf("%s %+v: got %q, want %q", tt.format, tt.opts, got, tt.want)
		}
	}
}

// streamCols carry width hints for the aligned table.
var streamCols = []Column[sim]{
	{Name: "iccid", Value: func(s sim) string { return s.ICCID }, Width: 19},
	{Name: "state", Value: func(s sim) string { return s.Status }, Width: 9},
	{Name: "eid", Value: func(s sim) string { return s.EID }},
	{Name: "bytes", Value: func(s sim) string { return "n/a" }, Wide: true},
}

func TestStreamFormats(t *testing.T) {
	tests := []struct {
		name  string
		tty   bool
		opts  Options
		cols  []Column[sim]
		items []sim
		want  string
	}{
		{name: "ndjson", opts: Options{Format: "ndjson"},
			want: `{"iccid":"8944478600000205337","status":"Released","bytes":1073741824,"autoRenew":false}` + "\n" +
				`{"iccid":"8944478600000213091","status":"Installed","eid":"89049032004008882600019002594762","bytes":5,"autoRenew":true}` + "\n"},
		{name: "ndjson empty", opts: Options{Format: "ndjson"}, items: []sim{}, want: ""},
		{name: "json array", opts: Options{Format: "json"}, items: sims[:1],
			want: "[\n  {\n    \"iccid\": \"8944478600000205337\",\n    \"status\": \"Released\",\n    \"bytes\": 1073741824,\n    \"autoRenew\": false\n  }\n]\n"},
		{name: "json empty", opts: Options{Format: "json"}, items: []sim{}, want: "[]\n"},
		{name: "yaml documents", opts: Options{Format: "yaml"},
			want: "autoRenew: false\nbytes: 1073741824\niccid: \"8944478600000205337\"\nstatus: Released\n---\n" +
				"autoRenew: true\nbytes: 5\neid: \"89049032004008882600019002594762\"\niccid: \"8944478600000213091\"\nstatus: Installed\n"},
		{name: "yaml empty", opts: Options{Format: "yaml"}, items: []sim{}, want: ""},
		{name: "csv", opts: Options{Format: "csv"},
			want: "iccid,state,eid\n8944478600000205337,Released,\n8944478600000213091,Installed,89049032004008882600019002594762\n"},
		{name: "csv no headers and columns", opts: Options{Format: "csv", NoHeaders: true, Columns: []string{"bytes", "iccid"}},
			want: "n/a,8944478600000205337\nn/a,8944478600000213091\n"},
		{name: "csv quoting", opts: Options{Format: "csv"}, items: []sim{tricky},
			want: "iccid,state,eid\n\"89,1\",\"Say \"\"hi\"\"\nthere\",\n"},
		{name: "csv empty is a header", opts: Options{Format: "csv"}, items: []sim{}, want: "iccid,state,eid\n"},
		{name: "csv empty without headers", opts: Options{Format: "csv", NoHeaders: true}, items: []sim{}, want: ""},
		{name: "csv without columns: the first item's keys", opts: Options{Format: "csv"}, cols: []Column[sim]{},
			want: "iccid,status,bytes,autoRenew\n8944478600000205337,Released,1073741824,false\n8944478600000213091,Installed,5,true\n"},
		{name: "piped table", opts: Options{},
			want: "ICCID\tSTATE\tEID\n8944478600000205337\tReleased\t-\n8944478600000213091\tInstalled\t89049032004008882600019002594762\n"},
		{name: "piped table no headers, columns", opts: Options{NoHeaders: true, Columns: []string{"eid"}},
			want: "-\n89049032004008882600019002594762\n"},
		{name: "piped table empty is a header", opts: Options{}, items: []sim{}, want: "ICCID\tSTATE\tEID\n"},
		{name: "tty table with width hints", tty: true, opts: Options{},
			want: "ICCID                 STATE       EID\n" +
				"8944478600000205337   Released    -\n" +
				"8944478600000213091   Installed   89049032004008882600019002594762\n"},
		{name: "tty table: long values push the line", tty: true, opts: Options{}, cols: simCols,
			want: "ICCID   STATE   EID\n" +
				"8944478600000205337   Released   -\n" +
				"8944478600000213091   Installed   89049032004008882600019002594762\n"},
		{name: "tty table no headers, newlines flattened", tty: true, opts: Options{NoHeaders: true}, items: []sim{tricky},
			want: "89,1                  Say \"hi\" there   -\n"},
		{name: "tty table empty", tty: true, opts: Options{}, items: []sim{}, want: ""},
		{name: "jq per item", opts: Options{JQ: ".iccid, .bytes"},
			want: "8944478600000205337\n1073741824\n8944478600000213091\n5\n"},
		{name: "jq objects per item", opts: Options{Format: "json", JQ: "{status}"},
			want: "{\"status\":\"Released\"}\n{\"status\":\"Installed\"}\n"},
		{name: "template per item", opts: Options{Template: "{{.iccid}} {{.status}}"},
			want: "8944478600000205337 Released\n8944478600000213091 Installed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out, _ := newPrinter(t, tt.tty, tt.opts)
			items, cols := tt.items, tt.cols
			if items == nil {
				items = sims
			}
			if cols == nil {
				cols = streamCols
			}
			s := NewStream(p, cols)
			for _, it := range items {
				if err := s.Write(it); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal("second Close:", err)
			}
			if got := read(out); got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
			if err := s.Write(sims[0]); err == nil {
				t.Error("Write after Close accepted")
			}
		})
	}
}

// A stream prints what List prints for the same items, in every format
// where List streams too.
func TestStreamMatchesList(t *testing.T) {
	for _, o := range []Options{{Format: "json"}, {Format: "ndjson"}, {Format: "csv"}, {}, {NoHeaders: true}, {Format: "csv", Columns: []string{"bytes"}}} {
		p, listOut, _ := newPrinter(t, false, o)
		if _, err := List(p, seqOf(sims, -1), simCols, 0); err != nil {
			t.Fatal(err)
		}
		p, streamOut, _ := newPrinter(t, false, o)
		s := NewStream(p, simCols)
		for _, it := range sims {
			_ = s.Write(it)
		}
		_ = s.Close()
		if read(listOut) != read(streamOut) {
			t.Errorf("%+v: stream %q, list %q", o, read(streamOut), read(listOut))
		}
	}
}

// Each item is on stdout, whole, as soon as Write returns.
func TestStreamFlushesEachItem(t *testing.T) {
	for _, f := range []string{"ndjson", "csv", "table", "json", "yaml"} {
		p, out, _ := newPrinter(t, false, Options{Format: f})
		s := NewStream(p, simCols)
		prev := 0
		for _, it := range sims {
			if err := s.Write(it); err != nil {
				t.Fatal(err)
			}
			got := read(out)
			if len(got) <= prev || !strings.Contains(got[prev:], it.ICCID) {
				t.Errorf("%s: after Write %q", f, got[prev:])
			}
			prev = len(got)
		}
		_ = s.Close()
	}
}

func TestStreamConcurrentWrites(t *testing.T) {
	const n = 200
	for _, f := range []string{"json", "ndjson", "csv", "table", "yaml"} {
		t.Run(f, func(t *testing.T) {
			p, out, _ := newPrinter(t, false, Options{Format: f})
			s := NewStream(p, simCols)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := s.Write(sim{ICCID: fmt.Sprintf("89%04d", i), Status: "a,b\"c"}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			var closeWG sync.WaitGroup
			for range 3 {
				closeWG.Add(1)
				go func() { defer closeWG.Done(); _ = s.Close() }()
			}
			closeWG.Wait()
			seen := map[string]bool{}
			switch f {
			case "json":
				var got []sim
				if err := json.Unmarshal(out.Bytes(), &got); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
				for _, g := range got {
					seen[g.ICCID] = true
				}
			case "ndjson":
				for _, l := range strings.Split(strings.TrimSuffix(read(out), "\n"), "\n") {
					var g sim
					if err := json.Unmarshal([]byte(l), &g); err != nil {
						t.Fatalf("%v: %q", err, l)
					}
					seen[g.ICCID] = true
				}
			case "csv":
				recs, err := csv.NewReader(out).ReadAll()
				if err != nil || len(recs) != n+1 || recs[0][0] != "iccid" {
					t.Fatalf("%v: %d records", err, len(recs))
				}
				for _, r := range recs[1:] {
					if r[1] != "a,b\"c" {
						t.Fatalf("record %q", r)
					}
					seen[r[0]] = true
				}
			case "table":
				lines := strings.Split(strings.TrimSuffix(read(out), "\n"), "\n")
				if lines[0] != "ICCID\tSTATE\tEID" {
					t.Fatalf("header %q", lines[0])
				}
				for _, l := range lines[1:] {
					seen[strings.Split(l, "\t")[0]] = true
				}
			case "yaml":
				for _, doc := range strings.Split(read(out), "---\n") {
					if !strings.HasPrefix(doc, "autoRenew: false\n") {
						t.Fatalf("document %q", doc)
					}
					seen[doc] = true
				}
			}
			if len(seen) != n {
				t.Fatalf("%d distinct items, want %d", len(seen), n)
			}
		})
	}
}
