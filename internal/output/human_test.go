package output

import "testing"

func TestBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1, "1 B"},
		{1023, "1023 B"},
		{1024, "1 KB"},
		{1536, "1.5 KB"},
		{100 << 20, "100 MB"},
		{500 << 20, "500 MB"},
		{1 << 30, "1 GB"},
		{5 << 30, "5 GB"},
		{50 << 30, "50 GB"},
		{1288490189, "1.2 GB"},
		{858993459, "819.2 MB"}, // 80 % of 1 GB
		{(1 << 30) - 1, "1 GB"}, // 1023.99999 MB rounds up a unit
		{(1 << 20) - 10, "1 MB"},
		{1 << 40, "1 TB"},
		{-(2 << 30), "-2 GB"},
	}
	for _, tt := range tests {
		if got := Bytes(tt.n); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestBytesFromDataSize(t *testing.T) {
	tests := []struct {
		value float64
		unit  string
		want  string
	}{
		{1, "GB", "1 GB"},
		{5, "gb", "5 GB"},
		{500, "MB", "500 MB"},
		{1024, "MB", "1 GB"},
		{1.5, "GB", "1.5 GB"},
		{100, "MB", "100 MB"},
		{3, "XB", "3 XB"},
		{2.5, "", "2.5"},
	}
	for _, tt := range tests {
		if got := BytesFromDataSize(tt.value, tt.unit); got != tt.want {
			t.Errorf("BytesFromDataSize(%v, %q) = %q, want %q", tt.value, tt.unit, got, tt.want)
		}
	}
	// A plan and its balance read alike.
	if a, b := BytesFromDataSize(1, "GB"), Bytes(1073741824); a != b {
		t.Errorf("plan %q and balance %q differ", a, b)
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 rows"}, {1, "1 row"}, {2, "2 rows"}, {1000, "1000 rows"}} {
		if got := Plural(tt.n, "row"); got != tt.want {
			t.Errorf("Plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
