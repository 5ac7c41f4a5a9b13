package metrics

import (
	"fmt"
	"testing"
	"time"
)

// TestGroupGrowsOnce holds a queue of rows at a steady spacing to what
// growing groupRows rows at a time settled at: the smallest capacity (a
// multiple of groupRows, at most maxGroupRows) at which a full queue's
// oldest groupRows rows are all out of the raw retention measured back
// from its newest row, so that it frees them rather than grow. The
// capacity is found here by trying each one against the rows' timestamps,
// not by grownSize's arithmetic, and the queue must reach it in one
// growth, then hold it.
func TestGroupGrowsOnce(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, keep := range []time.Duration{DefaultRawRetention, CloudWatchRawRetention, 10 * time.Minute, 24 * time.Hour} {
		for _, spacing := range []time.Duration{10 * time.Second, time.Minute, 90 * time.Second, 5 * time.Minute, 2 * time.Hour} {
			t.Run(fmt.Sprintf("keep=%v,spacing=%v", keep, spacing), func(t *testing.T) {
				s, err := NewStore(Config{RawRetention: keep})
				if err != nil {
					t.Fatal(err)
				}
				g, err := s.Group(GroupMetric{Metric: Metric{Namespace: "N", Name: "a"}}, GroupMetric{Metric: Metric{Namespace: "N", Name: "b"}})
				if err != nil {
					t.Fatal(err)
				}
				// The capacity growing a block at a time settles at: with
				// row k at k spacings, a full queue of c rows frees rows
				// 0..groupRows-1 once row groupRows-1 is older than row
				// c-1 less keep.
				want := maxGroupRows
				for c := groupRows; c < maxGroupRows; c += groupRows {
					oldest, newest := t0.Add(time.Duration(groupRows-1)*spacing), t0.Add(time.Duration(c-1)*spacing)
					if oldest.Before(newest.Add(-keep)) {
						want = c
						break
					}
				}
				grows, size := 0, g.size
				for k := range 4 * maxGroupRows {
					if err := g.PutRow(t0.Add(time.Duration(k)*spacing), 3, []float64{float64(k), 1}); err != nil {
						t.Fatal(err)
					}
					if g.size != size {
						grows, size = grows+1, g.size
					}
				}
				if g.size != want {
					t.Errorf("queue of %d rows, want %d", g.size, want)
				}
				if want > groupRows && grows != 1 {
					t.Errorf("queue grew %d times to %d rows, want once", grows, g.size)
				}
			})
		}
	}
}
