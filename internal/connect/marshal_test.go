package connect

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCanonicalJSONNormalisesLPA(t *testing.T) {
	for _, raw := range []string{
		`LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1`,
		`LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1`,
		`1$rsp.truphone.com$5C-M1OIY-QHWKD1`,
	} {
		in := `{"iccid":"8944478600000205337","matching_id":"5C-M1OIY-QHWKD1","profileStatus":"Released","lpa_url":"` + raw + `"}`
		var s SIM
		if err := json.Unmarshal([]byte(in), &s); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"iccid":"8944478600000205337","matching_id":"5C-M1OIY-QHWKD1","status":"Released","lpa_url":"LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1"}`
		if string(out) != want {
			t.Errorf("%s\n got %s\nwant %s", raw, out, want)
		}
		o := OrderOutput{ICCID: s.ICCID, LPAURL: raw}
		if out, _ := json.Marshal(o); !strings.Contains(string(out), `"lpa_url":"LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1"`) {
			t.Errorf("order output %s", out)
		}
	}
	// A malformed code is shown as the API sent it, never rewritten.
	out, _ := json.Marshal(SIM{ICCID: "8944478600000205337", LPAURL: "LPA:9$x$y"})
	if !strings.Contains(string(out), `"lpa_url":"LPA:9$x$y"`) {
		t.Errorf("malformed code rewritten: %s", out)
	}
}
