package sim

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// refEvent is one pending event of the reference model.
type refEvent struct {
	id  uint64
	at  int64
	ord uint64
}

// refModel is the naive reference: a list of pending events, sorted on every
// step by (at, ord), with ord = phase<<56 | seq and seq counted per push. It
// restates the documented ordering rule, promotion included, in the plainest
// code.
type refModel struct {
	now, execOrd int64
	seq          uint64
	pending      []refEvent
}

func (m *refModel) ord(phase Phase, at int64) uint64 {
	m.seq++
	o := uint64(phase)<<phaseShift | m.seq
	if at == m.now && o < uint64(m.execOrd) {
		o = uint64(m.execOrd)&^seqMask | m.seq
	}
	return o
}

func (m *refModel) push(id uint64, phase Phase, at int64) {
	m.pending = append(m.pending, refEvent{id: id, at: at, ord: m.ord(phase, at)})
}

func (m *refModel) remove(id uint64) (refEvent, bool) {
	for i, e := range m.pending {
		if e.id == id {
			m.pending = slices.Delete(m.pending, i, i+1)
			return e, true
		}
	}
	return refEvent{}, false
}

// next removes and returns the first pending event due at or before limit.
func (m *refModel) next(limit int64) (refEvent, bool) {
	slices.SortFunc(m.pending, func(a, b refEvent) int {
		switch {
		case a.at != b.at:
			return int(min(max(a.at-b.at, -1), 1))
		case a.ord < b.ord:
			return -1
		case a.ord > b.ord:
			return 1
		}
		return 0
	})
	if len(m.pending) == 0 || m.pending[0].at > limit {
		return refEvent{}, false
	}
	e := m.pending[0]
	m.pending = m.pending[1:]
	m.now, m.execOrd = e.at, int64(e.ord)
	return e, true
}

// TestEngineMatchesSortedReference drives the engine and the reference model
// with the same random schedule / stop / reset / step / run-until sequences,
// including events scheduled from inside handlers, and requires the same
// execution order, the same clock and no leaked queue entries.
func TestEngineMatchesSortedReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		m := &refModel{}
		timers := map[uint64]Timer{}
		var kinds [numPhases]Kind
		var nextID uint64
		ran := 0
		limit := int64(1<<63 - 1) // the bound of the current Step or RunUntil
		var schedule func(t *rapid.T)
		// Every handler checks that the reference picks the same event, then
		// sometimes schedules a follow-up, so zero-delay scheduling at the
		// current instant and phase promotion are exercised.
		handler := func(id uint64) {
			ran++
			want, ok := m.next(limit)
			if !ok || want.id != id {
				t.Fatalf("engine ran event %d, reference wants %d (ok=%v)", id, want.id, ok)
			}
			if id%3 == 0 {
				schedule(t)
			}
		}
		for p := range numPhases - 1 {
			if p.valid() {
				kinds[p] = s.Handle(p.String(), p, handler)
			}
		}
		schedule = func(t *rapid.T) {
			nextID++
			id := nextID
			phase := Phase(rapid.IntRange(0, int(numPhases)-1).Draw(t, "phase"))
			if !phase.valid() {
				phase = PhaseScaling // the vacant phase 3
			}
			d := time.Duration(rapid.SampledFrom([]int64{0, 0, 1, 5, 1000, 1 << 40}).Draw(t, "delay"))
			if phase == PhaseUser {
				timers[id] = s.After(d, func() { handler(id) })
			} else {
				timers[id] = s.Schedule(kinds[phase], d, id)
			}
			m.push(id, phase, m.now+int64(d))
		}
		pickLive := func(t *rapid.T) (uint64, bool) {
			if len(m.pending) == 0 {
				return 0, false
			}
			ids := make([]uint64, 0, len(m.pending))
			for _, e := range m.pending {
				ids = append(ids, e.id)
			}
			slices.Sort(ids)
			return rapid.SampledFrom(ids).Draw(t, "victim"), true
		}
		steps := rapid.IntRange(1, 300).Draw(t, "steps")
		for range steps {
			switch rapid.IntRange(0, 9).Draw(t, "op") {
			case 0, 1, 2, 3:
				schedule(t)
			case 4:
				if id, ok := pickLive(t); ok {
					if !timers[id].Stop() {
						t.Fatalf("Stop of pending event %d returned false", id)
					}
					m.remove(id)
				}
			case 5:
				if id, ok := pickLive(t); ok {
					d := time.Duration(rapid.SampledFrom([]int64{0, 1, 7, 1 << 30}).Draw(t, "reset"))
					if !timers[id].Reset(d) {
						t.Fatalf("Reset of pending event %d returned false", id)
					}
					m.remove(id)
					m.push(id, phaseOf(s, timers[id]), m.now+int64(d))
				}
			case 6, 7, 8:
				limit = 1<<63 - 1
				before := ran
				ok, err := s.Step()
				if err != nil {
					t.Fatal(err)
				}
				if ok != (ran == before+1) {
					t.Fatalf("Step reported %v but ran %d events", ok, ran-before)
				}
				if !ok {
					if e, more := m.next(limit); more {
						t.Fatalf("Step ran nothing, reference wants %d", e.id)
					}
				}
			case 9:
				limit = m.now + rapid.Int64Range(0, 1<<41).Draw(t, "until")
				if err := s.RunUntil(s.Start().Add(time.Duration(limit))); err != nil {
					t.Fatal(err)
				}
				if e, more := m.next(limit); more {
					t.Fatalf("RunUntil stopped before event %d, due at %d <= %d", e.id, e.at, limit)
				}
				if limit > m.now {
					m.now, m.execOrd = limit, 0
				}
			}
			if got := s.Elapsed(); int64(got) != m.now {
				t.Fatalf("clock %d, reference %d", got, m.now)
			}
			if s.Pending() != len(m.pending) {
				t.Fatalf("Pending = %d, reference %d", s.Pending(), len(m.pending))
			}
			if s.queue.Len() > 2*s.Pending()+65 {
				t.Fatalf("queue holds %d entries for %d pending events: cancelled entries leak", s.queue.Len(), s.Pending())
			}
		}
	})
}

// phaseOf returns the phase a timer's event was registered with.
func phaseOf(s *Sim, t Timer) Phase { return s.kinds[s.slots[t.slot].kind].phase }

func TestTimerStopAndResetAfterFiring(t *testing.T) {
	s, _ := New(Config{})
	fired := 0
	tm := s.After(time.Second, func() { fired++ })
	if !tm.Pending() {
		t.Fatal("new timer not pending")
	}
	if err := s.RunFor(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if fired != 1 {
		t.Fatalf("fired %d times, want 1", fired)
	}
	if tm.Pending() || tm.Stop() || tm.Reset(time.Second) {
		t.Fatal("a fired timer reports pending, stops or resets")
	}
	// The slot is reused by the next event; the old handle must not touch it.
	other := s.After(time.Second, func() { fired += 10 })
	if tm.Stop() {
		t.Fatal("a stale handle stopped a newer event")
	}
	if err := s.RunFor(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if fired != 11 || other.Pending() {
		t.Fatalf("fired = %d, want 11", fired)
	}
	var zero Timer
	if zero.Pending() || zero.Stop() || zero.Reset(1) {
		t.Fatal("the zero Timer acts on an event")
	}
}

func TestStopAndResetDoNotLeak(t *testing.T) {
	s, _ := New(Config{})
	tm := s.After(time.Hour, func() {})
	for range 100_000 {
		tm.Reset(time.Hour)
	}
	other := make([]Timer, 0, 1000)
	for range 1000 {
		other = append(other, s.After(time.Minute, func() {}))
	}
	for _, o := range other {
		o.Stop()
	}
	if s.queue.Len() > 2*s.Pending()+65 {
		t.Fatalf("queue holds %d entries for %d pending events", s.queue.Len(), s.Pending())
	}
	if s.Pending() != 1 {
		t.Fatalf("Pending = %d, want 1", s.Pending())
	}
}

func TestRunawayGuardNamesInstantAndKind(t *testing.T) {
	s, _ := New(Config{MaxEventsPerInstant: 1000})
	var k Kind
	k = s.Handle("spin", PhaseLifecycle, func(uint64) { s.Schedule(k, 0, 0) })
	s.Schedule(k, 90*time.Second, 0)
	err := s.RunFor(time.Hour)
	if !errors.Is(err, ErrRunaway) {
		t.Fatalf("err = %v, want ErrRunaway", err)
	}
	for _, want := range []string{"2024-01-01T00:01:30Z", `"spin"`, "1000"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err2 := s.Step(); !errors.Is(err2, ErrRunaway) {
		t.Errorf("Step after a runaway = %v, want the same error", err2)
	}
}

func TestManyEventsAtOneInstantBelowTheGuardAreFine(t *testing.T) {
	s, _ := New(Config{MaxEventsPerInstant: 1000})
	n := 0
	for range 1000 {
		s.After(time.Minute, func() { n++ })
	}
	s.After(2*time.Minute, func() { n++ })
	if err := s.Run(); err != nil || n != 1001 {
		t.Fatalf("Run = %v after %d events, want nil after 1001", err, n)
	}
}

func TestConfigValidationReportsEveryProblem(t *testing.T) {
	_, err := New(Config{MaxEventsPerInstant: -1, Start: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
	for _, want := range []string{"Config.MaxEventsPerInstant -1", "Config.Start 1900-01-01T00:00:00Z"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestRunUntilInThePastIsAnError(t *testing.T) {
	s, _ := New(Config{})
	if err := s.RunFor(time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.RunUntil(s.Start()); !errors.Is(err, ErrPast) {
		t.Fatalf("err = %v, want ErrPast", err)
	}
}

func TestPhasesOrderOneInstant(t *testing.T) {
	s, _ := New(Config{})
	var got []string
	for p := numPhases - 1; p < numPhases; p-- {
		if p == PhaseUser {
			s.After(time.Second, func() { got = append(got, "user") })
			continue
		}
		if !p.valid() {
			continue // the vacant phase 3
		}
		name := p.String()
		k := s.Handle(name, p, func(uint64) { got = append(got, name) })
		s.Schedule(k, time.Second, 0)
	}
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	want := []string{"lifecycle", "traffic", "metrics", "scaling", "user"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// TestLateLowerPhaseIsPromoted checks the documented rule: an event scheduled
// for the current instant in a phase that already ran runs next in the
// current phase, behind what is already queued there.
func TestLateLowerPhaseIsPromoted(t *testing.T) {
	s, _ := New(Config{})
	var got []string
	life := s.Handle("lifecycle", PhaseLifecycle, func(uint64) { got = append(got, "late lifecycle") })
	scale := s.Handle("scaling", PhaseScaling, func(uint64) {
		got = append(got, "scaling")
		s.Schedule(life, 0, 0)
	})
	s.Schedule(scale, time.Second, 0)
	s.After(time.Second, func() { got = append(got, "user") })
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	want := []string{"scaling", "late lifecycle", "user"}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// TestRegressionClockNeverRunsBackwards: a delay that reaches past End
// saturates there. 6aac1ab added it to the clock and wrapped: an event
// scheduled a few centuries ahead ran in the 18th century, before events
// already run.
func TestRegressionClockNeverRunsBackwards(t *testing.T) {
	s, _ := New(Config{})
	if err := s.RunFor(time.Hour); err != nil {
		t.Fatal(err)
	}
	var at []time.Duration
	record := func() { at = append(at, s.Elapsed()) }
	k := s.Handle("far", PhaseLifecycle, func(uint64) { record() })
	s.Schedule(k, time.Duration(math.MaxInt64), 0)
	s.After(time.Duration(math.MaxInt64-1), record)
	s.At(s.Now().AddDate(400, 0, 0), record)
	tm := s.After(time.Minute, record)
	tm.Reset(time.Duration(math.MaxInt64))
	s.After(time.Minute, record)
	if err := s.RunFor(time.Duration(math.MaxInt64)); err != nil {
		t.Fatal(err)
	}
	if s.Elapsed() != End {
		t.Fatalf("clock at %v after RunFor(MaxInt64), want End %v", s.Elapsed(), End)
	}
	want := []time.Duration{time.Hour + time.Minute, End, End, End, End}
	if !slices.Equal(at, want) {
		t.Fatalf("events ran at %v, want %v", at, want)
	}
	if err := s.RunFor(time.Hour); err != nil || s.Elapsed() != End {
		t.Fatalf("RunFor at End = %v, clock %v; want nil and End", err, s.Elapsed())
	}
	if err := s.RunFor(-time.Second); !errors.Is(err, ErrPast) {
		t.Fatalf("RunFor(-1s) = %v, want ErrPast", err)
	}
}

// TestEventLimitStopsTheRun: Config.MaxEvents ends a run that would go on
// with ErrEventLimit, after exactly that many events; the error sticks.
func TestEventLimitStopsTheRun(t *testing.T) {
	s, err := New(Config{MaxEvents: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var k Kind
	k = s.Handle("tick", PhaseLifecycle, func(uint64) { s.Schedule(k, time.Nanosecond, 0) })
	s.Schedule(k, 0, 0)
	err = s.RunFor(time.Hour)
	if !errors.Is(err, ErrEventLimit) || s.Executed() != 1000 {
		t.Fatalf("RunFor = %v after %d events, want ErrEventLimit after 1000", err, s.Executed())
	}
	if _, err := s.Step(); !errors.Is(err, ErrEventLimit) {
		t.Fatalf("Step after the limit = %v, want ErrEventLimit", err)
	}
	if _, err := New(Config{MaxEvents: -1}); !errors.Is(err, ErrConfig) {
		t.Fatalf("MaxEvents -1: %v, want ErrConfig", err)
	}
}
