package sweep

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// ErrOptions marks invalid Options, shards and sharding environments.
var ErrOptions = errors.New("sweep: invalid options")

// Options tune a parallel run. The zero value is ready to use.
type Options struct {
	// Workers is the most runs at once (goroutines of the pool); zero
	// means runtime.GOMAXPROCS(0). A simulation keeps one core busy, so
	// more workers than cores only adds memory.
	Workers int
	// Done, if set, is called after each run ends (failed or not) with
	// the number of runs ended so far and the total, one call at a time,
	// in the order the runs end: what a progress line needs. It must not
	// block for long: a worker waits for it.
	Done func(done, total int)
}

// validate reports a negative worker count.
func (o Options) validate() error {
	if o.Workers < 0 {
		return fielderr.New(ErrOptions, "Options.Workers", o.Workers, "must be 0 (GOMAXPROCS) or positive")
	}
	return nil
}

// Map runs run on every item with the default Options and returns the
// outcomes in the order of items, or the errors of the items that failed,
// joined in that order.
func Map[I, O any](items []I, run func(I) (O, error)) ([]O, error) {
	return MapContext(context.Background(), items, func(_ context.Context, it I) (O, error) { return run(it) }, Options{})
}

// MapContext runs run on every item, at most opt.Workers at once, and
// returns the outcomes in the order of items. If any run fails it returns
// no outcomes and every failure joined in item order. Once ctx is done no
// further run starts (the runs under way get ctx to stop by), and the
// error says how many runs never started, wrapping ctx.Err().
func MapContext[I, O any](ctx context.Context, items []I, run func(context.Context, I) (O, error), opt Options) ([]O, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	n := len(items)
	out := make([]O, n)
	errs := make([]error, n)
	workers := opt.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)

	var (
		next    atomic.Int64 // the next item to start
		skipped atomic.Int64 // items not started because ctx was done
		mu      sync.Mutex   // serialises Done
		done    int
		wg      sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if ctx.Err() != nil {
					skipped.Add(1)
					continue
				}
				out[i], errs[i] = run(ctx, items[i])
				if opt.Done != nil {
					mu.Lock()
					done++
					opt.Done(done, n)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if k := skipped.Load(); k > 0 {
		errs = append(errs, fmt.Errorf("sweep: %d of %d runs not started: %w", k, n, ctx.Err()))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
