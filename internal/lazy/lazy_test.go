package lazy

import (
	"sync"
	"testing"
)

func TestValueBuildsOnceUnderConcurrentUse(t *testing.T) {
	calls := 0
	v := Value[[]int]{New: func() []int { calls++; return []int{1, 2, 3} }}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := v.Get(); len(got) != 3 {
				t.Errorf("Get() = %v", got)
			}
		}()
	}
	wg.Wait()
	if calls != 1 {
		t.Fatalf("New called %d times, want 1", calls)
	}
}

var pkgLevel = Value[map[string]int]{New: func() map[string]int { return map[string]int{"a": 1} }}

func TestPackageLevelValue(t *testing.T) {
	if pkgLevel.Get()["a"] != 1 {
		t.Fatal("package-level Value not built")
	}
}
