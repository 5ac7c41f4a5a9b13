package sim

import (
	"strconv"
	"time"
)

// A service's event log holds its texts (each message without the
// "(service name) " every message of the service starts with) back to back
// in one byte buffer, and per entry its instant and where its text ends.
// Neither holds a pointer, so the collector never scans them, and once the
// buffers have grown an event costs no allocation: its text is appended
// straight into the buffer (beginEvent, endEvent), with strconv rather
// than fmt. The world's log holds, per event, the service and the event's
// sequence number in the service's log: a text is stored once. Strings
// are made only when the events are read (Events) or streamed
// (WorldConfig.OnServiceEvent).
//
// Retention.Events keeps n events of each log: a log drops all but its
// last n when it reaches logRoom(n) = n + n/4 (at least n + 1), so an event
// costs amortised O(1) (a copy of n entries every n/4 events) and a log
// holds at most a quarter more than the kept events. Each of the world's last n events is among
// its service's last n (fewer than n events of any service follow it), so
// the world's log never reads an event its service has dropped.
type eventLog struct {
	entries []eventEntry // oldest first
	text    []byte       // the entries' texts, back to back
	dropped int          // sequence number of entries[0]: events dropped before it
}

// eventEntry is one event of a service's log.
type eventEntry struct {
	at  time.Duration // virtual time since the Sim's start
	end int           // end of its text in eventLog.text; it starts at the previous entry's end
}

// worldEvent is one event of the world's log: which service's log holds it.
type worldEvent struct {
	svc int // index in World.services
	seq int // sequence number in the service's log
}

// worldLog is the world's event log.
type worldLog struct {
	entries []worldEvent
	dropped int
}

// textOf returns the text of entries[i].
func (l *eventLog) textOf(i int) []byte {
	start := 0
	if i > 0 {
		start = l.entries[i-1].end
	}
	return l.text[start:l.entries[i].end]
}

// logRoom is how many entries a log keeping n holds before it drops the
// oldest.
func logRoom(n int) int { return n + max(1, n/4) }

// keep drops all but the last n entries, once the log holds logRoom(n),
// or keeps everything when n is 0.
func (l *eventLog) keep(n int) {
	if n <= 0 || len(l.entries) < logRoom(n) {
		return
	}
	k := len(l.entries) - n
	cut := l.entries[k-1].end
	l.text = l.text[:copy(l.text, l.text[cut:])]
	l.entries = l.entries[:copy(l.entries, l.entries[k:])]
	for i := range l.entries {
		l.entries[i].end -= cut
	}
	l.dropped += k
}

// keep is eventLog.keep for the world's log.
func (l *worldLog) keep(n int) {
	if n <= 0 || len(l.entries) < logRoom(n) {
		return
	}
	k := len(l.entries) - n
	l.entries = l.entries[:copy(l.entries, l.entries[k:])]
	l.dropped += k
}

// beginEvent returns the service's text buffer to append an event's text
// to; endEvent logs what was appended.
func (s *Service) beginEvent() []byte {
	n := s.w.cfg.Retention.Events
	if s.events.entries == nil && n > 0 && n <= preallocLimit {
		s.events.entries = make([]eventEntry, 0, logRoom(n)) // its final room at once (see preallocLimit)
	}
	return s.events.text
}

// endEvent logs the text beginEvent's buffer gained as an event of the
// service, now.
func (s *Service) endEvent(b []byte) {
	w := s.w
	l := &s.events
	l.text = b
	l.entries = append(l.entries, eventEntry{at: w.sim.Elapsed(), end: len(b)})
	seq := l.dropped + len(l.entries) - 1
	n := w.cfg.Retention.Events
	if w.events.entries == nil && n > 0 && n <= preallocLimit {
		w.events.entries = make([]worldEvent, 0, logRoom(n))
	}
	w.events.entries = append(w.events.entries, worldEvent{svc: s.index, seq: seq})
	f := w.cfg.OnServiceEvent
	var e ServiceEvent
	if f != nil {
		e = s.serviceEvent(len(l.entries) - 1)
	}
	l.keep(n)
	w.events.keep(n)
	if f != nil {
		f(e)
	}
}

// eventText logs text as an event of the service.
func (s *Service) eventText(text string) { s.endEvent(append(s.beginEvent(), text...)) }

// serviceEvent returns entries[i] of the service's log as a ServiceEvent.
func (s *Service) serviceEvent(i int) ServiceEvent {
	l := &s.events
	text := l.textOf(i)
	msg := make([]byte, 0, len("(service ) ")+len(s.cfg.Name)+len(text))
	msg = append(append(append(append(msg, "(service "...), s.cfg.Name...), ") "...), text...)
	return ServiceEvent{At: s.w.sim.Start().Add(l.entries[i].at), Service: s.cfg.Name, Message: string(msg)}
}

// Events returns the service's event log, oldest first: every event, or
// the last Retention.Events.
func (s *Service) Events() []ServiceEvent {
	from := 0
	if n := s.w.cfg.Retention.Events; n > 0 && len(s.events.entries) > n {
		from = len(s.events.entries) - n
	}
	out := make([]ServiceEvent, 0, len(s.events.entries)-from)
	for i := from; i < len(s.events.entries); i++ {
		out = append(out, s.serviceEvent(i))
	}
	return out
}

// Events returns the service event log of the whole world, oldest first:
// every event, or the last Retention.Events.
func (w *World) Events() []ServiceEvent {
	log := w.events.entries
	if n := w.cfg.Retention.Events; n > 0 && len(log) > n {
		log = log[len(log)-n:]
	}
	out := make([]ServiceEvent, 0, len(log))
	for _, e := range log {
		s := w.services[e.svc]
		out = append(out, s.serviceEvent(e.seq-s.events.dropped))
	}
	return out
}

// appendTaskList appends "(task ID) (task ID) ..." for ts.
func appendTaskList(b []byte, ts ...*Task) []byte {
	for i, t := range ts {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(append(append(b, "(task "...), t.arnID...), ')')
	}
	return b
}

// appendInt appends n in decimal, as fmt's %d writes it.
func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// appendTargetGroupARN appends the ARN of tg's target group, without the
// string TargetGroupARN would allocate when tg is a *LoadBalancer.
func appendTargetGroupARN(b []byte, tg TargetGroupObserver) []byte {
	if lb, ok := tg.(*LoadBalancer); ok {
		return lb.appendTargetGroupARN(b)
	}
	return append(b, tg.TargetGroupARN()...)
}

// startedEvent logs "has started N tasks: (task ID) ...".
func (s *Service) startedEvent(ts ...*Task) {
	b := appendInt(append(s.beginEvent(), "has started "...), len(ts))
	s.endEvent(append(appendTaskList(append(b, " tasks: "...), ts...), '.'))
}

// stoppedEvent logs "has stopped N running tasks: (task ID) ...".
func (s *Service) stoppedEvent(ts ...*Task) {
	b := appendInt(append(s.beginEvent(), "has stopped "...), len(ts))
	s.endEvent(append(appendTaskList(append(b, " running tasks: "...), ts...), '.'))
}
