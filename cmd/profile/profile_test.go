package profile

import (
	"testing"

	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/output"
)

func TestColumnsAreJSONKeys(t *testing.T) {
	sample := Entry{Name: "n", Current: true, BuiltIn: true, BaseURL: "b", TokenURL: "t", ClientID: "c", SecretSource: "keyring",
		Defaults:  config.Defaults{Country: "PT", DeviceType: "ios", Currency: "EUR", Output: "json"},
		Overrides: []string{"CONNECTCTL_BASE_URL"}}
	for name, cols := range map[string][]output.Column[Entry]{"list": listColumns, "show": showColumns} {
		if missing := output.MissingJSONKeys(cols, sample); len(missing) > 0 {
			t.Errorf("profile %s: columns %v are not JSON keys", name, missing)
		}
	}
}
