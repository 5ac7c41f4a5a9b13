package sweep

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestMapKeepsItemOrder: outcomes come back in the order of the items
// even when later items finish first.
func TestMapKeepsItemOrder(t *testing.T) {
	items := []int{5, 4, 3, 2, 1, 0}
	got, err := MapContext(context.Background(), items, func(_ context.Context, a int) (string, error) {
		time.Sleep(time.Duration(a) * time.Millisecond) // the first items finish last
		return fmt.Sprint("item ", a), nil
	}, Options{Workers: len(items)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"item 5", "item 4", "item 3", "item 2", "item 1", "item 0"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestMapReportsEveryError: every failing item's error is returned, in
// item order, and no outcomes.
func TestMapReportsEveryError(t *testing.T) {
	errOdd := errors.New("odd item")
	got, err := Map([]int{1, 2, 3}, func(a int) (int, error) {
		if a%2 == 1 {
			return 0, fmt.Errorf("item %d: %w", a, errOdd)
		}
		return a, nil
	})
	if got != nil || !errors.Is(err, errOdd) || err.Error() != "item 1: odd item\nitem 3: odd item" {
		t.Errorf("got %v, %v; want nil and both errors in order", got, err)
	}
}

// TestMapBoundsThePool: never more runs at once than Workers, and no
// more than GOMAXPROCS by default; every item runs exactly once.
func TestMapBoundsThePool(t *testing.T) {
	for _, workers := range []int{0, 1, 3} {
		limit := workers
		if limit == 0 {
			limit = runtime.GOMAXPROCS(0)
		}
		var running, most, runs atomic.Int64
		items := make([]int, 40)
		_, err := MapContext(context.Background(), items, func(context.Context, int) (int, error) {
			now := running.Add(1)
			for {
				m := most.Load()
				if now <= m || most.CompareAndSwap(m, now) {
					break
				}
			}
			runs.Add(1)
			time.Sleep(200 * time.Microsecond)
			running.Add(-1)
			return 0, nil
		}, Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if most.Load() > int64(limit) || most.Load() < 1 || runs.Load() != int64(len(items)) {
			t.Errorf("Workers %d: at most %d at once (limit %d), %d runs of %d", workers, most.Load(), limit, runs.Load(), len(items))
		}
	}
}

// TestMapStopsOnCancel: once the context is done no run starts, and the
// error says how many did not, wrapping context.Canceled.
func TestMapStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ran atomic.Int64
	items := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	got, err := MapContext(ctx, items, func(_ context.Context, i int) (int, error) {
		ran.Add(1)
		if i == 2 {
			cancel()
		}
		return i, nil
	}, Options{Workers: 1})
	if got != nil || !errors.Is(err, context.Canceled) || ran.Load() != 3 {
		t.Fatalf("got %v, %v after %d runs; want nil, context.Canceled after 3", got, err, ran.Load())
	}
	if want := "sweep: 7 of 10 runs not started: context canceled"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// TestMapCallsDoneOncePerRun: Done counts 1, 2, ... total, one call at a
// time.
func TestMapCallsDoneOncePerRun(t *testing.T) {
	var seen []int
	items := make([]int, 25)
	_, err := MapContext(context.Background(), items, func(context.Context, int) (int, error) { return 0, nil },
		Options{Workers: 4, Done: func(done, total int) {
			if total != len(items) {
				t.Errorf("total %d, want %d", total, len(items))
			}
			seen = append(seen, done) // serialised by Map; the race detector checks it
		}})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range seen {
		if d != i+1 {
			t.Fatalf("Done saw %v, want 1 to %d in order", seen, len(items))
		}
	}
	if len(seen) != len(items) {
		t.Errorf("Done called %d times, want %d", len(seen), len(items))
	}
}

func TestMapRejectsNegativeWorkers(t *testing.T) {
	_, err := MapContext(context.Background(), []int{1}, func(context.Context, int) (int, error) { return 0, nil }, Options{Workers: -2})
	if !errors.Is(err, ErrOptions) || err.Error() != "sweep: invalid options: Options.Workers -2: must be 0 (GOMAXPROCS) or positive" {
		t.Errorf("got %v", err)
	}
}

func TestMapOfNothing(t *testing.T) {
	got, err := Map([]int(nil), func(int) (int, error) { t.Fatal("ran"); return 0, nil })
	if err != nil || len(got) != 0 {
		t.Errorf("got %v, %v", got, err)
	}
}
