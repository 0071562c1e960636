package validate

import (
	"strings"
	"testing"
	"time"
)

func TestEmail(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		ok      bool
		wantMsg string
	}{
		{"john@doe.com", "john@doe.com", true, ""},                   // seed order
		{"john.doe@truphone.com", "john.doe@truphone.com", true, ""}, // seed subscription filter
		{" john@doe.com\n", "john@doe.com", true, ""},
		{"first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk", true, ""},
		{"o'neil@example.ie", "o'neil@example.ie", true, ""},
		{"", "", false, `email "": empty, expected one address like john@doe.com`},
		{"john", "", false, ""},
		{"john@", "", false, ""},
		{"@doe.com", "", false, ""},
		{"john@doe", "", false, `email "john@doe": domain "doe" has no dot (typo?)`},
		{"john@doe..com", "", false, ""},
		{"john@-doe.com", "", false, ""},
		{"john@doe_x.com", "", false, ""},
		{"john@[127.0.0.1]", "", false, ""},
		{"John Doe <john@doe.com>", "", false, `email "John Doe <john@doe.com>": expected one address like john@doe.com, without display name or <>`},
		{"<john@doe.com>", "", false, ""},
		{"john@doe.com, jane@doe.com", "", false, ""},
		{"john@doe.com;jane@doe.com", "", false, ""},
		{"john doe@doe.com", "", false, ""},
		{`"john doe"@doe.com`, "", false, ""},
		{"john@doe.com (comment)", "", false, ""},
		{"john@@doe.com", "", false, ""},
		{strings.Repeat("a", 65) + "@doe.com", "", false, ""},
		{"a@" + strings.Repeat("b", 250) + ".com", "", false, ""},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if e2 := Email(tt.in); (e2 == nil) != tt.ok {
			t.Errorf("Email(%q) = %v", tt.in, e2)
		}
		if !tt.ok {
			checkKind(t, err, ErrFormat)
		}
		if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
			t.Errorf("Email(%q) error = %v, want %q", tt.in, err, tt.wantMsg)
		}
	}
}

func TestRFC3339(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		ok      bool
		wantMsg string
	}{
		{"2020-10-16T19:05:05Z", time.Date(2020, 10, 16, 19, 5, 5, 0, time.UTC), true, ""},
		{"2020-04-27T00:00:00.002Z", time.Date(2020, 4, 27, 0, 0, 0, 2e6, time.UTC), true, ""}, // seed after= filter
		{"2019-08-01T09:09:33Z", time.Date(2019, 8, 1, 9, 9, 33, 0, time.UTC), true, ""},
		{"2024-10-17T10:00:00+01:00", time.Date(2024, 10, 17, 9, 0, 0, 0, time.UTC), true, ""},
		{" 2024-10-17T10:00:00-05:30 ", time.Date(2024, 10, 17, 15, 30, 0, 0, time.UTC), true, ""},
		{"2024-10-17", time.Time{}, false, `time "2024-10-17": a date alone is not enough, expected an RFC 3339 time like 2024-10-17T00:00:00Z`},
		{"2024-10-17T10:00:00", time.Time{}, false, `time "2024-10-17T10:00:00": missing time zone, expected an RFC 3339 time like 2024-10-17T10:00:00Z`},
		{"2024-10-17 10:00:00Z", time.Time{}, false, ""},
		{"2024-13-01T00:00:00Z", time.Time{}, false, ""},
		{"2024-02-30T00:00:00Z", time.Time{}, false, ""},
		{"1729155600", time.Time{}, false, ""},
		{"", time.Time{}, false, `time "": expected an RFC 3339 time like 2024-10-17T09:30:00Z`},
		{"yesterday", time.Time{}, false, ""},
	}
	for _, tt := range tests {
		got, err := RFC3339(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("RFC3339(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if !tt.ok {
			checkKind(t, err, ErrFormat)
		}
		if tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg) {
			t.Errorf("RFC3339(%q) error = %v, want %q", tt.in, err, tt.wantMsg)
		}
	}
}

func TestActivationDate(t *testing.T) {
	now := time.Date(2024, 10, 17, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		kind error
	}{
		{"2024-10-17T12:00:00Z", nil},
		{"2024-10-18T00:00:00Z", nil},
		{"2024-10-17T11:59:30Z", nil},      // within the 1-minute skew
		{"2024-10-17T11:59:00Z", nil},      // exactly the skew
		{"2024-10-17T13:30:00+01:30", nil}, // == now
		{"2024-10-17T11:58:59Z", ErrRange},
		{"2020-10-16T19:05:05Z", ErrRange}, // the seed's date is long past
		{"2024-10-17", ErrFormat},
		{"soon", ErrFormat},
	}
	for _, tt := range tests {
		got, err := ActivationDate(tt.in, now)
		checkKind(t, err, tt.kind)
		if tt.kind == nil && got.IsZero() {
			t.Errorf("ActivationDate(%q) returned zero time", tt.in)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "activation date ") {
			t.Errorf("ActivationDate(%q) error = %q, want it to name the activation date", tt.in, err)
		}
	}
	_, err := ActivationDate("2020-10-16T19:05:05Z", now)
	if want := `activation date "2020-10-16T19:05:05Z": is in the past (now is 2024-10-17T12:00:00Z), expected now or later`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestWebhookURL(t *testing.T) {
	tests := []struct {
		in   string
		kind error
	}{
		{"https://example.com/hooks/esim", nil},
		{"https://example.com", nil},
		{"HTTPS://Example.COM/x?token=abc", nil},
		{"https://example.com:8443/x", nil},
		{"https://user:pw@example.com/x", nil},
		{"https://[2001:db8::1]/x", nil},
		{"http://localhost:8080/hook", nil},
		{"http://LOCALHOST/hook", nil},
		{"http://127.0.0.1:9000/hook", nil},
		{"http://127.1.2.3/hook", nil},
		{"http://[::1]:9000/hook", nil},
		{"http://example.com/hook", ErrUnsupported},
		{"http://10.0.0.1/hook", ErrUnsupported},
		{"http://localhost.example.com/hook", ErrUnsupported},
		{"http://[::2]/hook", ErrUnsupported},
		{"ftp://example.com/x", ErrUnsupported},
		{"javascript:alert(1)", ErrFormat},
		{"string", ErrFormat}, // the seed's placeholder
		{"example.com/hook", ErrFormat},
		{"//example.com/hook", ErrFormat},
		{"https://", ErrFormat},
		{"https:///path", ErrFormat},
		{"https://example.com:0/x", ErrFormat},
		{"https://example.com:70000/x", ErrFormat},
		{"https://exa mple.com/", ErrFormat},
		{"https://example.com/\x7f", ErrFormat},
		{"", ErrFormat},
		{"https://example.com/" + strings.Repeat("a", 2048), ErrFormat},
		{"https://%zz/", ErrFormat},
	}
	for _, tt := range tests {
		err := WebhookURL(tt.in)
		checkKind(t, err, tt.kind)
	}
	if err := WebhookURL("http://example.com/h"); err == nil || err.Error() != `webhook URL "http://example.com/h": http is only allowed for loopback hosts, use https` {
		t.Errorf("message = %v", err)
	}
}

func TestNotificationType(t *testing.T) {
	tests := map[string]string{
		"usage":            "USAGE_THRESHOLD",
		"USAGE":            "USAGE_THRESHOLD",
		"usage_threshold":  "USAGE_THRESHOLD",
		"USAGE_THRESHOLD":  "USAGE_THRESHOLD",
		"usage-threshold":  "USAGE_THRESHOLD",
		" Usage_Threshold": "USAGE_THRESHOLD",
		"end":              "SUBSCRIPTION_END",
		"End":              "SUBSCRIPTION_END",
		"SUBSCRIPTION_END": "SUBSCRIPTION_END",
		"subscription_end": "SUBSCRIPTION_END",
		"SUBSCRITPION_END": "SUBSCRIPTION_END", // the documents' misspelling
		"subscritpion-end": "SUBSCRIPTION_END",
	}
	for in, want := range tests {
		got, err := NotificationType(in)
		if err != nil || got != want {
			t.Errorf("NotificationType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "usage threshold", "expiry", "SUBSCRIPTION", "USAGE_THRESHOLDS"} {
		got, err := NotificationType(bad)
		if got != "" {
			t.Errorf("NotificationType(%q) = %q", bad, got)
		}
		checkKind(t, err, ErrFormat)
	}
	if got := NotificationTypes(); strings.Join(got, ",") != "USAGE_THRESHOLD,SUBSCRIPTION_END" {
		t.Errorf("NotificationTypes() = %v", got)
	}
}

func TestDeviceType(t *testing.T) {
	for in, want := range map[string]string{"ios": "ios", "iOS": "ios", "IOS": "ios", "android": "android", "Android": "android", " iot ": "iot", "IoT": "iot"} {
		got, err := DeviceType(in)
		if err != nil || got != want {
			t.Errorf("DeviceType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "iphone", "ipados", "apple", "android phone", "watch"} {
		got, err := DeviceType(bad)
		if got != "" {
			t.Errorf("DeviceType(%q) = %q", bad, got)
		}
		checkKind(t, err, ErrFormat)
	}
	if _, err := DeviceType("iphone"); err == nil || err.Error() != `device type "iphone": expected ios, android or iot` {
		t.Errorf("message = %v", err)
	}
}

func TestUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"b27ec0e7-ad36-45ab-8e2f-c291441a2355":          true,
		"B27EC0E7-AD36-45AB-8E2F-C291441A2355":          true,
		"b27ec0e7ad3645ab8e2fc291441a2355":              false,
		"{b27ec0e7-ad36-45ab-8e2f-c291441a2355}":        false,
		"urn:uuid:b27ec0e7-ad36-45ab-8e2f-c291441a2355": false,
		"b27ec0e7-ad36-45ab-8e2f-c291441a235":           false,
		"":                                              false,
	} {
		if got := UUID(s); got != want {
			t.Errorf("UUID(%q) = %v, want %v", s, got, want)
		}
	}
}
