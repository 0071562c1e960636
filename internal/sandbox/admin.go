package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Admin endpoints under /_sandbox/: no authentication, for tests and demos.

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeV1(w, http.StatusBadRequest, "INVALID_HTTP_MESSAGE", "the request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

func (s *Server) adminStats(w http.ResponseWriter, r *http.Request) {
	s.begin()
	orders, sims, subs := len(s.st.orders), len(s.st.sims), s.st.nSubs
	s.end()
	s.statsMu.Lock()
	byGrant := make(map[string]int, len(s.tokenByGrant))
	for k, v := range s.tokenByGrant {
		byGrant[k] = v
	}
	reqs := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		reqs[k] = v
	}
	tokens := s.tokenRequests
	s.statsMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"token_requests": tokens, "token_requests_by_grant": byGrant, "requests": reqs,
		"orders": orders, "sims": sims, "subscriptions": subs,
	})
}

// notification is one webhook call decided by a usage report.
type notification struct {
	url     string
	payload map[string]any
	result  map[string]any
}

func (s *Server) adminUsage(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ICCID string `json:"iccid"`
		Bytes int64  `json:"bytes"`
		// Percent: that share of the combined data of the SIM's ACTIVE
		// subscriptions, instead of bytes.
		Percent float64 `json:"percent"`
	}
	if !decodeAdmin(w, r, &body) {
		return
	}
	switch {
	case body.Bytes != 0 && body.Percent != 0:
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", "give bytes or percent, not both")
		return
	case body.Percent != 0 && (body.Percent < 0 || body.Percent > 100):
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", "percent must be above 0 and at most 100")
		return
	case body.Percent == 0 && body.Bytes <= 0:
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", "bytes must be a positive number of bytes (or give percent)")
		return
	}
	now := s.begin()
	sm := s.st.sims[body.ICCID]
	if sm == nil {
		s.end()
		writeV1(w, http.StatusNotFound, "NOT_FOUND", "no SIM with ICCID "+body.ICCID)
		return
	}
	if body.Percent != 0 {
		var total int64
		for _, sb := range sm.subs {
			if sb.status(now) == subActive {
				total += sb.Initial
			}
		}
		body.Bytes = int64(math.Ceil(float64(total) * body.Percent / 100))
	}
	left := body.Bytes
	var touched []map[string]any
	var notes []*notification
	notify := func(sb *subRec, typ string) {
		payload := map[string]any{"id": uuid.NewString(), "type": typ, "iccid": sm.ICCID, "subscription_id": sb.ID}
		if typ == notifyUsageThreshold {
			payload["threshold"] = 80
		}
		notes = append(notes, &notification{url: sm.Webhooks[typ], payload: payload,
			result: map[string]any{"type": typ, "subscription_id": sb.ID}})
	}
	for _, sb := range sm.subs {
		if left == 0 {
			break
		}
		if sb.status(now) != subActive {
			continue
		}
		use := min(left, sb.Initial-sb.Spent)
		sb.Spent += use
		left -= use
		if !sb.NotifiedThreshold && sb.Spent*10 >= sb.Initial*8 {
			sb.NotifiedThreshold = true
			notify(sb, notifyUsageThreshold)
		}
		if sb.Spent >= sb.Initial {
			sb.Depleted = true
			if !sb.NotifiedEnd {
				sb.NotifiedEnd = true
				notify(sb, notifySubscriptionEnd)
			}
		}
		touched = append(touched, map[string]any{
			"id": sb.ID, "status": sb.status(now), "used": use,
			"initialBalance": fmt.Sprint(sb.Initial), "spentBalance": fmt.Sprint(sb.Spent),
		})
	}
	if sm.Status != profileInstalled {
		sm.Status = profileInstalled
	}
	sm.EverInstalled = true
	sm.LastModified = now
	s.changed()
	s.end()

	for _, n := range notes {
		s.deliver(r, n)
	}
	results := make([]map[string]any, 0, len(notes))
	for _, n := range notes {
		results = append(results, n.result)
	}
	if touched == nil {
		touched = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"iccid": sm.ICCID, "requested": body.Bytes, "consumed": body.Bytes - left, "unconsumed": left,
		"subscriptions": touched, "notifications": results,
	})
}

// deliver POSTs a notification to its webhook and records the outcome.
func (s *Server) deliver(r *http.Request, n *notification) {
	if n.url == "" {
		n.result["delivery"] = "not_registered"
		return
	}
	n.result["webhook_url"] = n.url
	data, _ := json.Marshal(n.payload)
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, n.url, bytes.NewReader(data))
	if err != nil {
		n.result["delivery"], n.result["error"] = "failed", err.Error()
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "connectctl-sandbox")
	resp, err := s.hook.Do(req)
	if err != nil {
		n.result["delivery"], n.result["error"] = "failed", err.Error()
		s.logf("sandbox: webhook %s %s: %v", n.payload["type"], n.url, err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	n.result["http_status"] = resp.StatusCode
	if resp.StatusCode/100 == 2 {
		n.result["delivery"] = "delivered"
	} else {
		n.result["delivery"] = "failed"
	}
	s.logf("sandbox: webhook %s %s -> %d", n.payload["type"], n.url, resp.StatusCode)
}

func (s *Server) adminSIMStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	if !decodeAdmin(w, r, &body) {
		return
	}
	var status string
	for _, st := range []string{profileReleased, profileDownloaded, profileInstalled, profileUnavailable} {
		if strings.EqualFold(st, body.Status) {
			status = st
		}
	}
	if status == "" {
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", fmt.Sprintf("status %q: want Released, Downloaded, Installed or Unavailable", body.Status))
		return
	}
	now := s.begin()
	sm := s.st.sims[r.PathValue("iccid")]
	var m map[string]any
	if sm != nil {
		sm.Status, sm.LastModified = status, now
		if status == profileDownloaded || status == profileInstalled {
			sm.EverInstalled = true
		}
		s.changed()
		m = simJSON(sm)
	}
	s.end()
	if m == nil {
		writeV1(w, http.StatusNotFound, "NOT_FOUND", "no SIM with ICCID "+r.PathValue("iccid"))
		return
	}
	writeJSON(w, http.StatusOK, m)
}

const maxBulkSIMs = 100000

// maxFaultDelay bounds a queued fault's delay.
const maxFaultDelay = 10 * time.Minute

func (s *Server) adminBulkSIMs(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ClientID string `json:"client_id"`
		Count    int    `json:"count"`
	}
	if !decodeAdmin(w, r, &body) {
		return
	}
	if body.ClientID == "" {
		body.ClientID = BuiltinClientID
	}
	if _, ok := s.clients[body.ClientID]; !ok {
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", fmt.Sprintf("client_id %q is not a client of this sandbox", body.ClientID))
		return
	}
	if body.Count < 1 || body.Count > maxBulkSIMs {
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", fmt.Sprintf("count %d: want 1 to %d", body.Count, maxBulkSIMs))
		return
	}
	now := s.begin()
	iccids := make([]string, 0, body.Count)
	for range body.Count {
		iccids = append(iccids, s.newSIM(body.ClientID, now).ICCID)
	}
	s.changed()
	s.end()
	writeJSON(w, http.StatusCreated, map[string]any{"client_id": body.ClientID, "created": body.Count, "iccids": iccids})
}

func (s *Server) adminAddFaults(w http.ResponseWriter, r *http.Request) {
	var f fault
	if !decodeAdmin(w, r, &f) {
		return
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Delay != "" {
		d, err := time.ParseDuration(f.Delay)
		if err != nil || d <= 0 || d > maxFaultDelay {
			writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", fmt.Sprintf("delay %q: want a Go duration from 1ms to %v, such as 3s", f.Delay, maxFaultDelay))
			return
		}
		f.delay, f.Delay = d, d.String()
	}
	if f.Status == 0 && !f.Drop && f.delay == 0 {
		f.Status = http.StatusInternalServerError
	}
	switch {
	case f.Count < 0:
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", "count must be positive")
		return
	case f.Drop && f.Status != 0:
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", "drop answers nothing: give drop or status, not both")
		return
	case f.Bare && f.Status != http.StatusTooManyRequests:
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", "bare applies to status 429 only")
		return
	case !f.Drop && f.Status != 0 && (f.Status < 400 || f.Status > 599):
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", fmt.Sprintf("status %d: want a 4xx or 5xx status", f.Status))
		return
	case strings.HasPrefix(f.Path, "/_sandbox"):
		writeV1(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMS", "admin endpoints take no faults")
		return
	}
	f.Method = strings.ToUpper(f.Method)
	s.faultMu.Lock()
	s.faults = append(s.faults, &f)
	queued := 0
	for _, q := range s.faults {
		queued += q.Count
	}
	s.faultMu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"fault": f, "queued": queued})
}

func (s *Server) adminListFaults(w http.ResponseWriter, r *http.Request) {
	s.faultMu.Lock()
	list := make([]fault, 0, len(s.faults))
	for _, f := range s.faults {
		list = append(list, *f)
	}
	s.faultMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"faults": list})
}

func (s *Server) adminClearFaults(w http.ResponseWriter, r *http.Request) {
	s.faultMu.Lock()
	n := len(s.faults)
	s.faults = nil
	s.faultMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"cleared": n})
}

func (s *Server) adminRevoke(w http.ResponseWriter, r *http.Request) {
	s.begin()
	n := len(s.st.access)
	s.st.access = map[string]tokenRec{}
	s.changed()
	s.end()
	writeJSON(w, http.StatusOK, map[string]any{"revoked": n})
}
