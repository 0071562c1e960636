package order

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/iostreams"
)

// The request body of `order new` in each edition (issue 12 item 5): v1
// keeps first/last name and e-mail in customer and refuses the 2024 flags;
// 2024 adds subscriber and purchase_location, checked before sending.
func TestNewSubscriberByEdition(t *testing.T) {
	base := []string{"--product", europe1GB, "--email", "Ana@Example.com", "--country", "US", "--device-type", "ios",
		"--first-name", "Ana", "--last-name", "Silva"}
	address := []string{"--address-line1", "1 Main St", "--city", "Austin", "--postal-code", "78701",
		"--state", "tx", "--address-country", "us", "--purchase-location", "us-tx"}
	tests := []struct {
		name, edition string
		args          []string
		wantErr       string
		want, notWant []string // substrings of the body
	}{
		{name: "v1 body", edition: "v1", args: base,
			want:    []string{`"customer":{"email":"Ana@Example.com","firstName":"Ana","lastName":"Silva"}`},
			notWant: []string{"subscriber", "purchase_location"}},
		{name: "v1 refuses purchase location", edition: "v1", args: append(base, "--purchase-location", "PT"),
			wantErr: "--purchase-location needs --api-edition 2024"},
		{name: "v1 refuses state", edition: "", args: append(base, "--state", "TX"), wantErr: "--state needs --api-edition 2024"},
		{name: "2024 body", edition: "2024", args: append(base, address...),
			want: []string{`"customer":{"email":"Ana@Example.com","firstName":"Ana","lastName":"Silva"}`,
				`"subscriber":{"first_name":"Ana","last_name":"Silva","email":"Ana@Example.com","address":{"line1":"1 Main St","city":"Austin","postal_code":"78701","state":"TX","country":"US"}}`,
				`"purchase_location":"US-TX"`}},
		{name: "2024 by subscriber id", edition: "2024", args: []string{"--product", europe1GB, "--email", "a@example.com", "--country", "PT",
			"--device-type", "ios", "--subscriber-id", "sub-1", "--purchase-location", "PT"},
			want: []string{`"subscriber":{"id":"sub-1","email":"a@example.com"}`, `"purchase_location":"PT"`}},
		{name: "2024 Canadian province", edition: "2024", args: append(base, "--address-line1", "1 rue", "--city", "Montréal", "--postal-code", "H2X 1Y4",
			"--state", "QC", "--address-country", "CA", "--purchase-location", "CA-QC"),
			want: []string{`"state":"QC","country":"CA"`, `"purchase_location":"CA-QC"`}},
		{name: "2024 bad state", edition: "2024", args: append(append([]string{}, base...), "--address-line1", "1 Main St", "--city", "Austin",
			"--postal-code", "78701", "--state", "XX", "--address-country", "US", "--purchase-location", "US-TX"),
			wantErr: `--state "XX": not a US state code`},
		{name: "2024 state outside US and CA", edition: "2024", args: append(append([]string{}, base...), "--address-line1", "R. Augusta 1", "--city", "Lisboa",
			"--postal-code", "1100-053", "--state", "LI", "--address-country", "PT", "--purchase-location", "PT"),
			wantErr: "--state"},
		{name: "2024 US address needs a state", edition: "2024", args: append(append([]string{}, base...), "--address-line1", "1 Main St", "--city", "Austin",
			"--postal-code", "78701", "--address-country", "US", "--purchase-location", "US-TX"),
			wantErr: "--state is required for a US address"},
		{name: "2024 needs the address", edition: "2024", args: append(base, "--purchase-location", "PT"), wantErr: "--address-line1 is required"},
		{name: "2024 needs the purchase location", edition: "2024", args: append(base, address[:10]...), wantErr: "--purchase-location is required"},
		{name: "2024 purchase location needs the state", edition: "2024", args: append(append(append([]string{}, base...), address[:10]...), "--purchase-location", "US"),
			wantErr: "US-CA"},
		{name: "2024 needs names without id", edition: "2024", args: append([]string{"--product", europe1GB, "--email", "a@example.com", "--country", "PT", "--device-type", "ios"}, address...),
			wantErr: "--first-name is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &factory.Factory{IOStreams: ios}
			opts := &NewOptions{IO: ios, Printer: f.Printer, Now: func() time.Time { return fixedNow },
				Edition: func() (string, error) { return tt.edition, nil }}
			var got *NewOptions
			cmd := newCmdNew(f, opts, func(_ context.Context, o *NewOptions) error { got = o; return nil })
			err := execute(t, cmd, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
					t.Fatalf("error %v (exit %d), want exit 2 with %q", err, cmdutil.ExitCodeFor(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got.input())
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("body %s lacks %s", b, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(string(b), w) {
					t.Errorf("body %s has %s", b, w)
				}
			}
		})
	}
}
