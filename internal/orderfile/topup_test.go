package orderfile

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/connect"
)

const (
	goodICCID = "8944478600000205337"
	badICCID  = "8944474600000109299" // Luhn digit 9 is wrong
)

func TestReadTopUps(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Row
	}{
		{name: "CSV, several products in a cell and a repeated product column",
			in: "ICCID,product,Product_ID\n" + goodICCID + ",\"P1 P2\",P3\n89000000000000000000F,P1,\n",
			want: []Row{
				{Number: 1, Line: 2, Fields: fields("iccid", goodICCID), Products: []string{"P1", "P2", "P3"}},
				{Number: 2, Line: 3, Fields: fields("iccid", "89000000000000000000F"), Products: []string{"P1"}},
			}},
		{name: "JSON Lines, a product array and the API's spelling of the key",
			in: `{"esim_iccid":"` + goodICCID + `","products":["P1","P2"],"activationDate":"2025-07-01T00:00:00Z"}` + "\n" +
				`{"iccid":"` + goodICCID + `"}` + "\n",
			want: []Row{
				{Number: 1, Line: 1, Fields: fields("iccid", goodICCID, "activation-date", "2025-07-01T00:00:00Z"), Products: []string{"P1", "P2"}},
				{Number: 2, Line: 2, Fields: fields("iccid", goodICCID)},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := ReadTopUps(strings.NewReader(tt.in))
			if err != nil || len(bad) > 0 {
				t.Fatalf("err %v, bad %v", err, bad)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows:\n got %+v\nwant %+v", rows, tt.want)
			}
		})
	}
}

// A top-up file takes only the top-up columns, and a new-order file not
// the ICCID: a file given to the wrong command is refused whole.
func TestReadKindsRefuseTheOthersColumns(t *testing.T) {
	tests := []struct {
		name    string
		kind    Kind
		in      string
		fatal   string // a fatal error containing this
		badRows string // else a bad row containing this
	}{
		{name: "new-order file as top-ups", kind: TopUp, in: "product,email,country\nP1,a@example.com,PT\n",
			fatal: `unknown column "email": the header names the columns, each one of iccid, product, activation-date, price, currency`},
		{name: "top-up file as new orders", kind: NewESIM, in: "iccid,product\n" + goodICCID + ",P1\n", fatal: `unknown column "iccid"`},
		{name: "new-order key in top-up JSON Lines", kind: TopUp, in: `{"iccid":"` + goodICCID + `","email":"a@example.com"}` + "\n",
			badRows: `unknown key "email": the keys are iccid, product`},
		{name: "empty top-up file names its columns", kind: TopUp, in: "\n", fatal: "(iccid, product, activation-date, price, currency)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, bad, err := ReadKind(strings.NewReader(tt.in), tt.kind)
			if tt.fatal != "" {
				if err == nil || !strings.Contains(err.Error(), tt.fatal) {
					t.Fatalf("err %v, want one containing %q", err, tt.fatal)
				}
				return
			}
			if err != nil || len(bad) != 1 || !strings.Contains(bad[0].Error(), tt.badRows) {
				t.Fatalf("err %v, bad %v; want one bad row containing %q", err, bad, tt.badRows)
			}
		})
	}
}

func TestCheckTopUp(t *testing.T) {
	act := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	row := Row{Number: 2, Line: 3, Products: []string{"P1", "P2"}, Fields: fields(
		"iccid", " "+goodICCID+"F", "activation-date", "2025-07-01T00:00:00Z", "price", "3", "currency", "usd")}
	in, errs := CheckTopUp(row, Row{}, now, false)
	if errs != nil {
		t.Fatalf("errs = %v", errs)
	}
	want := connect.OrderInput{
		OperationType: connect.OperationTopUp,
		ESIM:          &connect.OrderESIM{ICCID: goodICCID},
		Subscriptions: []connect.OrderSubscription{
			{ProductID: "P1", ActivationDate: act, Price: "3", Currency: "USD"},
			{ProductID: "P2", ActivationDate: act, Price: "3", Currency: "USD"},
		},
	}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("input:\n got %+v %+v\nwant %+v %+v", in, in.ESIM, want, want.ESIM)
	}

	// The defaults (the command's flags) fill a row without products.
	in, errs = CheckTopUp(Row{Number: 1, Line: 2, Fields: fields("iccid", goodICCID)}, Row{Products: []string{"D1"}, Fields: fields()}, now, false)
	if errs != nil || len(in.Subscriptions) != 1 || in.Subscriptions[0].ProductID != "D1" {
		t.Errorf("defaults: %+v %v", in, errs)
	}
}

func TestCheckTopUpProblems(t *testing.T) {
	tests := []struct {
		name           string
		row            Row
		ignoreChecksum bool
		want           []string // each problem, in order
	}{
		{name: "wrong Luhn digit", row: Row{Products: []string{"P1"}, Fields: fields("iccid", badICCID)},
			want: []string{`line 5: iccid "` + badICCID + `": `, "add --ignore-checksum"}},
		{name: "not an ICCID", row: Row{Products: []string{"P1"}, Fields: fields("iccid", "12345")}, want: []string{`line 5: iccid "12345"`}},
		{name: "nothing at all", row: Row{Fields: fields()},
			want: []string{"line 5: iccid is required", "line 5: product is required"}},
		{name: "bad product and a price without currency", row: Row{Products: []string{"P 1"}, Fields: fields("iccid", goodICCID, "price", "3")},
			want: []string{`line 5: product "P 1": want a product id`, "line 5: currency is required with a price"}},
		{name: "activation date in the past", row: Row{Products: []string{"P1"}, Fields: fields("iccid", goodICCID, "activation-date", "2001-01-01T00:00:00Z")},
			want: []string{"line 5: activation-date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.row.Number, tt.row.Line = 4, 5
			in, errs := CheckTopUp(tt.row, Row{}, now, tt.ignoreChecksum)
			if in.ESIM != nil || in.Subscriptions != nil {
				t.Errorf("an input came back with problems: %+v", in)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			joined := strings.Join(got, "\n")
			if tt.name == "wrong Luhn digit" {
				if len(errs) != 1 || !strings.Contains(joined, tt.want[0]) || !strings.Contains(joined, tt.want[1]) {
					t.Fatalf("problems:\n%s", joined)
				}
				return
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("problems:\n%s\nwant %d", joined, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d: %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}

	// --ignore-checksum takes the ICCID as written.
	in, errs := CheckTopUp(Row{Products: []string{"P1"}, Fields: fields("iccid", badICCID)}, Row{}, now, true)
	if errs != nil || in.ESIM.ICCID != badICCID {
		t.Errorf("with ignoreChecksum: %+v %v", in, errs)
	}
}
