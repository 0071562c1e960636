package output

import (
	"strings"
	"testing"
)

func TestHeaderFor(t *testing.T) {
	for in, want := range map[string]string{
		"iccid": "ICCID", "status": "STATUS", "last_modified": "LAST_MODIFIED", "matchingId": "MATCHING_ID",
		"createdDate": "CREATED_DATE", "lpa_url": "LPA_URL", "defaults.country": "DEFAULTS.COUNTRY", "ios-link": "IOS_LINK",
	} {
		if got := HeaderFor(in); got != want {
			t.Errorf("HeaderFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMissingJSONKeys(t *testing.T) {
	type out struct {
		ICCID string `json:"iccid"`
	}
	type item struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Output out    `json:"output"`
	}
	cols := []Column[item]{
		{Name: "id"}, {Name: "state"}, {Name: "iccid"}, {Name: "output.iccid"}, {Name: "left", Derived: true},
	}
	if got := MissingJSONKeys(cols, item{}); strings.Join(got, ",") != "state" {
		t.Errorf("missing %v, want [state]", got)
	}
}

// A --columns name picks a column by its name, an alias or its header, in
// any case.
func TestColumnMatches(t *testing.T) {
	c := Column[sim]{Name: "last_modified", Aliases: []string{"modified"}}
	for _, name := range []string{"last_modified", "LAST_MODIFIED", "modified", "Modified"} {
		if !c.matches(name) {
			t.Errorf("%q does not pick %s", name, c.Name)
		}
	}
	if c.matches("last") {
		t.Error(`"last" picks last_modified`)
	}
}
