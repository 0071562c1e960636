// Package journal is the order journal: an append-only JSON Lines file in the
// user's state directory that records every order attempt. A record is
// written and fsynced before the request is sent and another once its outcome
// is known, so an order id is never lost to a crash, a kill or a dropped
// connection, and a re-run can tell what was already ordered instead of
// ordering twice.
//
// Each record is one line, written with one write(2) under O_APPEND and
// fsynced: several goroutines and several processes can share the file, and
// a torn last line (a crash mid-write) costs only that record. Load replays
// the records into one Attempt per attempt id.
//
// The journal holds what identifies an order and its customer (e-mail,
// products, device id, ICCID), never activation codes, tokens or secrets.
package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/connectctl/connectctl/internal/lazy"
)

// DefaultPath is where the journal lives: $CONNECTCTL_JOURNAL if set; else
// <state dir>/connectctl/orders.jsonl, where <state dir> is $XDG_STATE_HOME
// when it is set to an absolute path, else ~/.local/state, or %LocalAppData%
// on Windows. State rather than cache: deleting the journal forgets which
// orders were placed.
func DefaultPath() (string, error) {
	if p := os.Getenv("CONNECTCTL_JOURNAL"); p != "" {
		return p, nil
	}
	dir, err := stateDir()
	if err != nil {
		return "", fmt.Errorf("finding the order journal: %w; set CONNECTCTL_JOURNAL to a file path", err)
	}
	return filepath.Join(dir, "connectctl", "orders.jsonl"), nil
}

func stateDir() (string, error) {
	// The XDG spec says a relative value is invalid and to be ignored.
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	if runtime.GOOS == "windows" {
		return os.UserCacheDir() // %LocalAppData%
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "state"), nil
}

// Status is where an attempt stands.
type Status string

const (
	Sending  Status = "sending"  // begun: written before the request; no outcome yet (a run in progress, or one that was killed)
	Accepted Status = "accepted" // the API accepted the order; OrderID set
	Failed   Status = "failed"   // no order was created: refused (4xx), never sent, or proven absent by reconciliation
	Unknown  Status = "unknown"  // sent, outcome unknown (timeout, dropped connection, 5xx)
)

// Attempt is one order attempt as Load rebuilds it from its records.
type Attempt struct {
	ID            string    `json:"attempt"`
	Started       time.Time `json:"started"`
	Updated       time.Time `json:"updated"`
	Target        string    `json:"target,omitempty"` // API base URL
	ClientID      string    `json:"client_id,omitempty"`
	Profile       string    `json:"profile,omitempty"`
	Batch         string    `json:"batch,omitempty"` // bulk file identity; "" for a single order
	Row           int       `json:"row,omitempty"`   // 1-based data row of the bulk file
	Line          int       `json:"line,omitempty"`  // line of the bulk file
	RowKey        string    `json:"row_key,omitempty"`
	Operation     string    `json:"operation,omitempty"` // NEW_ESIM, TOPUP
	Email         string    `json:"email,omitempty"`
	Products      []string  `json:"products,omitempty"`
	DeviceID      string    `json:"device_id,omitempty"`
	ICCID         string    `json:"iccid,omitempty"` // TOPUP target, or the finished order's ICCID
	CorrelationID string    `json:"correlation_id,omitempty"`
	// SubscriptionIDs are the finished order's subscriptions, one per plan.
	SubscriptionIDs []string `json:"subscription_ids,omitempty"`

	Status      Status `json:"status"`
	OrderID     string `json:"order_id,omitempty"`
	OrderStatus string `json:"order_status,omitempty"` // last status seen: ACCEPTED, FULFILLING, COMPLETED, FAILED
	HTTPStatus  int    `json:"http_status,omitempty"`
	Error       string `json:"error,omitempty"`
	Resolution  string `json:"resolution,omitempty"` // how an unknown outcome was settled
}

// recordVersion is the "v" of every record; Load reads records of any
// version, taking the fields it knows.
const recordVersion = 1

// Events of the records.
const (
	evBegin    = "begin"
	evAccept   = "accept"
	evFail     = "fail"
	evUnknown  = "unknown"
	evResolve  = "resolve"
	evProgress = "progress"
)

// record is one line of the file. A begin record carries the descriptive
// fields; the others carry only what they change.
type record struct {
	V       int        `json:"v"`
	At      time.Time  `json:"at"`
	Event   string     `json:"event"`
	Attempt string     `json:"attempt"`
	Started *time.Time `json:"started,omitempty"`

	Target        string   `json:"target,omitempty"`
	ClientID      string   `json:"client_id,omitempty"`
	Profile       string   `json:"profile,omitempty"`
	Batch         string   `json:"batch,omitempty"`
	Row           int      `json:"row,omitempty"`
	Line          int      `json:"line,omitempty"`
	RowKey        string   `json:"row_key,omitempty"`
	Operation     string   `json:"operation,omitempty"`
	Email         string   `json:"email,omitempty"`
	Products      []string `json:"products,omitempty"`
	DeviceID      string   `json:"device_id,omitempty"`
	ICCID         string   `json:"iccid,omitempty"`
	CorrelationID string   `json:"correlation_id,omitempty"`

	SubscriptionIDs []string `json:"subscription_ids,omitempty"`

	OrderID     string `json:"order_id,omitempty"`
	OrderStatus string `json:"order_status,omitempty"`
	HTTPStatus  int    `json:"http_status,omitempty"`
	Error       string `json:"error,omitempty"`
	Resolution  string `json:"resolution,omitempty"`
}

// Journal appends records to one journal file. Its methods are safe for
// concurrent use.
type Journal struct {
	path string
	now  func() time.Time

	mu sync.Mutex
	f  *os.File // nil once closed
}

// Open opens the journal at path for appending, creating it (0600) and its
// directory (0700) when missing: it names customers and orders.
func Open(path string) (*Journal, error) {
	if path == "" {
		return nil, errors.New("order journal: empty path")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("order journal: %w", err)
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("order journal: %w", err)
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		syncDir(dir) // the new file's name survives a power cut too
	}
	j := &Journal{path: path, f: f, now: time.Now}
	if err := j.endTornLine(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return j, nil
}

// endTornLine starts a fresh line when the file ends in a torn record (a
// crash mid-write); otherwise the next record would be glued to it and lost
// with it.
func (j *Journal) endTornLine() error {
	r, err := os.Open(j.path)
	if err != nil {
		return fmt.Errorf("order journal: %w", err)
	}
	defer r.Close()
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil || size == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := r.ReadAt(last, size-1); err != nil || last[0] == '\n' {
		return nil
	}
	// Two processes doing this at once leave an empty line, which Load skips.
	if _, err := j.f.Write([]byte{'\n'}); err != nil {
		return fmt.Errorf("order journal %s: %w", j.path, err)
	}
	return nil
}

// syncDir fsyncs a directory, where the OS allows it (not on Windows).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Path is the journal file's path.
func (j *Journal) Path() string { return j.path }

// Close closes the file; later writes fail.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// Begin records an attempt about to be sent, with Status Sending, and
// returns only once the record is on disk: the request must not go out
// before. It fills ID (a random UUID) and Started when empty; Updated is the
// record's time. It returns the attempt as written.
func (j *Journal) Begin(a Attempt) (Attempt, error) {
	at := j.now().UTC()
	if a.ID == "" {
		a.ID = uuid.NewString()
	}
	if a.Started.IsZero() {
		a.Started = at
	}
	a.Started = a.Started.UTC()
	a.Updated = at
	a.Status = Sending
	a.OrderID, a.OrderStatus, a.HTTPStatus, a.Error, a.Resolution = "", "", 0, "", ""
	started := a.Started
	r := record{
		V: recordVersion, At: at, Event: evBegin, Attempt: a.ID, Started: &started,
		Target: a.Target, ClientID: a.ClientID, Profile: a.Profile,
		Batch: a.Batch, Row: a.Row, Line: a.Line, RowKey: a.RowKey,
		Operation: a.Operation, Email: a.Email, Products: a.Products, DeviceID: a.DeviceID,
		ICCID: a.ICCID, CorrelationID: a.CorrelationID,
	}
	if err := j.write(r); err != nil {
		return Attempt{}, err
	}
	return a, nil
}

// Accept records that the API accepted the order.
func (j *Journal) Accept(id, orderID, orderStatus string) error {
	return j.append(id, record{Event: evAccept, OrderID: orderID, OrderStatus: orderStatus})
}

// Fail records that no order was created: refused, never sent, or proven
// absent (resolution says how).
func (j *Journal) Fail(id string, httpStatus int, msg, resolution string) error {
	return j.append(id, record{Event: evFail, HTTPStatus: httpStatus, Error: msg, Resolution: resolution})
}

// MarkUnknown records that the request went out but its outcome is unknown.
func (j *Journal) MarkUnknown(id string, httpStatus int, msg string) error {
	return j.append(id, record{Event: evUnknown, HTTPStatus: httpStatus, Error: msg})
}

// Resolve records that an attempt of unknown outcome did create orderID.
func (j *Journal) Resolve(id, orderID, resolution string) error {
	return j.append(id, record{Event: evResolve, OrderID: orderID, Resolution: resolution})
}

// Update is what a progress record says of an accepted order.
type Update struct {
	OrderStatus     string
	ICCID           string   // once known
	SubscriptionIDs []string // once known: every plan's
	Error           string   // when it FAILED
}

// Progress records the latest status seen of an accepted order, its ICCID
// and subscriptions once known and, when it FAILED, the order's error. The
// attempt's Status does not change.
func (j *Journal) Progress(id string, u Update) error {
	return j.append(id, record{Event: evProgress, OrderStatus: u.OrderStatus, ICCID: u.ICCID,
		SubscriptionIDs: u.SubscriptionIDs, Error: u.Error})
}

func (j *Journal) append(id string, r record) error {
	if id == "" {
		return fmt.Errorf("order journal: %s record without an attempt id", r.Event)
	}
	r.V, r.At, r.Attempt = recordVersion, j.now().UTC(), id
	return j.write(r)
}

// maxText caps the error and resolution text of a record.
const maxText = 2048

// write appends r as one line with one Write call and fsyncs it.
func (j *Journal) write(r record) error {
	r.Error, r.Resolution = cleanText(r.Error), cleanText(r.Resolution)
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("order journal: %w", err)
	}
	b = append(b, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return fmt.Errorf("order journal %s: %w", j.path, os.ErrClosed)
	}
	if _, err := j.f.Write(b); err != nil {
		return fmt.Errorf("order journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("order journal %s: %w", j.path, err)
	}
	return nil
}

// secretRE matches what must never reach the journal should an error
// message quote it: activation codes and bearer tokens.
var secretRE = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`(?i)(LPA:1\$|Bearer\s+)[^\s"',;]+`) }}

// cleanText makes free text one line of at most maxText bytes, with
// activation codes and tokens redacted.
func cleanText(s string) string {
	if s == "" {
		return s
	}
	s = secretRE.Get().ReplaceAllString(s, "${1}[redacted]")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxText {
		cut := maxText - len("…")
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// Load replays the journal at path: one Attempt per attempt id, in order of
// first appearance, each later record merged in (Updated is the time of the
// last one). A missing file holds no attempts. A line that does not parse (a
// torn last write, garbage) is skipped, as are records for an attempt with no
// begin record before them: the journal must stay readable whatever happened
// to it.
func Load(path string) ([]Attempt, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("order journal: %w", err)
	}
	defer f.Close()
	var out []Attempt
	index := map[string]int{}
	br := bufio.NewReader(f)
	for {
		line, rerr := br.ReadBytes('\n')
		if line = bytes.TrimSpace(line); len(line) > 0 {
			var r record
			if json.Unmarshal(line, &r) == nil && r.Attempt != "" {
				if i, ok := index[r.Attempt]; ok {
					merge(&out[i], &r)
				} else if r.Event == evBegin {
					index[r.Attempt] = len(out)
					out = append(out, begun(&r))
				}
			}
		}
		if rerr == io.EOF {
			return out, nil
		}
		if rerr != nil {
			return out, fmt.Errorf("order journal %s: %w", path, rerr)
		}
	}
}

func begun(r *record) Attempt {
	a := Attempt{
		ID: r.Attempt, Started: r.At.UTC(), Updated: r.At.UTC(),
		Target: r.Target, ClientID: r.ClientID, Profile: r.Profile,
		Batch: r.Batch, Row: r.Row, Line: r.Line, RowKey: r.RowKey,
		Operation: r.Operation, Email: r.Email, Products: r.Products, DeviceID: r.DeviceID,
		ICCID: r.ICCID, CorrelationID: r.CorrelationID,
		Status: Sending,
	}
	if r.Started != nil && !r.Started.IsZero() {
		a.Started = r.Started.UTC()
	}
	return a
}

// merge applies a later record to its attempt: the fields it carries
// replace the attempt's, and its event sets the status.
func merge(a *Attempt, r *record) {
	switch r.Event {
	case evAccept, evResolve:
		a.Status = Accepted
	case evFail:
		a.Status = Failed
	case evUnknown:
		a.Status = Unknown
	case evProgress:
	default:
		return // a second begin, or an event of a later version
	}
	a.Updated = r.At.UTC()
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&a.OrderID, r.OrderID)
	set(&a.OrderStatus, r.OrderStatus)
	set(&a.ICCID, r.ICCID)
	set(&a.Error, r.Error)
	set(&a.Resolution, r.Resolution)
	if len(r.SubscriptionIDs) > 0 {
		a.SubscriptionIDs = r.SubscriptionIDs
	}
	if r.HTTPStatus != 0 {
		a.HTTPStatus = r.HTTPStatus
	}
}
