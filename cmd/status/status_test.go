package status

import "testing"

func TestMaxRequests(t *testing.T) {
	for _, tc := range []struct{ sims, want int }{
		{0, 2},   // the two first pages of open orders
		{1, 4},   // + one page of SIMs, one of subscriptions
		{40, 43}, // a full page of SIMs
		{50, 54}, // the default: two pages of SIMs
		{1000, 1027},
	} {
		if got := MaxRequests(tc.sims); got != tc.want {
			t.Errorf("MaxRequests(%d) = %d, want %d", tc.sims, got, tc.want)
		}
	}
}
