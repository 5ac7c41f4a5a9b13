package eventq

import (
	"math/rand/v2"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestQueueMatchesSortedModel drives the queue and a sorted slice with the
// same random pushes and pops (including PopUntil limits that stop early) and
// requires identical results.
func TestQueueMatchesSortedModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q Queue
		var model []Entry
		var seq uint64
		lastAt := int64(0)
		ops := rapid.IntRange(1, 400).Draw(t, "ops")
		for range ops {
			switch rapid.IntRange(0, 2).Draw(t, "op") {
			case 0, 1: // push at or after the last popped time, sometimes below the bucket bound
				at := max(0, lastAt+rapid.Int64Range(-1000, 1<<rapid.IntRange(0, 62).Draw(t, "scale")).Draw(t, "delta"))
				phase := uint64(rapid.IntRange(0, 7).Draw(t, "phase"))
				seq++
				e := Entry{At: at, Ord: phase<<56 | seq, Ref: seq}
				q.Push(e)
				model = append(model, e)
			case 2:
				limit := lastAt + rapid.Int64Range(0, 1<<40).Draw(t, "limit")
				got, ok := q.PopUntil(limit)
				slices.SortFunc(model, func(a, b Entry) int {
					if a.Less(b) {
						return -1
					}
					if b.Less(a) {
						return 1
					}
					return 0
				})
				wantOK := len(model) > 0 && model[0].At <= limit
				if ok != wantOK {
					t.Fatalf("PopUntil(%d) ok = %v, want %v (model %v)", limit, ok, wantOK, model)
				}
				if ok {
					if got != model[0] {
						t.Fatalf("PopUntil(%d) = %+v, want %+v", limit, got, model[0])
					}
					model = model[1:]
					lastAt = got.At
				}
			}
			if q.Len() != len(model) {
				t.Fatalf("Len = %d, want %d", q.Len(), len(model))
			}
			checkPeek(t, &q, model)
		}
	})
}

// checkPeek holds Peek, with room for 0 to 4 entries, to the smallest
// entries of the model, in order.
func checkPeek(t *rapid.T, q *Queue, model []Entry) {
	sorted := slices.SortedFunc(slices.Values(model), func(a, b Entry) int {
		if a.Less(b) {
			return -1
		}
		if b.Less(a) {
			return 1
		}
		return 0
	})
	var buf [4]Entry
	room := rapid.IntRange(0, len(buf)).Draw(t, "room")
	n := q.Peek(buf[:room])
	if want := min(len(sorted), room); n != want {
		t.Fatalf("Peek(%d) = %d entries, want %d", room, n, want)
	}
	if !slices.Equal(buf[:n], sorted[:n]) {
		t.Fatalf("Peek(%d) = %+v, want %+v", room, buf[:n], sorted[:n])
	}
	if q.Len() != len(model) {
		t.Fatalf("Peek changed Len to %d, want %d", q.Len(), len(model))
	}
}

func TestFilterDropsEntriesAndKeepsOrder(t *testing.T) {
	var q Queue
	for i := range 1000 {
		q.Push(Entry{At: int64((i * 7919) % 1000), Ord: uint64(i), Ref: uint64(i)})
	}
	q.Filter(func(e Entry) bool { return e.Ref%3 != 0 })
	if q.Len() != 666 {
		t.Fatalf("Len after Filter = %d, want 666", q.Len())
	}
	prev := Entry{At: -1}
	for {
		e, ok := q.Pop()
		if !ok {
			break
		}
		if e.Ref%3 == 0 {
			t.Fatalf("filtered entry %d popped", e.Ref)
		}
		if e.Less(prev) {
			t.Fatalf("out of order: %+v after %+v", e, prev)
		}
		prev = e
	}
}

func TestPushBelowLastIsServedFirst(t *testing.T) {
	var q Queue
	q.Push(Entry{At: 10, Ord: 5})
	q.Push(Entry{At: 20})
	q.Pop() // the bound is now (10, 5)
	q.Push(Entry{At: 10, Ord: 3})
	q.Push(Entry{At: 10, Ord: 4})
	q.Push(Entry{At: 10, Ord: 1})
	var got []uint64
	for {
		e, ok := q.Pop()
		if !ok {
			break
		}
		got = append(got, e.Ord)
	}
	if want := []uint64{1, 3, 4, 0}; !slices.Equal(got, want) {
		t.Fatalf("pop order %v, want %v", got, want)
	}
}

// TestRetainedCapacity holds the package comment's memory figure: in the
// hold model (exponential keys, exponential increments) the buckets settle
// at no more than 6 entries of capacity per pending entry.
func TestRetainedCapacity(t *testing.T) {
	for _, n := range []int{1000, 100000} {
		var q Queue
		inc := increments()
		r := rand.New(rand.NewPCG(3, 4))
		seq := uint64(0)
		for range n {
			seq++
			q.Push(Entry{At: int64(r.ExpFloat64() * meanIncrement), Ord: seq})
		}
		for k := range 5 * n {
			e, _ := q.Pop()
			seq++
			q.Push(Entry{At: e.At + inc[k&(len(inc)-1)], Ord: seq})
		}
		held := 0
		for _, b := range q.buckets {
			held += cap(b)
		}
		if per := float64(held) / float64(n); per > 6 {
			t.Errorf("n=%d: %.1f entries of capacity per pending entry, want at most 6", n, per)
		}
	}
}
