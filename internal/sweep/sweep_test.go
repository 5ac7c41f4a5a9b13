package sweep

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestMapKeepsArmOrder: outcomes come back in the order of the arms even
// when later arms finish first.
func TestMapKeepsArmOrder(t *testing.T) {
	arms := []int{5, 4, 3, 2, 1, 0}
	got, err := Map(arms, func(a int) (string, error) {
		time.Sleep(time.Duration(a) * time.Millisecond) // the first arms finish last
		return fmt.Sprint("arm ", a), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"arm 5", "arm 4", "arm 3", "arm 2", "arm 1", "arm 0"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestMapReportsEveryError: every failing arm's error is returned, in arm
// order, and no outcomes.
func TestMapReportsEveryError(t *testing.T) {
	errOdd := errors.New("odd arm")
	got, err := Map([]int{1, 2, 3}, func(a int) (int, error) {
		if a%2 == 1 {
			return 0, fmt.Errorf("arm %d: %w", a, errOdd)
		}
		return a, nil
	})
	if got != nil || !errors.Is(err, errOdd) || err.Error() != "arm 1: odd arm\narm 3: odd arm" {
		t.Errorf("got %v, %v; want nil and both errors in order", got, err)
	}
}
