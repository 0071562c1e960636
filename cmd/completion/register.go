package completion

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/factory"
	orderCmd "github.com/connectctl/connectctl/cmd/order"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// Static completion functions.
var (
	Formats       = Values(output.Formats...)
	DeviceTypes   = Values(validate.DeviceIOS, validate.DeviceAndroid, validate.DeviceIoT)
	OrderStatuses = Values(orderCmd.Statuses...)
	Countries     = Codes(validate.CountryCodes, validate.CountryName)
	Currencies    = Codes(validate.SupportedCurrencies, func(code string) string {
		c, err := validate.LookupCurrency(code)
		if err != nil {
			return ""
		}
		return c.Name
	})
)

// Register gives root's command tree its completion: the global -o,
// -p/--profile and --columns, the flags and arguments below. It fails when
// a command or flag it names does not exist, so that a renamed one is
// noticed.
func Register(f *factory.Factory, root *cobra.Command) error {
	return New(f).Register(root)
}

// Register is the package's Register with c's cache and timeout.
func (c *Completer) Register(root *cobra.Command) error {
	var errs []string
	flag := func(path, name string, fn Func) {
		cmd, err := find(root, path)
		if err == nil {
			if cmd.Flag(name) == nil {
				err = fmt.Errorf("%q has no flag --%s", cmd.CommandPath(), name)
			} else {
				err = cmd.RegisterFlagCompletionFunc(name, fn)
			}
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	args := func(fn Func, paths ...string) {
		for _, path := range paths {
			cmd, err := find(root, path)
			switch {
			case err != nil:
				errs = append(errs, err.Error())
			case cmd.ValidArgsFunction != nil:
				errs = append(errs, fmt.Sprintf("%q already completes its arguments", cmd.CommandPath()))
			default:
				cmd.ValidArgsFunction = fn
			}
		}
	}

	// Global flags, registered on the root that defines them.
	flag("", "output", Formats)
	flag("", "profile", c.Profiles)
	flag("", "columns", Columns)

	flag("order new", "product", c.Products)
	flag("order new", "country", Countries)
	flag("order new", "residence", Countries)
	flag("order new", "device-type", DeviceTypes)
	flag("order new", "currency", Currencies)
	flag("order topup", "product", c.Products)
	flag("order topup", "currency", Currencies)
	flag("order list", "status", OrderStatuses)
	flag("order history", "status", Values(orderCmd.AttemptStatuses...))
	flag("products list", "currency", Currencies)
	flag("products list", "country", Countries)
	flag("products get", "currency", Currencies)
	flag("subs list", "product", c.Products)
	flag("subs list", "iccid", c.ICCIDs)
	// webhook register|unregister --type: cmd/webhook completes it.

	args(FirstArg(c.ICCIDs), "sim get", "sim qr", "sim subs", "sim usage", "sim move", "sim delete",
		"order topup", "webhook list", "webhook register", "webhook unregister", "sandbox usage")
	args(FirstArg(c.Orders), "order get", "order wait")
	args(FirstArg(c.Products), "products get")
	args(FirstArg(c.Profiles), "profile show", "profile use", "profile remove")
	args(profileSet, "profile set")

	if len(errs) > 0 {
		return fmt.Errorf("completion: %s", strings.Join(errs, "; "))
	}
	return nil
}

// profileSet completes `profile set KEY VALUE`: the keys, then the values
// of the keys that have a fixed set.
func profileSet(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	switch len(args) {
	case 0:
		return Values(config.ProfileKeys...)(cmd, args, toComplete)
	case 1:
		switch args[0] {
		case "defaults.country":
			return Countries(cmd, args, toComplete)
		case "defaults.device-type":
			return DeviceTypes(cmd, args, toComplete)
		case "defaults.currency":
			return Currencies(cmd, args, toComplete)
		case "defaults.output":
			return Formats(cmd, args, toComplete)
		}
	}
	return nil, noFiles
}

// find returns the command at path ("" for root, "order new"), exactly.
func find(root *cobra.Command, path string) (*cobra.Command, error) {
	words := strings.Fields(path)
	cmd, rest, err := root.Find(words)
	if err != nil || len(rest) > 0 || cmd.CommandPath() != strings.TrimSpace(root.CommandPath()+" "+path) {
		return nil, fmt.Errorf("no command %q", strings.TrimSpace(root.Name()+" "+path))
	}
	return cmd, nil
}
