package sim

import "iter"

// roster is a list kept in the order its members joined, from which a
// member leaves in O(1) amortised time: it leaves a hole (nil), and the
// list is compacted, in order, once the holes outnumber the members. Each
// member remembers its position (the pos pointer given to add), so that
// leaving needs no search. Order matters: the world iterates an instance's
// tasks and a group's instances in it, and the trace hash depends on it.
//
// It replaces slices searched and shifted on every removal, which made
// deregistering N instances or stopping N tasks of one instance O(N²).
type roster[T any] struct {
	items []*T
	live  int
}

// add appends x and records its position in *pos.
func (r *roster[T]) add(x *T, pos *int) {
	*pos = len(r.items)
	r.items = append(r.items, x)
	r.live++
}

// remove takes out the member at *pos (pos(x) returns a member's position
// field, for the compaction to renumber) and sets *pos to -1. A position
// already -1 is not a member: nothing happens.
func (r *roster[T]) remove(at *int, pos func(*T) *int) {
	i := *at
	if i < 0 || i >= len(r.items) || r.items[i] == nil {
		return
	}
	r.items[i] = nil
	*at = -1
	r.live--
	if holes := len(r.items) - r.live; holes > 32 && holes > r.live {
		k := 0
		for _, x := range r.items {
			if x != nil {
				*pos(x) = k
				r.items[k] = x
				k++
			}
		}
		clear(r.items[k:])
		r.items = r.items[:k]
	}
}

// len returns the number of members.
func (r *roster[T]) len() int { return r.live }

// members returns a copy of the members, in order.
func (r *roster[T]) members() []*T {
	out := make([]*T, 0, r.live)
	for _, x := range r.items {
		if x != nil {
			out = append(out, x)
		}
	}
	return out
}

// all yields every member, in order. The loop must not add or remove
// members.
func (r *roster[T]) all() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for _, x := range r.items {
			if x != nil && !yield(x) {
				return
			}
		}
	}
}

// reset empties the roster; the caller forgets the members' positions.
func (r *roster[T]) reset() {
	clear(r.items)
	r.items = r.items[:0]
	r.live = 0
}
