package traffic

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

const ms = time.Millisecond

func mustServer(t interface {
	Helper()
	Fatal(...any)
}, cfg ServerConfig) *Server {
	t.Helper()
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestServerProcessorSharingByHand: on one vCPU, A (2 s of work) arrives at
// 0 and B (1 s) at 0.5 s. A runs alone for 0.5 s (1.5 s left); then both
// run at half speed, B needs 2 s and leaves at 2.5 s, by which A has 0.5 s
// left, done alone by 3.0 s. CPU work 3 vCPU·s; in-flight integral
// 3 + 2 = 5 request·s.
func TestServerProcessorSharingByHand(t *testing.T) {
	s := mustServer(t, ServerConfig{Discipline: ProcessorSharing})
	s.Arrive(0, Request{ID: 1, Work: 2 * time.Second})
	s.Arrive(500*ms, Request{ID: 2, Work: time.Second})
	var got []Completion
	for s.Next() != Never {
		got = append(got, s.Advance(s.Next())...)
	}
	want := []Completion{
		{ID: 2, Arrived: 500 * ms, Started: 500 * ms, Done: 2500 * ms, Outcome: Served},
		{ID: 1, Arrived: 0, Started: 0, Done: 3000 * ms, Outcome: Served},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("completions (-want +got):\n%s", d)
	}
	c := s.Counters()
	if !near(c.CPUSeconds, 3, 1e-9) || !near(c.InFlightSeconds, 5, 1e-9) || c.Served != 2 {
		t.Errorf("counters %+v: want CPUSeconds 3, InFlightSeconds 5, Served 2", c)
	}
}

// TestServerFCFSByHand: one slot on a half vCPU (a 1 s request holds the
// slot 2 s), room for one waiting request, 3 s client timeout.
//
//	t=0   A (1 s work) starts, done at 2 s.
//	t=0.1 B (1 s) waits.
//	t=0.2 C rejected: 1 in service, 1 waiting.
//	t=2   A served; B starts, would finish at 4 s.
//	t=2.5 D (0.1 s) waits.
//	t=3.1 B times out (arrived 0.1 + 3 s), 1.1 s into service; D starts, done 3.3 s.
func TestServerFCFSByHand(t *testing.T) {
	s := mustServer(t, ServerConfig{CPU: 512, Concurrency: 1, QueueLimit: 1, Timeout: 3 * time.Second})
	var got []Completion
	step := func(now time.Duration) { got = append(got, s.Advance(now)...) }
	accepted := []bool{
		s.Arrive(0, Request{ID: 'A', Work: time.Second}),
		s.Arrive(100*ms, Request{ID: 'B', Work: time.Second}),
		s.Arrive(200*ms, Request{ID: 'C', Work: time.Second}),
	}
	step(2500 * ms)
	accepted = append(accepted, s.Arrive(2500*ms, Request{ID: 'D', Work: 100 * ms}))
	step(10 * time.Second)
	if d := cmp.Diff([]bool{true, true, false, true}, accepted); d != "" {
		t.Errorf("accepted (-want +got):\n%s", d)
	}
	want := []Completion{
		{ID: 'A', Arrived: 0, Started: 0, Done: 2000 * ms, Outcome: Served},
		{ID: 'B', Arrived: 100 * ms, Started: 2000 * ms, Done: 3100 * ms, Outcome: TimedOut},
		{ID: 'D', Arrived: 2500 * ms, Started: 3100 * ms, Done: 3300 * ms, Outcome: Served},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("completions (-want +got):\n%s", d)
	}
	c := s.Counters()
	wantC := Counters{Arrived: 4, Served: 2, Rejected: 1, TimedOut: 1}
	// Half a vCPU busy over [0, 3.3 s] = 1.65 vCPU·s. In flight: A 2, B 3,
	// D 0.8 → 5.8 request·s.
	if c.CPUSeconds < 1.65-1e-9 || c.CPUSeconds > 1.65+1e-9 || !near(c.InFlightSeconds, 5.8, 1e-9) {
		t.Errorf("CPUSeconds %v, InFlightSeconds %v: want 1.65 and 5.8", c.CPUSeconds, c.InFlightSeconds)
	}
	c.CPUSeconds, c.InFlightSeconds = 0, 0
	if d := cmp.Diff(wantC, c); d != "" {
		t.Errorf("counters (-want +got):\n%s", d)
	}
}

// TestCountersSincePerMinute: one request of 30 s of work on a half-vCPU
// task (it runs 60 s) arriving at 1:30 keeps the task busy for half of
// [1:00, 2:00) and half of [2:00, 3:00): 50 % CPU in both minutes, 30
// request·s in flight in each, served in the second.
func TestCountersSincePerMinute(t *testing.T) {
	s := mustServer(t, ServerConfig{CPU: 512, Concurrency: 1})
	s.Advance(time.Minute)
	m0 := s.Counters()
	s.Arrive(90*time.Second, Request{Work: 30 * time.Second})
	s.Advance(2 * time.Minute)
	m1 := s.Counters()
	s.Advance(3 * time.Minute)
	m2 := s.Counters()
	util := func(d Counters) float64 { return 100 * d.CPUSeconds / (512.0 / 1024 * 60) }
	d1, d2 := m1.Since(m0), m2.Since(m1)
	if !near(util(d1), 50, 1e-9) || !near(util(d2), 50, 1e-9) || d1.Arrived != 1 || d1.Served != 0 || d2.Served != 1 || d2.InFlight != 0 ||
		!near(d1.InFlightSeconds, 30, 1e-9) || !near(d2.InFlightSeconds, 30, 1e-9) {
		t.Errorf("minute 1 %+v (CPU %.1f %%), minute 2 %+v (CPU %.1f %%)", d1, util(d1), d2, util(d2))
	}
}

func TestServerKillAbortsInFlight(t *testing.T) {
	s := mustServer(t, ServerConfig{Concurrency: 1, QueueLimit: Unlimited})
	for i := range 3 {
		s.Arrive(0, Request{ID: uint64(i), Work: time.Second})
	}
	got := s.Kill(1500 * ms)
	want := []Completion{
		{ID: 0, Arrived: 0, Started: 0, Done: time.Second, Outcome: Served},
		{ID: 1, Arrived: 0, Started: time.Second, Done: 1500 * ms, Outcome: Aborted},
		{ID: 2, Arrived: 0, Started: -1, Done: 1500 * ms, Outcome: Aborted},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Kill (-want +got):\n%s", d)
	}
	if c := s.Counters(); c.Arrived != c.Served+c.Aborted || c.InFlight != 0 || s.Next() != Never {
		t.Errorf("after Kill: %+v, Next %v", c, s.Next())
	}
}

func TestServerConfigErrorsNameEveryField(t *testing.T) {
	_, err := NewServer(ServerConfig{Discipline: 7, CPU: -1, Concurrency: -2, QueueLimit: -5, Timeout: -time.Second})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
	for _, field := range []string{"Discipline", "CPU", "Concurrency", "QueueLimit", "Timeout"} {
		if !strings.Contains(err.Error(), "ServerConfig."+field) {
			t.Errorf("error does not name %s: %v", field, err)
		}
	}
}

// naiveFCFS is a reference for an FCFS server with c slots of speed
// CPU/(1024·c) vCPU each (a request of work w holds its slot for w/speed,
// rounded up to the nanosecond): the Kiefer–Wolfowitz recursion over
// requests in arrival order, written independently of Server. A request is rejected if c+K are
// still in the system at its arrival (those leaving at that instant have
// left); it starts when the earliest slot frees; a client timeout T ends it
// at arrival+T unless it finished by then.
type naiveArrival struct {
	at   time.Duration
	work time.Duration
}

func naiveFCFS(c, cpuUnits, queue int, timeout time.Duration, reqs []naiveArrival) (out []Completion, rejected int, cpu float64) {
	speed := float64(cpuUnits) / 1024 / float64(c)
	free := make([]time.Duration, c) // instant each slot frees
	var leaves []time.Duration       // of admitted requests
	for i, r := range reqs {
		inSystem := 0
		for _, l := range leaves {
			if l > r.at {
				inSystem++
			}
		}
		if queue != Unlimited && inSystem >= c+queue {
			rejected++
			continue
		}
		slot := 0
		for k := range free {
			if free[k] < free[slot] {
				slot = k
			}
		}
		start := max(r.at, free[slot])
		finish := start + time.Duration(math.Ceil(float64(r.work)/speed))
		deadline := Never
		if timeout > 0 {
			deadline = r.at + timeout
		}
		comp := Completion{ID: uint64(i), Arrived: r.at, Started: start, Done: finish, Outcome: Served}
		switch {
		case start >= deadline && r.work > 0 || start > deadline:
			comp.Started, comp.Done, comp.Outcome = -1, deadline, TimedOut
		case finish > deadline:
			comp.Done, comp.Outcome = deadline, TimedOut
			free[slot] = deadline
		default:
			free[slot] = finish
		}
		switch {
		case comp.Outcome == Served:
			cpu += r.work.Seconds()
		case comp.Started >= 0:
			cpu += (comp.Done - comp.Started).Seconds() * speed
		}
		leaves = append(leaves, comp.Done)
		out = append(out, comp)
	}
	return out, rejected, cpu
}

// TestServerFCFSMatchesNaiveReference drives Server with random arrivals
// (whole milliseconds, so ties between arrivals, completions and timeouts
// are frequent) on tasks of random CPU, and compares every request's fate,
// the CPU work done and the in-flight integral with naiveFCFS.
func TestServerFCFSMatchesNaiveReference(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		c := rapid.IntRange(1, 4).Draw(rt, "c")
		cpuUnits := rapid.SampledFrom([]int{1024 * c, 256, 1536, 3000}).Draw(rt, "cpu")
		queue := rapid.IntRange(-1, 3).Draw(rt, "queue")
		timeout := time.Duration(rapid.IntRange(0, 8).Draw(rt, "timeout")) * ms
		n := rapid.IntRange(1, 40).Draw(rt, "n")
		reqs := make([]naiveArrival, n)
		at := time.Duration(0)
		for i := range reqs {
			at += time.Duration(rapid.IntRange(0, 3).Draw(rt, "gap")) * ms
			reqs[i] = naiveArrival{at: at, work: time.Duration(rapid.IntRange(0, 6).Draw(rt, "work")) * ms}
		}
		want, wantRejected, wantCPU := naiveFCFS(c, cpuUnits, queue, timeout, reqs)

		s := mustServer(rt, ServerConfig{CPU: cpuUnits, Concurrency: c, QueueLimit: queue, Timeout: timeout})
		var got []Completion
		rejected := 0
		for i, r := range reqs {
			got = append(got, s.Advance(r.at)...)
			if !s.Arrive(r.at, Request{ID: uint64(i), Work: r.work}) {
				rejected++
			}
		}
		got = append(got, s.Advance(time.Hour)...)
		for i := range got {
			if got[i].Outcome == TimedOut && got[i].Started == got[i].Done {
				got[i].Started = -1 // started and abandoned at the same instant: never served
			}
		}
		slices.SortFunc(got, func(a, b Completion) int { return int(a.ID) - int(b.ID) })
		if d := cmp.Diff(want, got); d != "" {
			rt.Fatalf("completions (-naive +server):\n%s", d)
		}
		cnt := s.Counters()
		if rejected != wantRejected || cnt.Rejected != int64(rejected) {
			rt.Fatalf("rejected: server %d (counter %d), naive %d", rejected, cnt.Rejected, wantRejected)
		}
		if math.Abs(cnt.CPUSeconds-wantCPU) > 1e-9*(1+wantCPU) {
			rt.Fatalf("CPUSeconds %v, naive %v", cnt.CPUSeconds, wantCPU)
		}
		var sojourn float64
		for _, w := range want {
			sojourn += w.Sojourn().Seconds()
		}
		if math.Abs(cnt.InFlightSeconds-sojourn) > 1e-9*(1+sojourn) {
			rt.Fatalf("InFlightSeconds %v, sum of sojourns %v", cnt.InFlightSeconds, sojourn)
		}
		if cnt.Arrived != cnt.Served+cnt.Rejected+cnt.TimedOut+cnt.Aborted+int64(cnt.InFlight) {
			rt.Fatalf("requests not conserved: %+v", cnt)
		}
	})
}

// TestServerSteadyStateAllocatesNothing: once the slab, heap and rings have
// grown, an arrival plus the completions it causes allocate nothing.
func TestServerSteadyStateAllocatesNothing(t *testing.T) {
	for _, cfg := range []ServerConfig{
		{Concurrency: 4, CPU: 4096, QueueLimit: Unlimited, Timeout: 10 * time.Second},
		{Discipline: ProcessorSharing, CPU: 1024, Timeout: 10 * time.Second},
	} {
		s := mustServer(t, cfg)
		r := rand.New(rand.NewPCG(1, 2))
		now := time.Duration(0)
		demand := Exponential{Mean: 100 * ms}
		arrivals := Poisson{PerSecond: 9 * float64(cfg.CPU) / 1024}
		step := func() {
			a, _ := arrivals.Next(now, r)
			for s.Next() < a.At {
				s.Advance(s.Next())
			}
			now = a.At
			s.Advance(now)
			s.Arrive(now, Request{Work: demand.Work(r, 1)})
		}
		for range 100_000 {
			step()
		}
		if a := testing.AllocsPerRun(10_000, step); a != 0 {
			t.Errorf("%v: %v allocations per request, want 0", cfg.Discipline, a)
		}
	}
}

// naivePS is a reference for egalitarian processor sharing without limits,
// written independently of Server: it steps from event to event in float
// seconds, giving each of the n requests in service vcpu/n of the CPU.
func naivePS(vcpu float64, arrivals []float64, works []float64) []float64 {
	done := make([]float64, len(arrivals))
	remaining := map[int]float64{}
	now, next := 0.0, 0
	for next < len(arrivals) || len(remaining) > 0 {
		// Earliest completion at the current sharing, by index order for ties.
		first, dt := -1, math.Inf(1)
		for i := range len(arrivals) {
			if r, ok := remaining[i]; ok && r*float64(len(remaining))/vcpu < dt {
				first, dt = i, r*float64(len(remaining))/vcpu
			}
		}
		if next < len(arrivals) && arrivals[next]-now <= dt {
			dt, first = arrivals[next]-now, -1
		}
		for i := range remaining {
			remaining[i] -= dt * vcpu / float64(len(remaining))
		}
		now += dt
		if first >= 0 {
			done[first] = now
			delete(remaining, first)
		} else {
			remaining[next] = works[next]
			next++
		}
	}
	return done
}

// TestServerProcessorSharingMatchesNaive compares every request's departure
// with naivePS on random inputs (to within a microsecond: the server rounds
// completion instants up to the nanosecond), and checks that the CPU work
// done equals the work brought.
func TestServerProcessorSharingMatchesNaive(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cpu := rapid.SampledFrom([]int{256, 1024, 4096}).Draw(rt, "cpu")
		n := rapid.IntRange(1, 30).Draw(rt, "n")
		at := make([]float64, n)
		works := make([]float64, n)
		s := mustServer(rt, ServerConfig{Discipline: ProcessorSharing, CPU: cpu})
		now := time.Duration(0)
		var got []Completion
		var total float64
		for i := range n {
			now += time.Duration(rapid.Int64Range(0, 50_000).Draw(rt, "gap µs")) * time.Microsecond
			w := time.Duration(rapid.Int64Range(1, 100_000).Draw(rt, "work µs")) * time.Microsecond
			at[i], works[i] = now.Seconds(), w.Seconds()
			total += w.Seconds()
			got = append(got, s.Advance(now)...)
			s.Arrive(now, Request{ID: uint64(i), Work: w})
		}
		got = append(got, s.Advance(time.Hour)...)
		want := naivePS(float64(cpu)/1024, at, works)
		if len(got) != n {
			rt.Fatalf("%d completions for %d requests", len(got), n)
		}
		for _, c := range got {
			if d := c.Done.Seconds() - want[c.ID]; math.Abs(d) > 1e-6 || c.Outcome != Served {
				rt.Fatalf("request %d: %v at %v, naive done at %.9f s", c.ID, c.Outcome, c.Done, want[c.ID])
			}
		}
		if cs := s.Counters().CPUSeconds; math.Abs(cs-total) > 1e-9*total {
			rt.Fatalf("CPU work done %v, brought %v", cs, total)
		}
	})
}

// TestServerBacklogByHand: FCFS with one slot and room for two waiting: A
// (10 s of work) arrives at 0, B at 1 s, C at 2 s. At 3 s the room is full
// and B, at the head, has waited 2 s; once A leaves at 10 s and B starts,
// C heads the queue, with room for one more. A processor-sharing server
// without a concurrency limit never queues.
func TestServerBacklogByHand(t *testing.T) {
	s := mustServer(t, ServerConfig{Discipline: FCFS, Concurrency: 1, QueueLimit: 2})
	type want struct {
		full bool
		wait time.Duration
	}
	check := func(at time.Duration, w want) {
		t.Helper()
		s.Advance(at)
		if full, wait := s.Backlog(at); full != w.full || wait != w.wait {
			t.Errorf("at %v: Backlog = %v, %v; want %v, %v", at, full, wait, w.full, w.wait)
		}
	}
	check(0, want{false, 0})
	s.Arrive(0, Request{ID: 1, Work: 10 * time.Second})
	check(500*ms, want{false, 0}) // A in service, nobody waits
	s.Arrive(time.Second, Request{ID: 2, Work: time.Second})
	check(1500*ms, want{false, 500 * ms})
	s.Arrive(2*time.Second, Request{ID: 3, Work: time.Second})
	check(3*time.Second, want{true, 2 * time.Second})
	if s.Arrive(3*time.Second, Request{ID: 4, Work: time.Second}) {
		t.Fatal("a fourth request was admitted to a full server")
	}
	check(10*time.Second, want{false, 8 * time.Second}) // B started at 10 s; C waited since 2 s
	check(12*time.Second, want{false, 0})               // C in service, nobody waits

	ps := mustServer(t, ServerConfig{Discipline: ProcessorSharing})
	for i := range 100 {
		ps.Arrive(0, Request{ID: uint64(i), Work: time.Hour})
	}
	if full, wait := ps.Backlog(time.Minute); full || wait != 0 {
		t.Errorf("processor sharing without a limit: Backlog = %v, %v; want false, 0", full, wait)
	}
}
