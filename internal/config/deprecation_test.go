package config

import "testing"

func TestDeprecationWarning(t *testing.T) {
	for _, tc := range []struct {
		url  string
		warn bool
	}{
		{"https://services.truphone.com/esim", true},
		{"https://services.truphone.com/esim/", true},
		{"https://SERVICES.truphone.com/ESIM", true},
		{"https://services.truphone.com/Esim/v1", true},
		{"https://services.truphone.com/esimulator", false},
		{"https://services.truphone.com/connect-api", false},
		{"http://127.0.0.1:7787/esim", false},
		{"", false},
	} {
		if got := DeprecationWarning(tc.url) != ""; got != tc.warn {
			t.Errorf("DeprecationWarning(%q) warns = %v, want %v", tc.url, got, tc.warn)
		}
	}
}
