// Package profile implements `connectctl profile`: list, show, switch, add,
// remove and edit the named Connect environments of the config file.
package profile

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/credentials"
	"github.com/connectctl/connectctl/internal/output"
	"github.com/connectctl/connectctl/internal/validate"
)

// Short is `connectctl profile`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Manage profiles: named Connect environments and their defaults"

// NewCmdProfile returns `connectctl profile`.
func NewCmdProfile(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile <command>",
		Short: Short,
		Long: "A profile names a Connect environment (base URL, token URL, client id) and\n" +
			"its command defaults. prod, preprod and sandbox are built in; the config file\n" +
			"($XDG_CONFIG_HOME/connectctl/config.yaml, --config, CONNECTCTL_CONFIG) can\n" +
			"override their fields and add others. It never holds a secret.",
	}
	cmd.AddCommand(newCmdList(f), newCmdShow(f), newCmdUse(f), newCmdAdd(f), newCmdRemove(f), newCmdSet(f))
	return cmd
}

// Entry is one profile as `profile list` and `profile show` print it.
type Entry struct {
	Name         string          `json:"name"`
	Current      bool            `json:"current"`
	BuiltIn      bool            `json:"built_in"`
	BaseURL      string          `json:"base_url"`
	TokenURL     string          `json:"token_url"`
	ClientID     string          `json:"client_id"`
	SecretSource string          `json:"secret_source"`
	Defaults     config.Defaults `json:"defaults"`
	Overrides    []string        `json:"environment_overrides,omitempty"`
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var listColumns = []output.Column[Entry]{
	{Name: "current", Value: func(e Entry) string {
		if e.Current {
			return "*"
		}
		return ""
	}},
	{Name: "name", Value: func(e Entry) string { return e.Name }},
	{Name: "base_url", Value: func(e Entry) string { return e.BaseURL }},
	{Name: "client_id", Value: func(e Entry) string { return orNone(e.ClientID) }},
	{Name: "secret_source", Aliases: []string{"secret"}, Value: func(e Entry) string { return orNone(e.SecretSource) }},
	{Name: "token_url", Value: func(e Entry) string { return e.TokenURL }, Wide: true},
}

var showColumns = []output.Column[Entry]{
	{Name: "name", Value: func(e Entry) string {
		s := e.Name
		if e.BuiltIn {
			s += " (built-in)"
		}
		if e.Current {
			s += " (current)"
		}
		return s
	}},
	{Name: "base_url", Value: func(e Entry) string { return e.BaseURL }},
	{Name: "token_url", Value: func(e Entry) string { return e.TokenURL }},
	{Name: "client_id", Value: func(e Entry) string { return orNone(e.ClientID) }},
	{Name: "secret_source", Aliases: []string{"secret"}, Value: func(e Entry) string { return orNone(e.SecretSource) }},
	{Name: "defaults.country", Aliases: []string{"country"}, Value: func(e Entry) string { return orNone(e.Defaults.Country) }},
	{Name: "defaults.device_type", Aliases: []string{"device_type"}, Value: func(e Entry) string { return orNone(e.Defaults.DeviceType) }},
	{Name: "defaults.currency", Aliases: []string{"currency"}, Value: func(e Entry) string { return orNone(e.Defaults.Currency) }},
	{Name: "defaults.output", Aliases: []string{"output"}, Value: func(e Entry) string { return orNone(e.Defaults.Output) }},
	{Name: "environment_overrides", Aliases: []string{"overrides"}, Value: func(e Entry) string { return orNone(strings.Join(e.Overrides, ", ")) }},
}

// entry describes a profile; the active one with the environment's overrides.
func entry(f *factory.Factory, file *config.File, name, active string) Entry {
	p, _ := file.Profile(name)
	e := Entry{Name: name, Current: name == active, BuiltIn: p.BuiltIn, BaseURL: p.BaseURL, TokenURL: p.TokenURL,
		ClientID: p.ClientID, Defaults: p.Defaults}
	if e.Current {
		if s, err := f.Settings(); err == nil && s.Profile.Name == name {
			e.BaseURL, e.TokenURL, e.ClientID = s.Profile.BaseURL, s.Profile.TokenURL, s.ClientID
			for _, k := range []string{"base-url", "token-url", "client-id"} {
				if s.Sources[k] == config.SourceEnv {
					e.Overrides = append(e.Overrides, k)
				}
			}
			if s.SecretSource == config.SourceEnv {
				e.Overrides = append(e.Overrides, "client-secret")
			}
			if s.SecretSource != "" {
				e.SecretSource = s.SecretSource
				return e
			}
			if s.SecretNote != "" {
				e.SecretSource = "unknown (keyring unavailable)"
				return e
			}
		}
	}
	_, src, err := f.Secrets().Lookup(name)
	switch {
	case err == nil:
		e.SecretSource = src
	case credentials.IsUnavailable(err):
		e.SecretSource = "unknown (keyring unavailable)"
		if p.Secret != "" {
			e.SecretSource = credentials.SourceBuiltIn
		}
	case p.Secret != "" && e.ClientID == "sandbox":
		e.SecretSource = credentials.SourceBuiltIn
	default:
		e.SecretSource = "none"
	}
	return e
}

func newCmdList(f *factory.Factory) *cobra.Command {
	return factory.SetColumns(&cobra.Command{
		Use: "list",
		Example: cmdutil.Examples(
			"List the profiles; * marks the current one", "connectctl profile list",
			"Print the profile names only", "connectctl profile list --columns name --no-headers",
		),
		Aliases: []string{"ls"},
		Short:   "List profiles; * marks the one commands use, SECRET says where its secret comes from",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := factory.PrinterFor(f.Printer, listColumns)
			if err != nil {
				return err
			}
			file, err := f.Config()
			if err != nil {
				return err
			}
			active, _ := f.ProfileName(file)
			var entries []Entry
			for _, name := range file.Names() {
				entries = append(entries, entry(f, file, name, active))
			}
			_, err = output.List(p, cmdutil.Seq(entries), listColumns, 0)
			return err
		},
	}, listColumns)
}

func newCmdShow(f *factory.Factory) *cobra.Command {
	return factory.SetColumns(&cobra.Command{
		Use: "show [NAME]",
		Example: cmdutil.Examples(
			"Show the profile commands use now", "connectctl profile show",
			"Show another profile as JSON", "connectctl profile show preprod -o json",
		),
		Short: "Show a profile (default: the one commands use) with its defaults",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return cmdutil.FlagErrorf("want: connectctl profile show [NAME] (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := f.Printer()
			if err != nil {
				return err
			}
			file, err := f.Config()
			if err != nil {
				return err
			}
			active, src := f.ProfileName(file)
			name := active
			if len(args) == 1 {
				name, src = args[0], config.SourceFlag
			}
			if _, err := file.Lookup(name, src); err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			return factory.KeyValues(f.IOStreams.Out, p, entry(f, file, name, active), showColumns)
		},
	}, showColumns)
}

func newCmdUse(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use: "use NAME",
		Example: cmdutil.Examples(
			"Use the preprod profile from now on", "connectctl profile use preprod",
			"Go back to the built-in sandbox", "connectctl profile use sandbox",
		),
		Short: "Make NAME the profile commands use by default (current-profile)",
		Args:  cmdutil.ExactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			file, err := f.Config()
			if err != nil {
				return err
			}
			name := args[0]
			p, err := file.Lookup(name, config.SourceArg)
			if err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			file.SetCurrentProfile(name)
			if err := file.Save(); err != nil {
				return err
			}
			f.ResetSettings()
			w := f.IOStreams.ErrOut
			fmt.Fprintf(w, "Now using profile %s (%s).\n", name, p.BaseURL)
			if env := f.FlagSource("profile"); env == config.SourceEnv && f.Globals.Profile != name {
				fmt.Fprintf(w, "warning: %s=%s is set and still wins in this environment.\n", config.EnvProfile, f.Globals.Profile)
			}
			return nil
		},
	}
}

type addOptions struct {
	BaseURL, TokenURL, ClientID string
}

func newCmdAdd(f *factory.Factory) *cobra.Command {
	o := &addOptions{}
	cmd := &cobra.Command{
		Use:   "add NAME --base-url URL --token-url URL [--client-id ID]",
		Short: "Add a profile to the config file",
		Example: cmdutil.Examples(
			"Add a staging profile", "connectctl profile add staging --base-url https://connect.staging.example.com \\\n    --token-url https://sso.staging.example.com/token --client-id ops",
			"Then store its secret in the keyring", "connectctl auth login --profile staging",
		),
		Args: cmdutil.ExactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := config.CheckProfileName(name); err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			file, err := f.Config()
			if err != nil {
				return err
			}
			if _, exists := file.Profile(name); exists {
				return cmdutil.FlagErrorf("profile %q exists already; change its fields with `connectctl --profile %s profile set KEY VALUE`", name, name)
			}
			if o.BaseURL == "" || o.TokenURL == "" {
				return cmdutil.FlagErrorf("--base-url and --token-url are required")
			}
			vals := map[string]string{}
			for _, kv := range [][2]string{{"base-url", o.BaseURL}, {"token-url", o.TokenURL}, {"client-id", o.ClientID}} {
				if kv[1] == "" {
					continue
				}
				v, err := checkValue(kv[0], kv[1])
				if err != nil {
					return err
				}
				vals[kv[0]] = v
			}
			if err := file.AddProfile(name, vals); err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			if err := file.Save(); err != nil {
				return err
			}
			w := f.IOStreams.ErrOut
			if warn := config.DeprecationWarning(vals["base-url"]); warn != "" {
				fmt.Fprintln(w, "warning:", warn)
			}
			fmt.Fprintf(w, "Added profile %s to %s.\nStore its secret with: connectctl auth login --profile %s\n", name, file.Path, name)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.BaseURL, "base-url", "", "Base URL of the Connect API (https, or http to this machine)")
	cmd.Flags().StringVar(&o.TokenURL, "token-url", "", "OAuth2 token endpoint")
	cmd.Flags().StringVar(&o.ClientID, "client-id", "", "Client `ID` of the profile (its secret goes to the keyring with: connectctl auth login)")
	return cmd
}

func newCmdRemove(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use: "remove NAME",
		Example: cmdutil.Examples(
			"Remove a profile with its stored secret and tokens", "connectctl profile remove staging",
			"Reset the built-in sandbox profile", "connectctl profile remove sandbox",
		),
		Aliases: []string{"rm"},
		Short:   "Remove a profile, its stored secret and cached tokens (a built-in one is reset)",
		Args:    cmdutil.ExactArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			file, err := f.Config()
			if err != nil {
				return err
			}
			p, err := file.Lookup(name, config.SourceArg)
			if err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			if p.BuiltIn && !p.InFile {
				return cmdutil.FlagErrorf("profile %q is built in and the config file does not change it: nothing to remove", name)
			}
			file.RemoveProfile(name)
			resetCurrent := !p.BuiltIn && file.CurrentProfile() == name
			if resetCurrent {
				file.UnsetCurrentProfile()
			}
			if err := file.Save(); err != nil {
				return err
			}
			f.ResetSettings()
			w := f.IOStreams.ErrOut
			if p.BuiltIn {
				fmt.Fprintf(w, "Profile %s reset to its built-in values.\n", name)
			} else {
				fmt.Fprintf(w, "Removed profile %s.\n", name)
			}
			removed, derr := f.Secrets().Delete(name)
			for _, r := range removed {
				fmt.Fprintf(w, "Removed its secret from %s.\n", r)
			}
			if derr != nil && !errors.Is(derr, credentials.ErrNotFound) {
				fmt.Fprintf(w, "warning: its secret may still be stored: %v\n", derr)
			}
			if dir := f.TokenDir(); dir != "" {
				_, _ = credentials.RemoveTokens(dir, name)
			}
			if resetCurrent {
				fmt.Fprintf(w, "It was the current profile; commands now use %s.\n", config.DefaultProfile)
			}
			return nil
		},
	}
}

func newCmdSet(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Set a field of the profile commands use (--profile to pick another); an empty VALUE unsets it",
		Long: "Set a field of the profile (the current one, or --profile NAME) in the config\n" +
			"file. Keys: " + strings.Join(config.ProfileKeys, ", ") + ".\n" +
			"An empty VALUE removes the key (a built-in profile falls back to its built-in\n" +
			"value). Secrets are refused: they go to the keyring with `connectctl auth login`.",
		Example: cmdutil.Examples(
			"Order for Portugal unless --country says otherwise", "connectctl profile set defaults.country PT",
			"Order for iPhones unless --device-type says otherwise", "connectctl profile set defaults.device-type ios",
			"Set the client id of another profile", "connectctl --profile preprod profile set client-id my-client",
		),
		Args: cmdutil.ExactArgs("KEY", "VALUE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, value := strings.ToLower(args[0]), strings.TrimSpace(args[1])
			if config.IsSecretKey(key) {
				// The value is a secret: never repeat it.
				return cmdutil.FlagErrorf("%q: secrets never go in the config file; store it with `connectctl auth login` (keyring) or give it in %s", key, config.EnvClientSecret)
			}
			if !slices.Contains(config.ProfileKeys, key) {
				return cmdutil.FlagErrorf("unknown key %q: want one of %s", args[0], strings.Join(config.ProfileKeys, ", "))
			}
			file, err := f.Config()
			if err != nil {
				return err
			}
			name, src := f.ProfileName(file)
			if _, err := file.Lookup(name, src); err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			if value != "" {
				if value, err = checkValue(key, value); err != nil {
					return err
				}
			}
			if err := file.SetProfileKey(name, key, value); err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			if err := file.Save(); err != nil {
				return err
			}
			f.ResetSettings()
			w := f.IOStreams.ErrOut
			if key == "base-url" {
				if warn := config.DeprecationWarning(value); warn != "" {
					fmt.Fprintln(w, "warning:", warn)
				}
			}
			if value == "" {
				fmt.Fprintf(w, "Unset %s of profile %s.\n", key, name)
			} else {
				fmt.Fprintf(w, "Set %s of profile %s to %s.\n", key, name, value)
			}
			return nil
		},
	}
}

// checkValue validates a profile key's value and returns it normalised.
func checkValue(key, value string) (string, error) {
	switch key {
	case "base-url", "token-url":
		if err := config.CheckURL(value); err != nil {
			return "", cmdutil.FlagErrorf("%s: %v", key, err)
		}
		if key == "base-url" {
			value = strings.TrimRight(value, "/")
		}
	case "api-edition":
		if err := config.CheckEdition(value); err != nil {
			return "", cmdutil.FlagErrorf("api-edition: %v", err)
		}
	case "client-id":
		if strings.ContainsAny(value, " \t\r\n") {
			return "", cmdutil.FlagErrorf("client-id %q: a client id has no white space", value)
		}
	case "defaults.country":
		cc, err := validate.CountryCode(value)
		if err != nil {
			return "", cmdutil.FlagErrorf("defaults.country: %v", err)
		}
		value = cc
	case "defaults.device-type":
		dt, err := validate.DeviceType(value)
		if err != nil {
			return "", cmdutil.FlagErrorf("defaults.device-type: %v", err)
		}
		value = dt
	case "defaults.currency":
		c, err := validate.LookupCurrency(value)
		if err != nil {
			return "", cmdutil.FlagErrorf("defaults.currency: %v", err)
		}
		value = c.Code
	case "defaults.output":
		v := strings.ToLower(value)
		if !slices.Contains(output.Formats, v) {
			return "", cmdutil.FlagErrorf("defaults.output %q: want one of %s", value, strings.Join(output.Formats, ", "))
		}
		value = v
	}
	return value, nil
}
