package metrics

// ring is a circular buffer: items are added at either end and dropped from
// the front, the access pattern of a retention window, without moving the
// items that stay. It grows by doubling, up to limit when one is set (a
// rollup tier knows how many buckets its retention can hold), and halves
// when it is less than a quarter full, so a burst does not pin memory.
// After warm-up a steady series never allocates again.
//
// T must hold no pointers: dropped slots are not cleared.
//
// What finding the newest item reads (n, head, buf) comes first, in four
// words, so that a series' tier keeps what its roll-up reads in one cache
// line (see series).
type ring[T any] struct {
	n     int // number of items
	head  int // index in buf of the oldest item
	buf   []T // len(buf) is the capacity
	limit int // largest capacity wanted; 0 means none
}

// minRingCap is the first capacity a ring allocates.
const minRingCap = 4

// len returns the number of items.
func (r *ring[T]) len() int { return r.n }

// at returns a pointer to item i, 0 being the oldest. i must be in [0, len).
func (r *ring[T]) at(i int) *T {
	j := r.head + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return &r.buf[j]
}

// last returns a pointer to the newest item; the ring must not be empty.
func (r *ring[T]) last() *T { return r.at(r.n - 1) }

// push appends x as the newest item.
func (r *ring[T]) push(x T) {
	if r.n == len(r.buf) {
		r.resize(r.grown())
	}
	*r.at(r.n) = x
	r.n++
}

// pushFront adds x as the oldest item.
func (r *ring[T]) pushFront(x T) {
	if r.n == len(r.buf) {
		r.resize(r.grown())
	}
	r.head--
	if r.head < 0 {
		r.head += len(r.buf)
	}
	r.buf[r.head] = x
	r.n++
}

// insert puts x at index i, shifting the newer items up by one. It is the
// rare path of a sample that arrives out of order.
func (r *ring[T]) insert(i int, x T) {
	var zero T
	r.push(zero)
	for j := r.n - 1; j > i; j-- {
		*r.at(j) = *r.at(j - 1)
	}
	*r.at(i) = x
}

// dropFront removes the k oldest items (all of them if k ≥ len).
func (r *ring[T]) dropFront(k int) {
	if k <= 0 {
		return
	}
	if k >= r.n {
		r.head, r.n = 0, 0
	} else {
		r.head += k
		if r.head >= len(r.buf) {
			r.head -= len(r.buf)
		}
		r.n -= k
	}
	if len(r.buf) > minRingCap && r.n < len(r.buf)/4 {
		r.resize(max(len(r.buf)/2, minRingCap))
	}
}

// smallRingLimit is the largest limit a ring grows to in one step: a
// rollup tier of a day by the hour (25 buckets) fills within its first day,
// and one allocation of its final size costs less than doubling to it
// (four allocations and copies, and 7 more buckets than it holds).
const smallRingLimit = 64

// grown is the capacity after the next growth: double, but not past limit
// unless the items need it; a small limit at once.
func (r *ring[T]) grown() int {
	if r.limit > 0 && r.limit <= smallRingLimit {
		return max(r.limit, r.n+1)
	}
	c := max(2*len(r.buf), minRingCap)
	if r.limit > 0 && c > r.limit {
		c = max(r.limit, r.n+1)
	}
	return c
}

// resize moves the items into a new buffer of capacity c ≥ len, oldest at 0.
func (r *ring[T]) resize(c int) {
	buf := make([]T, c)
	if r.n > 0 {
		end := r.head + r.n
		if end <= len(r.buf) {
			copy(buf, r.buf[r.head:end])
		} else {
			k := copy(buf, r.buf[r.head:])
			copy(buf[k:], r.buf[:end-len(r.buf)])
		}
	}
	r.buf, r.head = buf, 0
}
