package orderfile

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func fields(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestReadGood(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Row
	}{
		{
			name: "csv basic, multi-product cells",
			in: "product,email,country,device-type\n" +
				"P1,ana@example.com,PT,ios\n" +
				"\"P2;P3 P4\",bo@example.com,GB,android\n",
			want: []Row{
				{Number: 1, Line: 2, Fields: fields("email", "ana@example.com", "country", "PT", "device-type", "ios"), Products: []string{"P1"}},
				{Number: 2, Line: 3, Fields: fields("email", "bo@example.com", "country", "GB", "device-type", "android"), Products: []string{"P2", "P3", "P4"}},
			},
		},
		{
			name: "csv repeated product columns and aliases",
			in: "Products,product_id,Email,countryCode,deviceType,DEVICE_ID,firstName,lastName,countryOfResidence,activationDate,Device_Model,device-make,EID,Price,CURRENCY\n" +
				"a=,b+/c,ana@x.pt,pt,IOS,dev-1,Ana,Silva,PT,2030-01-01T00:00:00Z,iPhone 15,Apple,1234,10.99,usd\n",
			want: []Row{{Number: 1, Line: 2, Products: []string{"a=", "b+/c"}, Fields: fields(
				"email", "ana@x.pt", "country", "pt", "device-type", "IOS", "device-id", "dev-1", "first-name", "Ana",
				"last-name", "Silva", "residence", "PT", "activation-date", "2030-01-01T00:00:00Z", "device-model", "iPhone 15",
				"device-make", "Apple", "eid", "1234", "price", "10.99", "currency", "usd")}},
		},
		{
			name: "csv BOM and CRLF",
			in:   "\ufeffproduct,email\r\nP1,a@x.pt\r\nP2,b@x.pt\r\n",
			want: []Row{
				{Number: 1, Line: 2, Fields: fields("email", "a@x.pt"), Products: []string{"P1"}},
				{Number: 2, Line: 3, Fields: fields("email", "b@x.pt"), Products: []string{"P2"}},
			},
		},
		{
			name: "csv quoted fields spanning lines",
			in:   "product,first-name,email\nP1,\"Ana\nMaria\",a@x.pt\n\"P2\r\nP3\",Bo,b@x.pt\nP4,Cy,c@x.pt\n",
			want: []Row{
				{Number: 1, Line: 2, Fields: fields("first-name", "Ana\nMaria", "email", "a@x.pt"), Products: []string{"P1"}},
				{Number: 2, Line: 4, Fields: fields("first-name", "Bo", "email", "b@x.pt"), Products: []string{"P2", "P3"}},
				{Number: 3, Line: 6, Fields: fields("first-name", "Cy", "email", "c@x.pt"), Products: []string{"P4"}},
			},
		},
		{
			name: "csv blank lines and empty rows skipped, values trimmed",
			in:   "\n\nproduct , email\n\nP1 , \" a@x.pt \"\n,\n  \n\nP2,b@x.pt",
			want: []Row{
				{Number: 1, Line: 5, Fields: fields("email", "a@x.pt"), Products: []string{"P1"}},
				{Number: 2, Line: 9, Fields: fields("email", "b@x.pt"), Products: []string{"P2"}},
			},
		},
		{
			name: "csv empty cells omitted, unnamed empty column ignored",
			in:   "product,email,country,\nP1,a@x.pt,,\n,b@x.pt,GB,\n",
			want: []Row{
				{Number: 1, Line: 2, Fields: fields("email", "a@x.pt"), Products: []string{"P1"}},
				{Number: 2, Line: 3, Fields: fields("email", "b@x.pt", "country", "GB")},
			},
		},
		{
			name: "jsonl strings, arrays, numbers kept as written",
			in: `{"product":"P1 P2","email":"a@x.pt","price":10.99,"currency":"USD"}` + "\n" +
				`{"products":["P3","P4;P5"],"email":"b@x.pt","eid":89049032004008882600019002594762,"price":1e2}` + "\n",
			want: []Row{
				{Number: 1, Line: 1, Fields: fields("email", "a@x.pt", "price", "10.99", "currency", "USD"), Products: []string{"P1", "P2"}},
				{Number: 2, Line: 2, Fields: fields("email", "b@x.pt", "eid", "89049032004008882600019002594762", "price", "1e2"), Products: []string{"P3", "P4", "P5"}},
			},
		},
		{
			name: "jsonl BOM, CRLF, blank lines, nulls, camelCase keys, empty objects skipped",
			in: "\ufeff\r\n  {\"productId\": \"P1\", \"countryCode\": \"PT\", \"deviceType\": \"ios\", \"firstName\": null, \"device_id\": \" d1 \"}\r\n" +
				"\r\n{}\r\n{\"email\": null, \"product\": []}\r\n" +
				"{\"product\": [\"P2\", null, 7], \"countryOfResidence\": \"GB\", \"activationDate\": \"2030-01-01T00:00:00Z\", \"lastName\": \"\"}\r\n",
			want: []Row{
				{Number: 1, Line: 2, Fields: fields("country", "PT", "device-type", "ios", "device-id", "d1"), Products: []string{"P1"}},
				{Number: 2, Line: 6, Fields: fields("residence", "GB", "activation-date", "2030-01-01T00:00:00Z"), Products: []string{"P2", "7"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := Read(strings.NewReader(tt.in))
			if err != nil || len(bad) > 0 {
				t.Fatalf("Read: err %v, bad %v", err, bad)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows:\n got %+v\nwant %+v", rows, tt.want)
			}
		})
	}
}

func TestReadBad(t *testing.T) {
	type bad struct {
		row, line int
		field     string
		msg       string // substring
	}
	tests := []struct {
		name     string
		in       string
		goodRows []int // Numbers of the rows that parsed
		want     []bad
	}{
		{
			name:     "csv short and long rows",
			in:       "product,email\nP1,a@x.pt\nP2\nP3,c@x.pt,extra\nP4,d@x.pt\n",
			goodRows: []int{1, 4},
			want:     []bad{{2, 3, "", "the row has 1 fields, the header 2"}, {3, 4, "", "the row has 3 fields, the header 2"}},
		},
		{
			name:     "csv bare quote",
			in:       "product,email\nP1,a\"b@x.pt\nP2,b@x.pt\n",
			goodRows: []int{2},
			want:     []bad{{1, 2, "", `a '"' inside an unquoted field (line 2, column 5)`}},
		},
		{
			name:     "csv stray quote after a multi-line quoted field",
			in:       "product,first-name,email\nP1,\"Ana\nMaria\"x,a@x.pt\nP2,Bo,b@x.pt\n",
			goodRows: []int{2},
			want:     []bad{{1, 2, "", "a stray or missing '\"' in a quoted field (line 3"}},
		},
		{
			name:     "csv unclosed quote on the last line",
			in:       "product,email\nP1,a@x.pt\nP2,\"b@x.pt",
			goodRows: []int{1},
			want:     []bad{{2, 3, "", "not valid CSV"}},
		},
		{
			name:     "csv value in an unnamed column",
			in:       "product,,email\nP1,oops,a@x.pt\nP2,,b@x.pt\n",
			goodRows: []int{2},
			want:     []bad{{1, 2, "", `column 2 has no name in the header but holds "oops"`}},
		},
		{
			name: "jsonl syntax and shape errors",
			in: `{"product":"P1","email":"a@x.pt"}` + "\n" +
				`{"product":"P2",}` + "\n" +
				"\n" +
				`["P3"]` + "\n" +
				`{"product":"P4"` + "\n" +
				`{"product":"P5"}{"product":"P6"}` + "\n" +
				`{"product":"P7"} x` + "\n" +
				"{\"product\":\"\xff\"}\n" +
				`{"product":"P8"}` + "\n",
			goodRows: []int{1, 8},
			want: []bad{
				{2, 2, "", "not valid JSON (column"},
				{3, 4, "", "not a JSON object"},
				{4, 5, "", "not closed on its line"},
				{5, 6, "", "text after the object"},
				{6, 7, "", "text after the object"},
				{7, 8, "", "not valid UTF-8"},
			},
		},
		{
			name: "jsonl keys and value types",
			in: `{"product":"P1","colour":"red","email":"a@x.pt"}` + "\n" +
				`{"device_type":"ios","deviceType":"android"}` + "\n" +
				`{"product":"P2","eid":true}` + "\n" +
				`{"product":"P3","email":{"a":1}}` + "\n" +
				`{"product":"P4","country":["PT"]}` + "\n" +
				`{"product":["P5",{"id":1}]}` + "\n" +
				`{"product":"P6","product_id":"P7"}` + "\n",
			goodRows: []int{7},
			want: []bad{
				{1, 1, "", `unknown key "colour": the keys are product, email,`},
				{2, 2, "device-type", `key "deviceType" repeats "device_type"`},
				{3, 3, "eid", `is a boolean "true", want a string`},
				{4, 4, "email", `is an object "{\"a\":1}", want a string`},
				{5, 5, "country", "is an array"},
				{6, 6, "product", "array holds an object"},
			},
		},
		{
			name:     "jsonl several problems of one row all reported",
			in:       `{"product":"P1","x":1,"y":false,"email":null}` + "\n",
			goodRows: nil,
			want:     []bad{{1, 1, "", `unknown key "x"`}, {1, 1, "", `unknown key "y"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, got, err := Read(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var nums []int
			for _, r := range rows {
				nums = append(nums, r.Number)
			}
			if !reflect.DeepEqual(nums, tt.goodRows) {
				t.Errorf("good rows %v, want %v", nums, tt.goodRows)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("bad = %v, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Row != w.row || g.Line != w.line || g.Field != w.field || !strings.Contains(g.Msg, w.msg) {
					t.Errorf("bad[%d] = %+v, want row %d line %d field %q msg ~ %q", i, g, w.row, w.line, w.field, w.msg)
				}
			}
		})
	}
}

func TestReadFatal(t *testing.T) {
	big := strings.Repeat("x", maxField+1)
	manyRows := func(n int) string {
		return "product,email\n" + strings.Repeat("P,a@x.pt\n", n)
	}
	tests := []struct {
		name string
		in   string
		line int
		msg  string // substring
	}{
		{"empty", "", 0, "the file is empty"},
		{"blank", " \r\n\n\t", 0, "the file is empty"},
		{"BOM only", "\ufeff\n", 0, "the file is empty"},
		{"JSON array", "\n [{\"product\":\"P1\"}]", 0, "JSON array"},
		{"no header", ",,\n , \n", 0, "no header row"},
		{"header only", "product,email\n", 0, "no orders"},
		{"header and empty rows only", "product,email\n,\n\n", 0, "no orders"},
		{"jsonl with only empty objects", "{}\n{\"email\":null}\n", 0, "no orders"},
		{"unknown column", "\nproduct,e-mail\nP1,a@x.pt\n", 2, `unknown column "e-mail": the header names the columns, each one of product, email, country, device-type, device-id, device-model, device-make, eid, first-name, last-name, residence, activation-date, price, currency`},
		{"header that is data", "P1,a@x.pt\n", 1, `unknown column "P1"`},
		{"semicolon separated", "product;email\nP1;a@x.pt\n", 1, "separated by ';'"},
		{"repeated column", "product,email,Email\n", 1, `column "Email" repeats column "email" (email)`},
		{"repeated column via alias", "product,device_type,deviceType\n", 1, `column "deviceType" repeats column "device_type" (device-type)`},
		{"header not valid CSV", "product,\"email\"x\nP1,a@x.pt\n", 1, "the header is not valid CSV"},
		{"unclosed quote swallows the rest", "product,email\nP1,a@x.pt\nP2,\"b@x.pt\nP3,c@x.pt\n", 3, "never closed"},
		{"csv field over 4 KiB", "product,email\nP1,a@x.pt\n\nP2," + big + "\n", 4, "email value of 4097 bytes, at most 4 KiB"},
		{"csv header field over 4 KiB", "product," + big + "\n", 1, "at most 4 KiB"},
		{"jsonl field over 4 KiB", "{\"product\":\"P1\"}\n{\"first_name\":\"" + big + "\"}\n", 2, "first-name value of 4097 bytes"},
		{"line over 64 KiB", "product,email\n" + strings.Repeat(strings.Repeat("y", 4000)+",", 17) + "\n", 2, "at most 64 KiB"},
		{"too many rows", manyRows(maxRows + 1), 0, "more than 100000 rows"},
		{"too many jsonl rows", strings.Repeat("{\"product\":\"P\"}\n", maxRows+1), 0, "more than 100000 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := Read(strings.NewReader(tt.in))
			var re RowError
			if !errors.As(err, &re) {
				t.Fatalf("Read: err %v (%T), %d rows, bad %v; want a RowError", err, err, len(rows), bad)
			}
			if rows != nil || bad != nil {
				t.Errorf("rows %v, bad %v with a fatal error", rows, bad)
			}
			if re.Line != tt.line || re.Row != 0 || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %+v (%q), want line %d, msg ~ %q", re, err, tt.line, tt.msg)
			}
		})
	}

	t.Run("exactly the row limit", func(t *testing.T) {
		rows, bad, err := Read(strings.NewReader(manyRows(maxRows)))
		if err != nil || len(bad) > 0 || len(rows) != maxRows {
			t.Fatalf("%d rows, bad %v, err %v", len(rows), bad, err)
		}
	})
	t.Run("over 64 MiB", func(t *testing.T) {
		_, _, err := Read(io.LimitReader(repeatReader('\n'), maxSize+1))
		if err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("boom")
		if _, _, err := Read(iotest.ErrReader(boom)); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	})
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestRowErrorError(t *testing.T) {
	tests := []struct {
		e    RowError
		want string
	}{
		{RowError{Row: 3, Line: 7, Field: "email", Msg: `"ana@": not an e-mail address`}, `line 7: email "ana@": not an e-mail address`},
		{RowError{Row: 3, Line: 7, Msg: "the row has 1 fields, the header 2"}, "line 7: the row has 1 fields, the header 2"},
		{RowError{Msg: "the file is empty"}, "the file is empty"},
		{RowError{Field: "price", Msg: "is required"}, "price is required"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", tt.e, got, tt.want)
		}
	}
}
