package progress

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/scenario"
	"github.com/ecssim/ecssim/sweep"
)

// fakeClock advances a second at every reading.
func fakeClock() func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func terminal(is bool) func(io.Writer) bool { return func(io.Writer) bool { return is } }

func nasa(t *testing.T, observer func(sim.Event)) *scenario.Report {
	t.Helper()
	dir := scenario.DirFS("../examples/scenario/testdata")
	sc, err := scenario.ReadFile(dir, "nasa-day.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scenario.Run(sc, scenario.Options{Files: dir, Observer: observer})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRunLineOnlyOnATerminal: the NASA day with a progress line on a
// (fake) terminal draws it, and off a terminal writes nothing; either way
// the run's events and trace hash are the run's without a progress line.
func TestRunLineOnlyOnATerminal(t *testing.T) {
	plain := nasa(t, nil)
	for _, onTerminal := range []bool{true, false} {
		var out bytes.Buffer
		p := NewRun(24*time.Hour, nil, Options{Out: &out, IsTerminal: terminal(onTerminal), Now: fakeClock()})
		if (p.Observer() == nil) == onTerminal {
			t.Errorf("terminal %v: Observer() is nil: %v", onTerminal, p.Observer() == nil)
		}
		r := nasa(t, p.Observe)
		p.Finish()
		if r.TraceHash != plain.TraceHash || r.Events != plain.Events {
			t.Errorf("terminal %v: trace %016x after %d events; without progress %016x after %d", onTerminal, r.TraceHash, r.Events, plain.TraceHash, plain.Events)
		}
		got := out.String()
		switch {
		case onTerminal && (!strings.HasPrefix(got, "\rsimulated ") || !strings.Contains(got, "events/s") || !strings.HasSuffix(got, "\n") ||
			!strings.Contains(got, "of 1d 0:00:00 (100 %)")):
			t.Errorf("on a terminal the line is %q", got)
		case !onTerminal && got != "":
			t.Errorf("off a terminal it wrote %q", got)
		}
	}
}

// TestRunLineText pins the line's figures on a hand-made run: 2,048
// events to 30 simulated minutes of an hour in 10 wall seconds is 204.8
// events per second, half done, and 10 s to go.
func TestRunLineText(t *testing.T) {
	var out bytes.Buffer
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return wall }
	p := NewRun(time.Hour, func() int64 { return 12_345 }, Options{Out: &out, IsTerminal: terminal(true), Now: now, Every: time.Second})
	for i := range 2048 {
		if i == 2047 {
			wall = wall.Add(10 * time.Second) // no redraw at event 1,024: no wall time has passed
		}
		p.Observe(sim.Event{At: time.Duration(i+1) * 30 * time.Minute / 2048})
	}
	want := "\rsimulated 0:30:00 of 1:00:00 (50 %), 205 events/s, 12.3k requests, ETA 10s"
	if got := out.String(); got != want {
		t.Errorf("line %q\nwant %q", got, want)
	}
}

// TestSweepLine: a sweep's runs done of the total, on a terminal only.
func TestSweepLine(t *testing.T) {
	for _, onTerminal := range []bool{true, false} {
		var out bytes.Buffer
		p := NewSweep(6, Options{Out: &out, IsTerminal: terminal(onTerminal), Now: fakeClock()})
		_, err := sweep.MapContext(context.Background(), make([]int, 6), func(context.Context, int) (int, error) { return 0, nil },
			sweep.Options{Workers: 2, Done: p.Done})
		if err != nil {
			t.Fatal(err)
		}
		p.Finish()
		got := out.String()
		switch {
		case onTerminal && (!strings.Contains(got, "\rruns 1 of 6 done (17 %)") || !strings.Contains(got, "runs 6 of 6 done (100 %)") || !strings.HasSuffix(got, "\n")):
			t.Errorf("on a terminal: %q", got)
		case !onTerminal && got != "":
			t.Errorf("off a terminal it wrote %q", got)
		}
	}
}

// TestIsTerminal: a buffer and a regular file are not terminals.
func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(&bytes.Buffer{}) || IsTerminal(f) {
		t.Error("a buffer or a file taken for a terminal")
	}
}

func TestClockAndSI(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0:00:00", 90 * time.Minute: "1:30:00", 49*time.Hour + 5*time.Second: "2d 1:00:05"} {
		if got := clock(d); got != want {
			t.Errorf("clock(%v) = %q, want %q", d, got, want)
		}
	}
	for x, want := range map[float64]string{12: "12", 12_345: "12.3k", 16_082_177: "16.1M", 2.5e9: "2.5G"} {
		if got := si(x); got != want {
			t.Errorf("si(%v) = %q, want %q", x, got, want)
		}
	}
}
