package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/connectctl/connectctl/cmd/cmdutil"
	"github.com/connectctl/connectctl/internal/connect"
)

// The JSON error object carries every error entry of an RFC 7807 answer
// (code, detail, json_path) and the correlation id.
func TestWriteJSONErrorKeepsEveryEntry(t *testing.T) {
	apiErr := &connect.APIError{Op: "create order", Status: 400, Title: "Bad Request",
		Messages: []string{"price must be an integer"}, CorrelationID: "cid-123",
		Details: []connect.ErrorDetail{
			{Code: "INVALID_FORMAT", Detail: "price must be an integer", JSONPath: "$.input.price"},
			{Code: "MISSING_FIELD", Detail: "email is required", JSONPath: "$.input.customer.email"},
		}}
	var b strings.Builder
	err := fmt.Errorf("order new: %w", apiErr)
	writeJSONError(&b, err, cmdutil.ExitCodeFor(err))
	var got struct {
		Error struct {
			Status        int                   `json:"status"`
			Title         string                `json:"title"`
			CorrelationID string                `json:"correlation_id"`
			Errors        []connect.ErrorDetail `json:"errors"`
			ExitCode      int                   `json:"exit_code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("%v: %s", err, b.String())
	}
	e := got.Error
	if e.Status != 400 || e.Title != "Bad Request" || e.CorrelationID != "cid-123" || e.ExitCode != 5 {
		t.Errorf("error object %+v", e)
	}
	if len(e.Errors) != 2 || e.Errors[0].JSONPath != "$.input.price" || e.Errors[1].Detail != "email is required" || e.Errors[1].Code != "MISSING_FIELD" {
		t.Errorf("errors %+v", e.Errors)
	}
	// Not an API error: the message alone, no errors key.
	b.Reset()
	writeJSONError(&b, errors.New("boom"), cmdutil.ExitUnexpected)
	if strings.Contains(b.String(), `"errors"`) || !strings.Contains(b.String(), `"boom"`) {
		t.Errorf("plain error: %s", b.String())
	}
}
