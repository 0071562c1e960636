package lpa

import "testing"

func BenchmarkParse(b *testing.B) {
	for _, tc := range []struct{ name, in string }{
		{"canonical", "LPA:1$rsp.truphone.com$O-17QF0-MJVBIN"},
		{"percent-artefact", "LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1"},
		{"bare", "1$rsp.truphone.com$6C-DA326D-K86D"},
	} {
		in := tc.in
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
