package sim

import (
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/connect"
	"github.com/connectctl/connectctl/internal/output"
)

// Columns are named by the JSON keys they show: STATUS, not STATE.
func TestColumnsAreJSONKeys(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	sample := connect.SIM{ICCID: "89", EID: "e", MatchingID: "m", Status: "Released", LPAURL: "LPA:1$a$m", LastModified: now}
	expiry := now
	for name, missing := range map[string][]string{
		"sim get":   output.MissingJSONKeys(getColumns, sample),
		"sim qr":    output.MissingJSONKeys(qrColumns, QRCode{ICCID: "89", ActivationCode: "LPA:1$a$m", IOSInstallURL: "u"}),
		"sim usage": output.MissingJSONKeys(usageColumns, Usage{ICCID: "89", Subscriptions: 1, InitialBytes: 1, NearestExpiry: &expiry, Counted: "ACTIVE"}),
	} {
		if len(missing) > 0 {
			t.Errorf("%s: columns %v are not JSON keys", name, missing)
		}
	}
}
