package testenv

import "testing"

func TestParseInitTrace(t *testing.T) {
	in := "init runtime @0.23 ms, 0.26 ms clock, 0 bytes, 0 allocs\n" +
		"connectctl dev\n" +
		"init github.com/itchyny/gojq @14 ms, 1.0 ms clock, 219352 bytes, 2278 allocs\n"
	got := ParseInitTrace(in)
	want := []InitRecord{{"runtime", 0.26, 0, 0}, {"github.com/itchyny/gojq", 1.0, 219352, 2278}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
