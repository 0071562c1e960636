package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// EnvName is the environment variable of a global flag:
// --correlation-id is CONNECTCTL_CORRELATION_ID.
func EnvName(flag string) string {
	return "CONNECTCTL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// noEnv lists global flags the environment never sets: a confirmation must
// be given on the command line of the command it confirms.
var noEnv = map[string]bool{"yes": true, "help": true}

// ApplyEnv binds every flag of fs to its CONNECTCTL_* variable and gives each flag the user did not pass the environment's value. It
// returns where each flag's value came from ("flag" or "env"; absent for
// its default) and, for --debug, a note for every flag that overrode a
// different environment value.
func ApplyEnv(fs *pflag.FlagSet) (sources map[string]string, notes []string, err error) {
	sources = map[string]string{}
	fs.VisitAll(func(fl *pflag.Flag) {
		if err != nil || noEnv[fl.Name] {
			return
		}
		env := EnvName(fl.Name)
		envVal, inEnv := lookupEnv(env)
		if fl.Changed {
			sources[fl.Name] = SourceFlag
			if inEnv && envVal != fl.Value.String() {
				notes = append(notes, fmt.Sprintf("--%s=%s overrides %s=%s (a flag beats the environment)", fl.Name, fl.Value, env, envVal))
			}
			return
		}
		if !inEnv {
			return
		}
		// Not passed on the command line: the environment's value holds.
		val := envVal
		if fl.Value.Type() == "bool" {
			// Any value but 0/false/empty turns a switch on, as CONNECTCTL_DEBUG=yes expects.
			if b, e := strconv.ParseBool(val); e == nil {
				val = strconv.FormatBool(b)
			} else {
				val = "true"
			}
		}
		if e := fl.Value.Set(val); e != nil {
			err = fmt.Errorf("%s=%q: %v", env, val, e)
			return
		}
		sources[fl.Name] = SourceEnv
	})
	return sources, notes, err
}

// lookupEnv treats a variable set to the empty string as unset, so that
// `CONNECTCTL_PROFILE= connectctl ...` means the default.
func lookupEnv(name string) (string, bool) {
	v, ok := os.LookupEnv(name)
	return v, ok && v != ""
}
