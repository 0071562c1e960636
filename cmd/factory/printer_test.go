package factory

import (
	"testing"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

func TestPrinterBuiltOncePerOptions(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &Factory{IOStreams: ios}
	f.Globals.Output = output.Options{Format: "json", JQ: ".[].id", Columns: []string{"id"}}

	p1, err := f.Printer()
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := f.Printer(); p2 != p1 {
		t.Error("the same options built a second printer")
	}
	f.Globals.Output.Columns[0] = "name" // options changed in place
	if p3, _ := f.Printer(); p3 == p1 {
		t.Error("changed --columns reused the old printer")
	}
	f.Globals.Output.JQ = ".[] |"
	if _, err := f.Printer(); cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
		t.Errorf("bad --jq: %v, want a usage error", err)
	}
}
