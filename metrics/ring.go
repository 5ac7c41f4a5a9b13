package metrics

// queue is a time-ordered slice that drops from the front and appends at the
// back, the access pattern of a retention window. Dropped items are skipped
// by advancing head; the live items are copied down once head passes half the
// slice, so each item is copied at most once on average and the backing array
// stays below twice the live size.
type queue[T any] struct {
	items []T
	head  int
}

// live returns the items in the window, oldest first. The slice aliases the
// queue and is valid until the next mutation.
func (q *queue[T]) live() []T { return q.items[q.head:] }

// len returns the number of items in the window.
func (q *queue[T]) len() int { return len(q.items) - q.head }

// last returns a pointer to the newest item; the queue must not be empty.
func (q *queue[T]) last() *T { return &q.items[len(q.items)-1] }

// push appends x as the newest item.
func (q *queue[T]) push(x T) { q.items = append(q.items, x) }

// insert puts x at live index i, shifting the newer items up. It is the rare
// path for a sample that arrives out of order.
func (q *queue[T]) insert(i int, x T) {
	i += q.head
	var zero T
	q.items = append(q.items, zero)
	copy(q.items[i+1:], q.items[i:])
	q.items[i] = x
}

// dropFront removes the n oldest items.
func (q *queue[T]) dropFront(n int) {
	if n <= 0 {
		return
	}
	var zero T
	for i := q.head; i < q.head+n; i++ {
		q.items[i] = zero // let the garbage collector see dropped items as gone
	}
	q.head += n
	if q.head == len(q.items) {
		q.items = q.items[:0]
		q.head = 0
		return
	}
	if q.head >= 32 && q.head*2 >= len(q.items) {
		n := copy(q.items, q.items[q.head:])
		q.items = q.items[:n]
		q.head = 0
	}
}
