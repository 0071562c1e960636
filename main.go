// Command connectctl runs eSIM connectivity on the 1GLOBAL Connect API.
package main

import (
	"os"

	"github.com/connectctl/connectctl/cmd"
)

func main() {
	os.Exit(cmd.Main())
}
