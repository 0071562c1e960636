package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/connectctl/connectctl/internal/lazy"
)

// ---- products ----

func (s *Server) currencyParam(c *call) (string, bool) {
	cur := c.r.URL.Query().Get("currency")
	if cur != "" && !supportedCurrency(cur) {
		c.badParams("currency %q is not supported; use an ISO 4217 code from the supported list, e.g. EUR", cur)
		return "", false
	}
	return cur, true
}

func (s *Server) listProducts(c *call) {
	cur, ok := s.currencyParam(c)
	if !ok {
		return
	}
	plan := c.r.URL.Query().Get("plan_id")
	out := []any{}
	for _, p := range catalogue.Get() {
		if plan != "" && p.PlanID != plan {
			continue
		}
		out = append(out, productJSON(p, cur, s.minorUnits()))
	}
	writeJSON(c.w, http.StatusOK, out)
}

func (s *Server) getProduct(c *call) {
	cur, ok := s.currencyParam(c)
	if !ok {
		return
	}
	id := c.r.PathValue("product_id")
	p := productByID(id)
	if p == nil {
		c.notFound("no product with id %q", id)
		return
	}
	writeJSON(c.w, http.StatusOK, productJSON(p, cur, s.minorUnits()))
}

// ---- order creation ----

type orderInput struct {
	OperationType string `json:"operationType"`
	CountryCode   string `json:"countryCode"`
	Customer      *struct {
		Email              string `json:"email"`
		FirstName          string `json:"firstName"`
		LastName           string `json:"lastName"`
		CountryOfResidence string `json:"countryOfResidence"`
	} `json:"customer"`
	Device *struct {
		ID    string `json:"id"`
		Type  string `json:"type"`
		Model string `json:"model"`
		Make  string `json:"make"`
		EID   string `json:"eid"`
	} `json:"device"`
	Subscriptions []struct {
		ProductID      string       `json:"product_id"`
		ActivationDate *string      `json:"activationDate"`
		Price          *json.Number `json:"price"`
		Currency       *string      `json:"currency"`
	} `json:"subscriptions"`
	Esim *struct {
		ICCID string `json:"iccid"`
	} `json:"esim"`
	// The 2024 edition's; the v1 edition ignores them.
	Subscriber       *subscriberRec `json:"subscriber"`
	PurchaseLocation string         `json:"purchase_location"`
}

// subscriberRec is a 2024 order's subscriber, kept and returned as sent.
type subscriberRec struct {
	ID        string      `json:"id,omitempty"`
	FirstName string      `json:"first_name,omitempty"`
	LastName  string      `json:"last_name,omitempty"`
	Email     string      `json:"email,omitempty"`
	Address   *addressRec `json:"address,omitempty"`
}

type addressRec struct {
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	State      string `json:"state,omitempty"`
	Country    string `json:"country,omitempty"`
}

// The 2024 document's error entries for a new eSIM order without its
// subscriber or purchase location, word for word (json_path included,
// which the document writes relative to the order).
var (
	errNoSubscriber = problemError{"MISSING_CONDITIONAL_MANDATORY_FIELD",
		"Field(s) [first_name, last_name, email, address] cannot be null when field [id] is equal to [null]", "$.subscriber.id"}
	errNoPurchaseLocation = problemError{"GENERIC_ERROR", "must not be empty", "$.purchase_location"}
)

// subscriberMissing is the document's rule: an id, or else every one of
// first_name, last_name, email and address.
func subscriberMissing(sb *subscriberRec) bool {
	if sb == nil {
		return true
	}
	if sb.ID != "" {
		return false
	}
	return sb.FirstName == "" || sb.LastName == "" || sb.Email == "" || sb.Address == nil
}

func knownDeviceType(t string) bool { return t == "ios" || t == "android" || t == "iot" }

func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e && strings.Contains(e[strings.LastIndex(e, "@"):], ".")
}

var numberRe = lazy.Value[*regexp.Regexp]{New: func() *regexp.Regexp { return regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`) }}

func (s *Server) createOrder(c *call) {
	reject := func(status int, title string, errs ...problemError) {
		detail := errs[0].Detail
		if len(errs) > 1 {
			detail = fmt.Sprintf("%d problems with the order; see errors", len(errs))
		}
		writeProblem(c.w, problem{Title: title, Status: status, Detail: detail, Errors: errs, CorrelationID: c.cid})
	}
	body, err := io.ReadAll(c.r.Body)
	if err != nil {
		reject(http.StatusBadRequest, "Malformed request body", problemError{"MALFORMED_BODY", "the body could not be read: " + err.Error(), "$"})
		return
	}
	var req struct {
		Input *orderInput `json:"input"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(body), &req); err != nil {
		path := "$"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			path = "$." + te.Field
		}
		reject(http.StatusBadRequest, "Malformed request body", problemError{"MALFORMED_BODY", "the body is not a valid order: " + err.Error(), path})
		return
	}
	if req.Input == nil {
		reject(http.StatusBadRequest, "Invalid request parameters", problemError{"MISSING_MANDATORY_FIELD", "the order must be wrapped in {\"input\": {...}}", "$.input"})
		return
	}
	in := req.Input

	now := s.begin()
	var errs []problemError
	add := func(code, path, format string, args ...any) {
		errs = append(errs, problemError{Code: code, Detail: fmt.Sprintf(format, args...), JSONPath: path})
	}
	op := in.OperationType
	if op == "TOPUP_ACTIVATION" {
		op = "TOPUP"
	}
	switch op {
	case "":
		add("MISSING_MANDATORY_FIELD", "$.input.operationType", "operationType must not be empty; use NEW_ESIM or TOPUP")
	case "NEW_ESIM", "TOPUP":
	default:
		add("INVALID_FIELD_VALUE", "$.input.operationType", "operationType %q is not NEW_ESIM or TOPUP", in.OperationType)
	}
	newESIM := op == "NEW_ESIM"
	if in.CountryCode == "" {
		if newESIM {
			add("MISSING_CONDITIONAL_MANDATORY_FIELD", "$.input.countryCode", "countryCode cannot be null when operationType is NEW_ESIM")
		}
	} else if !countries.Get()[in.CountryCode] {
		add("INVALID_FIELD_VALUE", "$.input.countryCode", "countryCode %q is not an ISO 3166-1 alpha-2 code", in.CountryCode)
	}
	email := ""
	if in.Customer != nil {
		email = in.Customer.Email
		if cr := in.Customer.CountryOfResidence; cr != "" && !countries.Get()[cr] {
			add("INVALID_FIELD_VALUE", "$.input.customer.countryOfResidence", "countryOfResidence %q is not an ISO 3166-1 alpha-2 code", cr)
		}
	}
	if email == "" {
		if newESIM {
			add("MISSING_CONDITIONAL_MANDATORY_FIELD", "$.input.customer.email", "customer.email cannot be null when operationType is NEW_ESIM")
		}
	} else if !validEmail(email) {
		add("INVALID_FIELD_VALUE", "$.input.customer.email", "customer.email %q is not an e-mail address", email)
	}
	var deviceID, deviceType, eid string
	if in.Device != nil {
		deviceID, deviceType, eid = in.Device.ID, in.Device.Type, in.Device.EID
	}
	if deviceID == "" && newESIM {
		add("MISSING_CONDITIONAL_MANDATORY_FIELD", "$.input.device.id", "device.id cannot be null when operationType is NEW_ESIM")
	}
	if deviceType == "" {
		if newESIM {
			add("MISSING_CONDITIONAL_MANDATORY_FIELD", "$.input.device.type", "device.type cannot be null when operationType is NEW_ESIM")
		}
	} else if !knownDeviceType(deviceType) {
		add("INVALID_FIELD_VALUE", "$.input.device.type", "device.type %q is not one of ios, android, iot", deviceType)
	}
	if eid != "" && !validEID(eid) {
		add("INVALID_FIELD_VALUE", "$.input.device.eid", "device.eid %q is not a valid EID (32 digits, mod 97 = 1)", eid)
	}

	var subscriber *subscriberRec
	location := ""
	if s.cfg.Edition == Edition2024 && newESIM {
		if subscriberMissing(in.Subscriber) {
			errs = append(errs, errNoSubscriber)
		}
		if strings.TrimSpace(in.PurchaseLocation) == "" {
			errs = append(errs, errNoPurchaseLocation)
		}
		subscriber, location = in.Subscriber, in.PurchaseLocation
	}

	var target *simRec
	iccid := ""
	if in.Esim != nil {
		iccid = in.Esim.ICCID
	}
	if op == "TOPUP" {
		if iccid == "" {
			add("MISSING_CONDITIONAL_MANDATORY_FIELD", "$.input.esim.iccid", "esim.iccid cannot be null when operationType is TOPUP")
		} else if target = s.st.sims[iccid]; target == nil {
			add("INVALID_FIELD_VALUE", "$.input.esim.iccid", "no SIM with ICCID %s", iccid)
		} else if target.Client != c.client.ID {
			s.end()
			reject(http.StatusForbidden, "Access denied", problemError{"ACCESS_DENIED", fmt.Sprintf("SIM %s belongs to another client", iccid), "$.input.esim.iccid"})
			return
		}
	}

	subs := make([]orderSub, 0, len(in.Subscriptions))
	if len(in.Subscriptions) == 0 {
		add("MISSING_MANDATORY_FIELD", "$.input.subscriptions", "the order needs at least one subscription")
	}
	for i, sub := range in.Subscriptions {
		path := fmt.Sprintf("$.input.subscriptions[%d].", i)
		osub := orderSub{ProductID: sub.ProductID}
		if sub.ProductID == "" {
			add("MISSING_MANDATORY_FIELD", path+"product_id", "product_id must not be empty")
		} else if productByID(sub.ProductID) == nil {
			add("UNKNOWN_PRODUCT", path+"product_id", "no product with id %q", sub.ProductID)
		}
		if sub.ActivationDate != nil && *sub.ActivationDate != "" {
			t, err := time.Parse(time.RFC3339, *sub.ActivationDate)
			switch {
			case err != nil:
				add("INVALID_FIELD_VALUE", path+"activationDate", "activationDate %q is not an RFC 3339 date-time", *sub.ActivationDate)
			case t.Before(now.Add(-activationLeeway)):
				add("ACTIVATION_DATE_IN_PAST", path+"activationDate", "activationDate %s is in the past", *sub.ActivationDate)
			default:
				t = t.UTC()
				osub.Activation = &t
			}
		}
		hasPrice, hasCur := sub.Price != nil && *sub.Price != "", sub.Currency != nil && *sub.Currency != ""
		switch {
		case hasPrice && !hasCur:
			add("MISSING_CONDITIONAL_MANDATORY_FIELD", path+"currency", "currency cannot be null when price is set")
		case hasCur && !hasPrice:
			add("MISSING_CONDITIONAL_MANDATORY_FIELD", path+"price", "price cannot be null when currency is set")
		}
		if hasCur {
			cur := *sub.Currency
			if !supportedCurrency(cur) {
				add("UNSUPPORTED_CURRENCY", path+"currency", "currency %q is not supported", cur)
			} else {
				osub.Currency = cur
			}
		}
		if hasPrice {
			v, ok := new(big.Rat).SetString(string(*sub.Price))
			switch {
			case !ok || !numberRe.Get().MatchString(string(*sub.Price)):
				add("INVALID_FIELD_VALUE", path+"price", "price %q is not a number", string(*sub.Price))
			case v.Sign() < 0:
				add("INVALID_FIELD_VALUE", path+"price", "price %s must not be negative", string(*sub.Price))
			case s.minorUnits() && (!v.IsInt() || strings.ContainsAny(string(*sub.Price), ".eE")):
				add("INVALID_FIELD_VALUE", path+"price", "price %s: the 2024 edition takes the amount as an integer of the currency's smallest unit (353 for 3.53 USD, 500 for 500 JPY)", string(*sub.Price))
			case s.minorUnits() && osub.Currency != "":
				// Kept in major units inside, as the v1 edition sends it.
				scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(currencyDecimals(osub.Currency))), nil))
				osub.Price = roundRat(new(big.Rat).Quo(v, scale), currencyDecimals(osub.Currency))
			case osub.Currency != "":
				dec := currencyDecimals(osub.Currency)
				scaled := new(big.Rat).Mul(v, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(dec)), nil)))
				if !scaled.IsInt() {
					if dec == 0 {
						add("INVALID_FIELD_VALUE", path+"price", "price %s: %s takes no decimals", string(*sub.Price), osub.Currency)
					} else {
						add("INVALID_FIELD_VALUE", path+"price", "price %s: at most %d decimals", string(*sub.Price), dec)
					}
				} else {
					osub.Price = roundRat(v, dec)
				}
			}
		}
		subs = append(subs, osub)
	}

	// At most 15 active subscriptions on a SIM, counting those in flight.
	if len(in.Subscriptions) > 0 {
		active := len(subs)
		if target != nil {
			active += s.activeOn(target, now)
		}
		if active > maxActiveSubs {
			add("SUBSCRIPTION_LIMIT_REACHED", "$.input.subscriptions", "a SIM holds at most %d active subscriptions; this order would make %d", maxActiveSubs, active)
		}
	}
	if len(errs) > 0 {
		s.end()
		reject(http.StatusBadRequest, "Invalid request parameters", errs...)
		return
	}

	seq := s.st.next("order")
	o := &orderRec{
		Seq: seq, ID: s.ids.uuid("order", seq), Client: c.client.ID,
		Created: now, Due: now.Add(s.cfg.OrderDelay), Op: op,
		Country: in.CountryCode, Email: email, DeviceID: deviceID, DeviceType: deviceType,
		EID: eid, ICCID: iccid, Subs: subs, Subscriber: subscriber, PurchaseLocation: location,
	}
	if email != "" {
		s.ensureCustomer(c.client.ID, email, now, in)
	}
	s.st.addOrder(o)
	s.advance(now) // an order delay of 0 completes at once
	s.changed()
	s.end()
	c.w.Header().Set("Location", "/v1/order/"+o.ID)
	writeJSON(c.w, http.StatusCreated, map[string]string{"id": o.ID, "externalId": o.ID, "status": orderAccepted})
}

// activeOn counts the SIM's ACTIVE and PENDING subscriptions plus those of
// orders still in flight for it.
func (s *Server) activeOn(sm *simRec, now time.Time) int {
	n := 0
	for _, sb := range sm.subs {
		if st := sb.status(now); st == subActive || st == subPending {
			n++
		}
	}
	for _, o := range s.st.pending {
		if o.ICCID == sm.ICCID && o.Op == "TOPUP" {
			n += len(o.Subs)
		}
	}
	return n
}

// ensureCustomer creates the client's customer record for email if missing.
func (s *Server) ensureCustomer(client, email string, now time.Time, in *orderInput) {
	if s.st.custByEmail[emailKey(client, email)] != nil {
		return
	}
	seq := s.st.next("customer")
	cu := &customerRec{Seq: seq, ID: s.ids.uuid("customer", seq), Client: client, Email: email, Created: now, Updated: now}
	if in != nil && in.Customer != nil {
		cu.FirstName, cu.LastName, cu.CountryOfResidence = in.Customer.FirstName, in.Customer.LastName, in.Customer.CountryOfResidence
	}
	s.st.addCustomer(cu)
}

// ---- order lifecycle ----

// advance completes every order due by now. Call with s.mu held.
func (s *Server) advance(now time.Time) {
	if !s.anyDue(now) {
		return
	}
	kept := s.st.pending[:0]
	for _, o := range s.st.pending {
		if now.Before(o.Due) {
			kept = append(kept, o)
			continue
		}
		s.complete(o)
	}
	for i := len(kept); i < len(s.st.pending); i++ {
		s.st.pending[i] = nil
	}
	s.st.pending = kept
	s.changed()
}

func (s *Server) anyDue(now time.Time) bool {
	for _, o := range s.st.pending {
		if !now.Before(o.Due) {
			return true
		}
	}
	return false
}

func (s *Server) fail(o *orderRec, msg string) {
	o.Final, o.Error = orderFailed, msg
}

// complete ends an order at its due time: FAILED on a trigger, else
// COMPLETED with its SIM and subscriptions.
func (s *Server) complete(o *orderRec) {
	at := o.Due
	if local, _, ok := strings.Cut(o.Email, "@"); ok && strings.HasSuffix(strings.ToLower(local), "+fail") {
		s.fail(o, "the order was rejected by the provisioning system (sandbox failure trigger: customer e-mail ending in +fail)")
		return
	}
	for _, sub := range o.Subs {
		if sub.ProductID == FailProductID {
			s.fail(o, "provisioning of product SANDBOX-FAIL failed (sandbox failure trigger)")
			return
		}
	}
	var sm *simRec
	out := &orderOutput{}
	if o.Op == "TOPUP" {
		sm = s.st.sims[o.ICCID]
		if sm == nil || sm.Client != o.Client {
			s.fail(o, fmt.Sprintf("SIM %s no longer exists", o.ICCID))
			return
		}
		if n := s.activeOnAt(sm, at) + len(o.Subs); n > maxActiveSubs {
			s.fail(o, fmt.Sprintf("SIM %s would hold %d active subscriptions; the limit is %d", o.ICCID, n, maxActiveSubs))
			return
		}
	} else {
		sm = s.newSIM(o.Client, at)
		sm.EID, sm.DeviceID, sm.Email = o.EID, o.DeviceID, o.Email
		out.MatchingID, out.SmdpURL, out.LpaURL = sm.MatchingID, "rsp.truphone.com", lpaURL(sm)
	}
	out.ICCID = sm.ICCID
	email := o.Email
	if email == "" {
		email = sm.Email
	}
	for _, osub := range o.Subs {
		p := productByID(osub.ProductID)
		seq := s.st.next("subscription")
		act := at
		if osub.Activation != nil && osub.Activation.After(at) {
			act = *osub.Activation
		}
		sb := &subRec{
			Seq: seq, ID: s.ids.subscriptionID(seq), Client: o.Client, ICCID: sm.ICCID,
			ProductID: p.ID, OrderID: o.ID, Email: email, DeviceID: o.DeviceID,
			Initial: p.bytes(), Created: at, Activation: act, Expiration: act.AddDate(0, 0, p.Period),
			Price: osub.Price, Currency: osub.Currency,
		}
		if sb.DeviceID == "" {
			sb.DeviceID = sm.DeviceID
		}
		s.st.addSub(sb)
		out.SubscriptionIDs = append(out.SubscriptionIDs, sb.ID)
	}
	out.SubscriptionID = out.SubscriptionIDs[0]
	if len(out.SubscriptionIDs) == 1 {
		out.SubscriptionIDs = nil
	}
	sm.LastModified = at
	o.Final, o.Output = orderCompleted, out
}

// activeOnAt counts the SIM's ACTIVE and PENDING subscriptions at t.
func (s *Server) activeOnAt(sm *simRec, t time.Time) int {
	n := 0
	for _, sb := range sm.subs {
		if st := sb.status(t); st == subActive || st == subPending {
			n++
		}
	}
	return n
}

// newSIM creates a SIM for client in the Released state.
func (s *Server) newSIM(client string, at time.Time) *simRec {
	seq := s.st.next("sim")
	sm := &simRec{
		Seq: seq, ICCID: iccidFor(seq), Client: client, MatchingID: s.ids.matchingID(seq),
		Status: profileReleased, Created: at, LastModified: at,
	}
	s.st.addSIM(sm)
	return sm
}

// lpaURL rotates through the three spellings the documents show.
func lpaURL(sm *simRec) string {
	switch sm.Seq % 3 {
	case 1:
		return "LPA:1$rsp.truphone.com$" + sm.MatchingID
	case 2:
		return "LPA:1$%rsp.truphone.com$%" + sm.MatchingID
	default:
		return "1$rsp.truphone.com$" + sm.MatchingID
	}
}

// ---- order reads ----

// orderStatusJSON spells FULFILLING as FULFILING for ids starting with an
// even hex digit.
func orderStatusJSON(o *orderRec, now time.Time) string {
	st := o.status(now)
	if st == orderFulfilling && strings.ContainsRune("02468ace", rune(o.ID[0])) {
		return "FULFILING"
	}
	return st
}

func orderJSON(o *orderRec, now time.Time) map[string]any {
	m := map[string]any{
		"id": o.ID, "externalId": o.ID, "status": orderStatusJSON(o, now),
		"operationType": o.Op, "createdDate": fmtTime(o.Created),
	}
	if o.Final == orderCompleted && o.Output != nil {
		m["output"] = o.Output
	}
	if o.Final == orderFailed {
		m["error"] = o.Error
	}
	if o.Subscriber != nil {
		m["subscriber"] = o.Subscriber
	}
	if o.PurchaseLocation != "" {
		m["purchase_location"] = o.PurchaseLocation
	}
	return m
}

func (s *Server) getOrder(c *call) {
	id := c.r.PathValue("order_id")
	now := s.begin()
	o := s.st.orders[id]
	var m map[string]any
	if o != nil && o.Client == c.client.ID {
		m = orderJSON(o, now)
	}
	s.end()
	switch {
	case o == nil:
		c.notFound("no order with id %s", id)
	case m == nil:
		c.denied("order %s belongs to another client", id)
	default:
		writeJSON(c.w, http.StatusOK, m)
	}
}

func parseDateParam(v string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func (s *Server) listOrders(c *call) {
	q := c.r.URL.Query()
	p, msg := parsePaging(q, "page_size")
	if msg != "" {
		c.badParams("%s", msg)
		return
	}
	status := strings.ToUpper(q.Get("status"))
	if status == "FULFILING" {
		status = orderFulfilling
	}
	switch status {
	case "", orderAccepted, orderFulfilling, orderCompleted, orderFailed:
	default:
		c.badParams("status %q: want ACCEPTED, FULFILLING, COMPLETED or FAILED", q.Get("status"))
		return
	}
	var from, to time.Time
	var ok bool
	if v := q.Get("start_date"); v != "" {
		if from, ok = parseDateParam(v); !ok {
			c.badParams("start_date %q is not an RFC 3339 date-time or a date", v)
			return
		}
	}
	if v := q.Get("end_date"); v != "" {
		if to, ok = parseDateParam(v); !ok {
			c.badParams("end_date %q is not an RFC 3339 date-time or a date", v)
			return
		}
	}
	now := s.begin()
	all := s.st.clientOrders[c.client.ID]
	items := all
	if status != "" || !from.IsZero() || !to.IsZero() {
		items = nil
		for _, o := range all {
			if (status == "" || o.status(now) == status) &&
				(from.IsZero() || !o.Created.Before(from)) && (to.IsZero() || o.Created.Before(to)) {
				items = append(items, o)
			}
		}
	}
	body := listBody(c, items, func(o *orderRec) int64 { return o.Seq }, p, "orders", false,
		func(o *orderRec) any { return orderJSON(o, now) })
	s.end()
	writeJSON(c.w, http.StatusOK, body)
}
