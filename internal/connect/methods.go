package connect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"time"
)

// ProductsQuery filters the catalogue.
type ProductsQuery struct {
	Currency string // price currency; the API defaults to EUR
	PlanID   string // catalogue, for partners with several
}

// ListProducts returns the catalogue (not paginated).
func (c *Client) ListProducts(ctx context.Context, q ProductsQuery) ([]Product, error) {
	v := url.Values{}
	if q.Currency != "" {
		v.Set("currency", q.Currency)
	}
	if q.PlanID != "" {
		v.Set("plan_id", q.PlanID)
	}
	// Every page: a paginated catalogue used to be cut at its first page.
	var out []Product
	for p, err := range typed[Product](c.list(ctx, endpoints[EPProductsList], nil, v)) {
		if err != nil {
			return nil, err
		}
		c.pricesIn(&p)
		out = append(out, p)
	}
	if out == nil {
		out = []Product{}
	}
	return out, nil
}

// GetProduct returns one product.
func (c *Client) GetProduct(ctx context.Context, id string) (*Product, error) {
	var p Product
	if err := c.doJSON(ctx, EPProductsGet, []string{id}, nil, nil, &p); err != nil {
		return nil, err
	}
	c.pricesIn(&p)
	return &p, nil
}

// CreateOrder places an order. It is never retried automatically: when the
// outcome is unknown (timeout, dropped connection after sending, 5xx) the
// *APIError has OutcomeUnknown set and says how to check.
func (c *Client) CreateOrder(ctx context.Context, in OrderInput) (*OrderAccepted, error) {
	in.OperationType = NormalizeOperationType(in.OperationType)
	if c.edition != Edition2024 && (in.Subscriber != nil || in.PurchaseLocation != "") {
		// v1 knows neither field: sending them would be ignored silently.
		return nil, fmt.Errorf("subscriber and purchase_location are fields of the 2024 API edition; this client speaks %s", c.edition)
	}
	if err := c.pricesOut(&in); err != nil {
		return nil, err
	}
	body := struct {
		Input OrderInput `json:"input"`
	}{in}
	var a OrderAccepted
	if err := c.doJSON(ctx, EPOrderCreate, nil, nil, body, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetOrder returns an order's state.
func (c *Client) GetOrder(ctx context.Context, id string) (*Order, error) {
	var o Order
	if err := c.doJSON(ctx, EPOrderGet, []string{id}, nil, nil, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// OrdersQuery filters ListOrders; zero fields are not sent.
type OrdersQuery struct {
	Status    string
	StartDate time.Time // orders created after
	EndDate   time.Time // orders created before
}

// ListOrders iterates over orders, fetching pages as needed.
func (c *Client) ListOrders(ctx context.Context, q OrdersQuery) iter.Seq2[Order, error] {
	v := url.Values{}
	if q.Status != "" {
		v.Set("status", NormalizeOrderStatus(q.Status))
	}
	setTime(v, "start_date", q.StartDate)
	setTime(v, "end_date", q.EndDate)
	return typed[Order](c.list(ctx, endpoints[EPOrderList], nil, v))
}

func setTime(v url.Values, k string, t time.Time) {
	if !t.IsZero() {
		v.Set(k, t.UTC().Format(time.RFC3339Nano)) // a fraction of a second is kept when given
	}
}

// ListSIMs iterates over the SIM profiles purchased.
func (c *Client) ListSIMs(ctx context.Context) iter.Seq2[SIMRef, error] {
	return typed[SIMRef](c.list(ctx, endpoints[EPSIMList], nil, nil))
}

// GetSIM returns a SIM profile's details.
func (c *Client) GetSIM(ctx context.Context, iccid string) (*SIM, error) {
	var s SIM
	if err := c.doJSON(ctx, EPSIMGet, []string{iccid}, nil, nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ChangeEID binds the SIM to another device's EID.
func (c *Client) ChangeEID(ctx context.Context, iccid, eid string) error {
	return c.doJSON(ctx, EPSIMChangeEID, []string{iccid}, nil, map[string]string{"eid": eid}, nil)
}

// DeleteSIM cancels a never-installed SIM and its subscriptions (refund).
func (c *Client) DeleteSIM(ctx context.Context, iccid string) error {
	return c.doJSON(ctx, EPSIMDelete, []string{iccid}, nil, nil, nil)
}

// ListSIMSubscriptions iterates over every subscription ever on a SIM.
func (c *Client) ListSIMSubscriptions(ctx context.Context, iccid string) iter.Seq2[Subscription, error] {
	return typed[Subscription](c.list(ctx, endpoints[EPSIMSubscriptions], []string{iccid}, nil))
}

// GetSIMPreferences returns a SIM's notification preferences.
func (c *Client) GetSIMPreferences(ctx context.Context, iccid string) (*Preferences, error) {
	var p Preferences
	if err := c.doJSON(ctx, EPSIMPreferences, []string{iccid}, nil, nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// RegisterNotification registers webhookURL for a notification type
// (USAGE_THRESHOLD, SUBSCRIPTION_END; the misspelling SUBSCRITPION_END is
// accepted and sent correctly spelt).
func (c *Client) RegisterNotification(ctx context.Context, iccid, typ, webhookURL string) error {
	return c.doJSON(ctx, EPNotificationRegister, []string{iccid, NormalizeNotificationType(typ)}, nil,
		map[string]string{"webhook_url": webhookURL}, nil)
}

// UnregisterNotification removes the webhook of a notification type.
func (c *Client) UnregisterNotification(ctx context.Context, iccid, typ string) error {
	return c.doJSON(ctx, EPNotificationUnregister, []string{iccid, NormalizeNotificationType(typ)}, nil, nil, nil)
}

// SubscriptionsQuery filters ListSubscriptions; zero fields are not sent.
type SubscriptionsQuery struct {
	After     time.Time
	Before    time.Time
	Email     string
	ICCID     string
	ProductID string
}

// ListSubscriptions iterates over subscriptions across all SIMs.
func (c *Client) ListSubscriptions(ctx context.Context, q SubscriptionsQuery) iter.Seq2[Subscription, error] {
	v := url.Values{}
	setTime(v, "after", q.After)
	setTime(v, "before", q.Before)
	if q.Email != "" {
		v.Set("email", q.Email)
	}
	if q.ICCID != "" {
		v.Set("iccid", q.ICCID)
	}
	if q.ProductID != "" {
		v.Set("product-id", q.ProductID)
	}
	return typed[Subscription](c.list(ctx, endpoints[EPSubscriptionList], nil, v))
}

// GetSubscription returns one subscription.
func (c *Client) GetSubscription(ctx context.Context, id string) (*Subscription, error) {
	var s Subscription
	if err := c.doJSON(ctx, EPSubscriptionGet, []string{id}, nil, nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ActivateSubscription activates a future-dated subscription now. It
// returns the subscription when the API answers with it, else nil.
func (c *Client) ActivateSubscription(ctx context.Context, id string) (*Subscription, error) {
	var raw json.RawMessage
	if err := c.doJSON(ctx, EPSubscriptionActivate, []string{id}, nil, nil, &raw); err != nil {
		return nil, err
	}
	return decodeOptional[Subscription](raw, func(s *Subscription) bool { return s.ID != "" })
}

// CreateCustomer creates an end-customer record (ACCOUNT_MANAGER only).
func (c *Client) CreateCustomer(ctx context.Context, in CustomerInput) (*Customer, error) {
	var cu Customer
	if err := c.doJSON(ctx, EPCustomerCreate, nil, nil, in, &cu); err != nil {
		return nil, err
	}
	return &cu, nil
}

// FindCustomerByEmail looks a customer up by e-mail. The answer may be one
// object, a list or a HAL page; no match is a *NotFoundError.
func (c *Client) FindCustomerByEmail(ctx context.Context, email string) (*Customer, error) {
	var raw json.RawMessage
	if err := c.doJSON(ctx, EPCustomerFind, nil, url.Values{"email": {email}}, nil, &raw); err != nil {
		return nil, err
	}
	pg, err := parsePage(raw, "customers")
	if err != nil {
		return nil, err
	}
	for _, it := range pg.items {
		var cu Customer
		if err := json.Unmarshal(it, &cu); err != nil {
			return nil, err
		}
		if cu.ID != "" || cu.Email != "" {
			return &cu, nil
		}
	}
	return nil, &NotFoundError{What: "customer with e-mail " + email}
}

// GetCustomer returns a customer.
func (c *Client) GetCustomer(ctx context.Context, id string) (*Customer, error) {
	var cu Customer
	if err := c.doJSON(ctx, EPCustomerGet, []string{id}, nil, nil, &cu); err != nil {
		return nil, err
	}
	return &cu, nil
}

// UpdateCustomer patches a customer and returns the record when the API
// answers with it, else nil.
func (c *Client) UpdateCustomer(ctx context.Context, id string, upd CustomerUpdate) (*Customer, error) {
	var raw json.RawMessage
	if err := c.doJSON(ctx, EPCustomerUpdate, []string{id}, nil, upd, &raw); err != nil {
		return nil, err
	}
	return decodeOptional[Customer](raw, func(cu *Customer) bool { return cu.ID != "" || cu.Email != "" })
}

func decodeOptional[T any](raw json.RawMessage, present func(*T) bool) (*T, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, nil
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if !present(&v) {
		return nil, nil
	}
	return &v, nil
}
