package metrics

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
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
	Retention  time.Duration // how long buckets are kept, measured back from the newest sample; must be positive
}

// CloudWatch's retention tiers. Raw (sub-minute) data is kept 3 hours;
// then one-minute data 15 days, five-minute data 63 days and one-hour data
// 455 days (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html).
const (
	CloudWatchRawRetention = 3 * time.Hour
	day                    = 24 * time.Hour
)

// CloudWatchRollups are CloudWatch's own aggregated tiers. They are faithful
// but large for a simulator: at one sample a minute a series keeps 21,600
// one-minute buckets (about 1 MiB) after 15 days.
var CloudWatchRollups = []Rollup{
	{Resolution: time.Minute, Retention: 15 * day},
	{Resolution: 5 * time.Minute, Retention: 63 * day},
	{Resolution: time.Hour, Retention: 455 * day},
}

// DefaultRollups are the tiers a zero Config uses: one-minute buckets for 26
// hours and CloudWatch's hourly tier for 455 days.
//
// 26 hours of minutes hold the N most recent datapoints of every alarm
// CloudWatch accepts (EvaluationPeriods × Period ≤ 1 day; alarm windows
// slide by the minute, so only minute buckets can answer them), and the whole
// N + 2 evaluation range of every alarm with a Period up to an hour. The
// hourly tier answers hour-aligned Datapoints queries for reports. A series
// costs at most 1,561 + 10,920 buckets of 48 bytes (about 0.6 MiB), and
// 1,561 + 720 buckets (about 110 KiB) in a 30-day run, however often it is
// written.
var DefaultRollups = []Rollup{
	{Resolution: time.Minute, Retention: 26 * time.Hour},
	{Resolution: time.Hour, Retention: 455 * day},
}

// Config configures a Store. The zero value is a store with CloudWatch's raw
// retention, DefaultRollups and no publication delay.
type Config struct {
	// RawRetention is how long individual samples are kept, measured back
	// from the newest sample of their series. Raw samples answer every
	// statistic over any window, including percentiles and sub-minute
	// periods; older windows are answered from the rollups. Zero means 3 h,
	// CloudWatch's retention for sub-minute data. Memory per series is
	// RawRetention × sample rate × 40 bytes.
	RawRetention time.Duration

	// Rollups are the aggregated tiers, finest first. nil means
	// DefaultRollups; a non-nil empty slice keeps raw samples only. Use
	// CloudWatchRollups for CloudWatch's own tiers.
	Rollups []Rollup

	// PublicationDelay is how long after its timestamp a sample becomes
	// visible to reads made through At or StatisticAsOf (and so to alarms).
	// Zero means samples are visible at their timestamp. AWS does not
	// publish the delay of its own metrics (it says aggregation "can take up
	// to several minutes"); 60–180 s is a common model. Note that a
	// one-minute datapoint is timestamped at the start of its minute, so a
	// realistic delay for ECS's pre-aggregated one-minute values is 60 s plus
	// the transport lag.
	PublicationDelay time.Duration
}

// withDefaults returns c with zero fields replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.RawRetention == 0 {
		c.RawRetention = CloudWatchRawRetention
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
	var errs []error
	bad := func(field string, value any, rule string) {
		errs = append(errs, &FieldError{Field: field, Value: value, Rule: rule, Err: ErrInvalidConfig})
	}
	if c.RawRetention < 0 {
		bad("RawRetention", c.RawRetention, "must not be negative")
	}
	if c.PublicationDelay < 0 {
		bad("PublicationDelay", c.PublicationDelay, "must not be negative")
	}
	for i, r := range c.Rollups {
		if r.Resolution < time.Second || r.Resolution%time.Second != 0 {
			bad(fmt.Sprintf("Rollups[%d].Resolution", i), r.Resolution, "must be a whole number of seconds, at least 1s")
		}
		if r.Retention <= 0 {
			bad(fmt.Sprintf("Rollups[%d].Retention", i), r.Retention, "must be positive")
		}
		if i > 0 && r.Resolution <= c.Rollups[i-1].Resolution {
			bad(fmt.Sprintf("Rollups[%d].Resolution", i), r.Resolution, "must be coarser than the previous rollup's")
		}
	}
	return joinErrors(errs)
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

// bucket is one rollup interval [start, start+resolution).
type bucket struct {
	start int64 // Unix nanoseconds, a multiple of the resolution
	last  int64 // timestamp of the newest sample merged in; decides visibility
	set   statSet
}

// tier is one rollup's buckets plus where its data is complete from.
type tier struct {
	resolution int64
	retention  int64
	complete   int64 // data at or after this instant is complete; older was evicted
	evictAt    int64 // the newest-sample time at which complete next advances
	buckets    queue[bucket]
}

// series is the stored data of one metric.
type series struct {
	metric   Metric // canonical copy, dimensions sorted
	latest   int64  // newest sample timestamp
	complete int64  // raw data at or after this instant is complete
	raw      queue[rawPoint]
	tiers    []tier
	expired  bool // Expire removed the series from the store; handles must look it up again
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
	keyBuf     []byte
	percentile percentileScratch
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

// lookup returns the series of m, or nil. It allocates nothing.
func (s *Store) lookup(m Metric) *series {
	if len(m.Dimensions) > MaxDimensions {
		return nil
	}
	s.keyBuf = appendKey(s.keyBuf[:0], m)
	return s.series[string(s.keyBuf)]
}

// lookupOrCreate returns the series of m, creating it after validating m.
func (s *Store) lookupOrCreate(m Metric) (*series, error) {
	if len(m.Dimensions) > MaxDimensions {
		return nil, m.Validate()
	}
	s.keyBuf = appendKey(s.keyBuf[:0], m)
	if sr, ok := s.series[string(s.keyBuf)]; ok {
		return sr, nil
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	canon := Metric{Namespace: m.Namespace, Name: m.Name, Dimensions: sortedDimensions(m.Dimensions)}
	sr := &series{metric: canon, latest: math.MinInt64, complete: math.MinInt64, tiers: make([]tier, len(s.cfg.Rollups))}
	for i, r := range s.cfg.Rollups {
		sr.tiers[i] = tier{resolution: int64(r.Resolution), retention: int64(r.Retention), complete: math.MinInt64, evictAt: math.MinInt64}
	}
	s.series[string(s.keyBuf)] = sr
	return sr, nil
}

// Put records one sample v of m at t. It returns an error wrapping
// ErrInvalidMetric for a metric CloudWatch would reject, ErrInvalidValue for
// NaN or ±Inf, and ErrExpired when t is older than every tier keeps.
// Samples may arrive out of order; a late one costs a copy of the newer
// samples of its series.
func (s *Store) Put(m Metric, t time.Time, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return &FieldError{Field: "value", Value: v, Rule: "must be a finite number", Err: ErrInvalidValue}
	}
	return s.put(m, t, statSet{count: 1, sum: v, min: v, max: v})
}

// PutStatisticSet records a pre-aggregated set of samples of m at t, as
// PutMetricData's StatisticValues does. Percentiles over a window that holds
// a set are available only if every set in it has SampleCount 1 or Minimum
// equal to Maximum (CloudWatch's rule); otherwise they are missing.
func (s *Store) PutStatisticSet(m Metric, t time.Time, set StatisticSet) error {
	var errs []error
	bad := func(field string, value any, rule string) {
		errs = append(errs, &FieldError{Field: field, Value: value, Rule: rule, Err: ErrInvalidValue})
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"SampleCount", set.SampleCount}, {"Sum", set.Sum}, {"Minimum", set.Minimum}, {"Maximum", set.Maximum}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			bad(f.name, f.v, "must be a finite number")
		}
	}
	if !(set.SampleCount > 0) {
		bad("SampleCount", set.SampleCount, "must be positive")
	}
	if set.Minimum > set.Maximum {
		bad("Minimum", set.Minimum, fmt.Sprintf("must not exceed Maximum %v", set.Maximum))
	}
	if err := joinErrors(errs); err != nil {
		return err
	}
	return s.put(m, t, statSet{count: set.SampleCount, sum: set.Sum, min: set.Minimum, max: set.Maximum})
}

func (s *Store) put(m Metric, t time.Time, set statSet) error {
	sr, err := s.lookupOrCreate(m)
	if err != nil {
		return err
	}
	return s.putSeries(sr, t, set)
}

func (s *Store) putSeries(sr *series, t time.Time, set statSet) error {
	ts := t.UnixNano()
	if ts > sr.latest {
		sr.latest = ts
		s.evict(sr, ts)
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
	if !stored {
		return &FieldError{Field: "timestamp", Value: t.UTC(), Rule: fmt.Sprintf("is older than every tier of %v keeps", sr.metric), Err: ErrExpired}
	}
	return nil
}

// evict drops from every tier of sr what is older than its retention
// measured back from now.
func (s *Store) evict(sr *series, now int64) {
	if cut := now - s.rawRet; cut > sr.complete {
		sr.complete = cut
		live := sr.raw.live()
		n := 0
		for n < len(live) && live[n].t < cut {
			n++
		}
		sr.raw.dropFront(n)
	}
	for i := range sr.tiers {
		tr := &sr.tiers[i]
		if now < tr.evictAt {
			continue // the cut only moves once per resolution; skip the division
		}
		cut := floorTo(now-tr.retention, tr.resolution)
		tr.evictAt = cut + tr.resolution + tr.retention
		if cut <= tr.complete {
			continue
		}
		tr.complete = cut
		live := tr.buckets.live()
		n := 0
		for n < len(live) && live[n].start < cut {
			n++
		}
		tr.buckets.dropFront(n)
	}
}

func (sr *series) insertRaw(p rawPoint) {
	if sr.raw.len() == 0 || p.t >= sr.raw.last().t {
		sr.raw.push(p)
		return
	}
	live := sr.raw.live()
	i := sort.Search(len(live), func(i int) bool { return live[i].t > p.t }) // after equal timestamps: stable
	sr.raw.insert(i, p)
}

func (tr *tier) merge(ts int64, set statSet) {
	start := floorTo(ts, tr.resolution)
	if tr.buckets.len() > 0 {
		if b := tr.buckets.last(); b.start == start {
			b.set.merge(set)
			b.last = max(b.last, ts)
			return
		} else if b.start > start {
			live := tr.buckets.live()
			i := sort.Search(len(live), func(i int) bool { return live[i].start >= start })
			if live[i].start == start {
				live[i].set.merge(set)
				live[i].last = max(live[i].last, ts)
				return
			}
			tr.buckets.insert(i, bucket{start: start, last: ts, set: set})
			return
		}
	}
	tr.buckets.push(bucket{start: start, last: ts, set: set})
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
	ts := now.UnixNano()
	for key, sr := range s.series { // each series is handled alone: the order cannot matter
		s.evict(sr, ts)
		if sr.empty() {
			sr.expired = true
			delete(s.series, key)
		}
	}
}

// Handle is a metric resolved once, for callers that write the same series
// often: a Put through it skips building the metric's key and the map
// lookup, about half the cost of Store.Put. It stays valid across Expire.
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
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return &FieldError{Field: "value", Value: v, Rule: "must be a finite number", Err: ErrInvalidValue}
	}
	if h.series.expired {
		sr, err := h.store.lookupOrCreate(h.series.metric)
		if err != nil {
			return err
		}
		h.series = sr
	}
	return h.store.putSeries(h.series, t, statSet{count: 1, sum: v, min: v, max: v})
}

// ListMetrics returns the metrics the store holds data for, like
// CloudWatch's ListMetrics: those in namespace and with the given name, an
// empty string matching any. They are sorted by namespace, name, then
// dimensions, so the result does not depend on map order.
func (s *Store) ListMetrics(namespace, name string) []Metric {
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

// Usage counts what a store holds, for memory accounting.
type Usage struct {
	Series    int // number of series
	RawPoints int // raw samples and statistic sets held
	Buckets   int // rollup buckets held
}

// Usage returns the store's current size.
func (s *Store) Usage() Usage {
	var u Usage
	for _, sr := range s.series { // summing: the order cannot matter
		u.Series++
		u.RawPoints += sr.raw.len()
		for i := range sr.tiers {
			u.Buckets += sr.tiers[i].buckets.len()
		}
	}
	return u
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
	a := asOf.UnixNano()
	if a < math.MinInt64+s.delay {
		return math.MinInt64
	}
	return a - s.delay
}

func (s *Store) statistic(m Metric, stat Statistic, period time.Duration, end time.Time, visible int64) (float64, bool) {
	if period <= 0 || !stat.Valid() {
		return 0, false
	}
	sr := s.lookup(m)
	if sr == nil {
		return 0, false
	}
	e := end.UnixNano()
	return s.window(sr, stat, e-int64(period), e, visible)
}

// window computes stat over [start, end) of sr, counting samples with
// timestamps ≤ visible.
func (s *Store) window(sr *series, stat Statistic, start, end, visible int64) (float64, bool) {
	if start >= sr.complete {
		return s.rawWindow(sr, stat, start, end, visible)
	}
	if stat.kind == statPercentile {
		return 0, false
	}
	for i := range sr.tiers {
		tr := &sr.tiers[i]
		if start >= tr.complete && floorTo(start, tr.resolution) == start && floorTo(end, tr.resolution) == end {
			return tr.window(stat, start, end, visible)
		}
	}
	return 0, false
}

func (s *Store) rawWindow(sr *series, stat Statistic, start, end, visible int64) (float64, bool) {
	if visible < end-1 {
		end = visible + 1
	}
	live := sr.raw.live()
	i := sort.Search(len(live), func(i int) bool { return live[i].t >= start })
	j := i + sort.Search(len(live)-i, func(k int) bool { return live[i+k].t >= end })
	in := live[i:j]
	if len(in) == 0 {
		return 0, false
	}
	if stat.kind == statPercentile {
		s.percentile.reset()
		for k := range in {
			if !s.percentile.add(in[k].set) {
				return 0, false
			}
		}
		return s.percentile.quantile(stat.p)
	}
	acc := in[0].set
	for k := 1; k < len(in); k++ {
		b := &in[k].set
		acc.count += b.count
		acc.sum += b.sum
		acc.min = min(acc.min, b.min)
		acc.max = max(acc.max, b.max)
	}
	return acc.value(stat)
}

func (tr *tier) window(stat Statistic, start, end, visible int64) (float64, bool) {
	live := tr.buckets.live()
	i := sort.Search(len(live), func(i int) bool { return live[i].start >= start })
	var acc statSet
	for ; i < len(live) && live[i].start < end; i++ {
		if live[i].last <= visible { // a bucket shows once all its samples are published
			acc.merge(live[i].set)
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
// resolution divides both of its edges (measured from the Unix epoch). Period must be
// 1, 5, 10 or 30 s or a multiple of 60 s; end must be after start. It sees
// every stored sample; use At(now).Datapoints for the published view.
func (s *Store) Datapoints(m Metric, stat Statistic, period time.Duration, start, end time.Time) ([]Datapoint, error) {
	return s.datapoints(m, stat, period, start, end, noCutoff)
}

func (s *Store) datapoints(m Metric, stat Statistic, period time.Duration, start, end time.Time, visible int64) ([]Datapoint, error) {
	var errs []error
	bad := func(field string, value any, rule string) {
		errs = append(errs, &FieldError{Field: field, Value: value, Rule: rule, Err: ErrInvalidQuery})
	}
	if err := validQueryPeriod(period); err != "" {
		bad("period", period, err)
	}
	if !stat.Valid() {
		bad("stat", stat.String(), "must be Average, Sum, Minimum, Maximum, SampleCount or p0 to p100")
	}
	if !end.After(start) {
		bad("end", end.UTC(), fmt.Sprintf("must be after start %v", start.UTC()))
	}
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	n := (end.Sub(start) + period - 1) / period
	if n > maxDatapoints {
		return nil, &FieldError{Field: "end", Value: end.UTC(), Rule: fmt.Sprintf("range holds %d periods; at most %d per call", n, maxDatapoints), Err: ErrInvalidQuery}
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
