// Package eventq is the simulator's pending-event queue: a radix heap of
// value entries keyed by (virtual time, order word).
//
// A discrete-event simulation pops events in non-decreasing key order, so the
// keys are monotone: nothing is ever pushed below the last key popped. A radix
// heap exploits that. Entries live in buckets indexed by the position of the
// highest bit in which their key differs from the last popped key; popping
// takes the first non-empty bucket, finds its minimum, makes that the new
// reference key and redistributes the bucket's entries into lower buckets.
// Each entry moves at most 128 times over its life and in practice a handful,
// so a hold (pop the minimum, push a later key) costs close to O(1) and, unlike
// a binary heap of pointers, touches memory sequentially.
//
// The key is 128 bits: At (int64 nanoseconds, never negative) and Ord (the
// engine packs phase and sequence number into it), compared
// lexicographically. Keys must be unique for the pop order to be a total
// order; the engine guarantees that with its sequence number.
//
// A key below the last popped one is still accepted: it goes to a small
// sorted front list that is served before the buckets. The engine needs that
// only in a corner (a cancelled entry popped past the current event raises
// the bound), so the front list is almost always empty and costs one branch.
//
// Measured against container/heap and a 4-ary value heap in
// BenchmarkHold (see BENCHMARKS.md at the module root): 10× faster than
// container/heap at 1e6 pending events. The price is memory: each bucket
// keeps the largest capacity it ever needed, which in the hold model settles
// at 4 to 5 entries (24 bytes each) per pending event (3.9 at 1e6, 5.0 at
// 1e3; TestRetainedCapacity holds it under 6), against one for a binary
// heap.
package eventq

import "math/bits"

// Entry is one pending event as the queue stores it: its key and an opaque
// reference to the caller's payload. Entry holds no pointers, so a queue of
// millions of entries costs the garbage collector nothing.
type Entry struct {
	At  int64  // virtual time in nanoseconds; never negative
	Ord uint64 // tie-breaker within one instant (the engine's phase and seq)
	Ref uint64 // the caller's reference to the payload
}

// Less reports whether e's key orders before f's.
func (e Entry) Less(f Entry) bool {
	return e.At < f.At || (e.At == f.At && e.Ord < f.Ord)
}

const numBuckets = 129 // bucket 0: equal keys; 1..64: Ord differs; 65..128: At differs

// Queue is a monotone radix heap. The zero value is an empty queue whose
// lower bound is the key (0, 0).
type Queue struct {
	last    Entry   // key of the last popped bucket entry: every bucketed key is >= it
	front   []Entry // keys pushed below last, sorted in decreasing order
	n       int
	nonzero [3]uint64 // bit b set when buckets[b] is non-empty
	buckets [numBuckets][]Entry
}

// Len returns the number of pending entries.
func (q *Queue) Len() int { return q.n }

// bucketOf returns the bucket for e relative to the last popped key.
func (q *Queue) bucketOf(e Entry) int {
	if x := uint64(e.At ^ q.last.At); x != 0 {
		return 64 + bits.Len64(x)
	}
	return bits.Len64(e.Ord ^ q.last.Ord)
}

// Push adds e.
func (q *Queue) Push(e Entry) {
	if e.Less(q.last) {
		q.pushFront(e)
		return
	}
	b := q.bucketOf(e)
	q.buckets[b] = append(q.buckets[b], e)
	q.nonzero[b>>6] |= 1 << (b & 63)
	q.n++
}

// pushFront inserts e, which orders below every bucketed entry, into the
// front list.
func (q *Queue) pushFront(e Entry) {
	i := len(q.front)
	q.front = append(q.front, e)
	for i > 0 && q.front[i-1].Less(e) {
		q.front[i] = q.front[i-1]
		i--
	}
	q.front[i] = e
	q.n++
}

// firstBucket returns the lowest non-empty bucket; the queue must not be empty.
func (q *Queue) firstBucket() int {
	for w, m := range q.nonzero {
		if m != 0 {
			return w<<6 | bits.TrailingZeros64(m)
		}
	}
	panic("eventq: firstBucket on an empty queue")
}

// PopUntil removes and returns the minimum entry if its time is at most
// limit. Otherwise it leaves the queue unchanged (the lower bound does not
// move, so keys between the bound and limit may still be pushed) and returns
// false.
func (q *Queue) PopUntil(limit int64) (Entry, bool) {
	if q.n == 0 {
		return Entry{}, false
	}
	if n := len(q.front); n > 0 {
		e := q.front[n-1]
		if e.At > limit {
			return Entry{}, false
		}
		q.front = q.front[:n-1]
		q.n--
		return e, true
	}
	b := q.firstBucket()
	bk := q.buckets[b]
	if b != 0 {
		mi := 0
		for i := 1; i < len(bk); i++ {
			if bk[i].Less(bk[mi]) {
				mi = i
			}
		}
		if bk[mi].At > limit {
			return Entry{}, false
		}
		// The minimum becomes the new reference; every other entry of the
		// bucket shares more leading bits with it than with the old reference,
		// so it lands in a lower bucket.
		q.last = bk[mi]
		q.buckets[b] = bk[:0]
		q.nonzero[b>>6] &^= 1 << (b & 63)
		for _, e := range bk {
			nb := q.bucketOf(e)
			q.buckets[nb] = append(q.buckets[nb], e)
			q.nonzero[nb>>6] |= 1 << (nb & 63)
		}
		bk = q.buckets[0]
	} else if bk[len(bk)-1].At > limit {
		return Entry{}, false
	}
	e := bk[len(bk)-1]
	q.buckets[0] = bk[:len(bk)-1]
	if len(bk) == 1 {
		q.nonzero[0] &^= 1
	}
	q.n--
	return e, true
}

// Peek fills dst with the smallest entries, in order, without removing
// them, and returns how many it filled: len(dst), or Len when that is
// less. It changes nothing. It reads the front list, then the buckets from
// the first non-empty one on until dst is full: a bucket's keys all order
// below the next bucket's, since they agree with the last popped key on
// more leading bits and every bucketed key is at least that key. The
// engine peeks a few events ahead (see sim's lookAhead), which reads the
// first bucket or two, as the next PopUntil will.
func (q *Queue) Peek(dst []Entry) int {
	n := 0
	for i := len(q.front) - 1; i >= 0 && n < len(dst); i-- {
		dst[n] = q.front[i]
		n++
	}
	for w := 0; w < len(q.nonzero) && n < len(dst); w++ {
		for m := q.nonzero[w]; m != 0 && n < len(dst); m &= m - 1 {
			n = smallestInto(dst, n, q.buckets[w<<6|bits.TrailingZeros64(m)])
		}
	}
	return n
}

// smallestInto puts the smallest entries of bk, in order, in dst[n:],
// as many as fit, and returns the new count of dst's entries.
func smallestInto(dst []Entry, n int, bk []Entry) int {
	k := n // dst[n:k] holds bk's smallest so far, in order
	for _, e := range bk {
		if k == len(dst) {
			if !e.Less(dst[k-1]) {
				continue
			}
			k-- // e takes the largest one's place
		}
		i := k
		for i > n && e.Less(dst[i-1]) {
			dst[i] = dst[i-1]
			i--
		}
		dst[i] = e
		k++
	}
	return k
}

// Pop removes and returns the minimum entry, or false if the queue is empty.
func (q *Queue) Pop() (Entry, bool) { return q.PopUntil(1<<63 - 1) }

// Filter keeps only the entries for which keep returns true, in O(n). The
// engine uses it to drop cancelled entries once they outnumber live ones.
func (q *Queue) Filter(keep func(Entry) bool) {
	kept := q.front[:0]
	for _, e := range q.front {
		if keep(e) {
			kept = append(kept, e)
		}
	}
	q.n -= len(q.front) - len(kept)
	q.front = kept
	for b := range q.buckets {
		bk := q.buckets[b]
		kept := bk[:0]
		for _, e := range bk {
			if keep(e) {
				kept = append(kept, e)
			}
		}
		clear(bk[len(kept):])
		q.n -= len(bk) - len(kept)
		q.buckets[b] = kept
		if len(kept) == 0 {
			q.nonzero[b>>6] &^= 1 << (b & 63)
		}
	}
}
