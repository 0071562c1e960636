package completion_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/completion"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/cmd/root"
	"github.com/connectctl/connectctl/internal/iostreams"
)

// complete runs `connectctl __complete args...` in process and returns the
// offered values (descriptions cut) and the directive line.
func complete(t *testing.T, args ...string) (values []string, directive string, stderr string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	f := factory.New()
	ios, _, out, errOut := iostreams.Test()
	f.IOStreams = ios
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs(append([]string{cobra.ShellCompRequestCmd}, args...))
	if err := cmd.Execute(); err != nil {
		t.Fatalf("__complete %q: %v", args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	directive = lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		v, _, _ := strings.Cut(l, "\t")
		values = append(values, v)
	}
	return values, directive, errOut.String()
}

func TestRegisterCoversTree(t *testing.T) {
	f := factory.New()
	f.IOStreams, _, _, _ = iostreams.Test()
	// NewCmdRoot registers and panics on a name that does not exist;
	// registering again finds every command but each one taken.
	cmd := root.NewCmdRoot(f)
	err := completion.Register(f, cmd)
	if err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("registering twice: %v", err)
	}
	for _, path := range [][]string{{"sim", "get"}, {"order", "get"}, {"products", "get"}, {"profile", "use"}, {"webhook", "list"}} {
		c, _, err := cmd.Find(path)
		if err != nil || c.ValidArgsFunction == nil {
			t.Errorf("%v: no argument completion (%v)", path, err)
		}
	}
}

func TestCompleteInProcess(t *testing.T) {
	tests := []struct {
		args []string
		want []string
		dir  string
	}{
		{[]string{"sim", ""}, []string{"delete", "get", "list", "move", "qr", "subs", "usage"}, ":4"},
		{[]string{"sim", "list", "-o", ""}, []string{"table", "json", "yaml", "ndjson", "csv"}, ":4"},
		{[]string{"sim", "list", "--output", "y"}, []string{"yaml"}, ":4"},
		{[]string{"-p", ""}, []string{"preprod", "prod", "sandbox"}, ":4"},
		{[]string{"profile", "use", "s"}, []string{"sandbox"}, ":4"},
		{[]string{"profile", "use", "sandbox", ""}, nil, ":4"},
		{[]string{"sim", "list", "--columns", "iccid,"}, nil, ":6"}, // checked below
		{[]string{"order", "new", "--device-type", ""}, []string{"ios", "android", "iot"}, ":4"},
		{[]string{"order", "new", "--country", "P"}, []string{"PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY"}, ":4"},
		{[]string{"order", "new", "--residence=D"}, []string{"DE", "DJ", "DK", "DM", "DO", "DZ"}, ":4"},
		{[]string{"order", "list", "--status", ""}, []string{"ACCEPTED", "FULFILLING", "COMPLETED", "FAILED"}, ":4"},
		{[]string{"products", "list", "--currency", "EU"}, []string{"EUR"}, ":4"},
		{[]string{"webhook", "register", "--type", ""}, []string{"usage", "end", "USAGE_THRESHOLD", "SUBSCRIPTION_END"}, ":4"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, dir, stderr := complete(t, tt.args...)
			if dir != tt.dir {
				t.Errorf("directive %s, want %s", dir, tt.dir)
			}
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if s := strings.TrimSpace(stderr); s != "" && !strings.HasPrefix(s, "Completion ended with directive:") {
				t.Errorf("stderr: %q", stderr)
			}
		})
	}
	got, _, _ := complete(t, "sim", "list", "--columns", "iccid,")
	if len(got) == 0 || slices.Contains(got, "iccid,iccid") {
		t.Errorf("--columns iccid,: %q", got)
	}
	for _, g := range got {
		if !strings.HasPrefix(g, "iccid,") {
			t.Errorf("--columns iccid,: %q lost the prefix", g)
		}
	}
}

// Every command that prints a table completes its --columns.
func TestColumnsCompleteOnEveryTable(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"products", "list"}, "pricing"},
		{[]string{"products", "get", "x"}, "region"},
		{[]string{"order", "list"}, "status"},
		{[]string{"order", "get", "x"}, "iccid"},
		{[]string{"order", "wait", "x"}, "status"},
		{[]string{"order", "history"}, "status"},
		{[]string{"sim", "list"}, "iccid"},
		{[]string{"subs", "list"}, "status"},
		{[]string{"webhook", "list", "x"}, "webhook_url"},
		{[]string{"profile", "list"}, "base_url"},
		{[]string{"profile", "show"}, "base_url"},
		{[]string{"status"}, "reachable"},
	} {
		got, _, _ := complete(t, append(tc.args, "--columns", "")...)
		if !slices.Contains(got, tc.want) {
			t.Errorf("%q --columns: %q, want %s among them", tc.args, got, tc.want)
		}
	}
}

// A bad -o in the environment does not break completion.
func TestCompleteIgnoresBadEnvOutput(t *testing.T) {
	t.Setenv("CONNECTCTL_OUTPUT", "bogus")
	got, dir, _ := complete(t, "sim", "")
	if dir != ":4" || !slices.Contains(got, "get") {
		t.Errorf("got %q %s", got, dir)
	}
}
