package metrics

import (
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/preload"
)

// TestLinesOfNamesTheSeriesAndGroup holds LinesOf to what an evaluation
// reads: the alarms, and once an evaluation has found them, the series of
// the first alarm given and that series' group.
func TestLinesOfNamesTheSeriesAndGroup(t *testing.T) {
	s, err := NewStore(Config{})
	if err != nil {
		t.Fatal(err)
	}
	cpu := ServiceMetric(MetricCPUUtilization, "prod", "web")
	g, err := s.Group(GroupMetric{Metric: cpu})
	if err != nil {
		t.Fatal(err)
	}
	alarm := func(name string, op ComparisonOperator, n int) *MetricAlarm {
		a, err := NewAlarm(AlarmConfig{Name: name, Metric: cpu, Statistic: Average, EvaluationPeriods: n, Threshold: 50, Comparison: op})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	high, low := alarm("high", GreaterThanThreshold, 3), alarm("low", LessThanThreshold, 15)

	if l := LinesOf(high, low); l.series != nil || l.group != nil || l.Complete() {
		t.Errorf("before any evaluation LinesOf names series %p and group %p (complete %v), want none", l.series, l.group, l.Complete())
	}
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for m := range 20 {
		if err := g.PutRow(t0.Add(time.Duration(m)*time.Minute), 1, []float64{float64(m)}); err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Duration(m+1) * time.Minute)
		high.Evaluate(at, s)
		low.Evaluate(at, s)
	}
	sr := high.inc.series
	if sr == nil || sr.grp != g {
		t.Fatalf("the alarm's series is %p in group %p, want a series of group %p", sr, sr.grp, g)
	}
	want := AlarmLines{alarms: [2]*MetricAlarm{high, low}, series: sr, group: g}
	if got := LinesOf(high, low); got != want || !got.Complete() {
		t.Errorf("LinesOf(high, low) = %+v (complete %v), want %+v, complete", got, got.Complete(), want)
	}
	want.alarms = [2]*MetricAlarm{nil, low}
	if got := LinesOf(nil, low); got != want {
		t.Errorf("LinesOf(nil, low) = %+v, want %+v (low reads the same series)", got, want)
	}
	if got := LinesOf(nil, nil); got != (AlarmLines{}) {
		t.Errorf("LinesOf(nil, nil) = %+v, want the zero value", got)
	}
	// The zero value and a nil group ask for nothing, and must not fail.
	var zero AlarmLines
	zero.Prefetch()
	zero.PrefetchData()
	var none *Group
	none.PrefetchLines()
	none.PrefetchRows()
}

// TestRowRunsNameTheRowsLines holds rowRuns, which PrefetchRows,
// prefetchRows and preload ask for, to the lines an alarm's read
// (rowsRead) and PutRow (rowsWrite) use: the lines of the newest row and
// of the row before it and the header of the row before that, where the
// ring does not wrap; the newest row's header and the lines of the next
// row's room. For groups of every width from 1 to MaxGroupMetrics series
// of single samples and of statistic sets, with rows queued in the
// ring's middle and at its start and end, the runs must lie within the
// ring and name every one of those lines and no other; and asking for
// them (and loading them) must not fail.
func TestRowRunsNameTheRowsLines(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for _, sets := range []bool{false, true} {
		for n := 1; n <= MaxGroupMetrics; n++ {
			s, err := NewStore(Config{})
			if err != nil {
				t.Fatal(err)
			}
			ms := make([]GroupMetric, n)
			for i := range ms {
				ms[i] = GroupMetric{Metric: Metric{Namespace: "test", Name: fmt.Sprint("m", i)}, StatisticSets: sets}
			}
			g, err := s.Group(ms...)
			if err != nil {
				t.Fatal(err)
			}
			for k := range 3 * groupRows {
				at := t0.Add(time.Duration(k) * time.Minute)
				if sets {
					err = g.PutStatisticSet(k%n, at, StatisticSet{SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1})
				} else {
					err = g.Put(k%n, at, 1)
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, which := range []uint8{rowsRead, rowsWrite, rowsRead | rowsWrite} {
					var buf rowRunBuf
					runs := g.rowRuns(&buf, which)
					if m := g.runsMismatch(runs, which); m != "" {
						t.Fatalf("%d series (sets %v), row %d, rows %d: runs %v %s", n, sets, k, which, runs, m)
					}
					if which == rowsRead|rowsWrite {
						continue
					}
					var a [8]uintptr
					var ok bool
					a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], ok = g.rowsAt(which)
					if wantOK := len(runs) > 0 && g.width <= atRowWords; ok != wantOK {
						t.Fatalf("%d series (sets %v), row %d, rows %d: rowsAt ok %v, want %v", n, sets, k, which, ok, wantOK)
					}
					if ok {
						if m := g.addrsMismatch(a[:], which); m != "" {
							t.Fatalf("%d series (sets %v), row %d, rows %d: rowsAt %v %s", n, sets, k, which, a, m)
						}
					}
				}
				g.PrefetchRows()
				g.prefetchRows(rowsRead)
				g.Preload()
			}
		}
	}
}

// addrsMismatch says how the lines of addresses in g's ring differ from
// those which reads or writes (see TestRowRunsNameTheRowsLines), or
// returns "".
func (g *Group) addrsMismatch(addrs []uintptr, which uint8) string {
	base := uintptr(unsafe.Pointer(unsafe.SliceData(g.rows)))
	var runs []preload.Run
	for _, a := range addrs {
		if a < base || a >= base+uintptr(len(g.rows))*rowWord {
			return fmt.Sprintf("hold address %#x, outside the ring [%#x, %#x)", a, base, base+uintptr(len(g.rows))*rowWord)
		}
		off := (a - base) &^ (rowWord - 1) // the word it is in
		runs = append(runs, preload.Run{Off: off, Len: rowWord})
	}
	return g.runsMismatch(runs, which)
}

// runsMismatch says how runs differ from the lines of g's ring that
// which reads or writes (see TestRowRunsNameTheRowsLines), or returns "".
func (g *Group) runsMismatch(runs []preload.Run, which uint8) string {
	line := func(i int) uintptr { return uintptr(unsafe.Pointer(&g.rows[i])) / 64 }
	type span struct{ off, end int } // words g.rows[off:end]
	var spans []span
	for _, run := range runs {
		if run.Off%rowWord != 0 || run.Len%rowWord != 0 {
			return fmt.Sprintf("hold a run of %d bytes from byte %d, not of whole words", run.Len, run.Off)
		}
		sp := span{int(run.Off / rowWord), int((run.Off + run.Len) / rowWord)}
		if sp.end <= sp.off || sp.end > len(g.rows) {
			return fmt.Sprintf("hold words [%d, %d), not within the ring's %d words", sp.off, sp.end, len(g.rows))
		}
		spans = append(spans, sp)
	}
	named, wanted := map[uintptr]bool{}, map[uintptr]bool{}
	for _, sp := range spans {
		for i := sp.off; i < sp.end; i++ {
			named[line(i)] = true
		}
	}
	var missed string
	want := func(what string, from, to int) {
		for i := from; i < to; i++ {
			wanted[line(i)] = true
			if !named[line(i)] && missed == "" {
				missed = fmt.Sprintf("miss %s's word %d", what, i)
			}
		}
	}
	r, w, st := g.lastOff, g.width, g.stride
	if which&rowsRead != 0 {
		want("the newest row", r, r+w)
		if r-st >= 0 {
			want("the row before", r-st, r-st+w)
		}
		if r-2*st >= 0 {
			want("the header two rows before", r-2*st, r-2*st+1)
		}
	}
	if which&rowsWrite != 0 {
		want("the newest header", r, r+2)
		if g.next-g.first < g.size {
			want("the next row's room", g.offset(g.next), g.offset(g.next)+w)
		}
	}
	if missed != "" {
		return missed
	}
	for _, sp := range spans {
		for i := sp.off; i < sp.end; i++ {
			if !wanted[line(i)] {
				return fmt.Sprintf("name word %d, on a line that is neither read nor written", i)
			}
		}
	}
	return ""
}

// TestWindowOffsNameTheSlidesLines holds windowOffs, which the alarms'
// preload and prefetch ask for, to the lines a slide by one period reads
// and writes (incremental.read and readSlide): for every range up to
// 40 datapoints and every offset of it in the window, a word on the
// flags' first line, on the line of the newest value and on that of the
// one after it, and on that of the oldest value when the slide copies
// the range back to the window's start; and no other line.
func TestWindowOffsNameTheSlidesLines(t *testing.T) {
	for n := 1; n <= 40; n++ {
		a, err := NewAlarm(AlarmConfig{Name: "a", Metric: Metric{Namespace: "test", Name: "m"}, Statistic: Average,
			Period: time.Minute, EvaluationPeriods: 1, EvaluationRange: n, Threshold: 1, Comparison: GreaterThanThreshold})
		if err != nil {
			t.Fatal(err)
		}
		a.newWindow(n)
		w := a.inc.win
		line := func(i int) uintptr { return uintptr(unsafe.Pointer(&w[i])) / 64 }
		for off := 0; off <= n; off++ {
			a.inc.off = int16(off)
			o0, o1, o2, o3, ok := a.windowOffs()
			if !ok {
				t.Fatalf("range %d, offset %d: windowOffs finds the window not laid out", n, off)
			}
			offs := []uintptr{o0, o1, o2, o3}
			var at [4]uintptr
			at[0], at[1], at[2], at[3] = a.windowAt(0)
			for i, o := range offs {
				if want := uintptr(unsafe.Pointer(&w[0])) + o; at[i] != want {
					t.Fatalf("range %d, offset %d: windowAt %#x, want %#x (offsets %v)", n, off, at, want, offs)
				}
			}
			var words []int
			for _, o := range offs {
				if o%windowWord != 0 {
					t.Fatalf("range %d, offset %d: offsets %v hold %d, not a word's", n, off, offs, o)
				}
				words = append(words, int(o/windowWord))
			}
			named := map[uintptr]bool{}
			for _, i := range words {
				named[line(i)] = true
			}
			lo := flagWords(n) + off
			want := []int{0, lo + n - 1, min(lo+n, len(w)-1)}
			if off+1+n > 2*n {
				want = append(want, lo)
			}
			wanted := map[uintptr]bool{}
			for _, i := range want {
				if !named[line(i)] {
					t.Fatalf("range %d, offset %d: words %v miss the line of word %d", n, off, words, i)
				}
				wanted[line(i)] = true
			}
			for _, i := range words {
				if !wanted[line(i)] {
					t.Fatalf("range %d, offset %d: words %v name word %d, on a line the slide does not read", n, off, words, i)
				}
			}
		}
	}
}
