package sweep

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
)

// goroutinePerItem is the map this package replaced (internal/sweep at
// commit 6aac1ab): one goroutine per item, a semaphore of GOMAXPROCS.
// The baseline of BenchmarkMap.
func goroutinePerItem[A, O any](arms []A, run func(A) (O, error)) ([]O, error) {
	out := make([]O, len(arms))
	errs := make([]error, len(arms))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, arm := range arms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = run(arm)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// work is a run of about 20 µs of arithmetic, far shorter than any
// simulation, so the map's own cost shows.
func work(n int) (float64, error) {
	x := float64(n)
	for range 20_000 {
		x = x*1.0000001 + 1e-9
	}
	return x, nil
}

var items = make([]int, 2000)

func BenchmarkMap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MapContext(context.Background(), items, func(_ context.Context, n int) (float64, error) { return work(n) }, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMapGoroutinePerItem(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := goroutinePerItem(items, work); err != nil {
			b.Fatal(err)
		}
	}
}
