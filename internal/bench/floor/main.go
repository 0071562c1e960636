// Command floor links everything connectctl links and returns at once: its
// start-up is the part of connectctl's that no change after main can
// shorten (the runtime's set-up for a binary this size and every package's
// init). BenchmarkStartup reports it beside hello-world, so a start-up
// ratio can be read against what is left to gain.
package main

import (
	"os"

	"github.com/connectctl/connectctl/cmd"
)

func main() {
	// Never set by the benchmark: the call keeps the whole of connectctl
	// linked, as large as the real binary, where a blank import would let
	// the linker drop most of it.
	if os.Getenv("FLOOR_RUN_CONNECTCTL") == "1" {
		os.Exit(cmd.Main())
	}
}
