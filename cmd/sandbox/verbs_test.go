package sandbox

import (
	"testing"
	"time"

	"github.com/connectctl/connectctl/cmd/cmdutil"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1", 1, true},
		{"4400000000", 4400000000, true},
		{"900MB", 900 << 20, true},
		{"1.5GB", 3 << 29, true},
		{"2 gib", 2 << 30, true},
		{"10kb", 10240, true},
		{"1TB", 1 << 40, true},
		{"0", 0, false},
		{"0.1", 0, false},
		{"-5", 0, false},
		{"5XB", 0, false},
		{"", 0, false},
		{"lots", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFaultAddValidate(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		delay time.Duration
		want  Fault // after defaults; zero Count means "refused"
	}{
		{"default is a 500", Fault{Count: 1}, 0, Fault{Status: 500, Count: 1}},
		{"method upper-cased", Fault{Method: "post", Path: "/v1/order", Status: 503, Count: 2, After: true}, 0,
			Fault{Method: "POST", Path: "/v1/order", Status: 503, Count: 2, After: true}},
		{"bare implies 429", Fault{Bare: true, Count: 1}, 0, Fault{Bare: true, Status: 429, Count: 1}},
		{"delay alone has no status", Fault{Count: 1}, 2 * time.Second, Fault{Count: 1, Delay: "2s"}},
		{"drop has no status", Fault{Drop: true, Count: 1}, 0, Fault{Drop: true, Count: 1}},
		{"drop and status", Fault{Drop: true, Status: 500, Count: 1}, 0, Fault{}},
		{"drop and bare", Fault{Drop: true, Bare: true, Count: 1}, 0, Fault{}},
		{"bare not 429", Fault{Bare: true, Status: 503, Count: 1}, 0, Fault{}},
		{"status 200", Fault{Status: 200, Count: 1}, 0, Fault{}},
		{"count 0", Fault{Count: 0}, 0, Fault{}},
		{"relative path", Fault{Path: "v1/order", Count: 1}, 0, Fault{}},
		{"admin path", Fault{Path: "/_sandbox/usage", Count: 1}, 0, Fault{}},
		{"odd method", Fault{Method: "GE T", Count: 1}, 0, Fault{}},
		{"delay too long", Fault{Count: 1}, 11 * time.Minute, Fault{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &FaultAddOptions{Fault: tt.fault, delay: tt.delay}
			err := o.validate(tt.delay != 0)
			if tt.want.Count == 0 {
				if cmdutil.ExitCodeFor(err) != cmdutil.ExitUsage {
					t.Fatalf("err %v, want a usage error", err)
				}
				return
			}
			if err != nil || o.Fault != tt.want {
				t.Fatalf("got %+v, %v; want %+v", o.Fault, err, tt.want)
			}
		})
	}
}
