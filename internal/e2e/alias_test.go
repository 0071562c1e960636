package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/internal/testenv"
)

// Issue 14 item 7: aliases, kept in the config file, expanded before
// parsing, never shadowing a built-in command.
func TestAliases(t *testing.T) {
	sb := testenv.StartSandbox(t, bin, "--order-delay", "0")
	h := newHome(t)
	env := h.env(sandboxEnv(sb)...)

	res := simOK(t, env, "alias", "set", "ou", "order new --device-type ios --country PT --wait --poll-interval 100ms")
	if !strings.Contains(res.Stderr, "Added alias ou") {
		t.Fatalf("stderr %s", res.Stderr)
	}
	data, err := os.ReadFile(h.configFile())
	if err != nil || !strings.Contains(string(data), "aliases:\n  ou: order new --device-type ios") {
		t.Fatalf("config file: %v\n%s", err, data)
	}

	// The alias runs with the extra args appended; global flags may come first.
	res = simOK(t, env, "-o", "json", "ou", "--product", europe1GB, "--email", "alias@example.com")
	var o orderJSON
	decodeJSON(t, res.Stdout, &o)
	if o.Status != "COMPLETED" || o.Output == nil {
		t.Fatalf("ou did not order and wait: %s", res.Stdout)
	}
	// A quoted --jq survives the shell split.
	simOK(t, env, "alias", "set", "iccids", `order list -o json --jq '.[] | select(.status == "COMPLETED") | .output.iccid'`)
	if out := strings.TrimSpace(simOK(t, env, "iccids").Stdout); out != o.Output.ICCID {
		t.Fatalf("iccids printed %q, want %s", out, o.Output.ICCID)
	}
	// Only the command word expands: an alias name as an argument stays.
	simExit(t, env, 2, "ICCID", "sim", "get", "ou")

	rows := simTSV(simOK(t, env, "alias", "list").Stdout)
	if len(rows) != 3 || strings.Join(rows[0], "|") != "NAME|EXPANSION" || rows[1][0] != "iccids" || rows[2][0] != "ou" {
		t.Fatalf("%q", rows)
	}
	var list []struct{ Name, Expansion string }
	decodeJSON(t, simOK(t, env, "alias", "list", "-o", "json").Stdout, &list)
	if len(list) != 2 || list[1].Expansion != "order new --device-type ios --country PT --wait --poll-interval 100ms" {
		t.Fatalf("%+v", list)
	}

	// Refused, exit 2, the file unchanged.
	before, _ := os.ReadFile(h.configFile())
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"built-in command", []string{"alias", "set", "order", "sim list"}},
		{"built-in command", []string{"alias", "set", "sims", "sim list"}},
		{"built-in command", []string{"alias", "set", "help", "sim list"}},
		{"already runs", []string{"alias", "set", "ou", "order list"}},
		{"must start with a built-in command", []string{"alias", "set", "x", "ou --wait"}},
		{"leave out `connectctl`", []string{"alias", "set", "x", "connectctl order list"}},
		{"unterminated", []string{"alias", "set", "x", "order list --jq '.[]"}},
		{"alias name", []string{"alias", "set", "Big", "order list"}},
		{"no alias", []string{"alias", "delete", "nope"}},
		{"unknown command", []string{"nope"}},
	} {
		simExit(t, env, 2, tc.want, tc.args...)
	}
	if after, _ := os.ReadFile(h.configFile()); string(after) != string(before) {
		t.Fatalf("a refused command changed the config:\n%s\n---\n%s", before, after)
	}
	// A hand-written alias named like a built-in command is never used.
	if err := os.WriteFile(h.configFile(), append(before, []byte("  version: order list\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := simOK(t, env, "version").Stdout; !strings.Contains(out, "connectctl") {
		t.Fatalf("version shadowed: %q", out)
	}

	// --clobber changes, delete removes.
	simOK(t, env, "alias", "set", "ou", "order list", "--clobber")
	if out := simOK(t, env, "ou", "-o", "json", "--jq", ".[0].id").Stdout; strings.TrimSpace(out) != o.ID {
		t.Fatalf("changed alias printed %q, want %s", out, o.ID)
	}
	simOK(t, env, "alias", "delete", "ou")
	simExit(t, env, 2, "unknown command \"ou\"", "ou")
}
