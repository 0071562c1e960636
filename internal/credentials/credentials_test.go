package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"
)

// hangingKeyring never answers, like a keyring behind a hung D-Bus.
type hangingKeyring struct{ release chan struct{} }

func (h hangingKeyring) Get(string, string) (string, error) { <-h.release; return "", nil }
func (h hangingKeyring) Set(string, string, string) error   { <-h.release; return nil }
func (h hangingKeyring) Delete(string, string) error        { <-h.release; return nil }

func TestKeyringTimeout(t *testing.T) {
	h := hangingKeyring{release: make(chan struct{})}
	defer close(h.release)
	k := &TimeoutKeyring{K: h, Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := k.Get(Service, "prod")
	if !IsUnavailable(err) || !strings.Contains(err.Error(), "did not answer within 100ms") {
		t.Fatalf("Get = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Get took %v", d)
	}
	// A keyring that hung once is not asked again.
	start = time.Now()
	for _, call := range []func() error{
		func() error { _, err := k.Get(Service, "x"); return err },
		func() error { return k.Set(Service, "x", "s") },
		func() error { return k.Delete(Service, "x") },
	} {
		if err := call(); !IsUnavailable(err) {
			t.Errorf("later call = %v, want unavailable", err)
		}
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("later calls waited %v", d)
	}
	// Lookup through Secrets reports it, so commands can fall back.
	s := &Secrets{Keyring: k, File: &FileStore{Path: filepath.Join(t.TempDir(), "c.json")}}
	if _, _, err := s.Lookup("prod"); !IsUnavailable(err) {
		t.Errorf("Lookup = %v", err)
	}
}

func TestKeyringErrors(t *testing.T) {
	keyring.MockInitWithError(errors.New("org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(keyring.MockInit)
	k := &TimeoutKeyring{K: System{}, Timeout: time.Second}
	if _, err := k.Get(Service, "p"); !IsUnavailable(err) || !strings.Contains(err.Error(), "not available") {
		t.Errorf("Get = %v", err)
	}
	keyring.MockInit()
	k = &TimeoutKeyring{K: System{}, Timeout: time.Second}
	if _, err := k.Get(Service, "p"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of nothing = %v, want ErrNotFound", err)
	}
}

func TestSecretsKeyringAndFile(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	s := &Secrets{Keyring: &TimeoutKeyring{K: System{}, Timeout: time.Second}, File: &FileStore{Path: filepath.Join(dir, "connectctl", "credentials.json")}}

	if _, _, err := s.Lookup("prod"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty Lookup = %v", err)
	}
	where, err := s.Store("prod", "kr-secret", false)
	if err != nil || !strings.Contains(where, "keyring") {
		t.Fatalf("Store = %q, %v", where, err)
	}
	if v, _ := keyring.Get(Service, "prod"); v != "kr-secret" {
		t.Fatalf("keyring holds %q", v)
	}
	if v, src, err := s.Lookup("prod"); v != "kr-secret" || src != SourceKeyring || err != nil {
		t.Fatalf("Lookup = %q %q %v", v, src, err)
	}
	if _, err := os.Stat(s.File.Path); !os.IsNotExist(err) {
		t.Error("keyring storage wrote the plain file")
	}

	// --insecure-storage moves it to the file, 0600, and out of the keyring.
	where, err = s.Store("prod", "file-secret", true)
	if err != nil || where != s.File.Path {
		t.Fatalf("insecure Store = %q, %v", where, err)
	}
	if st, err := os.Stat(s.File.Path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("file: %v %v", st, err)
	}
	if st, _ := os.Stat(filepath.Dir(s.File.Path)); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", st.Mode().Perm())
	}
	if _, err := keyring.Get(Service, "prod"); !errors.Is(err, keyring.ErrNotFound) {
		t.Error("secret left in the keyring")
	}
	if v, src, _ := s.Lookup("prod"); v != "file-secret" || src != SourceFile {
		t.Fatalf("Lookup = %q %q", v, src)
	}
	if got := s.File.Profiles(); len(got) != 1 || got[0] != "prod" {
		t.Errorf("Profiles = %v", got)
	}

	// Back to the keyring: the file entry goes, and the file with it.
	if _, err := s.Store("prod", "kr2", false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.File.Path); !os.IsNotExist(err) {
		t.Error("plain file left behind")
	}

	removed, err := s.Delete("prod")
	if err != nil || len(removed) != 1 {
		t.Fatalf("Delete = %v, %v", removed, err)
	}
	if removed, err := s.Delete("prod"); err != nil || len(removed) != 0 {
		t.Fatalf("second Delete = %v, %v", removed, err)
	}
}

func TestStoreWithoutKeyring(t *testing.T) {
	keyring.MockInitWithError(errors.New("no D-Bus session bus"))
	t.Cleanup(keyring.MockInit)
	s := &Secrets{Keyring: &TimeoutKeyring{K: System{}, Timeout: time.Second}, File: &FileStore{Path: filepath.Join(t.TempDir(), "c.json")}}
	if _, err := s.Store("prod", "x", false); !IsUnavailable(err) {
		t.Fatalf("Store = %v, want unavailable", err)
	}
	if _, err := os.Stat(s.File.Path); !os.IsNotExist(err) {
		t.Fatal("fell back to the plain file without being asked")
	}
	if _, err := s.Store("prod", "x", true); err != nil {
		t.Fatalf("insecure Store = %v", err)
	}
	if v, src, err := s.Lookup("prod"); v != "x" || src != SourceFile || err != nil {
		t.Fatalf("Lookup = %q %q %v", v, src, err)
	}
}

func TestTokenCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	ctx := context.Background()
	key := "connectctl|https://t|client|"
	exp := time.Now().Add(5 * time.Minute).Round(time.Second)
	tok := &oauth2.Token{AccessToken: "acc-123", TokenType: "Bearer", RefreshToken: "ref-456", Expiry: exp, ExpiresIn: 300}

	c := NewTokenCache(dir, "prod", "https://t", "client", "secret-1")
	if got, err := c.Load(ctx, key); got != nil || err != nil {
		t.Fatalf("empty Load = %v %v", got, err)
	}
	if err := c.Save(ctx, key, tok); err != nil {
		t.Fatal(err)
	}
	got, err := c.Load(ctx, key)
	if err != nil || got == nil || got.AccessToken != "acc-123" || !got.Expiry.Equal(exp) || got.ExpiresIn != 300 {
		t.Fatalf("Load = %+v %v", got, err)
	}
	if got.RefreshToken != "" {
		t.Error("refresh token cached")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 {
		t.Fatalf("files: %v", files)
	}
	data, _ := os.ReadFile(files[0])
	for _, secret := range []string{"ref-456", "secret-1"} {
		if strings.Contains(string(data), secret) || strings.Contains(files[0], secret) {
			t.Errorf("cache holds %q", secret)
		}
	}
	if st, _ := os.Stat(files[0]); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", st.Mode().Perm())
	}
	if e, ok := c.Expiry(ctx, key); !ok || !e.Equal(exp) {
		t.Errorf("Expiry = %v %v", e, ok)
	}

	// A changed secret, client id, token URL or profile never sees it.
	for name, other := range map[string]*TokenCache{
		"secret":    NewTokenCache(dir, "prod", "https://t", "client", "secret-2"),
		"client id": NewTokenCache(dir, "prod", "https://t", "client2", "secret-1"),
		"token url": NewTokenCache(dir, "prod", "https://u", "client", "secret-1"),
		"profile":   NewTokenCache(dir, "preprod", "https://t", "client", "secret-1"),
	} {
		if got, _ := other.Load(ctx, key); got != nil {
			t.Errorf("changed %s reused the token", name)
		}
	}
	// The same credentials in a later process see it.
	if got, _ := NewTokenCache(dir, "prod", "https://t", "client", "secret-1").Load(ctx, key); got == nil {
		t.Error("same credentials missed the token")
	}

	// Saving for a new secret prunes the profile's expired tokens only.
	c2 := NewTokenCache(dir, "prod", "https://t", "client", "secret-2")
	c3 := NewTokenCache(dir, "prod", "https://t", "client", "secret-3")
	c3.Save(ctx, key, &oauth2.Token{AccessToken: "old", Expiry: time.Now().Add(-time.Minute)})
	if err := c2.Save(ctx, key, tok); err != nil {
		t.Fatal(err)
	}
	if got, _ := c3.Load(ctx, key); got != nil {
		t.Error("expired token not pruned")
	}
	if got, _ := c.Load(ctx, key); got == nil {
		t.Error("valid token pruned")
	}

	// Invalidate after a 401 deletes it.
	if err := c.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Load(ctx, key); got != nil {
		t.Error("deleted token still loads")
	}

	// Logout removes every token of the profile and no other.
	NewTokenCache(dir, "prod-eu", "https://t", "client", "s").Save(ctx, key, tok)
	if n, err := RemoveTokens(dir, "prod"); err != nil || n != 1 {
		t.Errorf("RemoveTokens = %d, %v", n, err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 1 || !strings.Contains(files[0], "prod-eu.") {
		t.Errorf("left: %v", files)
	}

	// A damaged entry is a miss, not an error.
	os.WriteFile(c.file(key), []byte("{"), 0o600)
	if got, err := c.Load(ctx, key); got != nil || err != nil {
		t.Errorf("damaged Load = %v %v", got, err)
	}
}

// blockingKeyring answers only when released.
type blockingKeyring struct{ release chan struct{} }

func (b blockingKeyring) Get(string, string) (string, error) { <-b.release; return "", ErrNotFound }
func (b blockingKeyring) Set(string, string, string) error   { <-b.release; return nil }
func (b blockingKeyring) Delete(string, string) error        { <-b.release; return nil }

// syncBuffer is written by the keyring's wait and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSlowKeyringSaysSoAndCancelEndsTheWait(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var notice syncBuffer
	k := &TimeoutKeyring{K: blockingKeyring{release}, Timeout: time.Minute, Context: ctx,
		Notice: &notice, NoticeAfter: 20 * time.Millisecond}
	errc := make(chan error, 1)
	go func() { _, err := k.Get(Service, "p"); errc <- err }()

	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(notice.String(), "waiting for the system keyring") {
		if time.Now().After(deadline) {
			t.Fatalf("no notice while the keyring blocks; got %q", notice.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancelled := time.Now()
	cancel()
	select {
	case err := <-errc:
		if took := time.Since(cancelled); took > 100*time.Millisecond {
			t.Errorf("returned %s after the cancel, want within 100ms", took)
		}
		if !errors.Is(err, context.Canceled) || !IsUnavailable(err) {
			t.Errorf("err = %v, want the keyring unavailable because of the cancel", err)
		}
		if want := "the wait for the system keyring was interrupted (read)"; err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	case <-time.After(100 * time.Millisecond):
		t.Fatal("the wait did not end within 100ms of the cancel")
	}
	if n := strings.Count(notice.String(), "waiting"); n != 1 {
		t.Errorf("notice printed %d times", n)
	}
}
