// Package progress shows a one-line progress report on a terminal: for a
// run, the simulated time reached, engine events per second, requests and
// an estimate of the time left; for a sweep, the runs done of the total.
// When the output is not a terminal (a log file, a pipe, CI) it writes
// nothing at all, so logs stay clean.
//
// A Run reads the engine only through sim.Config.Observer (or
// scenario.Options.Observer), which the engine calls after each event and
// which may not schedule anything: the run's events and trace hash are the
// same with or without it. The wall clock it reads is outside the
// simulation.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/ecssim/ecssim/sim"
)

// Options configure a progress line. The zero value writes to os.Stderr
// when it is a terminal.
type Options struct {
	// Out receives the line; nil means os.Stderr.
	Out io.Writer
	// IsTerminal reports whether Out is a terminal; nil means
	// term.IsTerminal on Out's file descriptor (false for a writer
	// without one). Nothing is written when it reports false.
	IsTerminal func(io.Writer) bool
	// Every is the least wall time between redraws; zero means 250 ms.
	Every time.Duration
	// Now reads the wall clock; nil means time.Now. Tests pass a fake.
	Now func() time.Time
}

// IsTerminal reports whether w is a terminal: an *os.File (or any writer
// with a file descriptor) that golang.org/x/term says is one.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// line is what Run and Sweep share: where to draw, whether to, and when.
type line struct {
	out      io.Writer
	on       bool
	every    time.Duration
	now      func() time.Time
	start    time.Time
	last     time.Time
	drawn    int // width of the line on screen, to blank what a shorter one leaves
	finished bool
}

func newLine(opt Options) line {
	l := line{out: opt.Out, every: opt.Every, now: opt.Now}
	if l.out == nil {
		l.out = os.Stderr
	}
	isTerm := opt.IsTerminal
	if isTerm == nil {
		isTerm = IsTerminal
	}
	l.on = isTerm(l.out)
	if l.every == 0 {
		l.every = 250 * time.Millisecond
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.on {
		l.start = l.now()
		l.last = l.start
	}
	return l
}

// draw rewrites the line with text.
func (l *line) draw(text string) {
	pad := max(l.drawn-len(text), 0)
	fmt.Fprintf(l.out, "\r%s%s", text, strings.Repeat(" ", pad))
	l.drawn = len(text)
}

// finish draws text one last time and ends the line.
func (l *line) finish(text string) {
	if !l.on || l.finished {
		return
	}
	l.draw(text)
	fmt.Fprintln(l.out)
	l.finished = true
}

// Run is the progress line of one simulation.
type Run struct {
	line
	total    time.Duration // simulated time to run
	requests func() int64
	events   uint64
	at       time.Duration
}

// NewRun returns the progress line of a simulation that runs for total
// simulated time. requests, if set, returns the requests offered so far
// (a Workload's Counters().Arrived, say); it is called only when the line
// is redrawn, between events.
func NewRun(total time.Duration, requests func() int64, opt Options) *Run {
	return &Run{line: newLine(opt), total: total, requests: requests}
}

// Observe counts the event and redraws the line when Options.Every has
// passed. Pass it as sim.Config.Observer or scenario.Options.Observer.
// It reads the wall clock only every 1,024 events, and does nothing off a
// terminal.
func (r *Run) Observe(e sim.Event) {
	if !r.on {
		return
	}
	r.events++
	r.at = e.At
	if r.events%1024 != 0 {
		return
	}
	if now := r.now(); now.Sub(r.last) >= r.every {
		r.last = now
		r.draw(r.text(now))
	}
}

// Observer returns Observe, or nil off a terminal, where a caller that
// sets sim.Config.Observer to it saves the engine even the call.
func (r *Run) Observer() func(sim.Event) {
	if !r.on {
		return nil
	}
	return r.Observe
}

// Finish draws the final line and ends it.
func (r *Run) Finish() { r.finish(r.text(r.now())) }

func (r *Run) text(now time.Time) string {
	wall := now.Sub(r.start)
	var b strings.Builder
	fmt.Fprintf(&b, "simulated %s", clock(r.at))
	if r.total > 0 {
		fmt.Fprintf(&b, " of %s (%.0f %%)", clock(r.total), 100*min(float64(r.at)/float64(r.total), 1))
	}
	if wall > 0 {
		fmt.Fprintf(&b, ", %s events/s", si(float64(r.events)/wall.Seconds()))
	}
	if r.requests != nil {
		fmt.Fprintf(&b, ", %s requests", si(float64(r.requests())))
	}
	if r.total > 0 && r.at > 0 && r.at < r.total {
		left := time.Duration(float64(wall) * float64(r.total-r.at) / float64(r.at))
		fmt.Fprintf(&b, ", ETA %s", left.Round(time.Second))
	}
	return b.String()
}

// Sweep is the progress line of a sweep: runs done of the total.
type Sweep struct {
	line
	done, total int
}

// NewSweep returns the progress line of a sweep of total runs.
func NewSweep(total int, opt Options) *Sweep {
	return &Sweep{line: newLine(opt), total: total}
}

// Done records that done of total runs have ended and redraws the line
// when Options.Every has passed (or at the last run). It has
// sweep.Options.Done's signature, which calls it one call at a time.
func (s *Sweep) Done(done, total int) {
	s.done, s.total = done, total
	if !s.on {
		return
	}
	if now := s.now(); now.Sub(s.last) >= s.every || done == total {
		s.last = now
		s.draw(s.text(now))
	}
}

// Finish draws the final line and ends it.
func (s *Sweep) Finish() { s.finish(s.text(s.now())) }

func (s *Sweep) text(now time.Time) string {
	wall := now.Sub(s.start)
	text := fmt.Sprintf("runs %d of %d done", s.done, s.total)
	if s.total > 0 {
		text += fmt.Sprintf(" (%.0f %%)", 100*float64(s.done)/float64(s.total))
	}
	text += ", " + wall.Round(time.Second).String()
	if s.done > 0 && s.done < s.total {
		left := time.Duration(float64(wall) * float64(s.total-s.done) / float64(s.done))
		text += fmt.Sprintf(", ETA %s", left.Round(time.Second))
	}
	return text
}

// clock writes a simulated duration as days and h:mm:ss.
func clock(d time.Duration) string {
	d = d.Round(time.Second)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	s := fmt.Sprintf("%d:%02d:%02d", d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
	if days > 0 {
		s = fmt.Sprintf("%dd %s", days, s)
	}
	return s
}

// si writes x with a k, M or G suffix and three significant digits.
func si(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.3gG", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.3gM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.3gk", x/1e3)
	}
	return fmt.Sprintf("%.3g", x)
}
