package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/storage"
)

// Amazon EFS file systems. A FileSystem lives in the world's Region; tasks
// whose task definition declares an EFS volume (Volume.EFSVolumeConfiguration)
// mount it in PENDING, through the mount target of their own Availability
// Zone, and a Workload with WorkloadConfig.IO sends each request's reads and
// writes to it (efs_io.go). Sources, all AWS documentation:
//
//   - ECS and EFS: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html
//   - mount targets, one per zone: https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access-create-delete-mount-targets.html
//   - DNS resolves to the client's own zone's mount target: https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-mount-cmd-dns-name.html
//   - throughput, metering, credits, latency: https://docs.aws.amazon.com/efs/latest/ug/performance.html
//   - limits and connections: https://docs.aws.amazon.com/efs/latest/ug/limits.html
//   - metrics: https://docs.aws.amazon.com/efs/latest/ug/efs-metrics.html

// ThroughputMode is a file system's throughput mode, as the EFS API spells
// it.
type ThroughputMode string

// Throughput modes.
const (
	// Elastic scales with the load up to the file system's read and write
	// limits, and bills per GB read and written.
	Elastic ThroughputMode = "elastic"
	// Bursting permits a baseline in proportion to the data stored and
	// bursts above it on credits earned below it.
	Bursting ThroughputMode = "bursting"
	// Provisioned permits a fixed throughput, billed above the baseline
	// the storage includes; when that baseline is higher, Bursting rules
	// apply.
	Provisioned ThroughputMode = "provisioned"
)

// Per-file-system figures ECS users meet; FileSystemConfig's zero values
// mean these.
const (
	// DefaultEFSConnectionLimit is the connections a file system takes:
	// 25,000, a limit AWS does not raise.
	DefaultEFSConnectionLimit = 25_000
	// MaxProvisionedMiBps is the most ProvisionedThroughputInMibps the EFS
	// API takes (the Region may allow less).
	MaxProvisionedMiBps = 3414
)

// FileSystemConfig describes one Amazon EFS file system (Standard storage
// class, Regional). Zero values take the defaults given on each field;
// the limits default to us-east-1's.
type FileSystemConfig struct {
	// ID is the file system ID task definitions give as fileSystemId:
	// "fs-" and 8 to 40 lowercase hex digits; required, unique in the
	// world.
	ID string
	// ThroughputMode is elastic, bursting or provisioned; empty means
	// elastic, the mode AWS recommends and the console's default.
	ThroughputMode ThroughputMode
	// StoredGiB is the data stored in the Standard class, GiB. It sets the
	// Bursting baseline and credit cap and the storage bill.
	StoredGiB float64
	// ProvisionedMiBps is the Provisioned throughput, MiB/s, 1 to
	// MaxProvisionedMiBps; required in provisioned mode, else 0.
	ProvisionedMiBps float64
	// MountTargetZones are the Availability Zones with a mount target (at
	// most one each); nil means every zone. A task in a zone without one
	// cannot mount the file system. An Availability Zone outage
	// (World.ScheduleZoneOutage) takes its zone's mount target down.
	MountTargetZones []string
	// Bursting is the Bursting arithmetic; zero fields take the
	// documented values (storage.Bursting).
	Bursting storage.Bursting
	// StartCreditsTiB is the credit balance at creation, TiB; zero means a
	// new file system's, Bursting.CreditsTiB (2.1). It is capped at the
	// most the file system holds. StartWithoutCredits starts at zero.
	StartCreditsTiB     float64
	StartWithoutCredits bool
	// ReadLimitMiBps and WriteLimitMiBps are the file system's read and
	// write throughput limits, MiB/s of data, which it may use a combined
	// 100 % of; zero means us-east-1's for the mode: Elastic 60 GiBps /
	// 5 GiBps, Provisioned 10 / 3.33 GiBps, Bursting 5 / 3 GiBps.
	ReadLimitMiBps, WriteLimitMiBps float64
	// PerClientMiBps caps one client's (one task's) metered throughput,
	// MiB/s; zero means 1,500 in elastic mode (efs-utils 2.0 or later, an
	// assumption for Fargate), else 500.
	PerClientMiBps float64
	// ConnectionLimit is the connections the file system takes; zero
	// means DefaultEFSConnectionLimit. Each task holds one per EFS volume
	// from its mount until STOPPED (an assumption: AWS counts one per
	// NFS client, and each task's volume is its own mount).
	ConnectionLimit int
	// ReadLatency and WriteLatency are the fixed delays a request's reads
	// and writes add besides the time its bytes take; zero means 1 ms and
	// 3 ms. AWS gives "as low as" 250 µs and 2.7 ms as best cases; the
	// defaults are a typical median, an assumption.
	ReadLatency, WriteLatency time.Duration
	// MountTime is how long a successful mount takes in PENDING (alongside
	// the image pull); zero means 1 s. AWS does not document it.
	MountTime time.Duration
	// MountAttempts and MountAttemptTimeout are how a mount that gets no
	// answer (its mount target down, or the connection limit reached) is
	// tried before the task stops; zero means 3 attempts of 15 s, as the
	// Fargate mount helper logs them ("Mount attempt 1/3 failed due to
	// timeout after 15 sec").
	MountAttempts       int
	MountAttemptTimeout time.Duration
	// Metrics, if set, receives the file system's AWS/EFS metrics every
	// minute: BurstCreditBalance (bytes, at the minute's end),
	// PermittedThroughput (bytes/s, at the minute's end), MeteredIOBytes
	// (bytes metered in the minute) and ClientConnections (at the
	// minute's end), dimension FileSystemId.
	Metrics *metrics.Store
}

// ErrInvalidFileSystem marks a FileSystemConfig that CreateFileSystem
// rejects.
var ErrInvalidFileSystem = fmt.Errorf("%w: file system", ErrConfig)

// Validate reports every problem with c, each a *fielderr.Error matching
// ErrInvalidFileSystem. It does not check ID's uniqueness, which is the
// world's (CreateFileSystem).
func (c FileSystemConfig) Validate() error {
	const at = "FileSystemConfig."
	l := fielderr.NewList(ErrInvalidFileSystem)
	if !validFileSystemID(c.ID) {
		l.Add(at+"ID", c.ID, "is required: fs- followed by 8 to 40 lowercase hex digits")
	}
	finite := func(field string, v float64) bool {
		if !(v >= 0) || math.IsInf(v, 0) {
			l.Add(at+field, v, "must be a finite number ≥ 0")
			return false
		}
		return true
	}
	if finite("StoredGiB", c.StoredGiB) && c.StoredGiB > 1<<30 {
		l.Add(at+"StoredGiB", c.StoredGiB, "must be at most 2^30 GiB (1 EiB)")
	}
	switch c.ThroughputMode {
	case "", Elastic, Bursting:
		if c.ProvisionedMiBps != 0 {
			l.Add(at+"ProvisionedMiBps", c.ProvisionedMiBps, "must be 0 outside provisioned mode")
		}
	case Provisioned:
		if !(c.ProvisionedMiBps >= 1 && c.ProvisionedMiBps <= MaxProvisionedMiBps) {
			l.Addf(at+"ProvisionedMiBps", c.ProvisionedMiBps, "must be 1 to %d MiB/s in provisioned mode", MaxProvisionedMiBps)
		}
	default:
		l.Add(at+"ThroughputMode", string(c.ThroughputMode), "must be elastic, bursting or provisioned (empty means elastic)")
	}
	checkZones(l, at+"MountTargetZones", c.MountTargetZones)
	if c.MountTargetZones != nil && len(c.MountTargetZones) == 0 {
		l.Add(at+"MountTargetZones", "[]", "must be nil (every zone) or name at least one zone")
	}
	joinLeaf(l, ErrInvalidFileSystem, at+"Bursting", "Bursting", c.Bursting.Validate())
	finite("StartCreditsTiB", c.StartCreditsTiB)
	if c.StartWithoutCredits && c.StartCreditsTiB != 0 {
		l.Add(at+"StartCreditsTiB", c.StartCreditsTiB, "must be 0 with StartWithoutCredits")
	}
	finite("ReadLimitMiBps", c.ReadLimitMiBps)
	finite("WriteLimitMiBps", c.WriteLimitMiBps)
	finite("PerClientMiBps", c.PerClientMiBps)
	if c.ConnectionLimit < 0 || c.ConnectionLimit > DefaultEFSConnectionLimit {
		l.Addf(at+"ConnectionLimit", c.ConnectionLimit, "must be 0 (default %d) to %d: AWS does not raise it", DefaultEFSConnectionLimit, DefaultEFSConnectionLimit)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"ReadLatency", c.ReadLatency}, {"WriteLatency", c.WriteLatency}, {"MountTime", c.MountTime}, {"MountAttemptTimeout", c.MountAttemptTimeout}} {
		if d.v < 0 || d.v > time.Hour {
			l.Add(at+d.name, d.v, "must be 0 (the default) to 1h")
		}
	}
	if c.MountAttempts < 0 || c.MountAttempts > 100 {
		l.Add(at+"MountAttempts", c.MountAttempts, "must be 0 (default 3) to 100")
	}
	return l.Err()
}

// withDefaults fills the zero fields.
func (c FileSystemConfig) withDefaults() FileSystemConfig {
	if c.ThroughputMode == "" {
		c.ThroughputMode = Elastic
	}
	c.Bursting = c.Bursting.WithDefaults()
	c.MountTargetZones = slices.Clone(c.MountTargetZones)
	if c.ReadLimitMiBps == 0 || c.WriteLimitMiBps == 0 {
		r, w := 5*1024.0, 3*1024.0 // Bursting
		switch c.ThroughputMode {
		case Elastic:
			r, w = 60*1024, 5*1024
		case Provisioned:
			r, w = 10*1024, 3.33*1024
		}
		if c.ReadLimitMiBps == 0 {
			c.ReadLimitMiBps = r
		}
		if c.WriteLimitMiBps == 0 {
			c.WriteLimitMiBps = w
		}
	}
	if c.PerClientMiBps == 0 {
		c.PerClientMiBps = 500
		if c.ThroughputMode == Elastic {
			c.PerClientMiBps = 1500
		}
	}
	if c.ConnectionLimit == 0 {
		c.ConnectionLimit = DefaultEFSConnectionLimit
	}
	if c.ReadLatency == 0 {
		c.ReadLatency = time.Millisecond
	}
	if c.WriteLatency == 0 {
		c.WriteLatency = 3 * time.Millisecond
	}
	if c.MountTime == 0 {
		c.MountTime = time.Second
	}
	if c.MountAttempts == 0 {
		c.MountAttempts = 3
	}
	if c.MountAttemptTimeout == 0 {
		c.MountAttemptTimeout = 15 * time.Second
	}
	return c
}

// FileSystem is an Amazon EFS file system of the world: its mount targets,
// its connections, its throughput and burst credits, and the requests'
// reads and writes it is serving (processor sharing among them, each
// client capped; see WorkloadConfig.IO).
type FileSystem struct {
	w      *World
	index  int // in the world's list
	cfg    FileSystemConfig
	stored float64 // bytes
	limits storage.Limits

	connections, peakConnections int

	// Throughput state, brought up to date by advance.
	credits  float64       // bytes
	last     time.Duration // when advance last ran
	used     float64       // metered bytes/s being handed out now
	readPart float64       // metered read share of the requests in service (last known)
	metered  float64       // metered bytes so far
	// Data bytes read and written so far, and how many of them Elastic
	// billing has charged.
	readData, writeData     float64
	billedRead, billedWrite float64

	io fsIO // requests in service (efs_io.go)

	minuteMetered float64 // metered at the last minute's end
	handles       [4]*metrics.Handle
}

// efsState is the world's file systems.
type efsState struct {
	list     []*FileSystem
	byID     map[string]*FileSystem // lookup only
	attacher *efsAttacher
	kMinute  Kind
	kIO      Kind
	kLatency Kind
	waiting  map[uint64]*ioJob // requests waiting out their fixed latency, by job id (lookup only)
	nextJob  uint64
	freeJobs []*ioJob   // answered jobs, for reuse
	rngIO    *rand.Rand // "request-io": request-level I/O sizes
}

// efs returns the world's file system state, made on first use.
func (w *World) efs() *efsState {
	if w.efsState == nil {
		e := &efsState{byID: map[string]*FileSystem{}, waiting: map[uint64]*ioJob{}, rngIO: w.sim.Rand("request-io")}
		e.kMinute = w.sim.Handle("efs-minute", PhaseMetrics, w.onEFSMinute)
		e.kIO = w.sim.Handle("efs-io", PhaseTraffic, w.onEFSIO)
		e.kLatency = w.sim.Handle("efs-io-latency", PhaseTraffic, w.onEFSLatency)
		w.efsState = e
	}
	return w.efsState
}

// efsMounts makes every task whose task definition declares an EFS volume
// mount it (one attacher for the world, made on first use).
func (w *World) efsMounts() {
	e := w.efs()
	if e.attacher == nil {
		e.attacher = &efsAttacher{w: w}
		w.attachers = append(w.attachers, e.attacher)
	}
}

// CreateFileSystem creates an Amazon EFS file system, or reports every
// problem with cfg, each a *fielderr.Error matching ErrInvalidFileSystem.
// Its storage (and provisioned throughput) is billed from now, under
// World.Cost's ByFileSystem.
func (w *World) CreateFileSystem(cfg FileSystemConfig) (*FileSystem, error) {
	err := cfg.Validate()
	e := w.efs()
	if _, dup := e.byID[cfg.ID]; dup {
		l := fielderr.NewList(ErrInvalidFileSystem)
		l.Join(err)
		l.Add("FileSystemConfig.ID", cfg.ID, "names a file system of the world already")
		err = l.Err()
	}
	if err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	fs := &FileSystem{w: w, index: len(e.list), cfg: cfg, stored: cfg.StoredGiB * storage.GiB, last: w.sim.Elapsed()}
	fs.limits = storage.Limits{Read: cfg.ReadLimitMiBps * storage.MiB, Write: cfg.WriteLimitMiBps * storage.MiB}
	fs.readPart = 0.5
	switch b := cfg.Bursting; {
	case cfg.StartWithoutCredits:
	case cfg.StartCreditsTiB > 0:
		fs.credits = min(cfg.StartCreditsTiB*storage.TiB, b.MaxCredits(fs.stored))
	default:
		fs.credits = min(b.InitialCredits(), b.MaxCredits(fs.stored))
	}
	fs.io.init(fs)
	if len(e.list) == 0 {
		w.sim.Schedule(e.kMinute, time.Minute-w.sim.Elapsed()%time.Minute, 0)
	}
	e.list = append(e.list, fs)
	e.byID[cfg.ID] = fs
	w.account.must(w.account.cost.StartFileSystem(cfg.ID, capacity.FileSystemUsage{
		StoredGB: cfg.StoredGiB, ProvisionedAboveBaselineMiBps: fs.provisionedAboveBaseline(),
	}, w.sim.Elapsed()))
	w.efsMounts()
	return fs, nil
}

// FileSystem returns the file system with ID id, or nil.
func (w *World) FileSystem(id string) *FileSystem {
	if w.efsState == nil {
		return nil
	}
	return w.efsState.byID[id]
}

// FileSystems returns the world's file systems in creation order.
func (w *World) FileSystems() []*FileSystem {
	if w.efsState == nil {
		return nil
	}
	return slices.Clone(w.efsState.list)
}

// ID returns the file system's ID.
func (fs *FileSystem) ID() string { return fs.cfg.ID }

// Config returns the file system's configuration, defaults filled in.
func (fs *FileSystem) Config() FileSystemConfig {
	c := fs.cfg
	c.MountTargetZones = slices.Clone(c.MountTargetZones)
	return c
}

// Connections returns the connections open now: one per mounted EFS
// volume of each task not yet STOPPED.
func (fs *FileSystem) Connections() int { return fs.connections }

// PeakConnections returns the most connections ever open at once.
func (fs *FileSystem) PeakConnections() int { return fs.peakConnections }

// CreditBalance returns the burst credit balance now, bytes.
func (fs *FileSystem) CreditBalance() float64 {
	fs.advance(fs.w.sim.Elapsed())
	return fs.credits
}

// MaxCredits returns the most credits the file system holds, bytes.
func (fs *FileSystem) MaxCredits() float64 { return fs.cfg.Bursting.MaxCredits(fs.stored) }

// PermittedThroughput returns the metered throughput the file system
// permits now, bytes/s: Bursting's burst rate while credits last and its
// baseline after; the provisioned rate; Elastic's limits; each at most the
// combined read and write limits for the current mix of reads and writes.
func (fs *FileSystem) PermittedThroughput() float64 {
	fs.advance(fs.w.sim.Elapsed())
	return fs.permitted()
}

// MeteredBytes returns the metered bytes served so far (MeteredIOBytes).
func (fs *FileSystem) MeteredBytes() float64 {
	fs.advance(fs.w.sim.Elapsed())
	return fs.metered
}

// permitted is PermittedThroughput without advancing.
func (fs *FileSystem) permitted() float64 {
	b, rate := fs.cfg.Bursting, 0.0
	switch fs.cfg.ThroughputMode {
	case Elastic:
		rate = math.Inf(1)
	case Provisioned:
		rate = fs.cfg.ProvisionedMiBps * storage.MiB
		if b.Baseline(fs.stored) > rate {
			rate = b.Permitted(fs.stored, fs.credits) // Bursting rules apply
		}
	default:
		rate = b.Permitted(fs.stored, fs.credits)
	}
	return min(rate, fs.limits.Combined(fs.readPart))
}

// creditLimited reports whether the permitted throughput depends on the
// credit balance.
func (fs *FileSystem) creditLimited() bool {
	switch fs.cfg.ThroughputMode {
	case Bursting:
		return true
	case Provisioned:
		return fs.cfg.Bursting.Baseline(fs.stored) > fs.cfg.ProvisionedMiBps*storage.MiB
	}
	return false
}

// provisionedAboveBaseline is the Provisioned throughput billed, MiB/s:
// what exceeds the baseline the storage includes.
func (fs *FileSystem) provisionedAboveBaseline() float64 {
	if fs.cfg.ThroughputMode != Provisioned {
		return 0
	}
	return max(fs.cfg.ProvisionedMiBps-fs.cfg.Bursting.Baseline(fs.stored)/storage.MiB, 0)
}

// advance brings the credits, the metered bytes and the requests in
// service up to now, at the rates set at the last change.
func (fs *FileSystem) advance(now time.Duration) {
	dt := (now - fs.last).Seconds()
	if dt <= 0 {
		return
	}
	fs.last = now
	b := fs.cfg.Bursting
	fs.credits = storage.AdvanceCredits(fs.credits, b.MaxCredits(fs.stored), b.Accrual(fs.stored), fs.used, dt)
	if fs.credits < 1 {
		fs.credits = 0 // less than a byte: spent
	}
	fs.metered += fs.used * dt
	fs.io.progress(dt)
}

// hasMountTarget reports whether zone has a mount target.
func (fs *FileSystem) hasMountTarget(zone string) bool {
	return fs.cfg.MountTargetZones == nil || slices.Contains(fs.cfg.MountTargetZones, zone)
}

// MountTargetAvailable reports whether the mount target in zone is
// there and up: it exists and its zone is not out.
func (fs *FileSystem) MountTargetAvailable(zone string) bool {
	return fs.hasMountTarget(zone) && !fs.w.zoneOut(zone)
}

// onEFSMinute publishes every file system's metrics and bills what
// Elastic throughput moved in the minute.
func (w *World) onEFSMinute(uint64) {
	e := w.efsState
	now := w.sim.Elapsed()
	w.sim.Schedule(e.kMinute, time.Minute, 0)
	ts := w.sim.Start().Add(now - time.Minute)
	for _, fs := range e.list {
		fs.advance(now)
		if fs.cfg.ThroughputMode == Elastic {
			r, wr := fs.readData-fs.billedRead, fs.writeData-fs.billedWrite
			if r > 0 || wr > 0 {
				w.account.must(w.account.cost.ChargeFileSystem(fs.cfg.ID, r/storage.GiB, wr/storage.GiB))
				fs.billedRead, fs.billedWrite = fs.readData, fs.writeData
			}
		}
		st := fs.cfg.Metrics
		if st == nil {
			continue
		}
		if fs.handles[0] == nil {
			for i, name := range []string{metrics.MetricBurstCreditBalance, metrics.MetricPermittedThroughput, metrics.MetricMeteredIOBytes, metrics.MetricClientConnections} {
				h, err := st.Handle(metrics.FileSystemMetric(name, fs.cfg.ID))
				if err != nil {
					panic(fmt.Sprintf("sim: file system %s metrics: %v", fs.cfg.ID, err))
				}
				fs.handles[i] = h
			}
		}
		for i, v := range [4]float64{fs.credits, fs.permitted(), fs.metered - fs.minuteMetered, float64(fs.connections)} {
			if err := fs.handles[i].Put(ts, v); err != nil {
				panic(fmt.Sprintf("sim: file system %s metrics: %v", fs.cfg.ID, err))
			}
		}
		fs.minuteMetered = fs.metered
	}
}

// Stopped reasons of a task that cannot mount its EFS volume, as ECS
// words them on Fargate (seen verbatim in users' reports, e.g.
// https://github.com/aws/copilot-cli/issues/5419; the "Failed to resolve"
// text is the EFS mount helper's, https://github.com/aws/efs-utils). The
// EC2 launch type reports the same mount helper text through the ECS
// volume plugin.
const (
	efsInitPrefix = "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: "
	efsInitSuffix = " : unsuccessful EFS utils command execution; code: "
)

// EFSNoMountTargetReason is the stopped reason of a task whose zone has no
// mount target of file system id (or whose file system does not exist),
// in region.
func EFSNoMountTargetReason(id, region string) string {
	return efsInitPrefix + `Failed to resolve "` + id + ".efs." + region + `.amazonaws.com" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail. Attempting to lookup mount target ip address using botocore. Failed to import necessary dependency botocore, please install botocore first.` + efsInitSuffix + "1"
}

// EFSMountTimeoutReason is the stopped reason of a task whose mount got no
// answer: its zone's mount target is down. The connection limit being
// reached is given the same reason (AWS documents no text for it).
const EFSMountTimeoutReason = efsInitPrefix + "b'mount.nfs4: Connection timed out'" + efsInitSuffix + "32"

// efsAttacher mounts the EFS volumes of every task that declares them.
type efsAttacher struct{ w *World }

func (a *efsAttacher) Attach(t *Task) Attachment {
	if !t.def.hasEFS {
		return nil
	}
	return &efsMount{w: a.w}
}

// efsMount is one task's EFS mounts: a connection to each file system it
// mounted, until STOPPED.
type efsMount struct {
	w         *World
	connected []*FileSystem
}

// OnTask mounts the task's EFS volumes when PENDING begins, holding
// PENDING for the mount; a mount that fails fails the start after the
// mount helper's tries, with its stopped reason. The connections close at
// STOPPED.
func (m *efsMount) OnTask(e TaskEvent) Verdict {
	switch e.Point {
	case LifecycleResourcesAcquired:
		return m.mount(e.Task)
	case LifecycleStopped:
		m.disconnect()
	}
	return Verdict{}
}

func (m *efsMount) mount(t *Task) Verdict {
	zone, region := t.Zone(), m.w.Prices().Region
	if region == "" {
		region = "us-east-1"
	}
	hold := time.Duration(0)
	for _, v := range t.def.efsVolumes() {
		id := v.EFSVolumeConfiguration.FileSystemID
		fs := m.w.FileSystem(id)
		switch {
		case fs == nil || !fs.hasMountTarget(zone):
			// DNS finds no mount target in the zone: the helper gives up
			// at once.
			mt := time.Second
			if fs != nil {
				mt = fs.cfg.MountTime
			}
			m.disconnect()
			return Verdict{Fail: EFSNoMountTargetReason(id, region), Hold: mt}
		case m.w.zoneOut(zone) || fs.connections >= fs.cfg.ConnectionLimit:
			m.disconnect()
			return Verdict{Fail: EFSMountTimeoutReason, Hold: time.Duration(fs.cfg.MountAttempts) * fs.cfg.MountAttemptTimeout}
		}
		fs.connections++
		fs.peakConnections = max(fs.peakConnections, fs.connections)
		m.connected = append(m.connected, fs)
		hold = max(hold, fs.cfg.MountTime)
	}
	return Verdict{Hold: hold}
}

func (m *efsMount) disconnect() {
	for _, fs := range m.connected {
		fs.connections--
	}
	m.connected = nil
}
