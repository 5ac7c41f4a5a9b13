package sim

import (
	"math"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/sim/storage"
	"github.com/ecssim/ecssim/sim/traffic"
)

// Requests' I/O on Amazon EFS. A workload with WorkloadConfig.IO gives
// each request, after its CPU work in the task, an I/O part: bytes read
// and written on the EFS volume the task mounts. The file system serves
// every request of every task that mounts it at once, sharing its
// permitted throughput equally among the requests (processor sharing),
// each task (one NFS client) capped at FileSystemConfig.PerClientMiBps
// (storage.Share); then the request waits the fixed read or write latency
// and is answered. Its latency is the whole: CPU, I/O, fixed delay.

// RequestIO is the I/O part of each request of a workload.
type RequestIO struct {
	// Volume names the task definition volume the requests use; it must
	// be an EFS volume (Volume.EFSVolumeConfiguration). Tasks whose task
	// definition has no such volume do no I/O.
	Volume string
	// MeanReadBytes and MeanWriteBytes are the bytes a request reads and
	// writes, on average; request-level mode draws each from an
	// exponential distribution with that mean (stream "request-io"). At
	// least one must be positive. A request is metered at a third of what
	// it reads plus what it writes, at least 4 KiB
	// (storage.Metered).
	MeanReadBytes, MeanWriteBytes float64
}

func (io *RequestIO) validate(l *fielderr.List, field string) {
	if io == nil {
		return
	}
	if !validName(io.Volume) {
		l.Add(field+".Volume", io.Volume, "must name a volume of the service's task definition")
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"MeanReadBytes", io.MeanReadBytes}, {"MeanWriteBytes", io.MeanWriteBytes}} {
		if !(f.v >= 0) || f.v > storage.TiB {
			l.Add(field+"."+f.name, f.v, "must be a finite number of bytes from 0 to 1 TiB")
		}
	}
	if io.MeanReadBytes == 0 && io.MeanWriteBytes == 0 {
		l.Add(field+".MeanReadBytes", 0, "MeanReadBytes or MeanWriteBytes must be positive")
	}
}

// meanMetered is the mean metered size of a request: the 4 KiB minimum
// applies to each request, so for exponential reads R and writes W it is
// E[max(R/3 + W, 4 KiB)], computed by numerical integration once.
func (io *RequestIO) meanMetered() float64 {
	a, b := io.MeanReadBytes*storage.ReadMeteringFactor, io.MeanWriteBytes
	m := storage.MinMeteredBytes
	// X = A + B, A ~ Exp(mean a), B ~ Exp(mean b): E[max(X, m)] =
	// m + E[(X − m)+] = m + ∫_m^∞ P(X > x) dx.
	tail := func(x float64) float64 {
		switch {
		case a == 0:
			return math.Exp(-x / b)
		case b == 0:
			return math.Exp(-x / a)
		case a == b:
			return (1 + x/a) * math.Exp(-x/a)
		}
		return (a*math.Exp(-x/a) - b*math.Exp(-x/b)) / (a - b)
	}
	// P(X > x) integrated: closed forms of ∫_m^∞ tail.
	switch {
	case a == 0:
		return m + b*tail(m)
	case b == 0:
		return m + a*tail(m)
	case a == b:
		return m + (2*a+m)*math.Exp(-m/a)
	}
	return m + (a*a*math.Exp(-m/a)-b*b*math.Exp(-m/b))/(a-b)
}

// ioJob is one request's I/O on a file system.
type ioJob struct {
	id          uint64
	finish      float64 // its client's virtual service (efsClient.v) when its bytes are all moved
	metered     float64
	read, write float64 // data bytes
	cl          *efsClient
	wl          *Workload
	lt          *lbTarget
	arrived     time.Duration // the request's arrival at the task
	deadline    time.Duration // when its client gives up (0: never)
	ioStart     time.Duration
	pos         int // index in its client's heap, or in its delayed list
	dpos        int // index in fsIO.deadlines, or -1
	delayed     bool
}

// efsClient is one task's requests on a file system. Its requests in
// service all move at one rate, so they are kept by virtual time: v is
// the metered bytes each has received since the client's last busy period
// began, and a request is done when v reaches its finish tag (its start's
// v plus its size). Moving every request on is one addition per client,
// and the next completion is the heap's first tag.
type efsClient struct {
	fs      *FileSystem
	t       *Task
	v       float64  // virtual service, metered bytes per request
	heap    []*ioJob // in service, a min-heap by finish tag
	rate    float64  // metered bytes/s each of its requests gets
	delayed []*ioJob // served, waiting out the fixed latency
	idx     int      // in fsIO.clients
}

// fsIO is a file system's requests in service.
type fsIO struct {
	fs        *FileSystem
	inService int      // requests in service
	deadlines []*ioJob // those with a deadline, a min-heap by (deadline, id)
	clients   []*efsClient
	byTask    map[*Task]*efsClient // lookup only
	timer     Timer
	wakeAt    time.Duration
	readIn    float64 // metered read bytes of the requests in service
	totalIn   float64 // metered bytes of the requests in service

	counts        []int
	rates         []float64
	order         []int
	done, expired []*ioJob // complete's scratch

	fluidWLs  []*Workload // fluid workloads using the file system, in order of first use
	fluidUses []float64   // their metered bytes/s in their last step
	fluidUse  float64     // the sum
}

func (io *fsIO) init(fs *FileSystem) { io.fs, io.byTask = fs, map[*Task]*efsClient{} }

// progress moves every request in service on by dt seconds at its rate.
func (io *fsIO) progress(dt float64) {
	for _, c := range io.clients {
		c.v += c.rate * dt
	}
}

// client returns t's client, made on first use.
func (io *fsIO) client(t *Task) *efsClient {
	if c := io.byTask[t]; c != nil {
		return c
	}
	c := &efsClient{fs: io.fs, t: t, idx: len(io.clients)}
	io.clients = append(io.clients, c)
	io.byTask[t] = c
	return c
}

// dropClient forgets a client, which has nothing in service: its task's
// containers stopped (abort). A client stays while its task lives, idle
// or not, so that a task's requests allocate no client each.
func (io *fsIO) dropClient(c *efsClient) {
	last := io.clients[len(io.clients)-1]
	io.clients[c.idx], last.idx = last, c.idx
	io.clients[len(io.clients)-1] = nil
	io.clients = io.clients[:len(io.clients)-1]
	delete(io.byTask, c.t)
}

// start puts a request's I/O in service now.
func (io *fsIO) start(wl *Workload, lt *lbTarget, arrived, deadline time.Duration, read, write float64) {
	fs := io.fs
	now := fs.w.sim.Elapsed()
	fs.advance(now)
	io.complete(now)
	e := fs.w.efsState
	e.nextJob++
	m := storage.Metered(read, write)
	j := e.alloc()
	c := io.client(lt.t)
	if len(c.heap) == 0 {
		c.v = 0 // a new busy period: keep the tags small, and exact
	}
	*j = ioJob{id: e.nextJob, finish: c.v + m, metered: m, read: read, write: write, cl: c, wl: wl, lt: lt, arrived: arrived, deadline: deadline, ioStart: now, dpos: -1}
	c.push(j)
	if deadline > 0 {
		io.pushDeadline(j)
	}
	io.inService++
	io.readIn += read * storage.ReadMeteringFactor
	io.totalIn += read*storage.ReadMeteringFactor + write
	fs.readData += read
	fs.writeData += write
	lt.ioInFlight++
	io.reshare(now)
}

// complete takes the requests whose bytes are all moved out of service:
// each waits its fixed latency, or is answered now.
func (io *fsIO) complete(now time.Duration) {
	done, expired := io.done[:0], io.expired[:0]
	for _, c := range io.clients {
		for len(c.heap) > 0 && moved(c.heap[0], c.v) {
			j := c.pop()
			io.dropDeadline(j)
			done = append(done, j)
		}
	}
	for len(io.deadlines) > 0 && now >= io.deadlines[0].deadline {
		j := io.deadlines[0]
		io.dropDeadline(j)
		j.cl.remove(j)
		expired = append(expired, j)
	}
	for _, j := range done {
		io.leave(j)
	}
	for _, j := range expired {
		io.leave(j)
	}
	// Keep the scratch for the next call; finish may call complete again
	// (no: it only answers the request), so the slices are ours.
	io.done, io.expired = done, expired
	for _, j := range expired {
		io.finish(j, now, ioTimedOut)
	}
	for _, j := range done {
		lat := time.Duration(0)
		if j.read > 0 {
			lat = io.fs.cfg.ReadLatency
		}
		if j.write > 0 {
			lat += io.fs.cfg.WriteLatency
		}
		if lat > 0 {
			j.delayed, j.pos = true, len(j.cl.delayed)
			j.cl.delayed = append(j.cl.delayed, j)
			io.fs.w.efsState.waiting[j.id] = j
			io.fs.w.sim.Schedule(io.fs.w.efsState.kLatency, lat, j.id)
			continue
		}
		io.finish(j, now, ioServed)
	}
	clear(done)
	clear(expired)
}

// moved reports whether j's bytes are all moved at virtual service v: to
// within a millionth of its size or a byte (what is left of the
// floating-point sums).
func moved(j *ioJob, v float64) bool { return j.finish-v <= max(1e-6*j.metered, 1) }

// leave takes j's bytes out of the read share's sums.
func (io *fsIO) leave(j *ioJob) {
	io.inService--
	io.readIn -= j.read * storage.ReadMeteringFactor
	io.totalIn -= j.read*storage.ReadMeteringFactor + j.write
	if io.inService == 0 {
		io.readIn, io.totalIn = 0, 0 // no drift from rounding
	}
}

// ioOutcome is how a request's I/O ended.
type ioOutcome uint8

const (
	ioServed   ioOutcome = iota
	ioTimedOut           // its client gave up first
	ioAborted            // its task's containers stopped
)

// finish answers j's request.
func (io *fsIO) finish(j *ioJob, now time.Duration, how ioOutcome) {
	j.lt.ioInFlight--
	j.wl.ioDone(j, now, how)
	io.fs.w.efsState.free(j)
}

// reshare sets every client's rate for the requests now in service and
// arms the file system's timer for the next completion, or the instant
// its credits run out.
func (io *fsIO) reshare(now time.Duration) {
	fs := io.fs
	if io.totalIn > 0 {
		fs.readPart = io.readIn / io.totalIn
	}
	io.counts = io.counts[:0]
	for _, c := range io.clients {
		io.counts = append(io.counts, len(c.heap))
	}
	io.rates = append(io.rates[:0], make([]float64, len(io.counts))...)
	used, order := storage.Share(fs.permitted(), fs.cfg.PerClientMiBps*storage.MiB, io.counts, io.rates, io.order)
	io.order = order
	for i, c := range io.clients {
		c.rate = io.rates[i]
	}
	fs.used = used + io.fluidUse
	next := math.Inf(1)
	for _, c := range io.clients {
		if len(c.heap) > 0 && c.rate > 0 {
			next = min(next, (c.heap[0].finish-c.v)/c.rate)
		}
	}
	if len(io.deadlines) > 0 {
		next = min(next, (io.deadlines[0].deadline - now).Seconds())
	}
	if fs.creditLimited() && fs.credits > 0 {
		b := fs.cfg.Bursting
		next = min(next, storage.TimeToEmpty(fs.credits, b.Accrual(fs.stored), fs.used))
	}
	if math.IsInf(next, 1) {
		io.timer.Stop()
		return
	}
	d := time.Duration(math.Ceil(max(next, 0) * 1e9))
	d = max(d, 1)
	at := addTime(now, d)
	if io.timer.Pending() && at == io.wakeAt {
		return
	}
	io.wakeAt = at
	if !io.timer.Reset(d) {
		io.timer = fs.w.sim.Schedule(fs.w.efsState.kIO, d, uint64(fs.index))
	}
}

// onEFSIO is a file system's next completion or credit exhaustion.
func (w *World) onEFSIO(arg uint64) {
	fs := w.efsState.list[arg]
	now := w.sim.Elapsed()
	fs.advance(now)
	fs.io.complete(now)
	fs.io.reshare(now)
}

// onEFSLatency answers a request whose fixed latency is over.
func (w *World) onEFSLatency(arg uint64) {
	e := w.efsState
	j := e.waiting[arg]
	if j == nil {
		return // its task died meanwhile
	}
	delete(e.waiting, arg)
	fs := j.cl.fs
	c := j.cl
	last := c.delayed[len(c.delayed)-1]
	c.delayed[j.pos], last.pos = last, j.pos
	c.delayed[len(c.delayed)-1] = nil
	c.delayed = c.delayed[:len(c.delayed)-1]
	fs.io.finish(j, w.sim.Elapsed(), ioServed)
}

// abort takes task t's requests out of the file system (its containers
// stopped): each is answered as aborted.
func (io *fsIO) abort(t *Task, now time.Duration) {
	c := io.byTask[t]
	if c == nil {
		return
	}
	fs := io.fs
	fs.advance(now)
	io.complete(now)
	var gone []*ioJob
	for _, j := range c.heap {
		io.dropDeadline(j)
		io.leave(j)
		gone = append(gone, j)
	}
	for _, j := range c.delayed {
		delete(fs.w.efsState.waiting, j.id)
		gone = append(gone, j)
	}
	c.heap, c.delayed = nil, nil
	io.dropClient(c)
	for _, j := range gone {
		j.lt.ioInFlight--
		j.wl.ioDone(j, now, ioAborted)
		fs.w.efsState.free(j)
	}
	io.reshare(now)
}

// ioFileSystem is the file system the requests of a task of def use: the
// one its volume WorkloadConfig.IO.Volume names, or nil.
func (wl *Workload) ioFileSystem(def *TaskDefinition) *FileSystem {
	io := wl.cfg.IO
	if io == nil {
		return nil
	}
	for _, v := range def.in.Volumes {
		if v.Name == io.Volume && v.EFSVolumeConfiguration != nil {
			return wl.w.FileSystem(v.EFSVolumeConfiguration.FileSystemID)
		}
	}
	return nil
}

// startIO sends a request whose CPU work is done to the file system; it
// stays in flight until its I/O is over.
func (wl *Workload) startIO(lt *lbTarget, c traffic.Completion) {
	io, rng := wl.cfg.IO, wl.w.efsState.rngIO
	read, write := 0.0, 0.0
	if io.MeanReadBytes > 0 {
		read = rng.ExpFloat64() * io.MeanReadBytes
	}
	if io.MeanWriteBytes > 0 {
		write = rng.ExpFloat64() * io.MeanWriteBytes
	}
	deadline := time.Duration(0)
	if t := wl.server.Timeout; t > 0 {
		deadline = addTime(c.Arrived, t)
	}
	lt.fs.io.start(wl, lt, c.Arrived, deadline, read, write)
}

// ioDone answers a request whose I/O is over, whose client gave up (the
// server's Timeout, counted from its arrival at the task: the application
// abandons the read or write when its client disconnects, a modelling
// choice that keeps the file system's backlog bounded), or whose task's
// containers stopped (aborted). A request whose fixed latency outlasts
// the timeout is still served.
func (wl *Workload) ioDone(j *ioJob, now time.Duration, how ioOutcome) {
	lt := j.lt
	wl.counters.InFlight--
	soj := (now - j.arrived).Seconds()
	wl.counters.SojournSeconds += soj
	inIO := (now - j.ioStart).Seconds()
	wl.counters.InFlightSeconds += inIO
	wl.minute.inFlightSeconds += inIO
	switch how {
	case ioAborted:
		wl.counters.Aborted++
	case ioTimedOut:
		wl.counters.TimedOut++
	default:
		wl.counters.Served++
		wl.served(soj, 1)
	}
	if wl.lb.tg.End(wl.w.now(), lt.id) {
		lt.t.Release(lt) // drained: deregistration is complete
	}
	if how != ioAborted && lt.terminating && lt.srv != nil && lt.srv.InFlight()+lt.ioInFlight == 0 {
		lt.idle()
	}
}

// fluidIO is a fluid step's I/O on fs: requests served at rate (per
// second) over the dt seconds that end at now, by tasks tasks. The file
// system is taken as an M/G/1 processor-sharing queue over the step
// (whose mean sojourn, E[S]/(1 − ρ), does not depend on the size
// distribution): E[S] is a request's mean metered size over what one
// request alone gets (the permitted throughput, at most one client's
// cap), ρ the metered demand of every user of the file system over the
// permitted throughput. It returns the mean I/O latency (seconds, +Inf
// when ρ ≥ 1) and the fraction of the requests the file system can serve
// (1 unless ρ ≥ 1 or the tasks' caps bind; the rest time out). The
// permitted throughput is the step's start's, and credits are settled
// once per step.
func (fs *FileSystem) fluidIO(wl *Workload, now time.Duration, dt, rate float64, tasks int) (latency, served float64) {
	io := wl.cfg.IO
	f := &fs.io
	slot := -1
	others := 0.0
	for i, x := range f.fluidWLs {
		if x == wl {
			slot = i
		} else {
			others += f.fluidUses[i]
		}
	}
	if slot < 0 {
		slot = len(f.fluidWLs)
		f.fluidWLs = append(f.fluidWLs, wl)
		f.fluidUses = append(f.fluidUses, 0)
	}
	mm := io.meanMetered()
	if f.inService == 0 {
		// The read share of the combined read and write limits: this
		// workload's mix, when no request-level request says otherwise.
		r := io.MeanReadBytes * storage.ReadMeteringFactor
		fs.readPart = r / (r + io.MeanWriteBytes)
	}
	perClient := fs.cfg.PerClientMiBps * storage.MiB
	permitted := fs.permitted()
	capacity := min(max(permitted-others, 0), float64(tasks)*perClient)
	demand := rate * mm
	served = 1.0
	if demand > 0 && demand > capacity {
		served = capacity / demand
	}
	use := demand * served
	old := f.fluidUse
	f.fluidUses[slot] = use
	f.fluidUse = others + use
	fs.used = max(fs.used+f.fluidUse-old, 0) // the request-level part stays
	fs.advance(now)
	f.reshare(now)
	fs.readData += rate * served * dt * io.MeanReadBytes
	fs.writeData += rate * served * dt * io.MeanWriteBytes
	rho := (demand + others) / permitted
	if rho >= 1 || served < 1 {
		return math.Inf(1), served
	}
	s := mm / min(permitted, perClient)
	fixed := 0.0
	if io.MeanReadBytes > 0 {
		fixed += fs.cfg.ReadLatency.Seconds()
	}
	if io.MeanWriteBytes > 0 {
		fixed += fs.cfg.WriteLatency.Seconds()
	}
	return s/(1-rho) + fixed, served
}

// fluidFileSystem is the file system a fluid workload's requests use: the
// one the primary deployment's task definition mounts, or nil.
func (wl *Workload) fluidFileSystem() *FileSystem {
	if !wl.hasIO || wl.svc == nil {
		return nil
	}
	return wl.ioFileSystem(wl.svc.deployments[0].def)
}

// alloc returns a job from the free list, or a new one: a request's I/O
// allocates nothing once the list holds as many as were ever in flight.
func (e *efsState) alloc() *ioJob {
	if n := len(e.freeJobs); n > 0 {
		j := e.freeJobs[n-1]
		e.freeJobs = e.freeJobs[:n-1]
		return j
	}
	return new(ioJob)
}

// free returns an answered job to the free list. Its id is never used
// again, so a latency event still pending for it finds nothing.
func (e *efsState) free(j *ioJob) {
	*j = ioJob{}
	e.freeJobs = append(e.freeJobs, j)
}

// push adds j to c's heap.
func (c *efsClient) push(j *ioJob) {
	j.pos = len(c.heap)
	c.heap = append(c.heap, j)
	c.up(j.pos)
}

// pop takes c's first request (the smallest tag) out of its heap.
func (c *efsClient) pop() *ioJob {
	j := c.heap[0]
	c.remove(j)
	return j
}

// remove takes j out of c's heap.
func (c *efsClient) remove(j *ioJob) {
	h, i := c.heap, j.pos
	last := len(h) - 1
	if i != last {
		h[i] = h[last]
		h[i].pos = i
	}
	h[last] = nil
	c.heap = h[:last]
	if i != last {
		c.down(i)
		c.up(i)
	}
}

// before orders the heap: by finish tag, then by id (first come first).
func (c *efsClient) before(a, b *ioJob) bool {
	return a.finish < b.finish || a.finish == b.finish && a.id < b.id
}

func (c *efsClient) up(i int) {
	h := c.heap
	for i > 0 {
		p := (i - 1) / 2
		if !c.before(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		h[i].pos, h[p].pos = i, p
		i = p
	}
}

func (c *efsClient) down(i int) {
	h := c.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && c.before(h[r], h[l]) {
			m = r
		}
		if !c.before(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		h[i].pos, h[m].pos = i, m
		i = m
	}
}

// pushDeadline adds j to the deadline heap.
func (io *fsIO) pushDeadline(j *ioJob) {
	j.dpos = len(io.deadlines)
	io.deadlines = append(io.deadlines, j)
	io.deadlineUp(j.dpos)
}

// dropDeadline takes j out of the deadline heap, if it is in.
func (io *fsIO) dropDeadline(j *ioJob) {
	i := j.dpos
	if i < 0 {
		return
	}
	h := io.deadlines
	last := len(h) - 1
	if i != last {
		h[i] = h[last]
		h[i].dpos = i
	}
	h[last] = nil
	io.deadlines = h[:last]
	j.dpos = -1
	if i != last {
		io.deadlineDown(i)
		io.deadlineUp(i)
	}
}

func deadlineBefore(a, b *ioJob) bool {
	return a.deadline < b.deadline || a.deadline == b.deadline && a.id < b.id
}

func (io *fsIO) deadlineUp(i int) {
	h := io.deadlines
	for i > 0 {
		p := (i - 1) / 2
		if !deadlineBefore(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		h[i].dpos, h[p].dpos = i, p
		i = p
	}
}

func (io *fsIO) deadlineDown(i int) {
	h := io.deadlines
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && deadlineBefore(h[r], h[l]) {
			m = r
		}
		if !deadlineBefore(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		h[i].dpos, h[m].dpos = i, m
		i = m
	}
}
