package cmdutil

import (
	"errors"
	"iter"
	"testing"
)

func seqN(n int, failAt int) iter.Seq2[int, error] {
	return func(yield func(int, error) bool) {
		for i := range n {
			if i == failAt {
				yield(0, errors.New("boom"))
				return
			}
			if !yield(i, nil) {
				return
			}
		}
	}
}

func TestTake(t *testing.T) {
	tests := []struct {
		name            string
		total, failAt   int
		n               int
		wantItems       int
		wantMore, isErr bool
	}{
		{name: "all", total: 50, failAt: -1, n: 0, wantItems: 50},
		{name: "cut", total: 50, failAt: -1, n: 30, wantItems: 30, wantMore: true},
		{name: "exactly the limit: no more", total: 30, failAt: -1, n: 30, wantItems: 30},
		{name: "fewer than the limit", total: 3, failAt: -1, n: 30, wantItems: 3},
		{name: "error before the limit", total: 50, failAt: 10, n: 30, wantItems: 10, isErr: true},
		{name: "error just past the limit does not spoil it", total: 50, failAt: 30, n: 30, wantItems: 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			more := false
			n := 0
			var gotErr error
			for _, err := range Take(seqN(tt.total, tt.failAt), tt.n, &more) {
				if err != nil {
					gotErr = err
					break
				}
				n++
			}
			if n != tt.wantItems || more != tt.wantMore || (gotErr != nil) != tt.isErr {
				t.Errorf("items %d more %v err %v; want %d %v %v", n, more, gotErr, tt.wantItems, tt.wantMore, tt.isErr)
			}
		})
	}
}
