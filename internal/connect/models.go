package connect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/connectctl/connectctl/internal/lpa"
)

// The canonical model.
//
// The API spells several fields more than one way. Decoding accepts every
// documented spelling; encoding (the CLI's --json output) uses exactly one,
// as the published v1 reference (seed 000) spells it:
//
//	matching id         matchingId          (also read: matching_id)
//	SIM profile state   status              (also read: profileStatus)
//	data unit           data.unit           (also read: data.units)
//	order status        FULFILLING          (also read: FULFILING)
//	operation type      TOPUP               (also read: TOPUP_ACTIVATION)
//	notification type   SUBSCRIPTION_END    (also read: SUBSCRITPION_END)
//	order id            id                  (also read: externalId, when id is absent)
//	balances            JSON integers, bytes (also read: strings, floats)
//	auto_renew          JSON boolean        (also read: "true"/"false")
//	period              JSON integer        (also read: strings)
//
// Other fields keep the API's spelling (lpa_url, smdpUrl, subscription_id,
// period_unit, device_id, ...). Times are RFC 3339 in UTC.

// Order statuses.
const (
	OrderStatusAccepted   = "ACCEPTED"
	OrderStatusFulfilling = "FULFILLING"
	OrderStatusCompleted  = "COMPLETED"
	OrderStatusFailed     = "FAILED"
)

// Operation types of an order.
const (
	OperationNewESIM = "NEW_ESIM"
	OperationTopUp   = "TOPUP"
)

// Notification types.
const (
	NotificationUsageThreshold  = "USAGE_THRESHOLD"
	NotificationSubscriptionEnd = "SUBSCRIPTION_END"
)

// SIM profile states.
const (
	ProfileReleased    = "Released"
	ProfileDownloaded  = "Downloaded"
	ProfileInstalled   = "Installed"
	ProfileUnavailable = "Unavailable"
)

// Subscription statuses.
const (
	SubscriptionActive   = "ACTIVE"
	SubscriptionPending  = "PENDING"
	SubscriptionDepleted = "DEPLETED"
	SubscriptionExpired  = "EXPIRED"
)

// NormalizeOrderStatus maps the documents' misspelling FULFILING to
// FULFILLING and upper-cases the rest.
func NormalizeOrderStatus(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "FULFILING" {
		return OrderStatusFulfilling
	}
	return s
}

// NormalizeOperationType maps the deprecated TOPUP_ACTIVATION to TOPUP.
func NormalizeOperationType(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "TOPUP_ACTIVATION" {
		return OperationTopUp
	}
	return s
}

// NormalizeNotificationType maps the documents' misspelling
// SUBSCRITPION_END to SUBSCRIPTION_END.
func NormalizeNotificationType(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "SUBSCRITPION_END" {
		return NotificationSubscriptionEnd
	}
	return s
}

// ---- flexible scalars ---------------------------------------------------

// parseInt64 reads a JSON number or a string holding one ("314572800",
// "1.5e3"); null and "" are 0.
func parseInt64(raw json.RawMessage) (int64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number: %s", raw)
	}
	return int64(f), nil
}

func parseFloat(raw json.RawMessage) (float64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number: %s", raw)
	}
	return f, nil
}

// parseBool reads true/false, "true"/"false" (any case), 1/0 and "1"/"0";
// null and "" are false.
func parseBool(raw json.RawMessage) (bool, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return false, nil
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return false, err
		}
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no", "":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %s", raw)
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// parseTime reads an RFC 3339 time (or a near relative of it; a time without
// a zone is UTC) or milliseconds since the epoch; null and "" are zero.
func parseTime(raw json.RawMessage) (time.Time, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return time.Time{}, nil
	}
	if s[0] != '"' {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("not a time: %s", raw)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time: %q", s)
}

func firstString(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// fieldErr labels a decoding error with the type and field.
func fieldErr(typ, field string, err error) error {
	return fmt.Errorf("connect: decoding %s.%s: %w", typ, field, err)
}

// ---- products -----------------------------------------------------------

// DataAllowance is a product's data volume.
type DataAllowance struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"` // MB or GB
}

// UnmarshalJSON accepts data.unit and data.units, and values as strings.
func (d *DataAllowance) UnmarshalJSON(b []byte) error {
	var w struct {
		Value json.RawMessage `json:"value"`
		Unit  string          `json:"unit"`
		Units string          `json:"units"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	v, err := parseFloat(w.Value)
	if err != nil {
		return fieldErr("data", "value", err)
	}
	*d = DataAllowance{Value: v, Unit: strings.ToUpper(firstString(w.Unit, w.Units))}
	return nil
}

// Bytes returns the allowance in bytes (MB and GB are binary multiples, as
// the balances show: 1 GB = 1073741824); ok is false for an unknown unit.
func (d DataAllowance) Bytes() (n int64, ok bool) {
	switch d.Unit {
	case "B":
		return int64(d.Value), true
	case "KB":
		return int64(d.Value * (1 << 10)), true
	case "MB":
		return int64(d.Value * (1 << 20)), true
	case "GB":
		return int64(d.Value * (1 << 30)), true
	case "TB":
		return int64(d.Value * (1 << 40)), true
	}
	return 0, false
}

// Product is one entry of the catalogue. Pricing amounts are kept as the
// API wrote them (json.Number): v1 sends major units, the 2024 edition minor
// units; converting is the money package's business.
type Product struct {
	ID              string                 `json:"id"`
	Name            string                 `json:"name,omitempty"`
	Description     string                 `json:"description,omitempty"`
	Period          int                    `json:"period"`
	PeriodUnit      string                 `json:"period_unit,omitempty"`
	Data            *DataAllowance         `json:"data,omitempty"`
	Footprint       []string               `json:"footprint,omitempty"`
	ActiveCountries []string               `json:"activeCountries,omitempty"`
	Pricing         map[string]json.Number `json:"pricing,omitempty"`
	Region          string                 `json:"region,omitempty"`
	PlanID          string                 `json:"plan_id,omitempty"`
}

// UnmarshalJSON accepts period as a number or a string, and pricing amounts
// as numbers or strings.
func (p *Product) UnmarshalJSON(b []byte) error {
	var w struct {
		ID              string                     `json:"id"`
		Name            string                     `json:"name"`
		Description     string                     `json:"description"`
		Period          json.RawMessage            `json:"period"`
		PeriodUnit      string                     `json:"period_unit"`
		PeriodUnit2     string                     `json:"periodUnit"`
		Data            *DataAllowance             `json:"data"`
		Footprint       []string                   `json:"footprint"`
		ActiveCountries []string                   `json:"activeCountries"`
		ActiveCountry2  []string                   `json:"active_countries"`
		Pricing         map[string]json.RawMessage `json:"pricing"`
		Region          string                     `json:"region"`
		PlanID          string                     `json:"plan_id"`
		PlanID2         string                     `json:"planId"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	period, err := parseInt64(w.Period)
	if err != nil {
		return fieldErr("product", "period", err)
	}
	*p = Product{
		ID: w.ID, Name: w.Name, Description: w.Description, Period: int(period),
		PeriodUnit: firstString(w.PeriodUnit, w.PeriodUnit2), Data: w.Data,
		Footprint: w.Footprint, ActiveCountries: w.ActiveCountries, Region: w.Region,
		PlanID: firstString(w.PlanID, w.PlanID2),
	}
	if p.ActiveCountries == nil {
		p.ActiveCountries = w.ActiveCountry2
	}
	if len(w.Pricing) > 0 {
		p.Pricing = make(map[string]json.Number, len(w.Pricing))
		for cur, raw := range w.Pricing {
			s := strings.TrimSpace(string(raw))
			if strings.HasPrefix(s, `"`) {
				if err := json.Unmarshal(raw, &s); err != nil {
					return fieldErr("product", "pricing."+cur, err)
				}
			}
			if _, err := strconv.ParseFloat(s, 64); err != nil {
				return fieldErr("product", "pricing."+cur, fmt.Errorf("not a number: %s", raw))
			}
			p.Pricing[strings.ToUpper(cur)] = json.Number(s)
		}
	}
	return nil
}

// SoldEverywhere reports whether activeCountries is ["ALL"].
func (p Product) SoldEverywhere() bool {
	return len(p.ActiveCountries) == 1 && strings.EqualFold(p.ActiveCountries[0], "ALL")
}

// ---- orders -------------------------------------------------------------

// OrderInput is the body of POST /v1/order (sent wrapped in {"input": ...}).
type OrderInput struct {
	OperationType string              `json:"operationType"`
	CountryCode   string              `json:"countryCode,omitempty"`
	Customer      *OrderCustomer      `json:"customer,omitempty"`
	Device        *OrderDevice        `json:"device,omitempty"`
	Subscriptions []OrderSubscription `json:"subscriptions"`
	ESIM          *OrderESIM          `json:"esim,omitempty"`
	// Subscriber and PurchaseLocation are the 2024 edition's (sent only
	// there; CreateOrder refuses them in v1).
	Subscriber       *OrderSubscriber `json:"subscriber,omitempty"`
	PurchaseLocation string           `json:"purchase_location,omitempty"`
}

// OrderSubscriber is the 2024 edition's subscriber of a new eSIM: a known
// one by id, or else first and last name, e-mail and address.
type OrderSubscriber struct {
	ID        string        `json:"id,omitempty"`
	FirstName string        `json:"first_name,omitempty"`
	LastName  string        `json:"last_name,omitempty"`
	Email     string        `json:"email,omitempty"`
	Address   *OrderAddress `json:"address,omitempty"`
}

// OrderAddress is a subscriber's address; State is a code of the 2024
// document's US state or Canadian province table, for US and CA only.
type OrderAddress struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	State      string `json:"state,omitempty"`
	Country    string `json:"country"`
}

// OrderCustomer is the end customer of an order; unknown ones are created.
type OrderCustomer struct {
	Email              string `json:"email,omitempty"`
	FirstName          string `json:"firstName,omitempty"`
	LastName           string `json:"lastName,omitempty"`
	CountryOfResidence string `json:"countryOfResidence,omitempty"`
}

// OrderDevice is the device an order is for.
type OrderDevice struct {
	ID    string `json:"id"`
	Type  string `json:"type,omitempty"` // ios, android, iot
	Model string `json:"model,omitempty"`
	Make  string `json:"make,omitempty"`
	EID   string `json:"eid,omitempty"`
}

// OrderSubscription is one plan of an order. Price is sent as given: the
// caller converts a human amount for the API edition in use.
type OrderSubscription struct {
	ProductID      string      `json:"product_id"`
	ActivationDate time.Time   `json:"activationDate,omitzero"`
	Price          json.Number `json:"price,omitempty"`
	Currency       string      `json:"currency,omitempty"`
}

// OrderESIM names the eSIM a TOPUP adds plans to.
type OrderESIM struct {
	ICCID string `json:"iccid"`
}

// OrderAccepted is the answer to POST /v1/order.
type OrderAccepted struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// UnmarshalJSON takes externalId when id is absent.
func (o *OrderAccepted) UnmarshalJSON(b []byte) error {
	var w struct {
		ID         string `json:"id"`
		ExternalID string `json:"externalId"`
		Status     string `json:"status"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*o = OrderAccepted{ID: firstString(w.ID, w.ExternalID), Status: NormalizeOrderStatus(w.Status)}
	return nil
}

// Order is an order's state.
type Order struct {
	ID            string       `json:"id"`
	Status        string       `json:"status"`
	OperationType string       `json:"operationType,omitempty"`
	CreatedDate   time.Time    `json:"createdDate,omitzero"`
	Output        *OrderOutput `json:"output,omitempty"`
	Error         string       `json:"error,omitempty"`
	// The 2024 edition's subscriber and purchase location, when the API
	// returns them.
	Subscriber       *OrderSubscriber `json:"subscriber,omitempty"`
	PurchaseLocation string           `json:"purchase_location,omitempty"`
}

// Done reports whether the order reached COMPLETED or FAILED.
func (o Order) Done() bool { return o.Status == OrderStatusCompleted || o.Status == OrderStatusFailed }

// UnmarshalJSON normalizes the status and operation type and takes
// externalId when id is absent.
func (o *Order) UnmarshalJSON(b []byte) error {
	var w struct {
		ID            string           `json:"id"`
		ExternalID    string           `json:"externalId"`
		Status        string           `json:"status"`
		OperationType string           `json:"operationType"`
		OperationTyp2 string           `json:"operation_type"`
		CreatedDate   json.RawMessage  `json:"createdDate"`
		CreatedDate2  json.RawMessage  `json:"created_date"`
		Output        *OrderOutput     `json:"output"`
		Error         json.RawMessage  `json:"error"`
		Subscriber    *OrderSubscriber `json:"subscriber"`
		PurchaseLoc   string           `json:"purchase_location"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	created := w.CreatedDate
	if len(created) == 0 {
		created = w.CreatedDate2
	}
	t, err := parseTime(created)
	if err != nil {
		return fieldErr("order", "createdDate", err)
	}
	*o = Order{
		ID: firstString(w.ID, w.ExternalID), Status: NormalizeOrderStatus(w.Status),
		OperationType: NormalizeOperationType(firstString(w.OperationType, w.OperationTyp2)),
		CreatedDate:   t, Output: w.Output, Error: errorText(w.Error),
		Subscriber: w.Subscriber, PurchaseLocation: w.PurchaseLoc,
	}
	return nil
}

// errorText reads an "error" that is a string, a list or an object.
func errorText(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return ""
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str
	}
	var we wireError
	if s[0] == '{' && json.Unmarshal(raw, &we) == nil {
		e := &APIError{}
		decodeErrorBody(e, "application/json", raw)
		parts := append([]string{}, e.Codes...)
		parts = append(parts, e.Messages...)
		if e.Type != "" {
			parts = append([]string{e.Type}, parts...)
		}
		return strings.Join(parts, ": ")
	}
	return strings.Join(stringOrList(raw), "; ")
}

// OrderOutput is what a COMPLETED order produced. A TOPUP has no matchingId.
type OrderOutput struct {
	ICCID          string `json:"iccid,omitempty"`
	MatchingID     string `json:"matchingId,omitempty"`
	SMDPURL        string `json:"smdpUrl,omitempty"`
	LPAURL         string `json:"lpa_url,omitempty"`         // as the API sent it; see NormalizedLPA
	SubscriptionID string `json:"subscription_id,omitempty"` // the first, for scripts written before subscription_ids
	// SubscriptionIDs are every plan's subscription, in the order's order
	// (the API sends them only for a multi-plan order).
	SubscriptionIDs []string `json:"subscription_ids,omitempty"`
}

// AllSubscriptionIDs returns every plan's subscription id: the list when the
// API sent one, else the single id.
func (o *OrderOutput) AllSubscriptionIDs() []string {
	if len(o.SubscriptionIDs) > 0 {
		return o.SubscriptionIDs
	}
	if o.SubscriptionID != "" {
		return []string{o.SubscriptionID}
	}
	return nil
}

// UnmarshalJSON accepts both spellings of each field.
func (o *OrderOutput) UnmarshalJSON(b []byte) error {
	var w struct {
		ICCID          string   `json:"iccid"`
		MatchingID     string   `json:"matchingId"`
		MatchingID2    string   `json:"matching_id"`
		SMDPURL        string   `json:"smdpUrl"`
		SMDPURL2       string   `json:"smdp_url"`
		LPAURL         string   `json:"lpa_url"`
		LPAURL2        string   `json:"lpaUrl"`
		SubscriptionID string   `json:"subscription_id"`
		Subscription2  string   `json:"subscriptionId"`
		SubIDs         []string `json:"subscription_ids"`
		SubIDs2        []string `json:"subscriptionIds"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*o = OrderOutput{
		ICCID: w.ICCID, MatchingID: firstString(w.MatchingID, w.MatchingID2),
		SMDPURL: firstString(w.SMDPURL, w.SMDPURL2), LPAURL: firstString(w.LPAURL, w.LPAURL2),
		SubscriptionID: firstString(w.SubscriptionID, w.Subscription2),
	}
	ids := w.SubIDs
	if len(ids) == 0 {
		ids = w.SubIDs2
	}
	if len(ids) > 0 {
		o.SubscriptionIDs = ids
		if o.SubscriptionID == "" {
			o.SubscriptionID = ids[0]
		}
	}
	return nil
}

// NormalizedLPA returns the activation code ("LPA:1$host$matchingId")
// built from smdpUrl and matchingId, cross-checked against lpa_url (see
// ActivationCode). The code is a secret: never log it.
func (o OrderOutput) NormalizedLPA() (string, error) {
	c, _, err := o.ActivationCode()
	if err != nil {
		return "", err
	}
	return c.String(), nil
}

// ActivationCode resolves the order's activation code: from smdpUrl and
// matchingId when both are present, else from lpa_url in any of its three
// spellings. warnings (already redacted) report a disagreement between the
// two sources. A TOPUP output has no code: the error wraps ErrNoLPA.
func (o OrderOutput) ActivationCode() (lpa.Code, []string, error) {
	return resolveLPA(o.SMDPURL, o.MatchingID, o.LPAURL)
}

// ErrNoLPA is returned when a record holds nothing to build a code from.
var ErrNoLPA = errors.New("connect: no activation code in this record")

func resolveLPA(smdp, matchingID, lpaURL string) (lpa.Code, []string, error) {
	smdp, matchingID, lpaURL = strings.TrimSpace(smdp), strings.TrimSpace(matchingID), strings.TrimSpace(lpaURL)
	var warnings []string
	var fromURL lpa.Code
	var urlErr error
	if lpaURL != "" {
		fromURL, urlErr = lpa.Parse(lpaURL)
	}
	if smdp != "" && matchingID != "" {
		c, err := lpa.FromParts(smdp, matchingID)
		if err == nil {
			switch {
			case lpaURL == "":
			case urlErr != nil:
				warnings = append(warnings, fmt.Sprintf("lpa_url is unusable (%v); built the code from smdpUrl and matchingId", urlErr))
			case fromURL.SMDP != c.SMDP || fromURL.MatchingID != c.MatchingID:
				warnings = append(warnings, "lpa_url does not match smdpUrl and matchingId; using smdpUrl and matchingId")
			default:
				c = fromURL // the same code, maybe with optional fields only lpa_url carries
			}
			return c, warnings, nil
		}
		if lpaURL == "" || urlErr != nil {
			return lpa.Code{}, warnings, err
		}
		warnings = append(warnings, fmt.Sprintf("smdpUrl/matchingId unusable (%v); using lpa_url", err))
		return fromURL, warnings, nil
	}
	if lpaURL == "" {
		return lpa.Code{}, nil, ErrNoLPA
	}
	if urlErr != nil {
		return lpa.Code{}, nil, urlErr
	}
	if matchingID != "" && matchingID != fromURL.MatchingID {
		warnings = append(warnings, "matchingId does not match lpa_url; using lpa_url")
	}
	return fromURL, warnings, nil
}

// ---- SIMs ---------------------------------------------------------------

// SIMRef is one entry of GET /v1/sim.
type SIMRef struct {
	ID  string `json:"id"` // the ICCID
	URL string `json:"url,omitempty"`
}

// UnmarshalJSON accepts iccid for id.
func (s *SIMRef) UnmarshalJSON(b []byte) error {
	var w struct {
		ID    string `json:"id"`
		ICCID string `json:"iccid"`
		URL   string `json:"url"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = SIMRef{ID: firstString(w.ID, w.ICCID), URL: w.URL}
	return nil
}

// SIM is a SIM profile's details.
type SIM struct {
	ICCID string `json:"iccid"`
	EID   string `json:"eid,omitempty"`
	// The v1 document spells it matching_id on the SIM resource (and
	// matchingId on an order's output): each resource keeps its spelling.
	MatchingID   string    `json:"matching_id,omitempty"`
	Status       string    `json:"status,omitempty"`  // Released, Downloaded, Installed, Unavailable
	LPAURL       string    `json:"lpa_url,omitempty"` // as the API sent it; see NormalizedLPA
	LastModified time.Time `json:"last_modified,omitzero"`
}

// UnmarshalJSON accepts matching_id/matchingId and status/profileStatus.
func (s *SIM) UnmarshalJSON(b []byte) error {
	var w struct {
		ICCID         string          `json:"iccid"`
		ID            string          `json:"id"`
		EID           string          `json:"eid"`
		MatchingID    string          `json:"matchingId"`
		MatchingID2   string          `json:"matching_id"`
		Status        string          `json:"status"`
		ProfileStatus string          `json:"profileStatus"`
		ProfileStat2  string          `json:"profile_status"`
		LPAURL        string          `json:"lpa_url"`
		LPAURL2       string          `json:"lpaUrl"`
		LastModified  json.RawMessage `json:"last_modified"`
		LastModified2 json.RawMessage `json:"lastModified"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	lm := w.LastModified
	if len(lm) == 0 {
		lm = w.LastModified2
	}
	t, err := parseTime(lm)
	if err != nil {
		return fieldErr("sim", "last_modified", err)
	}
	*s = SIM{
		ICCID: firstString(w.ICCID, w.ID), EID: w.EID,
		MatchingID:   firstString(w.MatchingID, w.MatchingID2),
		Status:       normalizeProfileStatus(firstString(w.Status, w.ProfileStatus, w.ProfileStat2)),
		LPAURL:       firstString(w.LPAURL, w.LPAURL2),
		LastModified: t,
	}
	return nil
}

func normalizeProfileStatus(s string) string {
	for _, st := range []string{ProfileReleased, ProfileDownloaded, ProfileInstalled, ProfileUnavailable} {
		if strings.EqualFold(s, st) {
			return st
		}
	}
	return s
}

// NormalizedLPA returns the activation code ("LPA:1$host$matchingId") from
// lpa_url in any of its spellings, cross-checked against matchingId. The
// code is a secret: never log it.
func (s SIM) NormalizedLPA() (string, error) {
	c, _, err := s.ActivationCode()
	if err != nil {
		return "", err
	}
	return c.String(), nil
}

// ActivationCode parses lpa_url; warnings (already redacted) report a
// matchingId that disagrees with it.
func (s SIM) ActivationCode() (lpa.Code, []string, error) {
	return resolveLPA("", s.MatchingID, s.LPAURL)
}

// ---- subscriptions ------------------------------------------------------

// Subscription is one plan on a SIM. Balances are bytes.
type Subscription struct {
	ID             string    `json:"id"`
	Status         string    `json:"status,omitempty"`
	InitialBalance int64     `json:"initialBalance"`
	SpentBalance   int64     `json:"spentBalance"`
	ActivationDate time.Time `json:"activationDate,omitzero"`
	ExpirationDate time.Time `json:"expirationDate,omitzero"`
	CreatedDate    time.Time `json:"createdDate,omitzero"`
	Product        *Product  `json:"product,omitempty"`
	ICCID          string    `json:"iccid,omitempty"`
	DeviceID       string    `json:"device_id,omitempty"`
	AutoRenew      bool      `json:"auto_renew"`
}

// Remaining is initial minus spent balance, never below 0.
func (s Subscription) Remaining() int64 {
	if r := s.InitialBalance - s.SpentBalance; r > 0 {
		return r
	}
	return 0
}

// Balance is the SIM balance the API leaves to the client: the sum over the
// ACTIVE subscriptions of initial minus spent.
func Balance(subs []Subscription) int64 {
	var n int64
	for _, s := range subs {
		if s.Status == SubscriptionActive {
			n += s.Remaining()
		}
	}
	return n
}

// UnmarshalJSON accepts balances as strings or numbers, auto_renew as a
// string or a boolean, and both spellings of the other fields.
func (s *Subscription) UnmarshalJSON(b []byte) error {
	var w struct {
		ID              string          `json:"id"`
		Status          string          `json:"status"`
		InitialBalance  json.RawMessage `json:"initialBalance"`
		InitialBalance2 json.RawMessage `json:"initial_balance"`
		SpentBalance    json.RawMessage `json:"spentBalance"`
		SpentBalance2   json.RawMessage `json:"spent_balance"`
		ActivationDate  json.RawMessage `json:"activationDate"`
		Activation2     json.RawMessage `json:"activation_date"`
		ExpirationDate  json.RawMessage `json:"expirationDate"`
		Expiration2     json.RawMessage `json:"expiration_date"`
		CreatedDate     json.RawMessage `json:"createdDate"`
		Created2        json.RawMessage `json:"created_date"`
		Product         *Product        `json:"product"`
		ICCID           string          `json:"iccid"`
		DeviceID        string          `json:"device_id"`
		DeviceID2       string          `json:"deviceId"`
		AutoRenew       json.RawMessage `json:"auto_renew"`
		AutoRenew2      json.RawMessage `json:"autoRenew"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	pick := func(a, b json.RawMessage) json.RawMessage {
		if len(a) > 0 {
			return a
		}
		return b
	}
	var err error
	out := Subscription{
		ID: w.ID, Status: strings.ToUpper(strings.TrimSpace(w.Status)), Product: w.Product,
		ICCID: w.ICCID, DeviceID: firstString(w.DeviceID, w.DeviceID2),
	}
	if out.InitialBalance, err = parseInt64(pick(w.InitialBalance, w.InitialBalance2)); err != nil {
		return fieldErr("subscription", "initialBalance", err)
	}
	if out.SpentBalance, err = parseInt64(pick(w.SpentBalance, w.SpentBalance2)); err != nil {
		return fieldErr("subscription", "spentBalance", err)
	}
	if out.ActivationDate, err = parseTime(pick(w.ActivationDate, w.Activation2)); err != nil {
		return fieldErr("subscription", "activationDate", err)
	}
	if out.ExpirationDate, err = parseTime(pick(w.ExpirationDate, w.Expiration2)); err != nil {
		return fieldErr("subscription", "expirationDate", err)
	}
	if out.CreatedDate, err = parseTime(pick(w.CreatedDate, w.Created2)); err != nil {
		return fieldErr("subscription", "createdDate", err)
	}
	if out.AutoRenew, err = parseBool(pick(w.AutoRenew, w.AutoRenew2)); err != nil {
		return fieldErr("subscription", "auto_renew", err)
	}
	*s = out
	return nil
}

// ---- notifications ------------------------------------------------------

// Preferences are a SIM's notification preferences.
type Preferences struct {
	Notifications []NotificationPreference `json:"notifications"`
}

// NotificationPreference is one registered webhook.
type NotificationPreference struct {
	Type       string `json:"type"`
	WebhookURL string `json:"webhook_url"`
}

// UnmarshalJSON normalizes the type and accepts webhookUrl.
func (n *NotificationPreference) UnmarshalJSON(b []byte) error {
	var w struct {
		Type        string `json:"type"`
		WebhookURL  string `json:"webhook_url"`
		WebhookURL2 string `json:"webhookUrl"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*n = NotificationPreference{Type: NormalizeNotificationType(w.Type), WebhookURL: firstString(w.WebhookURL, w.WebhookURL2, w.URL)}
	return nil
}

// Notification is what the API POSTs to a registered webhook.
type Notification struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	ICCID          string `json:"iccid"`
	SubscriptionID string `json:"subscription_id,omitempty"`
	Threshold      *int   `json:"threshold,omitempty"`
}

// UnmarshalJSON normalizes the type and accepts a string threshold.
func (n *Notification) UnmarshalJSON(b []byte) error {
	var w struct {
		ID             string          `json:"id"`
		Type           string          `json:"type"`
		ICCID          string          `json:"iccid"`
		SubscriptionID string          `json:"subscription_id"`
		Subscription2  string          `json:"subscriptionId"`
		Threshold      json.RawMessage `json:"threshold"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*n = Notification{ID: w.ID, Type: NormalizeNotificationType(w.Type), ICCID: w.ICCID,
		SubscriptionID: firstString(w.SubscriptionID, w.Subscription2)}
	if t := bytes.TrimSpace(w.Threshold); len(t) > 0 && string(t) != "null" {
		v, err := parseInt64(t)
		if err != nil {
			return fieldErr("notification", "threshold", err)
		}
		i := int(v)
		n.Threshold = &i
	}
	return nil
}

// ---- customers ----------------------------------------------------------

// Customer is an end-customer record (ACCOUNT_MANAGER only).
type Customer struct {
	ID                 string    `json:"id"`
	Email              string    `json:"email,omitempty"`
	FirstName          string    `json:"firstName,omitempty"`
	LastName           string    `json:"lastName,omitempty"`
	CountryOfResidence string    `json:"countryOfResidence,omitempty"`
	CreatedDate        time.Time `json:"createdDate,omitzero"`
	// UpdatedDate is sent as lastModifiedDate (the sandbox's and the API's
	// answers); updatedDate and updated are read too.
	UpdatedDate time.Time `json:"lastModifiedDate,omitzero"`
}

// UnmarshalJSON accepts camelCase and snake_case spellings.
func (c *Customer) UnmarshalJSON(b []byte) error {
	var w struct {
		ID                  string          `json:"id"`
		ExternalID          string          `json:"externalId"`
		Email               string          `json:"email"`
		FirstName           string          `json:"firstName"`
		FirstName2          string          `json:"first_name"`
		LastName            string          `json:"lastName"`
		LastName2           string          `json:"last_name"`
		CountryOfResidence  string          `json:"countryOfResidence"`
		CountryOfResidence2 string          `json:"country_of_residence"`
		CreatedDate         json.RawMessage `json:"createdDate"`
		Created             json.RawMessage `json:"created"`
		UpdatedDate         json.RawMessage `json:"updatedDate"`
		LastModifiedDate    json.RawMessage `json:"lastModifiedDate"`
		Updated             json.RawMessage `json:"updated"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	out := Customer{
		ID: firstString(w.ID, w.ExternalID), Email: w.Email,
		FirstName: firstString(w.FirstName, w.FirstName2), LastName: firstString(w.LastName, w.LastName2),
		CountryOfResidence: firstString(w.CountryOfResidence, w.CountryOfResidence2),
	}
	var err error
	created := w.CreatedDate
	if len(created) == 0 {
		created = w.Created
	}
	if out.CreatedDate, err = parseTime(created); err != nil {
		return fieldErr("customer", "createdDate", err)
	}
	updated := w.LastModifiedDate
	if len(updated) == 0 {
		updated = w.UpdatedDate
	}
	if len(updated) == 0 {
		updated = w.Updated
	}
	if out.UpdatedDate, err = parseTime(updated); err != nil {
		return fieldErr("customer", "lastModifiedDate", err)
	}
	*c = out
	return nil
}

// CustomerInput creates a customer.
type CustomerInput struct {
	Email              string `json:"email"`
	FirstName          string `json:"firstName,omitempty"`
	LastName           string `json:"lastName,omitempty"`
	CountryOfResidence string `json:"countryOfResidence,omitempty"`
}

// CustomerUpdate patches a customer; nil fields are left alone.
type CustomerUpdate struct {
	Email              *string `json:"email,omitempty"`
	FirstName          *string `json:"firstName,omitempty"`
	LastName           *string `json:"lastName,omitempty"`
	CountryOfResidence *string `json:"countryOfResidence,omitempty"`
}

// MarshalJSON writes lpa_url as the canonical SGP.22 code (LPA:1$host$id),
// whichever spelling the API sent; a code that does not parse is kept as sent.
func (s SIM) MarshalJSON() ([]byte, error) {
	type plain SIM
	if code, err := s.NormalizedLPA(); err == nil {
		s.LPAURL = code
	}
	return json.Marshal(plain(s))
}

// MarshalJSON writes lpa_url as the canonical SGP.22 code, as SIM does.
func (o OrderOutput) MarshalJSON() ([]byte, error) {
	type plain OrderOutput
	if code, err := o.NormalizedLPA(); err == nil {
		o.LPAURL = code
	}
	return json.Marshal(plain(o))
}
