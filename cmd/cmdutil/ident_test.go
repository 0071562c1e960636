package cmdutil

import (
	"bytes"
	"strings"
	"testing"
)

func TestICCIDArg(t *testing.T) {
	const good, badLuhn = "8944478600000205337", "8944474600000109299"
	tests := []struct {
		name          string
		value         string
		changes, skip bool
		wantErr       string
		wantWarn      bool
	}{
		{name: "valid", value: good},
		{name: "filler F stripped", value: good + "F"},
		{name: "read-only warns on a bad check digit", value: badLuhn, wantWarn: true},
		{name: "state change refuses a bad check digit", value: badLuhn, changes: true, wantErr: "--ignore-checksum"},
		{name: "override", value: badLuhn, changes: true, skip: true, wantWarn: true},
		{name: "bad format refused even read-only", value: "8944", wantErr: "ICCID"},
		{name: "bad format not overridable", value: "12345678901234567890", changes: true, skip: true, wantErr: "ICCID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			got, err := ICCIDArg(&errOut, "ICCID", tt.value, tt.changes, tt.skip)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || ExitCodeFor(err) != ExitUsage {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || !strings.HasPrefix(got, "89") || strings.HasSuffix(got, "F") {
				t.Fatalf("got %q, %v", got, err)
			}
			if (errOut.Len() > 0) != tt.wantWarn {
				t.Errorf("warning %q", errOut.String())
			}
		})
	}
}

func TestEIDArg(t *testing.T) {
	const good = "89049032004008882600019002594762"
	var errOut bytes.Buffer
	if _, err := EIDArg(&errOut, "--eid", good, false); err != nil {
		t.Fatal(err)
	}
	bad := good[:31] + "3"
	if _, err := EIDArg(&errOut, "--eid", bad, false); err == nil || ExitCodeFor(err) != ExitUsage {
		t.Fatalf("bad EID accepted: %v", err)
	}
	if got, err := EIDArg(&errOut, "--eid", bad, true); err != nil || got != bad || !strings.Contains(errOut.String(), "warning") {
		t.Fatalf("override: %q %v", got, err)
	}
}
