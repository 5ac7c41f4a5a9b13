package progress

import (
	"io"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// benchEngine runs b.N self-rescheduling events with observer attached
// (nil for none): the engine's cost per event, with and without a
// progress line watching it.
func benchEngine(b *testing.B, observer func(sim.Event)) {
	s, err := sim.New(sim.Config{Observer: observer})
	if err != nil {
		b.Fatal(err)
	}
	var k sim.Kind
	n := 0
	k = s.Handle("tick", sim.PhaseUser, func(uint64) {
		if n++; n < b.N {
			s.Schedule(k, time.Millisecond, 0)
		}
	})
	s.Schedule(k, time.Millisecond, 0)
	b.ReportAllocs()
	b.ResetTimer()
	if err := s.Run(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkEngineNoObserver(b *testing.B) { benchEngine(b, nil) }

// BenchmarkEngineProgressOn: a progress line on a (fake) terminal,
// redrawing at most every 250 ms of real time into io.Discard.
func BenchmarkEngineProgressOn(b *testing.B) {
	p := NewRun(time.Hour, nil, Options{Out: io.Discard, IsTerminal: func(io.Writer) bool { return true }})
	benchEngine(b, p.Observe)
}

// BenchmarkEngineProgressOff: off a terminal the line does nothing.
func BenchmarkEngineProgressOff(b *testing.B) {
	p := NewRun(time.Hour, nil, Options{Out: io.Discard, IsTerminal: func(io.Writer) bool { return false }})
	benchEngine(b, p.Observe)
}
