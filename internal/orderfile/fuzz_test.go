package orderfile

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzRead checks Read's promises on any input: no panic, a fatal error
// comes alone, rows are numbered in file order with real lines, bad rows
// carry their line, Fields hold only known columns, no product id is empty,
// and Check takes every row without panicking. Seeds are added here and in
// testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"product,email,country,device-type\nP1;P2,ana@example.com,PT,ios\n",
		"{\"product\":[\"P1\",\"P2\"],\"email\":\"ana@example.com\",\"price\":10.99,\"currency\":\"USD\"}\n",
		"\ufeffproduct,email\r\nP1,a@x.pt\r\n",
		"product,first-name\nP1,\"a\nb\"\nP2,\"c",
		"product,email\nP1\nP2,a,b\n\"x\"y,z\n",
		"{\"product\":1}\n{\"x\":true}\n[1]\n{\n",
		"",
		"\n \n",
		"product,,email\nP1,x,a@x.pt\n",
		"product,email,Email\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, bad, err := Read(bytes.NewReader(data))
		if err != nil {
			if rows != nil || bad != nil {
				t.Fatalf("fatal error %v with %d rows, %d bad", err, len(rows), len(bad))
			}
			return
		}
		if len(rows)+len(bad) == 0 {
			t.Fatalf("no error, no rows, no bad rows")
		}
		prevNum, prevLine := 0, 1
		for _, r := range rows {
			if r.Number < 1 || r.Number <= prevNum || r.Line < prevLine {
				t.Fatalf("row %+v after number %d, line %d", r, prevNum, prevLine)
			}
			prevNum, prevLine = r.Number, r.Line
			for k, v := range r.Fields {
				if k == "product" || !slices.Contains(Columns, k) {
					t.Fatalf("row %+v: field %q", r, k)
				}
				if v == "" {
					t.Fatalf("row %+v: empty field %q kept", r, k)
				}
			}
			for _, p := range r.Products {
				if p == "" {
					t.Fatalf("row %+v: empty product id", r)
				}
			}
			in, errs := Check(r, Row{}, now, false)
			if errs == nil && (len(in.Subscriptions) == 0 || in.Customer.Email == "" || in.CountryCode == "") {
				t.Fatalf("row %+v: Check accepted %+v", r, in)
			}
			for _, e := range errs {
				if e.Line != r.Line || e.Row != r.Number {
					t.Fatalf("row %+v: Check error %+v", r, e)
				}
			}
		}
		// Good and bad rows share one numbering, 1 to N with no gap.
		nums := map[int]bool{}
		for _, r := range rows {
			nums[r.Number] = true
		}
		for _, e := range bad {
			if nums[e.Row] && slices.ContainsFunc(rows, func(r Row) bool { return r.Number == e.Row }) {
				t.Fatalf("row %d both good and bad", e.Row)
			}
			nums[e.Row] = true
		}
		for i := 1; i <= len(nums); i++ {
			if !nums[i] {
				t.Fatalf("row numbers %v have a gap at %d", nums, i)
			}
		}
		for _, e := range bad {
			if e.Line < 1 || e.Row < 1 {
				t.Fatalf("bad row %+v without a line or number", e)
			}
			if e.Field != "" && !slices.Contains(Columns, e.Field) {
				t.Fatalf("bad row %+v: field %q", e, e.Field)
			}
		}
	})
}
