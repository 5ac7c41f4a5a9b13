package autoscale

import (
	"math"
	"strconv"
	"time"
)

// ring keeps the most recent activities, at most limit of them (every
// one when limit is 0).
//
// A long run keeps a full history per scaled service, so the history is
// laid out for the collector: an Activity holds a time.Time and five
// strings, six pointers to scan and up to five objects to keep. The ring
// instead copies the texts back to back into one byte buffer and keeps per
// activity a histEntry without pointers: its Time as an offset from the
// first activity's, and where its texts end. The Description and
// StatusMessage every Controller activity has ("Setting desired count to
// 8.", "Successfully set ...") are not stored: items writes them again
// from To. The ring drops all but the last limit entries when it holds
// room(limit) = limit + limit/4 (at least limit + 1), so a push costs
// amortised O(1) (a copy of limit entries every limit/4 pushes) and no
// allocation once the buffers have grown, and the ring keeps at most a
// quarter more than limit.
//
// An activity whose Time does not come back equal from the offset (a
// Location other than the first activity's, a monotonic clock reading, an
// offset past ±292 years) switches the ring to keeping Activity values as
// they are (plain), for the rest of its life.
type ring struct {
	limit   int
	base    time.Time
	entries []histEntry
	text    []byte
	plain   []Activity // non-nil once the ring keeps Activity values
}

// histEntry is an Activity without pointers: texts[0..4] are Policy,
// ScheduledAction, Cause, Description and StatusMessage, each ending at
// start+end[i] in ring.text (starting where the one before ends).
type histEntry struct {
	at       time.Duration // Time - ring.base
	from, to int
	start    int
	end      [5]int32
	standard bool // Description and StatusMessage are the standard texts for To, not stored
}

// preallocHistory is the largest limit for which a history takes its
// whole room at its first entry: a history this short fills within a day
// or two of a scaling service, and one allocation of its final size costs
// less than doubling to it (DefaultHistoryLimit's takes a week: it
// doubles, so a short run does not pay for it).
const preallocHistory = 32

// The standard texts of an activity that set the desired count to N.
const (
	descriptionHead = "Setting desired count to "
	descriptionTail = "."
	statusHead      = "Successfully set desired count to "
	statusTail      = ". Change successfully fulfilled by ecs."
)

// isStandard reports whether s is head + to in decimal + tail, without
// allocating.
func isStandard(s, head string, to int, tail string) bool {
	if len(s) < len(head)+len(tail) || s[:len(head)] != head || s[len(s)-len(tail):] != tail {
		return false
	}
	var buf [20]byte
	return string(strconv.AppendInt(buf[:0], int64(to), 10)) == s[len(head):len(s)-len(tail)]
}

func (r *ring) push(a Activity) {
	if r.plain == nil {
		if len(r.entries) == 0 {
			r.base = a.Time
		}
		at := a.Time.Sub(r.base)
		if r.base.Add(at) == a.Time {
			r.pushEntry(a, at)
			return
		}
		r.plain = r.items()
		r.entries, r.text = nil, nil
	}
	r.plain = append(r.plain, a)
	if r.limit > 0 && len(r.plain) >= room(r.limit) {
		k := copy(r.plain, r.plain[len(r.plain)-r.limit:])
		clear(r.plain[k:]) // let the dropped texts be collected
		r.plain = r.plain[:k]
	}
}

// pushEntry appends a as a histEntry at offset at.
func (r *ring) pushEntry(a Activity, at time.Duration) {
	if r.entries == nil && r.limit > 0 && r.limit <= preallocHistory {
		r.entries = make([]histEntry, 0, room(r.limit))
	}
	e := histEntry{at: at, from: a.From, to: a.To, start: len(r.text),
		standard: isStandard(a.Description, descriptionHead, a.To, descriptionTail) &&
			isStandard(a.StatusMessage, statusHead, a.To, statusTail)}
	texts := [5]string{a.Policy, a.ScheduledAction, a.Cause, a.Description, a.StatusMessage}
	n := len(texts)
	if e.standard {
		n = 3
	}
	for i := range texts {
		if i < n {
			r.text = append(r.text, texts[i]...)
		}
		e.end[i] = int32(len(r.text) - e.start)
	}
	r.entries = append(r.entries, e)
	if r.limit > 0 && len(r.entries) >= room(r.limit) {
		k := len(r.entries) - r.limit
		cut := r.entries[k].start
		r.text = r.text[:copy(r.text, r.text[cut:])]
		r.entries = r.entries[:copy(r.entries, r.entries[k:])]
		for i := range r.entries {
			r.entries[i].start -= cut
		}
	}
}

// items returns the last limit activities (every one when limit is 0),
// oldest first.
func (r *ring) items() []Activity {
	if r.plain != nil {
		return append([]Activity(nil), last(r.plain, r.limit)...)
	}
	entries := last(r.entries, r.limit)
	out := make([]Activity, 0, len(entries))
	for _, e := range entries {
		var texts [5]string
		from := e.start
		for i := range texts {
			to := e.start + int(e.end[i])
			texts[i] = string(r.text[from:to])
			from = to
		}
		if e.standard {
			to := strconv.Itoa(e.to)
			texts[3], texts[4] = descriptionHead+to+descriptionTail, statusHead+to+statusTail
		}
		out = append(out, Activity{Time: r.base.Add(e.at), Policy: texts[0], ScheduledAction: texts[1],
			From: e.from, To: e.to, Cause: texts[2], Description: texts[3], StatusMessage: texts[4]})
	}
	return out
}

// room is how many entries a ring of limit holds before it drops the
// oldest, at most math.MaxInt: a limit near it (keep everything) must
// not wrap to a negative room.
func room(limit int) int { return limit + min(max(1, limit/4), math.MaxInt-limit) }

// last returns the last n of s (all of s when n is 0).
func last[T any](s []T, n int) []T {
	if n > 0 && len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
