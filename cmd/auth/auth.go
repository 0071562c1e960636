// Package auth implements `connectctl auth`: store a profile's client
// secret in the OS keyring after proving it, remove it, show where the
// credentials come from and whether they work, and print an access token.
package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"
	"golang.org/x/term"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/cmd/factory"
	"github.com/connectctl/connectctl/internal/auth"
	"github.com/connectctl/connectctl/internal/config"
	"github.com/connectctl/connectctl/internal/credentials"
	"github.com/connectctl/connectctl/internal/iostreams"
	"github.com/connectctl/connectctl/internal/output"
)

// Short is `connectctl auth`'s summary; the root's help lists it without
// building the command (issue 13).
const Short = "Log in with a profile's client credentials and check them"

// NewCmdAuth returns `connectctl auth`.
func NewCmdAuth(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: Short,
		Long: "Client secrets live in the OS keyring (service \"connectctl\", one entry per\n" +
			"profile), never in the config file. CONNECTCTL_CLIENT_ID and\n" +
			"CONNECTCTL_CLIENT_SECRET override them for every command (CI).",
	}
	cmd.AddCommand(NewCmdLogin(f, nil))
	cmd.AddCommand(NewCmdLogout(f))
	cmd.AddCommand(NewCmdStatus(f))
	cmd.AddCommand(NewCmdToken(f))
	return cmd
}

// LoginOptions are the inputs of `auth login`.
type LoginOptions struct {
	IO              *iostreams.IOStreams
	ClientID        string
	SecretStdin     bool
	InsecureStorage bool
	secretFlag      string // refused: a secret on the command line shows in ps
	// ReadSecret reads a line without echo; tests replace it.
	ReadSecret func() (string, error)
}

// NewCmdLogin returns `connectctl auth login`.
func NewCmdLogin(f *factory.Factory, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{IO: f.IOStreams}
	opts.ReadSecret = func() (string, error) { return readHiddenFn(f.IOStreams.In) }
	cmd := &cobra.Command{
		Use:   "login [--client-id ID] [--client-secret-stdin]",
		Short: "Prove a client id and secret, then store the secret in the OS keyring",
		Long: "Ask for the profile's client id and, hidden, its secret (or read the secret\n" +
			"from stdin with --client-secret-stdin), prove the pair against the token\n" +
			"endpoint, and only then store the secret in the OS keyring under service\n" +
			"\"connectctl\" and the client id in the config file. The secret is never\n" +
			"taken as a flag value: it would show in ps and in the shell's history.\n\n" +
			"Without a keyring (a headless machine with no Secret Service) login stops;\n" +
			"--insecure-storage writes the secret to a 0600 file instead, or give the\n" +
			"credentials to every command with CONNECTCTL_CLIENT_ID/CONNECTCTL_CLIENT_SECRET.",
		Example: cmdutil.Examples(
			"Log in to a profile: asks for the client id and, hidden, the secret", "connectctl auth login --profile preprod",
			"Log in from a CI job, the secret on stdin", "printf '%s' \"$SECRET\" | connectctl auth login --profile preprod --client-id my-client --client-secret-stdin",
			"On a host without a keyring, keep the secret in a 0600 file", "connectctl auth login --profile preprod --insecure-storage",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("client-secret") {
				// The value is not repeated anywhere.
				return cmdutil.FlagErrorf("--client-secret is not accepted: a secret on the command line shows in ps and the shell history; pipe it with --client-secret-stdin or type it at the prompt")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runLogin(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.ClientID, "client-id", "", "Client id (default: asked on a terminal, else the profile's)")
	fl.BoolVar(&opts.SecretStdin, "client-secret-stdin", false, "Read the client secret from stdin")
	fl.BoolVar(&opts.InsecureStorage, "insecure-storage", false, "Store the secret in a plain-text 0600 file instead of the keyring")
	fl.StringVar(&opts.secretFlag, "client-secret", "", "")
	_ = fl.MarkHidden("client-secret")
	return cmd
}

// envOverrides lists the credential variables the environment sets.
func envOverrides() []string {
	var set []string
	for _, k := range []string{config.EnvClientID, config.EnvClientSecret} {
		if os.Getenv(k) != "" {
			set = append(set, k)
		}
	}
	return set
}

func runLogin(ctx context.Context, f *factory.Factory, o *LoginOptions) error {
	if env := envOverrides(); len(env) > 0 {
		return cmdutil.FlagErrorf("%s set in the environment: it overrides stored credentials for every command, so auth login will not store credentials that would not be used; unset it first",
			strings.Join(env, " and ")+map[bool]string{true: " is", false: " are"}[len(env) == 1])
	}
	file, err := f.Config()
	if err != nil {
		return err
	}
	s, err := f.Settings()
	if err != nil {
		return err
	}
	name := s.Profile.Name
	stored, _ := file.Profile(name) // the client id without environment overrides

	clientID := strings.TrimSpace(o.ClientID)
	if clientID == "" && o.IO.CanPrompt() && !o.SecretStdin {
		prompt := "Client id"
		if stored.ClientID != "" {
			prompt += " [" + stored.ClientID + "]"
		}
		fmt.Fprintf(o.IO.ErrOut, "%s: ", prompt)
		line, err := readLine(o.IO.In)
		if err != nil {
			return fmt.Errorf("read client id: %w", err)
		}
		clientID = strings.TrimSpace(line)
	}
	if clientID == "" {
		clientID = stored.ClientID
	}
	if clientID == "" {
		return cmdutil.FlagErrorf("no client id for profile %q: pass --client-id ID", name)
	}
	if strings.ContainsAny(clientID, " \t\r\n") {
		return cmdutil.FlagErrorf("--client-id %q: a client id has no white space", clientID)
	}

	var secret string
	switch {
	case o.SecretStdin:
		data, err := io.ReadAll(io.LimitReader(o.IO.In, 64<<10))
		if err != nil {
			return fmt.Errorf("read the secret from stdin: %w", err)
		}
		secret = strings.TrimRight(string(data), "\r\n")
		if strings.TrimSpace(secret) == "" {
			return cmdutil.FlagErrorf("--client-secret-stdin: stdin held no secret")
		}
	case o.IO.CanPrompt():
		fmt.Fprint(o.IO.ErrOut, "Client secret (hidden): ")
		secret, err = o.ReadSecret()
		fmt.Fprintln(o.IO.ErrOut)
		if err != nil {
			return fmt.Errorf("read the secret: %w", err)
		}
		if secret == "" {
			return cmdutil.FlagErrorf("no secret given")
		}
	default:
		return cmdutil.FlagErrorf("no terminal to ask for the secret: pipe it with --client-secret-stdin")
	}

	// Prove the pair before storing anything.
	tok, err := freshToken(ctx, f, s.Profile.TokenURL, clientID, secret)
	if err != nil {
		return fmt.Errorf("%w; nothing was stored", err)
	}

	where, err := f.Secrets().Store(name, secret, o.InsecureStorage)
	if err != nil {
		if credentials.IsUnavailable(err) {
			return &cmdutil.ExitError{Code: cmdutil.ExitUnexpected, Err: fmt.Errorf(
				"the credentials work, but %v; nothing was stored.\n"+
					"Either give them to every command with %s and %s (CI), or store the secret in a plain-text file with:\n"+
					"  connectctl auth login --profile %s --insecure-storage",
				err, config.EnvClientID, config.EnvClientSecret, name)}
		}
		return fmt.Errorf("store the secret: %w; nothing else was changed", err)
	}
	if stored.ClientID != clientID {
		if err := file.SetProfileKey(name, "client-id", clientID); err != nil {
			return err
		}
		if err := file.Save(); err != nil {
			return err
		}
	}
	// Tokens of the old credentials go; the one just fetched is kept.
	if dir := f.TokenDir(); dir != "" {
		_, _ = credentials.RemoveTokens(dir, name)
		source := credentials.SourceKeyring
		if o.InsecureStorage {
			source = credentials.SourceFile
		}
		cache := credentials.TokenCacheFor(dir, name, s.Profile.TokenURL, clientID, secret, source)
		_ = cache.Save(ctx, auth.CacheKey(s.Profile.TokenURL, clientID, nil), tok)
	}
	f.ResetSettings()

	w := o.IO.ErrOut
	fmt.Fprintf(w, "Logged in: client %q works with %s (profile %s).\n", clientID, s.Profile.TokenURL, name)
	if o.InsecureStorage {
		fmt.Fprintf(w, "Secret stored IN PLAIN TEXT in %s (mode 0600); keep that file private.\n", where)
	} else {
		fmt.Fprintf(w, "Secret stored in the %s, entry %q.\n", where, name)
	}
	if cur := file.CurrentProfile(); cur != name && !(cur == "" && name == config.DefaultProfile) {
		fmt.Fprintf(w, "Use it with --profile %s, or make it the default: connectctl profile use %s\n", name, name)
	}
	return nil
}

func debugWriter(f *factory.Factory) io.Writer {
	if f.Globals.Debug {
		return f.IOStreams.ErrOut
	}
	return nil
}

// readLine reads one line byte by byte, so nothing after it is consumed
// (the hidden secret prompt reads the same terminal next).
func readLine(r io.Reader) (string, error) {
	var b bytes.Buffer
	one := make([]byte, 1)
	for {
		n, err := r.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				return strings.TrimRight(b.String(), "\r"), nil
			}
			b.WriteByte(one[0])
		}
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
	}
}

// readHiddenFn is readHidden; tests replace it.
var readHiddenFn = readHidden

// readHidden reads a line from the terminal without echoing it.
func readHidden(in io.Reader) (string, error) {
	file, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return "", errors.New("stdin is not a terminal; use --client-secret-stdin")
	}
	b, err := term.ReadPassword(int(file.Fd()))
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// NewCmdLogout returns `connectctl auth logout`.
func NewCmdLogout(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use: "logout",
		Example: cmdutil.Examples(
			"Forget the current profile's secret and cached tokens", "connectctl auth logout",
			"Log out of another profile", "connectctl auth logout --profile preprod",
		),
		Short: "Remove the profile's stored secret and cached token",
		Long: "Remove the profile's client secret from the OS keyring (and from the\n" +
			"--insecure-storage file) and delete its cached access tokens. The client id\n" +
			"stays in the config file.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogout(f)
		},
	}
}

func runLogout(f *factory.Factory) error {
	file, err := f.Config()
	if err != nil {
		return err
	}
	name, src := f.ProfileName(file)
	if _, err := file.Lookup(name, src); err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	w := f.IOStreams.ErrOut
	removed, derr := f.Secrets().Delete(name)
	tokens := 0
	if dir := f.TokenDir(); dir != "" {
		tokens, _ = credentials.RemoveTokens(dir, name)
	}
	f.ResetSettings()
	for _, r := range removed {
		fmt.Fprintf(w, "Removed the secret of profile %s from %s.\n", name, r)
	}
	if tokens > 0 {
		fmt.Fprintf(w, "Removed %d cached access token(s) of profile %s.\n", tokens, name)
	}
	if derr != nil {
		if len(removed) == 0 {
			return fmt.Errorf("could not remove the secret of profile %s: %v; it may still be stored", name, derr)
		}
		fmt.Fprintf(w, "warning: %v\n", derr)
	}
	if len(removed) == 0 && derr == nil {
		fmt.Fprintf(w, "No secret was stored for profile %s.\n", name)
	}
	if env := envOverrides(); len(env) > 0 {
		fmt.Fprintf(w, "Note: %s in the environment still give(s) credentials to every command.\n", strings.Join(env, " and "))
	}
	return nil
}

// Status is what `auth status` reports; -o json prints it as is.
type Status struct {
	Profile         string     `json:"profile"`
	ProfileSource   string     `json:"profile_source"`
	ConfigFile      string     `json:"config_file"`
	BaseURL         string     `json:"base_url"`
	TokenURL        string     `json:"token_url"`
	ClientID        string     `json:"client_id"`
	ClientIDSource  string     `json:"client_id_source"`
	SecretSource    string     `json:"secret_source"`
	CachedExpiresAt *time.Time `json:"cached_token_expires_at"`
	TokenOK         bool       `json:"token_ok"`
	TokenExpiresAt  *time.Time `json:"token_expires_at"`
	Error           string     `json:"error,omitempty"`
	KeyringProblem  string     `json:"keyring_problem,omitempty"`
}

func statusColumns(now time.Time) []output.Column[Status] {
	when := func(t *time.Time) string {
		if t == nil {
			return "none"
		}
		return fmt.Sprintf("%s (in %s)", t.Local().Format("2006-01-02 15:04:05"), t.Sub(now).Round(time.Second))
	}
	return []output.Column[Status]{
		{Name: "profile", Value: func(s Status) string { return fmt.Sprintf("%s (%s)", s.Profile, s.ProfileSource) }},
		{Name: "config_file", Aliases: []string{"config"}, Value: func(s Status) string { return s.ConfigFile }},
		{Name: "base_url", Value: func(s Status) string { return s.BaseURL }},
		{Name: "token_url", Value: func(s Status) string { return s.TokenURL }},
		{Name: "client_id", Value: func(s Status) string {
			if s.ClientID == "" {
				return "none"
			}
			return fmt.Sprintf("%s (%s)", s.ClientID, s.ClientIDSource)
		}},
		{Name: "secret_source", Aliases: []string{"secret"}, Value: func(s Status) string {
			return SecretSourceText(s.SecretSource, s.KeyringProblem)
		}},
		{Name: "token_ok", Aliases: []string{"token"}, Value: func(s Status) string {
			if !s.TokenOK {
				return "no: " + s.Error
			}
			return "yes (fetched now to prove the credentials)"
		}},
		{Name: "token_expires_at", Value: func(s Status) string { return when(s.TokenExpiresAt) }},
		{Name: "cached_token_expires_at", Aliases: []string{"cached"}, Value: func(s Status) string { return when(s.CachedExpiresAt) }},
	}
}

// SecretSourceText says where a secret comes from (a credentials.Source*),
// for people, with the keyring's problem when it has one.
func SecretSourceText(source, problem string) string {
	src := map[string]string{
		credentials.SourceEnv:     "environment (" + config.EnvClientSecret + ")",
		credentials.SourceKeyring: "system keyring (service " + credentials.Service + ")",
		credentials.SourceFile:    "plain-text file (--insecure-storage)",
		credentials.SourceBuiltIn: "built-in (the sandbox's public secret)",
	}[source]
	if src == "" {
		src = "none"
	}
	if problem != "" {
		src += "; " + problem
	}
	return src
}

// LocalStatus is what auth status knows without a request: the profile,
// where its client id and secret come from, and when the cached token
// expires. A secret the keyring would give is not read (connectctl status
// needs only where it comes from).
func LocalStatus(ctx context.Context, f *factory.Factory, s *config.Settings) Status {
	st := Status{Profile: s.Profile.Name, ProfileSource: s.ProfileSource, ConfigFile: s.ConfigFile,
		BaseURL: s.Profile.BaseURL, TokenURL: s.Profile.TokenURL, ClientID: s.ClientID,
		ClientIDSource: s.Sources["client-id"], SecretSource: s.SecretSource, KeyringProblem: s.SecretNote}
	if exp, ok := f.CachedTokenExpiry(ctx, s); ok {
		st.CachedExpiresAt = &exp
	}
	return st
}

// NewCmdStatus returns `connectctl auth status`.
func NewCmdStatus(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use: "status",
		Example: cmdutil.Examples(
			"Check that the current profile's credentials work", "connectctl auth status",
			"Check a profile from a script (exit 3 when its credentials fail)", "connectctl auth status --profile preprod -o json",
		),
		Short: "Show the profile's credentials, where they come from and whether they work",
		Long: "Show the profile, base URL, client id and where its secret comes from\n" +
			"(environment, keyring, file), fetch a token to prove the credentials work now,\n" +
			"and tell when the cached token expires. Exits 3 when the credentials do not work.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStatus(cmd.Context(), f)
		},
	}
}

func runStatus(ctx context.Context, f *factory.Factory) error {
	p, err := f.Printer()
	if err != nil {
		return err
	}
	s, err := f.Settings()
	if err != nil {
		return err
	}
	now := time.Now()
	st := LocalStatus(ctx, f, s)
	// Proving the credentials needs the secret itself, even when a cached
	// token spared reading it.
	f.ResolveSecret(s)
	st.SecretSource, st.KeyringProblem = s.SecretSource, s.SecretNote
	var failure error
	if s.ClientID == "" || s.ClientSecret == "" {
		failure = factory.MissingCredentials(s)
	} else if fresh, err := freshToken(ctx, f, s.Profile.TokenURL, s.ClientID, s.ClientSecret); err != nil {
		failure = err
	} else {
		// Proven now with a fresh token, not the cached one; it replaces
		// the cached one for the commands that follow.
		st.TokenOK = true
		exp := fresh.Expiry
		st.TokenExpiresAt = &exp
		if dir := f.TokenDir(); dir != "" {
			cache := credentials.TokenCacheFor(dir, s.Profile.Name, s.Profile.TokenURL, s.ClientID, s.ClientSecret, s.SecretSource)
			_ = cache.Save(ctx, auth.CacheKey(s.Profile.TokenURL, s.ClientID, nil), fresh)
		}
	}
	if failure != nil {
		st.Error = failure.Error()
	}
	if err := factory.KeyValues(f.IOStreams.Out, p, st, statusColumns(now)); err != nil {
		return err
	}
	if failure != nil {
		code := cmdutil.ExitCodeFor(failure)
		if code == cmdutil.ExitUnexpected || code == cmdutil.ExitUsage {
			code = cmdutil.ExitAuth
		}
		return &cmdutil.ExitError{Code: code, Err: failure}
	}
	return nil
}

// freshToken fetches a new token with these credentials, bypassing the
// cache: it proves they work now.
func freshToken(ctx context.Context, f *factory.Factory, tokenURL, clientID, secret string) (*oauth2.Token, error) {
	src, err := auth.NewClientCredentials(auth.Config{
		TokenURL: tokenURL, ClientID: clientID, ClientSecret: secret,
		HTTPClient: &http.Client{Timeout: f.Globals.Timeout}, Debug: debugWriter(f),
	})
	if err != nil {
		return nil, err
	}
	return src.Token(ctx)
}

// NewCmdToken returns `connectctl auth token`.
func NewCmdToken(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use: "token",
		Example: cmdutil.Examples(
			"Call the API with curl", "curl -H \"Authorization: Bearer $(connectctl auth token)\" http://127.0.0.1:7787/v1/products",
			"Print a token of another profile", "connectctl auth token --profile preprod",
		),
		Short: "Print a valid access token of the profile",
		Long: "Print a valid access token for the profile to stdout, for curl and the like:\n\n" +
			"  curl -H \"Authorization: Bearer $(connectctl auth token)\" ...\n\n" +
			"The cached token is reused until shortly before it expires.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			tokens, _, err := f.TokenSource()
			if err != nil {
				return err
			}
			tok, err := tokens.Token(cmd.Context())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(f.IOStreams.Out, tok.AccessToken)
			return err
		},
	}
}
