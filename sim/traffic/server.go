package traffic

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Discipline is how a Server shares its CPU among the requests in service.
type Discipline uint8

const (
	// FCFS serves requests first come, first served in Concurrency
	// parallel slots; each slot runs at CPU/Concurrency, so a request of
	// work w holds its slot for w·Concurrency·1024/CPU. With CPU =
	// c·1024 and Concurrency c this is the M/G/c queue.
	FCFS Discipline = iota
	// ProcessorSharing is egalitarian processor sharing: the n requests
	// in service each run at CPU/n, so a request of work w alone on the
	// task finishes after w·1024/CPU. Concurrency, if set, caps n; the
	// rest wait first come, first served.
	ProcessorSharing
)

// String returns the discipline's name.
func (d Discipline) String() string {
	switch d {
	case FCFS:
		return "FCFS"
	case ProcessorSharing:
		return "ProcessorSharing"
	}
	return fmt.Sprintf("Discipline(%d)", uint8(d))
}

// disciplineNames are the disciplines' text forms, as configuration files
// write them.
var disciplineNames = []string{FCFS: "fcfs", ProcessorSharing: "ps"}

// MarshalText writes "fcfs" or "ps".
func (d Discipline) MarshalText() ([]byte, error) {
	return marshalEnum("Discipline", disciplineNames, d)
}

// UnmarshalText reads "fcfs" or "ps".
func (d *Discipline) UnmarshalText(text []byte) error {
	return unmarshalEnum("Discipline", disciplineNames, d, text)
}

// marshalEnum writes the name of v, an index into names.
func marshalEnum[E ~uint8](what string, names []string, v E) ([]byte, error) {
	if int(v) >= len(names) {
		return nil, fielderr.New(ErrConfig, what, int(v), "is not a known "+what)
	}
	return []byte(names[v]), nil
}

// unmarshalEnum reads one of names into *v, or says which names there are.
func unmarshalEnum[E ~uint8](what string, names []string, v *E, text []byte) error {
	for i, name := range names {
		if string(text) == name {
			*v = E(i)
			return nil
		}
	}
	return fielderr.New(ErrConfig, what, string(text), "must be one of "+strings.Join(names, ", "))
}

// Unlimited as a QueueLimit means the waiting room has no bound.
const Unlimited = -1

// ServerConfig configures one Server: the request-serving process inside
// one ECS task.
type ServerConfig struct {
	// Discipline is FCFS (the zero value) or ProcessorSharing.
	Discipline Discipline
	// CPU is the task's CPU in CPU units (1024 = 1 vCPU); zero means 1024.
	CPU int
	// Concurrency is c. FCFS: the number of parallel slots; zero means 1.
	// ProcessorSharing: the most requests sharing the CPU at once; zero
	// means no limit.
	Concurrency int
	// QueueLimit is how many requests may wait beyond the c in service;
	// a request arriving when c are in service and QueueLimit wait is
	// rejected (the load balancer answers 5xx). Zero means none may wait
	// (a loss system, Erlang B); Unlimited (−1) means no bound.
	QueueLimit int
	// Timeout is the client timeout, counted from arrival: a request still
	// waiting or in service Timeout after it arrived is abandoned (and
	// stops using the CPU, as a server that notices the closed connection
	// does). Zero means clients never give up.
	Timeout time.Duration
}

// Validate reports every invalid field, joined.
func (c ServerConfig) Validate() error {
	l := fielderr.NewList(ErrConfig)
	if c.Discipline > ProcessorSharing {
		l.Add("ServerConfig.Discipline", int(c.Discipline), "must be FCFS or ProcessorSharing")
	}
	if c.CPU < 0 {
		l.Add("ServerConfig.CPU", c.CPU, "must be ≥ 0 CPU units (0 means 1024)")
	}
	if c.Concurrency < 0 {
		l.Add("ServerConfig.Concurrency", c.Concurrency, "must be ≥ 0")
	}
	if c.QueueLimit < Unlimited {
		l.Add("ServerConfig.QueueLimit", c.QueueLimit, "must be ≥ 0 or Unlimited (-1)")
	}
	if c.Timeout < 0 {
		l.Add("ServerConfig.Timeout", c.Timeout, "must be ≥ 0 (0 means none)")
	}
	return l.Err()
}

// valid reports whether Validate finds nothing: the same rules, as one
// expression, for a caller that checks a configuration often.
func (c ServerConfig) valid() bool {
	return c.Discipline <= ProcessorSharing && c.CPU >= 0 && c.Concurrency >= 0 && c.QueueLimit >= Unlimited && c.Timeout >= 0
}

// Request is a request handed to a Server.
type Request struct {
	// ID identifies the request to the caller; the server only echoes it.
	ID uint64
	// Work is the CPU time the request needs at one vCPU (see Demand).
	Work time.Duration
}

// Outcome is how an admitted request left the server.
type Outcome uint8

const (
	// Served requests finished their work.
	Served Outcome = iota
	// TimedOut requests were abandoned by their client after Timeout.
	TimedOut
	// Aborted requests were in flight when the task was killed (Kill).
	Aborted
)

// String returns the outcome's name.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

var outcomeNames = []string{Served: "Served", TimedOut: "TimedOut", Aborted: "Aborted"}

// MarshalText writes the outcome's name, as String does.
func (o Outcome) MarshalText() ([]byte, error) { return marshalEnum("Outcome", outcomeNames, o) }

// UnmarshalText reads an outcome's name.
func (o *Outcome) UnmarshalText(text []byte) error {
	return unmarshalEnum("Outcome", outcomeNames, o, text)
}

// Completion reports an admitted request leaving the server.
type Completion struct {
	// ID is the request's ID.
	ID uint64
	// Arrived, Started and Done are the instants the request arrived,
	// entered service (−1 if it never did) and left.
	Arrived, Started, Done time.Duration
	// Outcome says why it left.
	Outcome Outcome
}

// Sojourn returns the time the request spent in the server (the latency the
// load balancer sees, before network time).
func (c Completion) Sojourn() time.Duration { return c.Done - c.Arrived }

// Counters are a Server's cumulative counts. At every instant
//
//	Arrived = Served + Rejected + TimedOut + Aborted + InFlight.
type Counters struct {
	// Arrived counts requests offered to the server.
	Arrived int64
	// Served counts requests that finished.
	Served int64
	// Rejected counts requests turned away because the queue was full.
	Rejected int64
	// TimedOut counts requests abandoned after the client timeout.
	TimedOut int64
	// Aborted counts requests lost when the server was killed.
	Aborted int64
	// InFlight is the number of requests in service or waiting now.
	InFlight int
	// InService is the number of requests in service now.
	InService int
	// CPUSeconds is the CPU work done, in vCPU·seconds: over a period,
	// CPUUtilization = ΔCPUSeconds / (CPU/1024 · period seconds).
	CPUSeconds float64
	// InFlightSeconds is the integral of InFlight over time, in
	// request·seconds: over a period, mean in flight L = Δ/period, which
	// Little's law ties to throughput times mean latency.
	InFlightSeconds float64
}

// Since returns the change from an earlier reading prev to c: the counts
// and integrals of the period between them, as the world needs them every
// minute (InFlight and InService stay c's current values). Over a period of
// p seconds on a task of cpu units, the ECS CPUUtilization is
// 100 · d.CPUSeconds / (cpu/1024 · p) and the mean number in flight
// d.InFlightSeconds / p.
func (c Counters) Since(prev Counters) Counters {
	return Counters{
		Arrived:         c.Arrived - prev.Arrived,
		Served:          c.Served - prev.Served,
		Rejected:        c.Rejected - prev.Rejected,
		TimedOut:        c.TimedOut - prev.TimedOut,
		Aborted:         c.Aborted - prev.Aborted,
		InFlight:        c.InFlight,
		InService:       c.InService,
		CPUSeconds:      c.CPUSeconds - prev.CPUSeconds,
		InFlightSeconds: c.InFlightSeconds - prev.InFlightSeconds,
	}
}

// job is a request inside the server; jobs live in a slab reused through a
// free list, so steady-state traffic allocates nothing.
type job struct {
	id       uint64
	arrived  time.Duration
	started  time.Duration
	work     time.Duration
	finish   time.Duration // FCFS: completion instant
	tag      float64       // PS: attained service (s) at which it completes
	heapPos  int32         // index in Server.heap, −1 while waiting
	sequence uint32        // bumped when the slot is freed; deadline refs check it
}

type jobRef struct {
	idx      int32
	sequence uint32
}

// Server is the request-serving process of one ECS task: a queue with c
// slots (FCFS) or a processor-sharing CPU, a bounded waiting room, client
// timeouts and counters. It keeps no clock of its own beyond the instant of
// the last call: every method takes now (offset from simulation start), and
// Next says when the server next needs a call.
//
// Typical event-driven use: on an arrival for this task, Arrive(now, req);
// after any call, (re)schedule a wake-up at Next(); on the wake-up,
// Advance(now) and handle the returned completions.
type Server struct {
	cfg       ServerConfig
	vcpu      float64 // CPU in vCPUs
	limit     int     // most requests in service; 0 = no limit (PS)
	slotSpeed float64 // FCFS: vCPUs per slot

	clock     time.Duration
	jobs      []job
	free      []int32
	heap      []int32 // in service: FCFS by finish, PS by tag
	waiting   ring[int32]
	deadlines ring[jobRef] // in-system jobs in arrival (= deadline) order
	virt      float64      // PS: attained service per job since the busy period began, s

	counters Counters
	done     []Completion
	handed   bool // done was returned to the caller and must be cleared
}

// NewServer returns an empty server at time 0.
func NewServer(cfg ServerConfig) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.CPU == 0 {
		cfg.CPU = 1024
	}
	s := &Server{cfg: cfg, vcpu: float64(cfg.CPU) / 1024, limit: cfg.Concurrency}
	if cfg.Discipline == FCFS {
		if s.limit == 0 {
			s.limit = 1
		}
		s.slotSpeed = s.vcpu / float64(s.limit)
	}
	return s, nil
}

// Config returns the server's configuration with defaults applied.
func (s *Server) Config() ServerConfig { return s.cfg }

// InFlight returns the number of requests in service or waiting, the
// figure least-outstanding-requests routing compares.
func (s *Server) InFlight() int { return len(s.heap) + s.waiting.n }

// Counters returns the counts as of the last call's instant; call
// Advance(now) first to bring them to now.
func (s *Server) Counters() Counters {
	c := s.counters
	c.InService = len(s.heap)
	c.InFlight = len(s.heap) + s.waiting.n
	return c
}

// Backlog reports how a request arriving at now would fare, without
// offering one: full is true if it would be rejected (c requests in service
// and QueueLimit waiting), and oldestWait is how long the request at the
// head of the waiting room has waited by now (0 when none waits). A FIFO
// newcomer waits about as long as the head has, so a load balancer's
// health check sent through the request queue fails when full is true
// (the application answers 503) or oldestWait reaches the check's timeout.
// now must not be earlier than the last call's instant; Backlog changes
// nothing, so call Advance(now) first for an exact answer.
func (s *Server) Backlog(now time.Duration) (full bool, oldestWait time.Duration) {
	if s.limit == 0 || len(s.heap) < s.limit {
		return false, 0
	}
	full = s.cfg.QueueLimit != Unlimited && s.waiting.n >= s.cfg.QueueLimit
	if s.waiting.n > 0 {
		oldestWait = max(now-s.jobs[s.waiting.front()].arrived, 0)
	}
	return full, oldestWait
}

// Next returns the instant of the server's next internal event (a
// completion or a timeout), or Never if it is idle.
func (s *Server) Next() time.Duration {
	return min(s.nextCompletion(), s.nextDeadline())
}

// Advance processes everything due up to and including now and returns the
// requests that left since the previous Advance (including those that left
// during Arrive calls), in order of their Done instants. The slice belongs
// to the server and is valid until the next call.
func (s *Server) Advance(now time.Duration) []Completion {
	s.process(now)
	s.handed = true
	return s.done
}

// Arrive offers a request arriving at now. It returns false if the request
// was rejected because c requests are in service and QueueLimit wait.
// Requests that left before the arrival (at or before now) are kept for the
// next Advance, which the caller should make at least every time it wakes.
// Calling any method with a now earlier than the previous call's panics: it
// is a programmer error.
func (s *Server) Arrive(now time.Duration, req Request) bool {
	s.process(now)
	s.counters.Arrived++
	inService := len(s.heap)
	if s.limit != 0 && inService >= s.limit {
		if s.cfg.QueueLimit != Unlimited && s.waiting.n >= s.cfg.QueueLimit {
			s.counters.Rejected++
			return false
		}
	}
	idx := s.alloc()
	j := &s.jobs[idx]
	j.id, j.arrived, j.started, j.work, j.heapPos = req.ID, now, -1, max(req.Work, 0), -1
	if s.cfg.Timeout > 0 {
		s.deadlines.push(jobRef{idx: idx, sequence: j.sequence})
	}
	if s.limit == 0 || inService < s.limit {
		s.start(idx)
	} else {
		s.waiting.push(idx)
	}
	return true
}

// Kill aborts every request in flight at now (the task got SIGKILL or
// crashed) and returns all requests that left since the previous Advance,
// the aborted ones last, as Advance does.
func (s *Server) Kill(now time.Duration) []Completion {
	s.process(now)
	for _, idx := range s.heap {
		s.emit(idx, Aborted)
		s.release(idx)
	}
	s.heap = s.heap[:0]
	for s.waiting.n > 0 {
		idx := s.waiting.pop()
		s.emit(idx, Aborted)
		s.release(idx)
	}
	s.deadlines.clear()
	s.virt = 0
	s.handed = true
	return s.done
}

func (s *Server) alloc() int32 {
	if n := len(s.free); n > 0 {
		idx := s.free[n-1]
		s.free = s.free[:n-1]
		return idx
	}
	s.jobs = append(s.jobs, job{})
	return int32(len(s.jobs) - 1)
}

func (s *Server) release(idx int32) {
	s.jobs[idx].sequence++
	s.free = append(s.free, idx)
}

func (s *Server) emit(idx int32, o Outcome) {
	j := &s.jobs[idx]
	s.done = append(s.done, Completion{ID: j.id, Arrived: j.arrived, Started: j.started, Done: s.clock, Outcome: o})
	switch o {
	case Served:
		s.counters.Served++
	case TimedOut:
		s.counters.TimedOut++
	case Aborted:
		s.counters.Aborted++
	}
}

func (s *Server) nextCompletion() time.Duration {
	if len(s.heap) == 0 {
		return Never
	}
	j := &s.jobs[s.heap[0]]
	if s.cfg.Discipline == FCFS {
		return j.finish
	}
	rem := j.tag - s.virt // seconds of service at one vCPU
	if rem <= 0 {
		return s.clock
	}
	speed := s.vcpu / float64(len(s.heap))
	ns := math.Ceil(rem / speed * 1e9) // rounded up: never before the work is done
	if ns >= float64(Never-s.clock) {
		return Never
	}
	return s.clock + time.Duration(ns)
}

func (s *Server) nextDeadline() time.Duration {
	if s.cfg.Timeout == 0 {
		return Never
	}
	for s.deadlines.n > 0 {
		ref := s.deadlines.front()
		if j := &s.jobs[ref.idx]; j.sequence == ref.sequence {
			return addSat(j.arrived, s.cfg.Timeout)
		}
		s.deadlines.pop()
	}
	return Never
}

// process runs the completions and timeouts due by now, in time order
// (a completion before a timeout at the same instant), then moves the clock
// to now.
func (s *Server) process(now time.Duration) {
	if now < s.clock {
		panic(fmt.Sprintf("traffic: Server called at %v, before its previous call at %v", now, s.clock))
	}
	if s.handed {
		s.done, s.handed = s.done[:0], false
	}
	for {
		c, d := s.nextCompletion(), s.nextDeadline()
		switch {
		case c == Never && d == Never:
			s.advanceTo(now)
			return
		case c <= d && c <= now:
			s.advanceTo(c)
			s.complete()
		case d < c && d <= now:
			s.advanceTo(d)
			s.expire()
		default:
			s.advanceTo(now)
			return
		}
	}
}

// advanceTo accrues CPU work, in-flight time and PS attained service up to t.
func (s *Server) advanceTo(t time.Duration) {
	dt := seconds(t - s.clock)
	if dt <= 0 {
		return
	}
	n := len(s.heap)
	s.counters.InFlightSeconds += float64(n+s.waiting.n) * dt
	if n > 0 {
		if s.cfg.Discipline == FCFS {
			s.counters.CPUSeconds += float64(n) * s.slotSpeed * dt
		} else {
			s.counters.CPUSeconds += s.vcpu * dt
			s.virt += s.vcpu / float64(n) * dt
		}
	}
	s.clock = t
}

func (s *Server) start(idx int32) {
	j := &s.jobs[idx]
	j.started = s.clock
	if s.cfg.Discipline == FCFS {
		d := j.work
		if s.slotSpeed != 1 {
			// Rounded up to the nanosecond, so a request never finishes
			// before its work is done.
			if ns := math.Ceil(float64(j.work) / s.slotSpeed); ns < float64(Never) {
				d = time.Duration(ns)
			} else {
				d = Never
			}
		}
		j.finish = addSat(s.clock, d)
	} else {
		if len(s.heap) == 0 {
			s.virt = 0 // rebase at each busy period: keeps the float small
		}
		j.tag = s.virt + seconds(j.work)
	}
	s.heapPush(idx)
}

func (s *Server) complete() {
	idx := s.heap[0]
	// Completion instants are rounded up to the nanosecond, so the CPU
	// accrued for this job can exceed its work by under a nanosecond's
	// worth; count only the work done.
	j := &s.jobs[idx]
	if s.cfg.Discipline == FCFS {
		s.counters.CPUSeconds -= max(seconds(j.finish-j.started)*s.slotSpeed-seconds(j.work), 0)
	} else {
		s.counters.CPUSeconds -= max(s.virt-j.tag, 0)
	}
	s.heapRemove(0)
	s.emit(idx, Served)
	s.release(idx)
	s.admit()
}

func (s *Server) expire() {
	ref := s.deadlines.pop()
	idx := ref.idx
	if pos := s.jobs[idx].heapPos; pos >= 0 {
		s.heapRemove(int(pos))
	} else {
		// Waiting jobs arrived after every job in service (admission is
		// first come, first served), so the earliest deadline among them
		// is at the head of the queue.
		if w := s.waiting.pop(); w != idx {
			panic("traffic: internal error: timed-out job is not at the head of the queue")
		}
	}
	s.emit(idx, TimedOut)
	s.release(idx)
	s.admit()
}

func (s *Server) admit() {
	for s.waiting.n > 0 && (s.limit == 0 || len(s.heap) < s.limit) {
		s.start(s.waiting.pop())
	}
}

// The service heap: a binary min-heap of job indices, by finish (FCFS) or
// tag (PS), ties broken by arrival then ID so the order is fully determined.

func (s *Server) less(a, b int32) bool {
	ja, jb := &s.jobs[a], &s.jobs[b]
	if s.cfg.Discipline == FCFS {
		if ja.finish != jb.finish {
			return ja.finish < jb.finish
		}
	} else if ja.tag != jb.tag {
		return ja.tag < jb.tag
	}
	if ja.arrived != jb.arrived {
		return ja.arrived < jb.arrived
	}
	return ja.id < jb.id
}

func (s *Server) heapSet(i int, idx int32) {
	s.heap[i] = idx
	s.jobs[idx].heapPos = int32(i)
}

func (s *Server) heapPush(idx int32) {
	s.heap = append(s.heap, idx)
	s.heapSet(len(s.heap)-1, idx)
	s.up(len(s.heap) - 1)
}

func (s *Server) heapRemove(i int) {
	removed := s.heap[i]
	last := len(s.heap) - 1
	if i != last {
		s.heapSet(i, s.heap[last])
	}
	s.heap = s.heap[:last]
	if i != last {
		s.down(i)
		s.up(i)
	}
	s.jobs[removed].heapPos = -1
}

func (s *Server) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(s.heap[i], s.heap[p]) {
			return
		}
		a, b := s.heap[i], s.heap[p]
		s.heapSet(i, b)
		s.heapSet(p, a)
		i = p
	}
}

func (s *Server) down(i int) {
	n := len(s.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && s.less(s.heap[r], s.heap[l]) {
			m = r
		}
		if !s.less(s.heap[m], s.heap[i]) {
			return
		}
		a, b := s.heap[i], s.heap[m]
		s.heapSet(i, b)
		s.heapSet(m, a)
		i = m
	}
}

// seconds converts d to seconds with one float division; Duration.Seconds
// splits with integer division, which is slow on the hot path.
func seconds(d time.Duration) float64 { return float64(d) / 1e9 }

// ring is a growable FIFO of values.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		grown := make([]T, max(16, 2*len(r.buf)))
		for i := range r.n {
			grown[i] = r.buf[(r.head+i)&(len(r.buf)-1)]
		}
		r.buf, r.head = grown, 0
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = v
	r.n++
}

func (r *ring[T]) front() T { return r.buf[r.head] }

func (r *ring[T]) pop() T {
	v := r.buf[r.head]
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	return v
}

func (r *ring[T]) clear() { r.head, r.n = 0, 0 }
