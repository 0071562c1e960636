package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ---- SIMs ----

// simJSON renders a SIM's details. An ICCID ending in an even digit is
// answered with matching_id and status, an odd one with matchingId and
// profileStatus.
func simJSON(sm *simRec) map[string]any {
	m := map[string]any{
		"iccid":         sm.ICCID,
		"lpa_url":       lpaURL(sm),
		"last_modified": fmtTime(sm.LastModified),
	}
	if sm.EID != "" {
		m["eid"] = sm.EID
	}
	if (sm.ICCID[len(sm.ICCID)-1]-'0')%2 == 0 {
		m["matching_id"], m["status"] = sm.MatchingID, sm.Status
	} else {
		m["matchingId"], m["profileStatus"] = sm.MatchingID, sm.Status
	}
	return m
}

func simItem(sm *simRec) any {
	return map[string]string{"id": sm.ICCID, "url": "/v1/sim/" + sm.ICCID}
}

// lookupSIM finds the caller's SIM. Call with s.mu held. When there is none
// it returns a func that writes the 404 or 403, to call after s.end.
func (s *Server) lookupSIM(c *call, iccid string) (*simRec, func()) {
	sm := s.st.sims[iccid]
	switch {
	case sm == nil:
		return nil, func() { c.notFound("no SIM with ICCID %s", iccid) }
	case sm.Client != c.client.ID:
		return nil, func() { c.denied("SIM %s belongs to another client", iccid) }
	}
	return sm, nil
}

func (s *Server) listSIMs(c *call) {
	p, msg := parsePaging(c.r.URL.Query(), "size")
	if msg != "" {
		c.badParams("%s", msg)
		return
	}
	s.begin()
	body := listBody(c, s.st.clientSIMs[c.client.ID], func(sm *simRec) int64 { return sm.Seq }, p, "sims", false, simItem)
	s.end()
	writeJSON(c.w, http.StatusOK, body)
}

func (s *Server) getSIM(c *call) {
	s.begin()
	sm, fail := s.lookupSIM(c, c.r.PathValue("iccid"))
	var m map[string]any
	if sm != nil {
		m = simJSON(sm)
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, m)
}

func (s *Server) putSIM(c *call) {
	var body struct {
		EID *string `json:"eid"`
	}
	if !c.decodeBody(&body) {
		return
	}
	now := s.begin()
	sm, fail := s.lookupSIM(c, c.r.PathValue("iccid"))
	if fail == nil {
		switch {
		case body.EID == nil || *body.EID == "":
			fail = func() { c.badParams("eid must not be empty") }
		case !validEID(*body.EID):
			fail = func() { c.badParams("eid %q is not a valid EID (32 digits, mod 97 = 1)", *body.EID) }
		case sm.Status != profileReleased && sm.Status != profileUnavailable:
			st := sm.Status
			fail = func() {
				c.badParams("the EID of SIM %s can change only while its profile is Released or Unavailable; it is %s", sm.ICCID, st)
			}
		default:
			sm.EID, sm.Status, sm.LastModified = *body.EID, profileReleased, now
			s.changed()
		}
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{})
}

func (s *Server) deleteSIM(c *call) {
	now := s.begin()
	sm, fail := s.lookupSIM(c, c.r.PathValue("iccid"))
	if fail == nil {
		used := false
		for _, sb := range sm.subs {
			used = used || sb.Spent > 0
		}
		switch {
		case sm.Status != profileReleased || sm.EverInstalled:
			st := sm.Status
			fail = func() {
				c.badParams("SIM %s cannot be deleted: its profile is %s and was downloaded or installed; only a never-installed Released profile can be", sm.ICCID, st)
			}
		case used:
			fail = func() { c.badParams("SIM %s cannot be deleted: a subscription on it has used data", sm.ICCID) }
		default:
			_ = now
			s.st.removeSIM(sm)
			s.changed()
		}
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listSIMSubscriptions(c *call) {
	p, msg := parsePaging(c.r.URL.Query(), "size")
	if msg != "" {
		c.badParams("%s", msg)
		return
	}
	now := s.begin()
	sm, fail := s.lookupSIM(c, c.r.PathValue("iccid"))
	var body any
	if sm != nil {
		body = listBody(c, sm.subs, func(sb *subRec) int64 { return sb.Seq }, p, "subscriptions", false,
			func(sb *subRec) any { return subJSON(sb, now, s.minorUnits()) })
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, body)
}

// ---- notification preferences ----

// notificationType normalises a type, accepting the documents' misspelling
// SUBSCRITPION_END and any letter case.
func notificationType(t string) (string, bool) {
	switch strings.ToUpper(t) {
	case notifyUsageThreshold:
		return notifyUsageThreshold, true
	case notifySubscriptionEnd, "SUBSCRITPION_END":
		return notifySubscriptionEnd, true
	}
	return "", false
}

func (s *Server) getPreferences(c *call) {
	s.begin()
	sm, fail := s.lookupSIM(c, c.r.PathValue("iccid"))
	list := []map[string]string{}
	if sm != nil {
		for _, t := range sortedKeys(sm.Webhooks) {
			list = append(list, map[string]string{"type": t, "webhook_url": sm.Webhooks[t]})
		}
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"notifications": list})
}

func (s *Server) registerNotification(c *call) {
	typ, ok := notificationType(c.r.PathValue("type"))
	if !ok {
		c.badParams("notification type %q: want USAGE_THRESHOLD or SUBSCRIPTION_END", c.r.PathValue("type"))
		return
	}
	var body struct {
		WebhookURL string `json:"webhook_url"`
	}
	if !c.decodeBody(&body) {
		return
	}
	u, err := url.Parse(body.WebhookURL)
	if body.WebhookURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.badParams("webhook_url %q: want an absolute http or https URL", body.WebhookURL)
		return
	}
	now := s.begin()
	sm, fail := s.lookupSIM(c, c.r.PathValue("iccid"))
	if sm != nil {
		if sm.Webhooks == nil {
			sm.Webhooks = map[string]string{}
		}
		sm.Webhooks[typ] = body.WebhookURL
		sm.LastModified = now
		s.changed()
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{})
}

func (s *Server) unregisterNotification(c *call) {
	typ, ok := notificationType(c.r.PathValue("type"))
	if !ok {
		c.badParams("notification type %q: want USAGE_THRESHOLD or SUBSCRIPTION_END", c.r.PathValue("type"))
		return
	}
	s.begin()
	sm, fail := s.lookupSIM(c, c.r.PathValue("iccid"))
	if sm != nil {
		if _, ok := sm.Webhooks[typ]; ok {
			delete(sm.Webhooks, typ)
			s.changed()
		}
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{})
}

// ---- subscriptions ----

// subJSON renders a subscription: balances as strings, auto_renew as a
// string, as the API does.
func subJSON(sb *subRec, now time.Time, minor bool) map[string]any {
	m := map[string]any{
		"id":             sb.ID,
		"status":         sb.status(now),
		"initialBalance": strconv.FormatInt(sb.Initial, 10),
		"spentBalance":   strconv.FormatInt(sb.Spent, 10),
		"activationDate": fmtTime(sb.Activation),
		"expirationDate": fmtTime(sb.Expiration),
		"createdDate":    fmtTime(sb.Created),
		"iccid":          sb.ICCID,
		"device_id":      sb.DeviceID,
		"auto_renew":     "false",
	}
	if p := productByID(sb.ProductID); p != nil {
		m["product"] = productJSON(p, "", minor)
	}
	if sb.Price != "" {
		// The price the order set, in the edition's units.
		m["price"] = json.RawMessage(amountOut(sb.Price, sb.Currency, minor))
		m["currency"] = sb.Currency
	}
	return m
}

// lookupSub finds the caller's subscription, like lookupSIM.
func (s *Server) lookupSub(c *call, id string) (*subRec, func()) {
	sb := s.st.subs[id]
	switch {
	case sb == nil:
		return nil, func() { c.notFound("no subscription with id %q", id) }
	case sb.Client != c.client.ID:
		return nil, func() { c.denied("subscription %q belongs to another client", id) }
	}
	return sb, nil
}

func (s *Server) listSubscriptions(c *call) {
	q := c.r.URL.Query()
	p, msg := parsePaging(q, "size")
	if msg != "" {
		c.badParams("%s", msg)
		return
	}
	var after, before time.Time
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"after", &after}, {"before", &before}} {
		if v := q.Get(f.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				c.badParams("%s %q is not an RFC 3339 date-time, e.g. 2020-04-27T00:00:00Z", f.name, v)
				return
			}
			*f.t = t
		}
	}
	email, iccid, productID := q.Get("email"), q.Get("iccid"), q.Get("product-id")
	now := s.begin()
	all := s.st.clientSubs[c.client.ID]
	items := all
	if email != "" || iccid != "" || productID != "" || !after.IsZero() || !before.IsZero() {
		items = nil
		for _, sb := range all {
			if (email == "" || strings.EqualFold(sb.Email, email)) &&
				(iccid == "" || sb.ICCID == iccid) &&
				(productID == "" || sb.ProductID == productID) &&
				(after.IsZero() || sb.Created.After(after)) &&
				(before.IsZero() || sb.Created.Before(before)) {
				items = append(items, sb)
			}
		}
	}
	body := listBody(c, items, func(sb *subRec) int64 { return sb.Seq }, p, "subscriptions", true,
		func(sb *subRec) any { return subJSON(sb, now, s.minorUnits()) })
	s.end()
	writeJSON(c.w, http.StatusOK, body)
}

func (s *Server) getSubscription(c *call) {
	now := s.begin()
	sb, fail := s.lookupSub(c, c.r.PathValue("subscription_id"))
	var m map[string]any
	if sb != nil {
		m = subJSON(sb, now, s.minorUnits())
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, m)
}

func (s *Server) activateSubscription(c *call) {
	now := s.begin()
	sb, fail := s.lookupSub(c, c.r.PathValue("subscription_id"))
	var m map[string]any
	if sb != nil {
		if st := sb.status(now); st != subPending {
			fail = func() { c.badParams("subscription %q is %s; only a PENDING subscription can be activated", sb.ID, st) }
		} else {
			period := sb.Expiration.Sub(sb.Activation)
			sb.Activation, sb.Expiration = now, now.Add(period)
			s.changed()
			m = subJSON(sb, now, s.minorUnits())
		}
	}
	s.end()
	if fail != nil {
		fail()
		return
	}
	writeJSON(c.w, http.StatusOK, m)
}
