package e2e

import (
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

type statusJSON struct {
	Profile      string `json:"profile"`
	SecretSource string `json:"secret_source"`
	API          struct {
		Reachable   bool `json:"reachable"`
		MaxRequests int  `json:"max_requests"`
		RateLimit   *struct {
			Limit     int `json:"limit"`
			Remaining int `json:"remaining"`
		} `json:"rate_limit"`
	} `json:"api"`
	AttentionSIMs []struct {
		ICCID       string  `json:"iccid"`
		PercentUsed float64 `json:"percent_used"`
	} `json:"attention_sims"`
}

// Issue 14 item 1: one screen for the profile, bounded in requests.
func TestStatus(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	env := sandboxEnv(sb)
	hot := simOrder(t, env)
	simOK(t, env, "sandbox", "usage", hot, "--percent", "90")
	simOK(t, env, "sandbox", "sims", "--count", "4")

	t.Run("JSON lists the SIM over 80 % and keeps to the stated bound", func(t *testing.T) {
		before := sb.Stats(t).APIRequests()
		res := simOK(t, env, "status", "-o", "json", "--max-sims", "3")
		spent := sb.Stats(t).APIRequests() - before
		var st statusJSON
		decodeJSON(t, res.Stdout, &st)
		if !st.API.Reachable || st.Profile != "sandbox" || st.SecretSource == "" {
			t.Fatalf("%+v\n%s", st, res.Stdout)
		}
		if st.API.RateLimit == nil || st.API.RateLimit.Limit == 0 {
			t.Errorf("no rate limit reported: %s", res.Stdout)
		}
		if spent == 0 || spent > st.API.MaxRequests {
			t.Errorf("status sent %d API requests, its bound is %d", spent, st.API.MaxRequests)
		}
		found := false
		for _, s := range st.AttentionSIMs {
			found = found || (s.ICCID == hot && s.PercentUsed >= 90)
		}
		if !found {
			t.Errorf("SIM %s at 90 %% not listed: %+v", hot, st.AttentionSIMs)
		}
	})

	t.Run("labelled lines in a pipe", func(t *testing.T) {
		out := simOK(t, env, "status").Stdout
		for _, want := range []string{"PROFILE:", "REACHABLE:", "yes", "ATTENTION_SIMS:", hot} {
			if !strings.Contains(out, want) {
				t.Errorf("want %q in\n%s", want, out)
			}
		}
	})

	t.Run("API down: the local part, reachable false, exit 6, no stall", func(t *testing.T) {
		addr := testenv.ClosedAddr(t)
		res := testenv.Run(t, bin, []string{"CONNECTCTL_BASE_URL=http://" + addr, "CONNECTCTL_TOKEN_URL=http://" + addr + "/token"},
			"status", "-o", "json", "--timeout", "2s")
		if res.ExitCode != 6 {
			t.Fatalf("exit %d, want 6\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
		}
		var st statusJSON
		decodeJSON(t, res.Stdout, &st)
		if st.API.Reachable || st.Profile != "sandbox" {
			t.Fatalf("%+v", st)
		}
	})
}
