package metrics

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Reader answers statistic queries; *Store and View implement it. Alarms and
// the autoscale package read metrics only through it.
type Reader interface {
	// Statistic returns stat over the samples of m with timestamps in
	// [end-period, end), and false when there are none (missing data).
	Statistic(m Metric, stat Statistic, period time.Duration, end time.Time) (float64, bool)
}

// Rollup is one aggregated retention tier: the store keeps a statistic set
// (SampleCount, Sum, Minimum, Maximum) per Resolution-wide bucket, aligned to
// the Unix epoch, for Retention.
type Rollup struct {
	Resolution time.Duration // bucket width; a whole number of seconds, at least 1 s
	Retention  time.Duration // how long buckets are kept, measured back from the newest sample; positive, at most MaxRetention
}

// CloudWatch's retention: raw (sub-minute) data 3 hours, one-minute data
// 15 days, five-minute data 63 days and one-hour data 455 days
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html).
const (
	CloudWatchRawRetention = 3 * time.Hour
	day                    = 24 * time.Hour
	// MaxRetention is the longest retention a Config may ask for:
	// CloudWatch's longest, 455 days (15 months).
	MaxRetention = 455 * day
)

// CloudWatchRollups are CloudWatch's own aggregated tiers, the opt-in for a
// store that keeps what CloudWatch keeps:
//
//	metrics.Config{RawRetention: metrics.CloudWatchRawRetention, Rollups: metrics.CloudWatchRollups}
//
// They are faithful but large for a simulator. Written once a minute, a
// series holds 0.72 MiB after a simulated week and 1.94 MiB after 455
// days, when every tier is full (Store.Bytes, measured by
// TestCloudWatchRetentionCost; 40 bytes a raw sample or bucket), so a
// service publishing the eight series of sim's Workload costs about
// 5.8 MiB after a week instead of 32 KiB with the defaults.
var CloudWatchRollups = []Rollup{
	{Resolution: time.Minute, Retention: 15 * day},
	{Resolution: 5 * time.Minute, Retention: 63 * day},
	{Resolution: time.Hour, Retention: 455 * day},
}

// DefaultRawRetention is the raw retention of a zero Config: every series
// keeps its samples for the last hour, enough for ad-hoc queries of recent
// minutes and for the alarms of target tracking (3 and 15 datapoints of a
// minute). A reader that needs more of a series asks for it (Store.Retain;
// an alarm does it when it first reads a *Store), so only the series read
// that far back pay for it.
const DefaultRawRetention = time.Hour

// DefaultRollups are the tiers a zero Config uses: hourly buckets for one
// day, what a report of the last day by the hour reads. With
// DefaultRawRetention a series written once a minute holds about 4 KiB
// (64 raw samples and 25 buckets of 40 bytes, the series itself), however
// long the run: the eight series sim's Workload publishes for a service
// take 32 KiB (TestDefaultMetricStatePerService).
var DefaultRollups = []Rollup{
	{Resolution: time.Hour, Retention: day},
}

// Config configures a Store. The zero value is a store that keeps
// DefaultRawRetention of raw samples and DefaultRollups, with no
// publication delay.
type Config struct {
	// RawRetention is how long individual samples are kept, measured back
	// from the newest sample of their series, for every series. Raw samples
	// answer every statistic over any window, including percentiles and
	// sub-minute periods; older windows are answered from the rollups.
	// Zero means DefaultRawRetention (1 h); at most MaxRetention. A series
	// some reader registered for (Store.Retain, an alarm) keeps more.
	// Memory per series is retention × sample rate × 40 bytes.
	RawRetention time.Duration

	// Rollups are the aggregated tiers, finest first. nil means
	// DefaultRollups; a non-nil empty slice keeps raw samples only. Use
	// CloudWatchRollups for CloudWatch's own tiers.
	Rollups []Rollup

	// PublicationDelay is how long after its timestamp a sample becomes
	// visible to reads made through At or StatisticAsOf (and so to alarms).
	// Zero means samples are visible at their timestamp; at most
	// MaxRetention. AWS does not publish the delay of its own metrics (it
	// says aggregation "can take up to several minutes"); 60–180 s is a
	// common model. Note that a one-minute datapoint is timestamped at the
	// start of its minute, so a realistic delay for ECS's pre-aggregated
	// one-minute values is 60 s plus the transport lag.
	PublicationDelay time.Duration
}

// withDefaults returns c with zero fields replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.RawRetention == 0 {
		c.RawRetention = DefaultRawRetention
	}
	if c.Rollups == nil {
		c.Rollups = DefaultRollups
	}
	return c
}

// Validate reports every field of c (after defaults) that breaks a rule.
// Each problem wraps ErrInvalidConfig.
func (c Config) Validate() error {
	c = c.withDefaults()
	errs := fielderr.NewList(ErrInvalidConfig)
	if c.RawRetention < 0 || c.RawRetention > MaxRetention {
		errs.Add("RawRetention", c.RawRetention, "must be 0 (1h) to 455 days")
	}
	if c.PublicationDelay < 0 || c.PublicationDelay > MaxRetention {
		errs.Add("PublicationDelay", c.PublicationDelay, "must be 0 to 455 days")
	}
	for i, r := range c.Rollups {
		if r.Resolution < time.Second || r.Resolution%time.Second != 0 {
			errs.Addf(rollupField(i, "Resolution"), r.Resolution, "must be a whole number of seconds, at least 1s")
		}
		if r.Retention <= 0 || r.Retention > MaxRetention {
			errs.Add(rollupField(i, "Retention"), r.Retention, "must be positive and at most 455 days")
		}
		if i > 0 && r.Resolution <= c.Rollups[i-1].Resolution {
			errs.Add(rollupField(i, "Resolution"), r.Resolution, "must be coarser than the previous rollup's")
		}
	}
	return errs.Err()
}

func rollupField(i int, name string) string {
	return "Rollups[" + strconv.Itoa(i) + "]." + name
}

// StatisticSet is a pre-aggregated set of samples, as PutMetricData accepts
// it and as ECS publishes its one-minute values.
type StatisticSet struct {
	SampleCount float64 // number of samples; must be positive
	Sum         float64 // sum of the samples
	Minimum     float64 // smallest sample
	Maximum     float64 // largest sample; at least Minimum
}

// rawPoint is one Put: a timestamp and the statistic set it carried.
type rawPoint struct {
	t   int64 // Unix nanoseconds
	set statSet
}

// bucket is one rollup interval; its start is implied by its place in the
// tier. An empty bucket (count 0) holds a gap.
type bucket struct {
	last int64 // timestamp of the newest sample merged in; decides visibility
	set  statSet
}

// tier is one rollup's buckets, dense from base on, plus where its data is
// complete from.
//
// What a roll-up reads (rollRun, rollUpIn: all but retention and the
// buckets' limit) comes first, in eight words: one cache line.
type tier struct {
	resolution int64
	complete   int64 // data at or after this instant is complete; older was evicted
	evictAt    int64 // the newest-sample time at which complete next advances
	base       int64 // start of the oldest bucket held
	buckets    ring[bucket]
	retention  int64
}

// series is the stored data of one metric. The fields a put reads come
// first, so that a put touches as few cache lines as it can.
//
// The series takes 320 bytes, a size class of whole cache lines, so that
// every series starts on a line (in the 288-byte class half of them would
// start mid-line) and its lines are: the fields an alarm's read and a put
// look at every minute (line 0); the first tier's fields a roll-up reads
// (line 1, see tier); the tiers' slice and the raw samples' count, the
// rest of what a roll-up of the rows a group queued reads (line 2, see
// rollRun); then what is seldom read.
type series struct {
	latest   int64  // newest sample timestamp
	complete int64  // raw data at or after this instant is complete
	keep     int64  // raw retention of this series: the store's, or more if a reader registered for it
	late     uint64 // counts samples that arrived older than latest; cached alarm datapoints compare it
	grp      *Group // the group that queues puts for the series, or nil (every read and write looks)
	col      int    // the series' index in grp
	expired  bool   // Expire removed the series from the store; handles must look it up again
	// taken is grp.slots[col].taken while grp is set, beside grp for the
	// alarm reads that ask whether the group queued rows for the series
	// (the group's slots are then not read).
	taken   int
	tierBuf [1]tier // holds tiers when there is one (the default)
	tiers   []tier
	// raw holds the samples from complete on, and possibly a few older
	// ones: a put advances complete but leaves the samples it retires in
	// place until the ring needs their room (dropRetired), so that it does
	// not read the oldest end of the ring every time it writes the newest.
	raw    ring[rawPoint]
	metric Metric // canonical copy, dimensions sorted
	keyLen int    // length of the store's map key, for Store.Bytes
	_      [32]byte
}

// Store is an in-memory CloudWatch metric store: raw samples for a bounded
// window, then rollups, each tier evicting data older than its retention
// measured back from the newest sample of its series (or from the now given
// to Expire). It keeps no clock.
//
// A Store is not safe for concurrent use, not even for reads: queries reuse
// internal buffers so that they allocate nothing.
type Store struct {
	cfg        Config
	rawRet     int64
	delay      int64
	series     map[string]*series
	groups     []*Group                 // in creation order
	blocks     []*ringBlock             // the live blocks of the groups' rings, in no order (lanes.go)
	open       map[ringShape]*ringBlock // the block whose next lane a ring of its shape takes
	keyBuf     []byte
	percentile percentileScratch
	// gen counts the writes that can change what a window reads (puts,
	// Expire, Retain); memo remembers the last windows read, valid while
	// gen has not moved.
	gen      uint64
	memo     [windowMemos]windowMemo
	memoNext int
	// chunks hands out new series' records, those of one metric name
	// from chunks of their own (newSeries), keyed by namespace and name.
	chunks  map[string]*seriesChunk
	nameBuf []byte
}

// windowMemos is how many windows a Store remembers. A target tracking
// policy's alarms read one series at one instant, AlarmHigh the newest 3
// datapoints and AlarmLow the newest 15, and each reads again only the
// newest one or two (the others are still closed from the minute before):
// AlarmLow finds what AlarmHigh has just read.
const windowMemos = 4

// windowMemo is one window read and its answer.
type windowMemo struct {
	sr                  *series
	gen                 uint64
	start, end, visible int64
	src                 int
	stat                Statistic
	v                   float64
	ok                  bool
}

// NewStore validates cfg and returns an empty store.
func NewStore(cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	cfg.Rollups = append([]Rollup(nil), cfg.Rollups...) // the caller's slice stays theirs
	return &Store{
		cfg:    cfg,
		rawRet: int64(cfg.RawRetention),
		delay:  int64(cfg.PublicationDelay),
		series: make(map[string]*series),
	}, nil
}

// Config returns the store's configuration with defaults filled in.
func (s *Store) Config() Config { return s.cfg }

// The timestamps a store accepts: 1970 to 2199 (UTC), the years of a cron
// schedule, well inside the range of Unix nanoseconds, so no retention or
// period added to or taken from a timestamp can overflow.
var (
	minTimestamp = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTimestamp = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	// allPublished is an instant by which every accepted sample is
	// visible, whatever the publication delay.
	allPublished = maxTimestamp.Add(MaxRetention)
)

const timestampRule = "must be in 1970 to 2199 (UTC)"

// inRange reports whether t is a timestamp the store accepts. Both bounds
// are whole seconds, so comparing t's whole seconds is enough.
func inRange(t time.Time) bool { sec := t.Unix(); return minSecond <= sec && sec < maxSecond }

// minSecond and maxSecond are minTimestamp and maxTimestamp in Unix seconds.
var minSecond, maxSecond = minTimestamp.Unix(), maxTimestamp.Unix()

// lookup returns the series of m, or nil. It allocates nothing.
func (s *Store) lookup(m Metric) *series {
	if len(m.Dimensions) > MaxDimensions {
		return nil
	}
	s.keyBuf = appendKey(s.keyBuf[:0], m)
	sr := s.series[string(s.keyBuf)]
	if sr != nil {
		sr.flush()
	}
	return sr
}

// lookupOrCreate returns the series of m, creating it after validating m.
func (s *Store) lookupOrCreate(m Metric) (*series, error) {
	if len(m.Dimensions) > MaxDimensions {
		return nil, m.Validate()
	}
	s.keyBuf = appendKey(s.keyBuf[:0], m)
	if sr, ok := s.series[string(s.keyBuf)]; ok {
		sr.flush()
		return sr, nil
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	canon := Metric{Namespace: m.Namespace, Name: m.Name, Dimensions: sortedDimensions(m.Dimensions)}
	sr := s.newSeries(m)
	*sr = series{metric: canon, keyLen: len(s.keyBuf), latest: math.MinInt64, complete: math.MinInt64, keep: s.rawRet}
	if n := len(s.cfg.Rollups); n <= len(sr.tierBuf) {
		sr.tiers = sr.tierBuf[:n]
	} else {
		sr.tiers = make([]tier, n)
	}
	for i, r := range s.cfg.Rollups {
		res, ret := int64(r.Resolution), int64(r.Retention)
		sr.tiers[i] = tier{resolution: res, retention: ret, complete: math.MinInt64, evictAt: math.MinInt64,
			buckets: ring[bucket]{limit: int((ret+res-1)/res) + 1}}
	}
	s.series[string(s.keyBuf)] = sr
	return sr, nil
}

// seriesChunk is the chunk of series records that the next series of a
// metric name takes from (Store.newSeries).
type seriesChunk struct {
	free []series // the records not yet handed out, in order
	made bool     // the first chunk, of one record, is made
}

// seriesBlock is a chunk of series records for newSeries: 12 of them,
// each starting on a line. An object of more than 512 bytes that holds
// pointers starts with the allocator's 8-byte header (since Go 1.22), in
// a size class of whole lines: the pad puts the records on the next line,
// and the block takes 3,904 bytes of the 4,096-byte class
// (TestSeriesOfANameLieTogether holds every record to a line).
type seriesBlock struct {
	_    [64 - 8]byte
	recs [12]series
}

// newSeries returns a record for a new series of m, zero. The series of
// one metric name (namespace and name) take consecutive records of chunks
// of their own, so that the series of one name that are made one after
// the other lie together: a world makes its services' series service by
// service, and an alarm pass over thousands of services then reads each
// one's CPUUtilization series from the next record of one array, a page
// for a dozen of them, where each series allocated alone lay among the
// service's other series, about a page (a TLB entry, and with thousands
// of services a page walk) per service (BENCHMARKS.md, issue 13, round
// 21). The first series of a name has a record of its own, so that a
// store with one series of each name keeps none spare; the next take a
// seriesBlock's. A chunk stays in memory while any of its series is
// reachable.
func (s *Store) newSeries(m Metric) *series {
	s.nameBuf = appendPart(appendPart(s.nameBuf[:0], m.Namespace), m.Name)
	c := s.chunks[string(s.nameBuf)]
	if c == nil {
		if s.chunks == nil {
			s.chunks = make(map[string]*seriesChunk)
		}
		c = &seriesChunk{}
		s.chunks[string(s.nameBuf)] = c
	}
	if len(c.free) == 0 {
		if !c.made {
			c.free, c.made = make([]series, 1), true
		} else {
			c.free = new(seriesBlock).recs[:]
		}
	}
	sr := &c.free[0]
	c.free = c.free[1:]
	return sr
}

// Put records one sample v of m at t. It returns an error wrapping
// ErrInvalidMetric for a metric CloudWatch would reject, ErrInvalidValue for
// NaN, ±Inf or a timestamp outside 1970–2199, and ErrExpired when t is older
// than every tier keeps. Samples may arrive out of order; a late one costs a
// copy of the newer samples of its series.
func (s *Store) Put(m Metric, t time.Time, v float64) error {
	if err := validSample(t, v); err != nil {
		return err
	}
	sr, err := s.lookupOrCreate(m)
	if err != nil {
		return err
	}
	sr.wroteOutside(t.UnixNano())
	return s.putSeries(sr, t, statSet{count: 1, sum: v, min: v, max: v})
}

// PutStatisticSet records a pre-aggregated set of samples of m at t, as
// PutMetricData's StatisticValues does. Percentiles over a window that holds
// a set are available only if every set in it has SampleCount 1 or Minimum
// equal to Maximum (CloudWatch's rule); otherwise they are missing.
func (s *Store) PutStatisticSet(m Metric, t time.Time, set StatisticSet) error {
	if err := validSet(t, set); err != nil {
		return err
	}
	sr, err := s.lookupOrCreate(m)
	if err != nil {
		return err
	}
	sr.wroteOutside(t.UnixNano())
	return s.putSeries(sr, t, statSet{count: set.SampleCount, sum: set.Sum, min: set.Minimum, max: set.Maximum})
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// validSample checks a Put; it allocates only to report a problem.
func validSample(t time.Time, v float64) error {
	if finite(v) && inRange(t) {
		return nil
	}
	errs := fielderr.NewList(ErrInvalidValue)
	if !finite(v) {
		errs.Add("value", v, "must be a finite number")
	}
	if !inRange(t) {
		errs.Add("timestamp", t, timestampRule)
	}
	return errs.Err()
}

// validSet checks a PutStatisticSet; it allocates only to report a problem.
func validSet(t time.Time, set StatisticSet) error {
	if finite(set.SampleCount) && finite(set.Sum) && finite(set.Minimum) && finite(set.Maximum) &&
		set.SampleCount > 0 && set.Minimum <= set.Maximum && inRange(t) {
		return nil
	}
	errs := fielderr.NewList(ErrInvalidValue)
	for _, f := range [...]struct {
		name string
		v    float64
	}{{"SampleCount", set.SampleCount}, {"Sum", set.Sum}, {"Minimum", set.Minimum}, {"Maximum", set.Maximum}} {
		if !finite(f.v) {
			errs.Add(f.name, f.v, "must be a finite number")
		}
	}
	if !(set.SampleCount > 0) {
		errs.Add("SampleCount", set.SampleCount, "must be positive")
	}
	if set.Minimum > set.Maximum {
		errs.Addf("Minimum", set.Minimum, "must not exceed Maximum %v", set.Maximum)
	}
	if !inRange(t) {
		errs.Add("timestamp", t, timestampRule)
	}
	return errs.Err()
}

func (s *Store) putSeries(sr *series, t time.Time, set statSet) error {
	s.gen++
	if !sr.put(t.UnixNano(), set) {
		return fielderr.New(ErrExpired, "timestamp", t, "is older than every tier of "+sr.metric.String()+" keeps")
	}
	return nil
}

// put records set at ts (Unix nanoseconds) in sr, and reports whether a
// tier kept it (false: ts is older than every tier keeps).
func (sr *series) put(ts int64, set statSet) bool {
	if ts > sr.latest {
		sr.latest = ts
		sr.advance(ts)
	} else if ts < sr.latest {
		sr.late++
	}
	stored := false
	if ts >= sr.complete {
		sr.insertRaw(rawPoint{t: ts, set: set})
		stored = true
	}
	for i := range sr.tiers {
		tr := &sr.tiers[i]
		if ts >= tr.complete {
			tr.merge(ts, set)
			stored = true
		}
	}
	return stored
}

// rollUp is put for a sample that is already out of the raw retention
// the series will have once it took what its group queued (see
// Group.takeTo): the same steps, but no raw sample.
func (sr *series) rollUp(ts int64, set statSet) {
	newer := ts > sr.latest
	if newer {
		sr.latest = ts
		if cut := ts - sr.keep; cut > sr.complete { // advance, raw samples
			sr.complete = cut
		}
		if sr.raw.n > 0 {
			sr.dropRetired() // samples a read once made it take, now out of its retention
		}
	} else if ts < sr.latest {
		sr.late++
	}
	for i := range sr.tiers { // each tier on its own: advance, then merge
		tr := &sr.tiers[i]
		if newer && ts >= tr.evictAt {
			tr.evict(ts)
		}
		if ts < tr.complete {
			continue
		}
		// merge's first case, in line: the newest bucket.
		if b := &tr.buckets; b.n > 0 {
			if d := ts - (tr.base + int64(b.n-1)*tr.resolution); d >= 0 && d < tr.resolution {
				bk := b.last()
				bk.set.merge(set)
				bk.last = max(bk.last, ts)
				continue
			}
		}
		tr.merge(ts, set)
	}
}

// rollRun returns the timestamps [lo, hi) for which rollUp, given a
// sample newer than the newest, only advances latest and complete and
// merges the sample into every tier's newest bucket: the sample falls in
// that bucket, at or after the tier's complete and before its next
// eviction, and the series holds no raw samples to drop. Those steps leave
// the tiers' buckets where they are, so the range holds for the samples
// after it too. It is empty when some tier has no bucket yet or raw
// samples are held.
func (sr *series) rollRun() (lo, hi int64) {
	if sr.raw.n > 0 {
		return 0, 0
	}
	lo, hi = math.MinInt64, math.MaxInt64
	for i := range sr.tiers {
		tr := &sr.tiers[i]
		if tr.buckets.n == 0 {
			return 0, 0
		}
		end := tr.base + int64(tr.buckets.n)*tr.resolution // the newest bucket's end
		lo, hi = max(lo, end-tr.resolution, tr.complete), min(hi, end, tr.evictAt)
	}
	return lo, hi
}

// rollUpIn is rollUp for a sample in the run [lo, hi) (rollRun) newer
// than the newest, with the operations rollUp would use, and reports
// false, doing nothing, for any other.
func (sr *series) rollUpIn(ts int64, set statSet, lo, hi int64) bool {
	if ts <= sr.latest || ts < lo || ts >= hi {
		return false
	}
	sr.latest = ts
	if c := ts - sr.keep; c > sr.complete {
		sr.complete = c
	}
	for i := range sr.tiers {
		bk := sr.tiers[i].buckets.last()
		bk.set.merge(set)
		bk.last = max(bk.last, ts)
	}
	return true
}

// evict drops from every tier of sr what is older than its retention
// measured back from now.
func (s *Store) evict(sr *series, now int64) {
	sr.advance(now)
	sr.dropRetired()
}

// advance retires what is older than each tier's retention measured back
// from now: raw samples by moving complete (dropRetired frees them), rollup
// buckets at once.
func (sr *series) advance(now int64) {
	if cut := now - sr.keep; cut > sr.complete {
		sr.complete = cut
	}
	for i := range sr.tiers {
		if tr := &sr.tiers[i]; now >= tr.evictAt { // the cut only moves once per resolution; skip the division
			tr.evict(now)
		}
	}
}

// evict drops the tier's buckets older than its retention measured back
// from now.
func (tr *tier) evict(now int64) {
	cut := floorTo(now-tr.retention, tr.resolution)
	tr.evictAt = cut + tr.resolution + tr.retention
	if cut <= tr.complete {
		return
	}
	tr.complete = cut
	if tr.buckets.len() > 0 && tr.base < cut {
		k := (cut - tr.base) / tr.resolution
		tr.buckets.dropFront(int(min(k, int64(tr.buckets.len()))))
		tr.base = cut
	}
}

// dropRetired frees the raw samples older than complete.
func (sr *series) dropRetired() {
	n := 0
	for n < sr.raw.len() && sr.raw.at(n).t < sr.complete {
		n++
	}
	sr.raw.dropFront(n)
}

func (sr *series) insertRaw(p rawPoint) {
	if sr.raw.len() == len(sr.raw.buf) {
		sr.dropRetired() // before the ring grows; when full, its oldest slot is next to its newest
	}
	if sr.raw.len() == 0 || p.t >= sr.raw.last().t {
		sr.raw.push(p)
		return
	}
	sr.raw.insert(sr.rawIndex(p.t+1), p) // after equal timestamps: stable
}

// rawIndex returns the index of the first raw sample at or after t.
// Queries and late samples mostly land near the newest end, so it gallops
// back from there before it bisects.
func (sr *series) rawIndex(t int64) int {
	r := &sr.raw
	if r.n == 0 || r.last().t < t {
		return r.n
	}
	hi, step := r.n-1, 1 // r.at(hi).t ≥ t
	lo := hi - step
	for lo >= 0 && r.at(lo).t >= t {
		hi, step = lo, 2*step
		lo = hi - step
	}
	lo = max(lo+1, 0) // the answer is in [lo, hi]
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r.at(m).t < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// merge adds a sample set with timestamp ts to its bucket, adding empty
// buckets to keep the tier dense.
func (tr *tier) merge(ts int64, set statSet) {
	b := &tr.buckets
	if n := b.len(); n > 0 {
		// Most samples fall in the newest bucket: find it without dividing
		// (base is a multiple of the resolution).
		if d := ts - (tr.base + int64(n-1)*tr.resolution); d >= 0 && d < tr.resolution {
			bk := b.last()
			bk.set.merge(set)
			bk.last = max(bk.last, ts)
			return
		}
	}
	start := floorTo(ts, tr.resolution)
	if b.len() == 0 {
		tr.base = start
		b.push(bucket{last: ts, set: set})
		return
	}
	idx := (start - tr.base) / tr.resolution
	switch {
	case idx < 0: // older than every bucket held, but not evicted yet
		for k := idx + 1; k < 0; k++ {
			b.pushFront(bucket{})
		}
		b.pushFront(bucket{last: ts, set: set})
		tr.base = start
	case idx < int64(b.len()):
		bk := b.at(int(idx))
		bk.set.merge(set)
		bk.last = max(bk.last, ts)
	default:
		for int64(b.len()) < idx {
			b.push(bucket{})
		}
		b.push(bucket{last: ts, set: set})
	}
}

// floorTo rounds t down to a multiple of res, also for negative t.
func floorTo(t, res int64) int64 {
	r := t % res
	if r < 0 {
		r += res
	}
	return t - r
}

// Expire evicts, from every series, the data older than each tier's
// retention measured back from now, and forgets series left with no data.
// Put already evicts as a series advances; Expire is for series that stopped
// receiving samples (a deleted service), so a long run stays bounded.
func (s *Store) Expire(now time.Time) {
	s.gen++
	s.flushGroups()
	ts := clampNano(now)
	for key, sr := range s.series { // each series is handled alone: the order cannot matter
		s.evict(sr, ts)
		if sr.empty() {
			sr.expired = true
			sr.release()
			delete(s.series, key)
			if sr.grp != nil {
				sr.grp.stale = true
			}
		}
	}
	for _, g := range s.groups {
		g.floor = max(g.floor, ts) // an older put may now be refused: write it at once
	}
}

// clampNano returns t in Unix nanoseconds, clamped to the accepted
// timestamps so the arithmetic that follows cannot overflow.
func clampNano(t time.Time) int64 {
	switch {
	case t.Before(minTimestamp):
		return minTimestamp.UnixNano()
	case !t.Before(maxTimestamp):
		return maxTimestamp.UnixNano()
	}
	return t.UnixNano()
}

// Retain keeps the raw samples of m for at least span, measured back from
// its newest sample, so that every query over that span is answered at full
// resolution (percentiles and sub-minute periods included). It is how a
// reader that queries further back than Config.RawRetention says so; only
// this series pays for it. Alarms do it themselves when they first read a
// *Store. A series forgets its registration when Expire forgets the series.
// span must be positive and at most MaxRetention.
func (s *Store) Retain(m Metric, span time.Duration) error {
	if span <= 0 || span > MaxRetention {
		return fielderr.New(ErrInvalidQuery, "span", span, "must be positive and at most 455 days")
	}
	sr, err := s.lookupOrCreate(m)
	if err != nil {
		return err
	}
	s.retainSeries(sr, int64(span))
	return nil
}

// retainSeries raises the series' raw retention to span: where its raw
// samples start may move, and with it where a window is answered from.
func (s *Store) retainSeries(sr *series, span int64) {
	s.gen++
	sr.retain(span)
}

// retain raises the series' raw retention to span.
func (sr *series) retain(span int64) { sr.keep = max(sr.keep, span) }

// Handle is a metric resolved once, for callers that write the same series
// often: a put through it skips building the metric's key and the map
// lookup, most of the cost of Store.Put. It stays valid across Expire.
type Handle struct {
	store  *Store
	series *series
}

// Handle validates m and returns a handle to its series, creating the
// series if needed.
func (s *Store) Handle(m Metric) (*Handle, error) {
	sr, err := s.lookupOrCreate(m)
	if err != nil {
		return nil, err
	}
	return &Handle{store: s, series: sr}, nil
}

// Metric returns the handle's metric, dimensions sorted by name.
func (h *Handle) Metric() Metric { return h.series.metric }

// Put is Store.Put for the handle's metric.
func (h *Handle) Put(t time.Time, v float64) error {
	if err := validSample(t, v); err != nil {
		return err
	}
	sr := h.live()
	sr.wroteOutside(t.UnixNano())
	return h.store.putSeries(sr, t, statSet{count: 1, sum: v, min: v, max: v})
}

// PutStatisticSet is Store.PutStatisticSet for the handle's metric.
func (h *Handle) PutStatisticSet(t time.Time, set StatisticSet) error {
	if err := validSet(t, set); err != nil {
		return err
	}
	sr := h.live()
	sr.wroteOutside(t.UnixNano())
	return h.store.putSeries(sr, t, statSet{count: set.SampleCount, sum: set.Sum, min: set.Minimum, max: set.Maximum})
}

// live returns the handle's series, looking it up again after Expire forgot
// it (the metric was validated when the handle was made).
func (h *Handle) live() *series {
	if h.series.expired {
		h.series, _ = h.store.lookupOrCreate(h.series.metric)
	}
	h.series.flush()
	return h.series
}

// ListMetrics returns the metrics the store holds data for, like
// CloudWatch's ListMetrics: those in namespace and with the given name, an
// empty string matching any. They are sorted by namespace, name, then
// dimensions, so the result does not depend on map order.
func (s *Store) ListMetrics(namespace, name string) []Metric {
	s.flushGroups()
	var out []Metric
	for _, sr := range s.series { // collected, then sorted below
		m := sr.metric
		if sr.empty() {
			continue // a Handle made the series but nothing was written yet
		}
		if (namespace == "" || m.Namespace == namespace) && (name == "" || m.Name == name) {
			out = append(out, Metric{Namespace: m.Namespace, Name: m.Name, Dimensions: append([]Dimension(nil), m.Dimensions...)})
		}
	}
	slices.SortFunc(out, compareMetrics)
	return out
}

// compareMetrics orders canonical metrics by namespace, name, then their
// sorted dimensions.
func compareMetrics(a, b Metric) int {
	if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	for i := 0; i < len(a.Dimensions) && i < len(b.Dimensions); i++ {
		if c := strings.Compare(a.Dimensions[i].Name, b.Dimensions[i].Name); c != 0 {
			return c
		}
		if c := strings.Compare(a.Dimensions[i].Value, b.Dimensions[i].Value); c != 0 {
			return c
		}
	}
	return len(a.Dimensions) - len(b.Dimensions)
}

// release drops the memory of an empty series' rings, leaving them as a
// new series' are. An expired series' record stays in memory while
// another series of its chunk is reachable (newSeries); its rings need
// not stay with it.
func (sr *series) release() {
	sr.raw = ring[rawPoint]{limit: sr.raw.limit}
	for i := range sr.tiers {
		b := &sr.tiers[i].buckets
		*b = ring[bucket]{limit: b.limit}
	}
}

// empty reports whether sr holds no data in any tier.
func (sr *series) empty() bool {
	if sr.raw.len() > 0 {
		return false
	}
	for i := range sr.tiers {
		if sr.tiers[i].buckets.len() > 0 {
			return false
		}
	}
	return true
}

// rawLen is the number of raw samples held from complete on.
func (sr *series) rawLen() int { return sr.raw.len() - sr.rawIndex(sr.complete) }

// Usage counts what a store holds, for memory accounting.
type Usage struct {
	Series    int // number of series
	RawPoints int // raw samples and statistic sets held
	Buckets   int // rollup buckets holding data
}

// Sizes that Store.Bytes counts.
const (
	seriesBytes    = int(unsafe.Sizeof(series{}))
	tierBytes      = int(unsafe.Sizeof(tier{}))
	rawPointBytes  = int(unsafe.Sizeof(rawPoint{}))
	bucketBytes    = int(unsafe.Sizeof(bucket{}))
	dimensionBytes = int(unsafe.Sizeof(Dimension{}))
	// mapEntryBytes is one map slot: the key's string header and the value
	// pointer, plus the map's control byte, rounded up.
	mapEntryBytes = 32
)

// bytes returns the heap sr takes, as Store.Bytes counts it.
func (sr *series) bytes() int {
	n := seriesBytes + mapEntryBytes + sr.keyLen + cap(sr.metric.Dimensions)*dimensionBytes
	n += len(sr.raw.buf) * rawPointBytes
	if cap(sr.tiers) > len(sr.tierBuf) {
		n += cap(sr.tiers) * tierBytes // beside the series
	}
	for i := range sr.tiers {
		n += len(sr.tiers[i].buckets.buf) * bucketBytes
	}
	return n
}

// Usage returns the store's current size.
func (s *Store) Usage() Usage {
	s.flushGroups()
	var u Usage
	for _, sr := range s.series { // summing: the order cannot matter
		u.Series++
		u.RawPoints += sr.rawLen()
		for i := range sr.tiers {
			b := &sr.tiers[i].buckets
			for j := range b.len() {
				if b.at(j).set.count > 0 {
					u.Buckets++
				}
			}
		}
	}
	return u
}

// Bytes returns the heap the store's series take: each series' record, its
// map entry and key, its sorted dimensions and the capacity of its rings
// (40 bytes a raw sample or bucket, gaps and spare capacity included), and
// each Group's record and the blocks of their queues (as they are: the
// series do not take what their group queued, which would only copy into
// raw samples what the queue holds already; a block counts whole, spare
// lanes included), and the series records made and not yet handed out
// (newSeries). It leaves out the bytes of metric names and dimension values, which the
// store shares with its caller. It is computed, not measured, so it is the
// same on every run of a program (on 64-bit platforms); a run's live heap
// measured after GC agrees with it to within the allocator's rounding
// (BenchmarkWorkloadMetricsWeek reports the two side by side).
func (s *Store) Bytes() int {
	n := 0
	for _, sr := range s.series { // summing: the order cannot matter
		n += sr.bytes()
	}
	for _, g := range s.groups {
		n += g.bytes()
	}
	for _, c := range s.chunks { // summing: the order cannot matter
		n += len(c.free) * seriesBytes
	}
	return n + s.blockBytes()
}

// noCutoff makes every stored sample visible.
const noCutoff = math.MaxInt64

// Statistic returns stat over the samples of m with timestamps in
// [end-period, end), and false when there are none (missing data), when the
// window reaches back past what the store keeps, or when stat is invalid.
// It sees every stored sample, ignoring PublicationDelay; read through At or
// StatisticAsOf to see what CloudWatch would have published.
//
// The window is answered from raw samples when they reach back to
// end-period, else from the finest rollup that does and whose resolution
// divides both window edges; percentiles need raw samples.
func (s *Store) Statistic(m Metric, stat Statistic, period time.Duration, end time.Time) (float64, bool) {
	return s.statistic(m, stat, period, end, noCutoff)
}

// StatisticAsOf is Statistic as seen at instant asOf: only samples with
// timestamp + PublicationDelay ≤ asOf count. MetricAlarm.Evaluate uses it
// when its Reader provides it.
func (s *Store) StatisticAsOf(m Metric, stat Statistic, period time.Duration, end, asOf time.Time) (float64, bool) {
	return s.statistic(m, stat, period, end, s.visibleCutoff(asOf))
}

// visibleCutoff returns the newest sample timestamp visible at asOf.
func (s *Store) visibleCutoff(asOf time.Time) int64 {
	switch {
	case asOf.Before(minTimestamp):
		return math.MinInt64
	case !asOf.Before(allPublished):
		return noCutoff // every sample was published
	}
	return asOf.UnixNano() - s.delay
}

// visibleCutoffAt is visibleCutoff for asOf in Unix nanoseconds.
func (s *Store) visibleCutoffAt(asOf int64) int64 {
	switch {
	case asOf < minNano:
		return math.MinInt64
	case asOf >= allPublishedNano:
		return noCutoff
	}
	return asOf - s.delay
}

// minNano and allPublishedNano are minTimestamp and allPublished in Unix
// nanoseconds (both within int64's range of them: 1678–2262).
var minNano, allPublishedNano = minTimestamp.UnixNano(), allPublished.UnixNano()

func (s *Store) statistic(m Metric, stat Statistic, period time.Duration, end time.Time, visible int64) (float64, bool) {
	if period <= 0 || !stat.Valid() || !inRange(end) {
		return 0, false
	}
	sr := s.lookup(m)
	if sr == nil {
		return 0, false
	}
	e := end.UnixNano()
	return s.window(sr, stat, e-int64(period), e, visible)
}

// Where a window's answer comes from: the raw samples, a rollup tier (its
// index) or nowhere.
const (
	fromRaw  = -1
	fromNone = -2
)

// source returns where the window [start, end) of sr is answered from:
// raw samples when they reach back to start, else the finest rollup that
// does and whose resolution divides both edges; percentiles need raw
// samples.
func (sr *series) source(stat Statistic, start, end int64) int {
	return sr.sourceAt(sr.complete, stat, start, end)
}

// sourceAt is source with the raw samples complete from `complete`.
func (sr *series) sourceAt(complete int64, stat Statistic, start, end int64) int {
	if start >= complete {
		return fromRaw
	}
	if stat.kind == statPercentile {
		return fromNone
	}
	for i := range sr.tiers {
		tr := &sr.tiers[i]
		if start >= tr.complete && floorTo(start, tr.resolution) == start && floorTo(end, tr.resolution) == end {
			return i
		}
	}
	return fromNone
}

// window computes stat over [start, end) of sr, counting samples with
// timestamps ≤ visible.
func (s *Store) window(sr *series, stat Statistic, start, end, visible int64) (float64, bool) {
	return s.windowFrom(sr, sr.source(stat, start, end), stat, start, end, visible)
}

// windowFrom is window with its source already chosen. A window read
// since the store's last write is answered from the memo: nothing it reads
// has changed (a group's rows taken into their series in between hold the
// same samples, and the source is part of the key).
func (s *Store) windowFrom(sr *series, src int, stat Statistic, start, end, visible int64) (float64, bool) {
	if src == fromNone {
		return 0, false
	}
	// A window that is one queued row of the series (the newest minutes an
	// alarm reads) is read directly, in fewer instructions than the memo
	// would take to find it; it needs no memo entry.
	if g := sr.grp; g != nil && src == fromRaw && stat.kind != statPercentile && end-1 <= visible {
		if set, ok := g.soleQueued(sr, start, end); ok {
			return set.value(stat)
		}
	}
	for i := range s.memo {
		if m := &s.memo[i]; m.sr == sr && m.gen == s.gen && m.end == end && m.start == start && m.src == src && m.visible == visible && m.stat == stat {
			return m.v, m.ok
		}
	}
	var v float64
	var ok bool
	if src == fromRaw {
		v, ok = s.rawWindow(sr, stat, start, end, visible)
	} else {
		v, ok = sr.tiers[src].window(stat, start, end, visible)
	}
	s.memo[s.memoNext] = windowMemo{sr: sr, gen: s.gen, start: start, end: end, visible: visible, src: src, stat: stat, v: v, ok: ok}
	s.memoNext = (s.memoNext + 1) % windowMemos
	return v, ok
}

func (s *Store) rawWindow(sr *series, stat Statistic, start, end, visible int64) (float64, bool) {
	if visible < end-1 {
		end = visible + 1
	}
	i := sr.rawIndex(start)
	j := sr.rawIndex(end)
	// Then the samples its group queued for it, which are newer (only an
	// alarm's read gets here with some: every other read takes them).
	var q queuedRange
	if g := sr.grp; g != nil && sr.taken < g.next {
		q = g.queuedIn(sr.col, start, end)
	}
	if i >= j && !q.any() {
		return 0, false
	}
	if stat.kind == statPercentile {
		s.percentile.reset()
		for k := i; k < j; k++ {
			if !s.percentile.add(sr.raw.at(k).set) {
				return 0, false
			}
		}
		for k := q.from; k < q.to; k++ {
			if set, ok := q.at(k); ok && !s.percentile.add(set) {
				return 0, false
			}
		}
		return s.percentile.quantile(stat.p)
	}
	var acc statSet
	if i < j {
		acc = sr.raw.at(i).set
		i++
	} else {
		acc, q.from = q.first()
	}
	for k := i; k < j; k++ {
		acc.add(sr.raw.at(k).set)
	}
	for k := q.from; k < q.to; k++ {
		if set, ok := q.at(k); ok {
			acc.add(set)
		}
	}
	return acc.value(stat)
}

// add adds b to the set as a raw window's sum does: count, sum, min, max.
func (a *statSet) add(b statSet) {
	a.count += b.count
	a.sum += b.sum
	a.min = min(a.min, b.min)
	a.max = max(a.max, b.max)
}

// window merges the buckets of [start, end) (both multiples of the
// resolution) whose samples are all visible.
func (tr *tier) window(stat Statistic, start, end, visible int64) (float64, bool) {
	b := &tr.buckets
	n := int64(b.len())
	i := max((start-tr.base)/tr.resolution, 0)
	j := min((end-tr.base)/tr.resolution, n)
	var acc statSet
	for ; i < j; i++ {
		if bk := b.at(int(i)); bk.set.count > 0 && bk.last <= visible { // a bucket shows once all its samples are published
			acc.merge(bk.set)
		}
	}
	return acc.value(stat)
}

// Datapoint is the value of a statistic over one period.
type Datapoint struct {
	Timestamp time.Time // start of the period
	Value     float64   // the statistic; zero when Missing
	Missing   bool      // no visible samples in the period

	// LowSample marks a percentile datapoint from fewer samples than
	// MinPercentileSamples. MetricAlarm.Evaluate sets it only for alarms
	// with LowSampleCountPercentile = LowSampleIgnore; Datapoints never does.
	LowSample bool
}

// maxDatapoints bounds one Datapoints call, so a typo in a range cannot
// allocate gigabytes. It is 30 days of one-second periods.
const maxDatapoints = 30 * 24 * 3600

// Datapoints returns stat of m for each period in [start, end), oldest first,
// like GetMetricStatistics: the periods begin at start, and a period with no
// samples is returned with Missing set rather than left out. A period older
// than the raw retention is answered from a rollup only if the rollup's
// resolution divides both of its edges (measured from the Unix epoch). Period
// must be 1, 5, 10 or 30 s or a multiple of 60 s; end must be after start,
// both in 1970–2199. It sees every stored sample; use At(now).Datapoints for
// the published view.
func (s *Store) Datapoints(m Metric, stat Statistic, period time.Duration, start, end time.Time) ([]Datapoint, error) {
	return s.datapoints(m, stat, period, start, end, noCutoff)
}

func (s *Store) datapoints(m Metric, stat Statistic, period time.Duration, start, end time.Time, visible int64) ([]Datapoint, error) {
	errs := fielderr.NewList(ErrInvalidQuery)
	if err := validQueryPeriod(period); err != "" {
		errs.Add("period", period, err)
	}
	if !stat.Valid() {
		errs.Add("stat", stat.String(), "must be Average, Sum, Minimum, Maximum, SampleCount or p0 to p100")
	}
	if !inRange(start) {
		errs.Add("start", start, timestampRule)
	}
	if !inRange(end) {
		errs.Add("end", end, timestampRule)
	} else if !end.After(start) {
		errs.Addf("end", end, "must be after start %v", fielderr.Show(start))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	span := end.Sub(start) // both in range: no saturation
	n := int64(span / period)
	if span%period != 0 {
		n++
	}
	if n > maxDatapoints {
		return nil, fielderr.New(ErrInvalidQuery, "end", end, "range holds "+strconv.FormatInt(n, 10)+" periods; at most "+strconv.Itoa(maxDatapoints)+" per call")
	}
	out := make([]Datapoint, 0, n)
	sr := s.lookup(m)
	for t := start; t.Before(end); t = t.Add(period) {
		dp := Datapoint{Timestamp: t, Missing: true}
		if sr != nil {
			ts := t.UnixNano()
			if v, ok := s.window(sr, stat, ts, ts+int64(period), visible); ok {
				dp.Value, dp.Missing = v, false
			}
		}
		out = append(out, dp)
	}
	return out, nil
}

// validQueryPeriod returns why p is not a CloudWatch query period, or "".
func validQueryPeriod(p time.Duration) string {
	switch {
	case p == time.Second, p == 5*time.Second, p == 10*time.Second, p == 30*time.Second:
		return ""
	case p > 0 && p%time.Minute == 0:
		return ""
	}
	return "must be 1, 5, 10 or 30 seconds or a multiple of 60 seconds"
}

// View is the store as published at one instant: reads through it see only
// samples whose timestamp + PublicationDelay is at or before that instant.
// It implements Reader.
type View struct {
	store *Store
	asOf  time.Time
}

// At returns the store as published at now.
func (s *Store) At(now time.Time) View { return View{store: s, asOf: now} }

// Statistic is Store.StatisticAsOf at the view's instant.
func (v View) Statistic(m Metric, stat Statistic, period time.Duration, end time.Time) (float64, bool) {
	return v.store.StatisticAsOf(m, stat, period, end, v.asOf)
}

// Datapoints is Store.Datapoints restricted to what is published at the
// view's instant.
func (v View) Datapoints(m Metric, stat Statistic, period time.Duration, start, end time.Time) ([]Datapoint, error) {
	return v.store.datapoints(m, stat, period, start, end, v.store.visibleCutoff(v.asOf))
}
