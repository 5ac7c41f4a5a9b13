package progress_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ecssim/ecssim/progress"
	"github.com/ecssim/ecssim/sweep"
)

// A sweep's progress line, on what the (fake) terminal check calls a
// terminal; off one, nothing is written. Each redraw starts with a
// carriage return, shown here as a new line, and ends in spaces enough
// to blank the longer line before it.
func ExampleNewSweep() {
	var screen bytes.Buffer
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := progress.NewSweep(4, progress.Options{
		Out:        &screen,
		IsTerminal: func(io.Writer) bool { return true },
		Now:        func() time.Time { wall = wall.Add(3 * time.Second); return wall },
	})
	sweep.MapContext(context.Background(), []int{1, 2, 3, 4}, func(context.Context, int) (int, error) { return 0, nil },
		sweep.Options{Workers: 1, Done: p.Done})
	p.Finish()
	for _, line := range strings.Split(screen.String(), "\r")[1:] {
		fmt.Println(strings.TrimSpace(line)) // the padding that blanks a longer line
	}
	// Output:
	// runs 1 of 4 done (25 %), 3s, ETA 9s
	// runs 2 of 4 done (50 %), 6s, ETA 6s
	// runs 3 of 4 done (75 %), 9s, ETA 3s
	// runs 4 of 4 done (100 %), 12s
	// runs 4 of 4 done (100 %), 15s
}
