package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Profile states of a SIM.
const (
	profileReleased    = "Released"
	profileDownloaded  = "Downloaded"
	profileInstalled   = "Installed"
	profileUnavailable = "Unavailable"
)

// Order statuses.
const (
	orderAccepted   = "ACCEPTED"
	orderFulfilling = "FULFILLING"
	orderCompleted  = "COMPLETED"
	orderFailed     = "FAILED"
)

// Subscription statuses.
const (
	subActive   = "ACTIVE"
	subPending  = "PENDING"
	subDepleted = "DEPLETED"
	subExpired  = "EXPIRED"
)

// Notification types.
const (
	notifyUsageThreshold  = "USAGE_THRESHOLD"
	notifySubscriptionEnd = "SUBSCRIPTION_END"
)

type simRec struct {
	Seq           int64             `json:"seq"`
	ICCID         string            `json:"iccid"`
	Client        string            `json:"client"`
	EID           string            `json:"eid,omitempty"`
	MatchingID    string            `json:"matching_id"`
	Status        string            `json:"status"`
	EverInstalled bool              `json:"ever_installed,omitempty"`
	Created       time.Time         `json:"created"`
	LastModified  time.Time         `json:"last_modified"`
	DeviceID      string            `json:"device_id,omitempty"`
	Email         string            `json:"email,omitempty"`
	Webhooks      map[string]string `json:"webhooks,omitempty"`

	subs []*subRec // every subscription on the SIM, by seq
}

type subRec struct {
	Seq               int64     `json:"seq"`
	ID                string    `json:"id"`
	Client            string    `json:"client"`
	ICCID             string    `json:"iccid"`
	ProductID         string    `json:"product_id"`
	OrderID           string    `json:"order_id"`
	Email             string    `json:"email,omitempty"`
	DeviceID          string    `json:"device_id,omitempty"`
	Initial           int64     `json:"initial"`
	Spent             int64     `json:"spent"`
	Created           time.Time `json:"created"`
	Activation        time.Time `json:"activation"`
	Expiration        time.Time `json:"expiration"`
	Depleted          bool      `json:"depleted,omitempty"`
	NotifiedThreshold bool      `json:"notified_threshold,omitempty"`
	NotifiedEnd       bool      `json:"notified_end,omitempty"`
	Price             string    `json:"price,omitempty"`
	Currency          string    `json:"currency,omitempty"`
}

// status is the subscription's status at now.
func (sb *subRec) status(now time.Time) string {
	switch {
	case sb.Depleted:
		return subDepleted
	case now.Before(sb.Activation):
		return subPending
	case !now.Before(sb.Expiration):
		return subExpired
	default:
		return subActive
	}
}

type orderSub struct {
	ProductID  string     `json:"product_id"`
	Activation *time.Time `json:"activation,omitempty"`
	Price      string     `json:"price,omitempty"`
	Currency   string     `json:"currency,omitempty"`
}

type orderOutput struct {
	ICCID           string   `json:"iccid"`
	MatchingID      string   `json:"matchingId,omitempty"`
	SmdpURL         string   `json:"smdpUrl,omitempty"`
	LpaURL          string   `json:"lpa_url,omitempty"`
	SubscriptionID  string   `json:"subscription_id"`
	SubscriptionIDs []string `json:"subscription_ids,omitempty"`
}

type orderRec struct {
	Seq        int64        `json:"seq"`
	ID         string       `json:"id"`
	Client     string       `json:"client"`
	Created    time.Time    `json:"created"`
	Due        time.Time    `json:"due"`
	Op         string       `json:"operation_type"`
	Country    string       `json:"country_code,omitempty"`
	Email      string       `json:"email,omitempty"`
	DeviceID   string       `json:"device_id,omitempty"`
	DeviceType string       `json:"device_type,omitempty"`
	EID        string       `json:"eid,omitempty"`
	ICCID      string       `json:"iccid,omitempty"`
	Subs       []orderSub   `json:"subscriptions"`
	Final      string       `json:"final,omitempty"`
	Error      string       `json:"error,omitempty"`
	Output     *orderOutput `json:"output,omitempty"`
	// The 2024 edition's, as sent.
	Subscriber       *subscriberRec `json:"subscriber,omitempty"`
	PurchaseLocation string         `json:"purchase_location,omitempty"`
}

// status is the order's status at now; pending orders due by now have
// already been completed by advance.
func (o *orderRec) status(now time.Time) string {
	if o.Final != "" {
		return o.Final
	}
	half := o.Created.Add(o.Due.Sub(o.Created) / 2)
	if now.Before(half) {
		return orderAccepted
	}
	return orderFulfilling
}

type customerRec struct {
	Seq                int64     `json:"seq"`
	ID                 string    `json:"id"`
	Client             string    `json:"client"`
	Email              string    `json:"email"`
	FirstName          string    `json:"firstName,omitempty"`
	LastName           string    `json:"lastName,omitempty"`
	CountryOfResidence string    `json:"countryOfResidence,omitempty"`
	Created            time.Time `json:"created"`
	Updated            time.Time `json:"updated"`
}

type tokenRec struct {
	Client  string    `json:"client"`
	Expires time.Time `json:"expires"`
}

// persisted is the state file's content. Tokens are kept by their SHA-256
// so the file never holds a usable credential.
type persisted struct {
	Version       int                 `json:"version"`
	Seed          int64               `json:"seed"`
	Seq           map[string]int64    `json:"seq"`
	Orders        []*orderRec         `json:"orders"`
	SIMs          []*simRec           `json:"sims"`
	Subscriptions []*subRec           `json:"subscriptions"`
	Customers     []*customerRec      `json:"customers"`
	AccessTokens  map[string]tokenRec `json:"access_tokens"`
	RefreshTokens map[string]tokenRec `json:"refresh_tokens"`
}

const stateVersion = 1

// store is the sandbox's state with its indices. Guarded by Server.mu.
type store struct {
	seed    int64
	seq     map[string]int64
	orders  map[string]*orderRec
	sims    map[string]*simRec
	subs    map[string]*subRec
	custs   map[string]*customerRec
	access  map[string]tokenRec
	refresh map[string]tokenRec

	allOrders    []*orderRec // by seq, for the state file
	allCusts     []*customerRec
	pending      []*orderRec // not yet COMPLETED/FAILED, by seq
	clientOrders map[string][]*orderRec
	clientSIMs   map[string][]*simRec
	clientSubs   map[string][]*subRec
	custByEmail  map[string]*customerRec // client + "\x00" + lower(email)

	nSubs int
}

func newStore(seed int64) *store {
	return &store{
		seed: seed, seq: map[string]int64{},
		orders: map[string]*orderRec{}, sims: map[string]*simRec{}, subs: map[string]*subRec{},
		custs: map[string]*customerRec{}, access: map[string]tokenRec{}, refresh: map[string]tokenRec{},
		clientOrders: map[string][]*orderRec{}, clientSIMs: map[string][]*simRec{},
		clientSubs: map[string][]*subRec{}, custByEmail: map[string]*customerRec{},
	}
}

func (st *store) next(kind string) int64 {
	st.seq[kind]++
	return st.seq[kind]
}

func (st *store) addOrder(o *orderRec) {
	st.orders[o.ID] = o
	st.allOrders = append(st.allOrders, o)
	st.clientOrders[o.Client] = append(st.clientOrders[o.Client], o)
	if o.Final == "" {
		st.pending = append(st.pending, o)
	}
}

func (st *store) addSIM(sm *simRec) {
	st.sims[sm.ICCID] = sm
	st.clientSIMs[sm.Client] = append(st.clientSIMs[sm.Client], sm)
}

func (st *store) addSub(sb *subRec) {
	st.subs[sb.ID] = sb
	st.clientSubs[sb.Client] = append(st.clientSubs[sb.Client], sb)
	if sm := st.sims[sb.ICCID]; sm != nil {
		sm.subs = append(sm.subs, sb)
	}
	st.nSubs++
}

func emailKey(client, email string) string { return client + "\x00" + strings.ToLower(email) }

func (st *store) addCustomer(c *customerRec) {
	st.custs[c.ID] = c
	st.allCusts = append(st.allCusts, c)
	st.custByEmail[emailKey(c.Client, c.Email)] = c
}

// removeSIM deletes a SIM and its subscriptions.
func (st *store) removeSIM(sm *simRec) {
	delete(st.sims, sm.ICCID)
	list := st.clientSIMs[sm.Client]
	i := sort.Search(len(list), func(i int) bool { return list[i].Seq >= sm.Seq })
	if i < len(list) && list[i] == sm {
		st.clientSIMs[sm.Client] = append(list[:i:i], list[i+1:]...)
	}
	if len(sm.subs) == 0 {
		return
	}
	gone := map[*subRec]bool{}
	for _, sb := range sm.subs {
		gone[sb] = true
		delete(st.subs, sb.ID)
		st.nSubs--
	}
	subs := st.clientSubs[sm.Client]
	kept := subs[:0:0]
	for _, sb := range subs {
		if !gone[sb] {
			kept = append(kept, sb)
		}
	}
	st.clientSubs[sm.Client] = kept
	sm.subs = nil
}

// snapshot copies the state for the state file, so that it can be encoded
// without holding the lock. Records are copied by value; the parts of them
// that are never changed after creation (order subscriptions and output)
// are shared.
func (st *store) snapshot() *persisted {
	p := &persisted{
		Version: stateVersion, Seed: st.seed, Seq: make(map[string]int64, len(st.seq)),
		Orders:        make([]*orderRec, len(st.allOrders)),
		Customers:     make([]*customerRec, len(st.allCusts)),
		SIMs:          make([]*simRec, 0, len(st.sims)),
		Subscriptions: make([]*subRec, 0, len(st.subs)),
		AccessTokens:  make(map[string]tokenRec, len(st.access)),
		RefreshTokens: make(map[string]tokenRec, len(st.refresh)),
	}
	for k, v := range st.seq {
		p.Seq[k] = v
	}
	orders := make([]orderRec, len(st.allOrders))
	for i, o := range st.allOrders {
		orders[i] = *o
		p.Orders[i] = &orders[i]
	}
	custs := make([]customerRec, len(st.allCusts))
	for i, c := range st.allCusts {
		custs[i] = *c
		p.Customers[i] = &custs[i]
	}
	sims := make([]simRec, 0, len(st.sims))
	subs := make([]subRec, 0, len(st.subs))
	for _, c := range sortedKeys(st.clientSIMs) {
		for _, sm := range st.clientSIMs[c] {
			cp := *sm
			cp.subs = nil
			if sm.Webhooks != nil {
				cp.Webhooks = make(map[string]string, len(sm.Webhooks))
				for k, v := range sm.Webhooks {
					cp.Webhooks[k] = v
				}
			}
			sims = append(sims, cp)
		}
	}
	for i := range sims {
		p.SIMs = append(p.SIMs, &sims[i])
	}
	for _, c := range sortedKeys(st.clientSubs) {
		for _, sb := range st.clientSubs[c] {
			subs = append(subs, *sb)
		}
	}
	for i := range subs {
		p.Subscriptions = append(p.Subscriptions, &subs[i])
	}
	for k, v := range st.access {
		p.AccessTokens[k] = v
	}
	for k, v := range st.refresh {
		p.RefreshTokens[k] = v
	}
	return p
}

// loadStore reads a state file; a missing file gives an empty store.
func loadStore(path string, seed int64) (*store, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newStore(seed), false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sandbox: read state: %w", err)
	}
	var p persisted
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, false, fmt.Errorf("sandbox: state file %s is not valid JSON: %w", path, err)
	}
	if p.Version != stateVersion {
		return nil, false, fmt.Errorf("sandbox: state file %s has version %d, want %d", path, p.Version, stateVersion)
	}
	if seed == 0 {
		seed = p.Seed
	}
	st := newStore(seed)
	for k, v := range p.Seq {
		st.seq[k] = v
	}
	sort.Slice(p.Orders, func(i, j int) bool { return p.Orders[i].Seq < p.Orders[j].Seq })
	sort.Slice(p.SIMs, func(i, j int) bool { return p.SIMs[i].Seq < p.SIMs[j].Seq })
	sort.Slice(p.Subscriptions, func(i, j int) bool { return p.Subscriptions[i].Seq < p.Subscriptions[j].Seq })
	sort.Slice(p.Customers, func(i, j int) bool { return p.Customers[i].Seq < p.Customers[j].Seq })
	for _, o := range p.Orders {
		st.addOrder(o)
	}
	for _, sm := range p.SIMs {
		st.addSIM(sm)
	}
	for _, sb := range p.Subscriptions {
		st.addSub(sb)
	}
	for _, c := range p.Customers {
		st.addCustomer(c)
	}
	for k, v := range p.AccessTokens {
		st.access[k] = v
	}
	for k, v := range p.RefreshTokens {
		st.refresh[k] = v
	}
	return st, true, nil
}

// writeFileAtomic writes data to a temporary file in path's directory,
// syncs it and renames it over path, so a crash leaves the old or the new
// content, never a mix.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}
