package metrics

import (
	"fmt"
	"iter"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// ComparisonOperator compares an alarm's datapoint with its threshold. The
// zero value is not a valid operator: an alarm must say which one it uses.
type ComparisonOperator uint8

// The CloudWatch comparison operators. A datapoint v breaches when
//
//	GreaterThanThreshold:          v > threshold
//	GreaterThanOrEqualToThreshold: v ≥ threshold
//	LessThanThreshold:             v < threshold
//	LessThanOrEqualToThreshold:    v ≤ threshold
const (
	GreaterThanThreshold ComparisonOperator = iota + 1
	GreaterThanOrEqualToThreshold
	LessThanThreshold
	LessThanOrEqualToThreshold
)

// Breaches reports whether v breaches threshold under op.
func (op ComparisonOperator) Breaches(v, threshold float64) bool {
	switch op {
	case GreaterThanThreshold:
		return v > threshold
	case GreaterThanOrEqualToThreshold:
		return v >= threshold
	case LessThanThreshold:
		return v < threshold
	case LessThanOrEqualToThreshold:
		return v <= threshold
	}
	return false
}

// String returns the CloudWatch name, e.g. "GreaterThanThreshold".
func (op ComparisonOperator) String() string {
	switch op {
	case GreaterThanThreshold:
		return "GreaterThanThreshold"
	case GreaterThanOrEqualToThreshold:
		return "GreaterThanOrEqualToThreshold"
	case LessThanThreshold:
		return "LessThanThreshold"
	case LessThanOrEqualToThreshold:
		return "LessThanOrEqualToThreshold"
	}
	return "ComparisonOperator(" + strconv.Itoa(int(op)) + ")"
}

// symbol returns the operator as a math symbol for state reasons.
func (op ComparisonOperator) symbol() string {
	switch op {
	case GreaterThanThreshold:
		return ">"
	case GreaterThanOrEqualToThreshold:
		return ">="
	case LessThanThreshold:
		return "<"
	case LessThanOrEqualToThreshold:
		return "<="
	}
	return "?"
}

// MissingData is an alarm's TreatMissingData setting. The zero value is
// MissingDataMissing, CloudWatch's default.
type MissingData uint8

// The four treatments of missing data. See EvaluateDatapoints for how each
// one decides.
const (
	MissingDataMissing      MissingData = iota // "missing": missing points are not considered; all missing → INSUFFICIENT_DATA
	MissingDataIgnore                          // "ignore": keep the current state when the real points cannot decide
	MissingDataBreaching                       // "breaching": missing points breach
	MissingDataNotBreaching                    // "notBreaching": missing points are within the threshold
)

// String returns the CloudWatch name: "missing", "ignore", "breaching" or
// "notBreaching".
func (md MissingData) String() string {
	switch md {
	case MissingDataMissing:
		return "missing"
	case MissingDataIgnore:
		return "ignore"
	case MissingDataBreaching:
		return "breaching"
	case MissingDataNotBreaching:
		return "notBreaching"
	}
	return "MissingData(" + strconv.Itoa(int(md)) + ")"
}

// AlarmState is OK, ALARM or INSUFFICIENT_DATA. The zero value is
// InsufficientData, the state of a new alarm.
type AlarmState uint8

// The alarm states.
const (
	InsufficientData AlarmState = iota
	OK
	Alarm
)

// String returns the CloudWatch name: "OK", "ALARM" or "INSUFFICIENT_DATA".
func (s AlarmState) String() string {
	switch s {
	case InsufficientData:
		return "INSUFFICIENT_DATA"
	case OK:
		return "OK"
	case Alarm:
		return "ALARM"
	}
	return "AlarmState(" + strconv.Itoa(int(s)) + ")"
}

// MaxAlarmWindow is CloudWatch's bound on EvaluationPeriods × Period.
const MaxAlarmWindow = 24 * time.Hour

// AlarmConfig is a CloudWatch metric alarm.
//
// The alarm reads one datapoint per Period: the Statistic of Metric over
// [end−Period, end). It looks at the EvaluationRange most recent datapoints
// and goes to ALARM when DatapointsToAlarm (M) of the EvaluationPeriods (N)
// evaluated datapoints breach the Threshold; see EvaluateDatapoints.
//
// Alarms with a Period of 60 s or more are evaluated every minute over a
// sliding window (Period 300 s: at the end of minute 5 over minutes 1–5, at
// the end of minute 6 over minutes 2–6); 10 s and 30 s alarms every 10 s.
// While an alarm stays in ALARM, CloudWatch re-invokes its Auto Scaling
// actions at every evaluation (SNS actions fire on transitions only), so the
// caller (sim) re-runs the scaling policy each minute the alarm is in ALARM.
type AlarmConfig struct {
	Name              string             // used in messages; may be empty
	Metric            Metric             // the series the alarm watches
	Statistic         Statistic          // the statistic of each datapoint
	Period            time.Duration      // 10 s, 30 s or a multiple of 60 s; zero means 60 s
	EvaluationPeriods int                // N, at least 1; N × Period ≤ 1 day
	DatapointsToAlarm int                // M, 1..N; zero means N
	Threshold         float64            // a finite number, in the metric's unit
	Comparison        ComparisonOperator // required
	TreatMissingData  MissingData        // zero means MissingDataMissing, CloudWatch's default

	// EvaluationRange is how many datapoints the alarm fetches, at least N.
	// Zero means N + 2. CloudWatch documents 5 for N = 3 and says the
	// number "depends on the length of the alarm period", without a
	// formula; N + 2 is the documented case generalised (UNCONFIRMED).
	EvaluationRange int

	// LowSampleCountPercentile is EvaluateLowSampleCountPercentile: what a
	// percentile alarm does with datapoints computed from too few samples
	// (see MinPercentileSamples). Zero means LowSampleEvaluate, CloudWatch's
	// default; it is ignored for other statistics.
	LowSampleCountPercentile LowSampleCount
}

// LowSampleCount is a percentile alarm's EvaluateLowSampleCountPercentile
// setting.
type LowSampleCount uint8

// The two settings.
const (
	// LowSampleEvaluate evaluates the alarm however few samples there are.
	LowSampleEvaluate LowSampleCount = iota
	// LowSampleIgnore keeps the alarm's state while any real datapoint in
	// the evaluation range has too few samples. CloudWatch says the state
	// "does not change during periods with too few data points"; applying
	// it to the whole range is this package's reading (UNCONFIRMED).
	LowSampleIgnore
)

// String returns the CloudWatch name, "evaluate" or "ignore".
func (l LowSampleCount) String() string {
	switch l {
	case LowSampleEvaluate:
		return "evaluate"
	case LowSampleIgnore:
		return "ignore"
	}
	return "LowSampleCount(" + strconv.Itoa(int(l)) + ")"
}

// MinPercentileSamples is how many samples a period needs for its pNN to be
// statistically significant, per CloudWatch: with q = NN/100,
//
//	10 / (1 − q)  for q ≥ 0.5 (p99 → 1000)
//	10 / q        for q < 0.5 (p25 → 40)
//
// The quotient is snapped to the nearest integer when within 1e-9 of it, so
// that 10/(1 − 0.99) is 1000 and not 1000.0000000000009. p0 and p100 need
// infinitely many.
func MinPercentileSamples(p float64) float64 {
	q := p / 100
	var x float64
	if q >= 0.5 {
		x = 10 / (1 - q)
	} else {
		x = 10 / q
	}
	if r := math.Round(x); math.Abs(x-r) <= 1e-9*r {
		x = r
	}
	return x
}

// WithDefaults returns c with its zero-means-default fields filled in:
// Period 60 s, DatapointsToAlarm N, EvaluationRange N + 2.
func (c AlarmConfig) WithDefaults() AlarmConfig {
	if c.Period == 0 {
		c.Period = time.Minute
	}
	if c.DatapointsToAlarm == 0 {
		c.DatapointsToAlarm = c.EvaluationPeriods
	}
	if c.EvaluationRange == 0 {
		c.EvaluationRange = c.EvaluationPeriods + 2
	}
	return c
}

// Validate reports every field of c (after defaults) that breaks one of
// CloudWatch's rules, each wrapping ErrInvalidAlarm: the metric identity,
// the statistic, Period (10 s, 30 s or a multiple of 60 s),
// EvaluationPeriods ≥ 1, EvaluationPeriods × Period ≤ 1 day,
// DatapointsToAlarm in 1..EvaluationPeriods, a finite Threshold, a known
// Comparison and TreatMissingData, and an EvaluationRange of at least
// EvaluationPeriods that reaches back at most two periods more than
// CloudWatch's longest alarm window ((EvaluationRange − 2) × Period ≤ 1 day).
func (c AlarmConfig) Validate() error {
	c = c.WithDefaults()
	errs := fielderr.NewList(ErrInvalidAlarm)
	bad := func(field string, value any, rule string) { errs.Add(c.prefix()+field, value, rule) }
	if err := c.Metric.Validate(); err != nil {
		bad("Metric", c.Metric.String(), err.Error())
	}
	if !c.Statistic.Valid() {
		bad("Statistic", c.Statistic.String(), "must be Average, Sum, Minimum, Maximum, SampleCount or p0 to p100")
	}
	periodOK := c.Period == 10*time.Second || c.Period == 30*time.Second || (c.Period > 0 && c.Period%time.Minute == 0)
	if !periodOK {
		bad("Period", c.Period, "must be 10s, 30s or a multiple of 60s")
	}
	windowOK := false
	if c.EvaluationPeriods < 1 {
		bad("EvaluationPeriods", c.EvaluationPeriods, "must be at least 1")
	} else if periodOK && c.Period > MaxAlarmWindow/time.Duration(c.EvaluationPeriods) {
		bad("EvaluationPeriods", c.EvaluationPeriods, fmt.Sprintf("EvaluationPeriods × Period (%v) must not exceed 24h", c.Period))
	} else {
		windowOK = periodOK
	}
	if c.DatapointsToAlarm < 1 || (c.EvaluationPeriods >= 1 && c.DatapointsToAlarm > c.EvaluationPeriods) {
		bad("DatapointsToAlarm", c.DatapointsToAlarm, fmt.Sprintf("must be between 1 and EvaluationPeriods (%d)", c.EvaluationPeriods))
	}
	if math.IsNaN(c.Threshold) || math.IsInf(c.Threshold, 0) {
		bad("Threshold", c.Threshold, "must be a finite number")
	}
	if c.Comparison < GreaterThanThreshold || c.Comparison > LessThanOrEqualToThreshold {
		bad("Comparison", c.Comparison.String(), "must be GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold")
	}
	if c.TreatMissingData > MissingDataNotBreaching {
		bad("TreatMissingData", c.TreatMissingData.String(), "must be missing, ignore, breaching or notBreaching")
	}
	if c.LowSampleCountPercentile > LowSampleIgnore {
		bad("LowSampleCountPercentile", c.LowSampleCountPercentile.String(), "must be evaluate or ignore")
	}
	if c.EvaluationRange < c.EvaluationPeriods {
		bad("EvaluationRange", c.EvaluationRange, fmt.Sprintf("must be at least EvaluationPeriods (%d)", c.EvaluationPeriods))
	} else if windowOK && c.EvaluationRange-2 > int(MaxAlarmWindow/c.Period) {
		bad("EvaluationRange", c.EvaluationRange, fmt.Sprintf("must be at most %d: (EvaluationRange − 2) × Period (%v) must not exceed 24h", int(MaxAlarmWindow/c.Period)+2, c.Period))
	}
	return errs.Err()
}

func (c AlarmConfig) prefix() string {
	if c.Name == "" {
		return ""
	}
	return "alarm " + c.Name + ": "
}

// EvaluationInterval is how often CloudWatch evaluates an alarm with the
// given period: every 10 s for 10 s and 30 s periods, every minute
// otherwise.
func EvaluationInterval(period time.Duration) time.Duration {
	if period < time.Minute {
		return 10 * time.Second
	}
	return time.Minute
}

// MetricAlarm is a CloudWatch alarm's evaluation state. What an evaluation
// reads and writes comes first and together, in the first three cache
// lines of the alarm (its size, 256 bytes, is a size class of whole
// lines, so the alarm starts on a line), so that evaluating thousands of
// alarms a minute touches few lines of each; the last line holds the
// window of a short range (small) and the pointer to what an evaluation
// does not read (alarmCold): with it in line, the alarm took 448 bytes,
// and a pass over a target tracking policy's two alarms of each of
// thousands of services crossed a page every 4.6 services rather than
// every 8.
// The datapoints of the last evaluation are kept compact (values and
// flags in inc) and built into Datapoints only when LastEvaluation asks.
type MetricAlarm struct {
	state        AlarmState
	previous     AlarmState // before the last evaluation
	evaluated    bool       // Evaluate has run
	checkSamples bool       // a percentile alarm that ignores low-sample datapoints
	rng          int32      // cfg.EvaluationRange
	rule         rule       // cfg's evaluation rule
	grid         int64      // EvaluationInterval(cfg.Period)
	lastAt       int64      // the last evaluation's instant, Unix nanoseconds on the grid
	lastLoc      *time.Location
	lead         *MetricAlarm // Follow's: the alarm whose datapoints this one takes
	period       int64        // cfg.Period
	stat         Statistic    // cfg.Statistic
	inc          incremental
	outcome      outcome // of the last evaluation
	*alarmCold
	// small holds the compact window (inc.win) of a range of up to three
	// datapoints (a target tracking policy's AlarmHigh), in the alarm's
	// last cache line: the evaluation then reads no other object of its
	// own.
	small [smallWindow]float64
}

// alarmCold is what a MetricAlarm's evaluation does not read in the
// common case (a range slid by a period): its configuration, the closed
// datapoints it remembers for a range read afresh, and the Datapoints of
// LastEvaluation.
type alarmCold struct {
	cfg    AlarmConfig
	closed []closedPoint // inc's closed datapoints, by window end: slot (end / grid) mod len
	dps    []Datapoint   // LastEvaluation's Datapoints, built from inc's values and flags
}

// smallWindow is the words of MetricAlarm.small: a range of n datapoints
// takes flagWords(n) + 2n words, 7 for n = 3.
const smallWindow = 7

// outcome is an Outcome in the room an alarm keeps it in: a valid
// alarm's range holds at most 8,642 datapoints (see AlarmConfig.Validate),
// well within an int16.
type outcome struct {
	state                      AlarmState
	rule                       Rule
	real, breaching, evaluated int16
}

func packOutcome(o Outcome) outcome {
	return outcome{state: o.State, rule: o.Rule, real: int16(o.Real), breaching: int16(o.Breaching), evaluated: int16(o.Evaluated)}
}

// Outcome returns o as an Outcome.
func (o outcome) Outcome() Outcome {
	return Outcome{State: o.state, Rule: o.rule, Real: int(o.real), Breaching: int(o.breaching), Evaluated: int(o.evaluated)}
}

// Follow tells a that lead reads the same datapoints (the same Metric,
// Statistic, Period and low-sample treatment) and is evaluated just
// before a at the same instants, as a target tracking policy's AlarmHigh
// and AlarmLow are. When a is evaluated against a *Store at the instant
// of lead's last evaluation, with nothing written to the store since, a
// takes the datapoints the two ranges share from lead's evaluation
// instead of reading the store again; the results are the same either
// way. Follow reports an error wrapping ErrInvalidAlarm, and a follows
// nothing, when lead reads other datapoints or is a itself; Follow(nil)
// stops following.
func (a *MetricAlarm) Follow(lead *MetricAlarm) error {
	a.lead = nil
	if lead == nil {
		return nil
	}
	c, l := &a.cfg, &lead.cfg
	errs := fielderr.NewList(ErrInvalidAlarm)
	if lead == a {
		errs.Add("lead", l.Name, "must be another alarm")
	}
	if !sameMetric(c.Metric, l.Metric) {
		errs.Add("lead.Metric", l.Metric.String(), "must be "+c.Metric.String())
	}
	if c.Statistic != l.Statistic {
		errs.Add("lead.Statistic", l.Statistic.String(), "must be "+c.Statistic.String())
	}
	if c.Period != l.Period {
		errs.Add("lead.Period", l.Period, "must be "+c.Period.String())
	}
	if a.checkSamples != lead.checkSamples {
		errs.Add("lead.LowSampleCountPercentile", l.LowSampleCountPercentile.String(), "must be "+c.LowSampleCountPercentile.String())
	}
	if err := errs.Err(); err != nil {
		return err
	}
	a.lead = lead
	return nil
}

// Evaluation records one evaluation of an alarm, for decision logs.
type Evaluation struct {
	At         time.Time   // the evaluation instant, on the evaluation grid
	Datapoints []Datapoint // the evaluation range, oldest first
	Outcome    Outcome     // how the datapoints decided
	Previous   AlarmState  // state before the evaluation
}

// NewAlarm validates cfg and returns an alarm in INSUFFICIENT_DATA. The
// returned alarm's Config has the defaults filled in.
func NewAlarm(cfg AlarmConfig) (*MetricAlarm, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	cfg.Metric.Dimensions = append([]Dimension(nil), cfg.Metric.Dimensions...) // the caller's slice stays theirs
	a := &MetricAlarm{alarmCold: &alarmCold{cfg: cfg}, rule: cfg.rule(), grid: int64(EvaluationInterval(cfg.Period)),
		rng: int32(cfg.EvaluationRange), period: int64(cfg.Period), stat: cfg.Statistic}
	_, percentile := cfg.Statistic.IsPercentile()
	a.checkSamples = percentile && cfg.LowSampleCountPercentile == LowSampleIgnore
	return a, nil
}

// asOfReader is a Reader that can also answer as published at an instant.
// Evaluate prefers it so that a publication delay holds.
type asOfReader interface {
	StatisticAsOf(m Metric, stat Statistic, period time.Duration, end, asOf time.Time) (float64, bool)
}

// Evaluate reads the alarm's datapoints ending at now from r, applies the
// CloudWatch evaluation rules and returns the new state.
//
// now is first rounded down to the evaluation grid (whole minutes, or 10 s
// for high-resolution periods; see EvaluationInterval), where CloudWatch
// evaluates. Datapoint i (0 = newest) is the statistic over
// [now − (i+1)·Period, now − i·Period). If r has a StatisticAsOf method (as
// *Store does), it is called with asOf = now so the publication delay holds.
//
// Against a *Store the evaluation is incremental: a datapoint whose period
// has closed (a newer sample exists and every sample of the period is
// published) is read once and remembered, so an evaluation reads only the
// periods that are still open, typically one or two. A remembered
// datapoint is read again if a sample arrives out of order, if the store
// would now answer its period from other data (raw samples evicted, a
// rollup instead) or if Expire forgot the series, so the result is always
// the one a full read would give. The samples a Group queued for the
// series are read where they are, without making the series take them,
// when every datapoint of the range is answered from raw samples. The first evaluation against a store
// also registers the alarm's reach, EvaluationRange × Period, with the
// store (see Store.Retain), so the store keeps at full resolution what the
// alarm reads.
func (a *MetricAlarm) Evaluate(now time.Time, r Reader) AlarmState {
	in := inRange(now)
	atNano := now.UnixNano()
	if !in {
		atNano = clampNano(now)
	}
	atNano, loc := floorTo(atNano, a.grid), now.Location()
	var o outcome
	if s, ok := r.(*Store); ok && in {
		a.inc.read(a, s, atNano, loc)
		r := &a.rule
		switch all, recent := a.inc.all, a.inc.recent; {
		case recent.real() == r.n && (all.low() == 0 || !r.lowIgnore):
			// The newest N datapoints are real: they are the N most recent
			// real ones, and they decide (decide's rule 1, the common case,
			// written here from the tallies).
			o = outcome{state: OK, rule: RuleRecentReal, real: int16(all.real()), breaching: int16(recent.breaching()), evaluated: int16(r.n)}
			if recent.breaching() >= r.m {
				o.state = Alarm
			}
		case recent.real() == r.n:
			o = packOutcome(decide(r, tally{np: int(a.rng), real: int(all.real()), breaching: int(all.breaching()), recent: int(recent.breaching()), oldestReal: -1, lowSample: true}, a.state))
		default:
			vals, flags := a.lastPoints()
			o = packOutcome(evaluateRange(r, points{vals: vals, flags: flags}, a.state))
		}
	} else {
		a.inc.prevOK = false
		o = packOutcome(evaluateRange(&a.rule, a.readAll(r, time.Unix(0, atNano).In(loc)), a.state))
	}
	a.previous, a.state, a.outcome = a.state, o.state, o
	a.evaluated, a.lastAt, a.lastLoc = true, atNano, loc
	return a.state
}

// readAll reads the evaluation range at `at` from r one datapoint at a
// time into inc's compact window, oldest first.
func (a *MetricAlarm) readAll(r Reader, at time.Time) points {
	c := &a.cfg
	vals, flags := a.window(c.EvaluationRange)
	a.inc.off = 0
	asOf, hasAsOf := r.(asOfReader)
	read := func(stat Statistic, end time.Time) (float64, bool) {
		if hasAsOf {
			return asOf.StatisticAsOf(c.Metric, stat, c.Period, end, at)
		}
		return r.Statistic(c.Metric, stat, c.Period, end)
	}
	p, isPercentile := c.Statistic.IsPercentile()
	checkSamples := isPercentile && c.LowSampleCountPercentile == LowSampleIgnore
	for i := c.EvaluationRange - 1; i >= 0; i-- {
		end := at.Add(-time.Duration(i) * c.Period)
		v, ok := read(c.Statistic, end)
		j := c.EvaluationRange - 1 - i
		vals[j], flags[j] = v, 0
		if !ok {
			flags[j] = flagMissing
		} else if checkSamples {
			if n, _ := read(SampleCount, end); n < MinPercentileSamples(p) {
				flags[j] = flagLowSample
			}
		}
	}
	return points{vals: vals[:c.EvaluationRange], flags: flags[:c.EvaluationRange]}
}

// incremental remembers the datapoints an alarm read from a *Store: the
// last read's, and the closed ones (MetricAlarm.closed).
type incremental struct {
	store  *Store
	series *series
	late   uint64 // the series' count of late samples when the closed datapoints were read
	off    int16  // where the range starts in win's values and flags (below twice the largest range, 8,642)
	// open is how many of the newest datapoints of the last read were not
	// yet closed (they are the newest ones: a period closes after every
	// older one has); MaxInt16, more than any range holds, after forget.
	open int16
	// prevOK says the datapoints are still those of the alarm's last
	// Evaluation, at its lastAt and lastLoc (readAll clears it).
	prevOK bool
	// raw, gen and view are whether every window of the last read was
	// answered from raw samples, the store's generation then and the
	// read's view of the series: an alarm that follows this one takes its
	// view and datapoints while the store's generation has not moved (see
	// led).
	raw bool
	// all tallies the datapoints at [off, off+EvaluationRange), recent the
	// newest N of them, while prevOK holds.
	all, recent rangeTally
	gen         uint64
	view        seriesView
	// win holds the evaluation range's flags (flagMissing, flagLowSample,
	// flagBreaching) and values at [off, off+EvaluationRange), in twice
	// the room they need, so that an evaluation k periods later slides the
	// range by moving off rather than copying it, and copies only when the
	// range reaches the end. The flags come first, packed eight to a word,
	// then the values, in one allocation (see window): a slide touches one
	// object, and a range of 3 (a target tracking policy's AlarmHigh) one
	// cache line.
	win []float64
}

// closedPoint is one remembered datapoint.
type closedPoint struct {
	end   int64 // window end, Unix nanoseconds
	value float64
	src   int8 // where the store answered it from (fromRaw or a tier)
	held  bool // the slot holds a datapoint
	ok    bool // not missing
	low   bool // LowSample
}

// maxClosedPoints bounds the datapoints an alarm remembers. Alarms whose
// period spans several evaluations (a 5-minute period evaluated every
// minute) meet each window again only Period/grid evaluations later and
// would need EvaluationRange × Period/grid of them; beyond this bound
// they remember less and read more, with the same results.
const maxClosedPoints = 2048

// window returns the alarm's compact window's storage for a range of n
// (see points), made (and the last read forgotten) when its size changes.
func (a *MetricAlarm) window(n int) ([]float64, []uint8) {
	if len(a.inc.win) != flagWords(n)+2*n {
		a.newWindow(n)
	}
	return a.inc.points(n)
}

// newWindow makes the alarm's compact window's storage for a range of n
// and forgets the last read: the alarm's own small array when the range
// fits (up to three datapoints), else an allocation rounded up to whole
// cache lines (eight words), so that it is made in a size class of whole
// lines and starts on one: AlarmLow's window (15 datapoints) takes five
// whole lines rather than 288 bytes of which half would start mid-line.
func (a *MetricAlarm) newWindow(n int) {
	inc := &a.inc
	if w := flagWords(n) + 2*n; w <= len(a.small) {
		inc.win = a.small[:w]
	} else {
		inc.win = make([]float64, (w+7)&^7)[:w]
	}
	inc.off, inc.prevOK = 0, false
}

// flagWords is how many words of win the flags of a range of n take.
func flagWords(n int) int { return int(uint(2*n+7) >> 3) }

// points returns the values and flags in win for a range of n (at least
// 1): the 2n values after the flags' words, and the 2n flags as bytes of
// those words (uint8 needs no more alignment than float64, and neither
// holds pointers, so the collector sees one pointer-free object).
func (inc *incremental) points(n int) ([]float64, []uint8) {
	fw := flagWords(n)
	return inc.win[fw : fw+2*n], unsafe.Slice((*uint8)(unsafe.Pointer(&inc.win[0])), 2*n)
}

// read reads the evaluation range at atNano (Unix nanoseconds, on the
// alarm's grid, in loc) from s into the compact window, oldest first
// (lastPoints), reading only the datapoints it does not remember.
func (inc *incremental) read(a *MetricAlarm, s *Store, atNano int64, loc *time.Location) {
	if inc.store != s || inc.series == nil || inc.series.expired {
		c := &a.cfg // out of line: only here, not every minute
		sr, err := s.lookupOrCreate(c.Metric)
		if err != nil { // unreachable: NewAlarm validated the metric
			a.readAll(s, time.Unix(0, atNano).In(loc))
			return
		}
		s.retainSeries(sr, int64(c.EvaluationRange)*int64(c.Period))
		inc.store, inc.series = s, sr
		a.forget()
	}
	sr := inc.series
	n := int(a.rng)
	period := a.period
	// The series' newest sample and where its raw samples start, as they
	// will be once it has taken what its group queued. When every window
	// of the range is answered from raw samples then, the reads see the
	// queued rows where they are (rawWindow) and the series takes nothing
	// now: its group rolls the rows up in batches, and a series only an
	// alarm reads keeps no raw samples of its own.
	// A follower whose lead has just read the series at this instant
	// takes its view (the same whatever the range: the view is of the
	// series once it has taken its rows), and makes the series take them
	// only if its own range needs it.
	var v seriesView
	visible := s.visibleCutoffAt(atNano) // the lead's too, at the same instant of the same store
	led := a.lead != nil && a.led(s, sr, atNano)
	if led {
		v = a.lead.inc.view
		if atNano-int64(n)*period < v.complete {
			sr.flush()
		}
	} else {
		v = seriesView{latest: sr.latest, complete: sr.complete}
		if cut, newest, ok := sr.queued(); !ok {
		} else if atNano-int64(n)*period >= cut {
			v = seriesView{latest: max(v.latest, newest), complete: cut}
		} else {
			sr.flush()
			v = seriesView{latest: sr.latest, complete: sr.complete}
		}
	}
	if sr.late != inc.late {
		a.forget()
		inc.late = sr.late
	}
	// The previous evaluation's datapoints are still in win. If this
	// evaluation is k whole periods later, its datapoint j was the
	// previous one's j+k: slide the range by k, and keep those still
	// closed instead of building them again. (One period later is the
	// common case: an alarm of one-minute periods evaluated every minute.)
	if len(inc.win) != flagWords(n)+2*n { // window, in line
		a.newWindow(n)
	}
	vals, flags := inc.points(n)
	shift := -1
	off := int(inc.off)
	if inc.prevOK && loc == a.lastLoc {
		if d := atNano - a.lastAt; d == period && n > 1 || d >= 0 && d%period == 0 && d/period < int64(n) { // one period later, the common case, without dividing
			shift = 1
			if d != period {
				shift = int(d / period)
			}
			inc.slideTallies(&a.rule, flags[off:off+n], shift)
			if off+shift+n > len(vals) {
				copy(vals, vals[off+shift:off+n])
				copy(flags, flags[off+shift:off+n])
				off = 0
			} else {
				off += shift
			}
		}
	}
	if shift < 0 {
		off = 0
	}
	inc.off = int16(off)
	vals, flags = vals[off:off+n], flags[off:off+n]
	// After a slide, the previous read's closed datapoints are in place
	// and still valid if no sample came late and every window is still
	// answered from raw samples (complete only moves forward, so they
	// were then too): only the newest shift + open need a look.
	skip := 0
	raw := atNano-int64(n)*period >= v.complete // every window is answered from raw samples
	if shift >= 0 && raw {
		skip = max(n-shift-int(inc.open), 0)
	}
	if skip > 0 {
		from := n // the first datapoint of the range the lead read
		if led && a.lead.inc.raw {
			from = max(n-int(a.lead.rng), 0)
		}
		inc.readSlide(a, s, sr, v, vals, flags, shift, skip, atNano, visible, from)
	} else {
		inc.readRange(a, s, sr, v, vals, flags, atNano, visible)
	}
	// Evaluate sets lastAt and lastLoc, the instant and location of these
	// datapoints while prevOK holds.
	inc.prevOK = true
	inc.gen, inc.raw, inc.view = s.gen, raw, v // for a follower
}

// led reports whether a's lead (not nil, see Follow) read sr of s at
// atNano with nothing written to s since: a then takes the lead's view of
// the series and, where the lead read every window from raw samples (as
// a's windows are when it slides; a guard), the datapoints the two ranges
// share, aligned at their newest.
func (a *MetricAlarm) led(s *Store, sr *series, atNano int64) bool {
	inc := &a.lead.inc
	return inc.prevOK && a.lead.lastAt == atNano && inc.store == s && inc.series == sr && inc.gen == s.gen
}

// seriesView is what an alarm's read takes of its series: its newest
// sample and where its raw samples start (see incremental.read).
type seriesView struct{ latest, complete int64 }

// readSlide reads the datapoints from skip on of a range that slid by
// shift periods since the last read (those before skip are that read's,
// still valid), and keeps the tally up to date. It does not look up or
// remember datapoints in inc.closed: every datapoint it reads was still
// open at the last read (or is new), so none is remembered there, and a
// later read that does not slide reads again what it does not find. The
// datapoints from shared on (len(vals) for none) are taken from the
// lead's read (see led).
func (inc *incremental) readSlide(a *MetricAlarm, s *Store, sr *series, v seriesView, vals []float64, flags []uint8, shift, skip int, atNano, visible int64, shared int) {
	n := len(vals)
	flags = flags[:n]
	var lvals []float64 // from shared on, the lead's datapoints, aligned with vals
	var lflags []uint8
	if shared < n {
		l := a.lead
		end := int(l.inc.off) + int(l.rng)
		lv, lf := l.inc.points(int(l.rng))
		lvals = lv[end-(n-shared) : end]
		lflags = lf[end-len(lvals) : end]
	}
	r, stat, period := &a.rule, a.stat, a.period
	recent, kept := n-int(r.n), n-shift // from recent on, the newest N; before kept, the last read's datapoints
	open := 0
	end := atNano - int64(n-1-skip)*period
	for j := skip; j < n; j, end = j+1, end+period { // j = 0 is the oldest datapoint
		start := end - period
		if !(end <= v.latest && end-1 <= visible) {
			open++
		}
		var x float64
		var f uint8
		if j >= shared { // read by the lead, the same way; the lead's threshold is not this one's
			x, f = lvals[j-shared], lflags[j-shared]&^flagBreaching
		} else {
			src := sr.sourceAt(v.complete, stat, start, end)
			y, ok := s.windowFrom(sr, src, stat, start, end, visible)
			x = y
			if !ok {
				f = flagMissing
			} else if a.checkSamples {
				if samples, _ := s.windowFrom(sr, src, SampleCount, start, end, visible); samples < a.minSamples() {
					f = flagLowSample
				}
			}
		}
		f = r.mark(x, f)
		if j < kept { // the last read's datapoint j+shift, counted, read again
			inc.all.remove(flags[j])
			if j >= recent {
				inc.recent.remove(flags[j])
			}
		}
		vals[j], flags[j] = x, f
		inc.all.add(f)
		if j >= recent {
			inc.recent.add(f)
		}
	}
	inc.open = int16(open)
}

// readRange reads the range, using the datapoints remembered in
// inc.closed and remembering those that closed, and tallies it afresh.
func (inc *incremental) readRange(a *MetricAlarm, s *Store, sr *series, v seriesView, vals []float64, flags []uint8, atNano, visible int64) {
	c := &a.cfg
	if a.closed == nil {
		per := int(c.Period / EvaluationInterval(c.Period))
		a.closed = make([]closedPoint, max(c.EvaluationRange, min(c.EvaluationRange*per, maxClosedPoints)))
	}
	n, grid, stat, period := len(vals), a.grid, a.stat, a.period
	// The slot of window end e is (e / grid) mod len; successive windows
	// are Period/grid slots apart, at most len (see maxClosedPoints).
	slots, step := int64(len(a.closed)), int(period/grid)
	slot := int(floorDiv(atNano-int64(n-1)*period, grid)%slots) - step
	open := 0
	for j := range n { // j = 0 is the oldest datapoint
		if slot += step; slot >= len(a.closed) {
			slot -= len(a.closed)
		}
		end := atNano - int64(n-1-j)*period
		start := end - period
		src := sr.sourceAt(v.complete, stat, start, end)
		cp := &a.closed[slot]
		closed := end <= v.latest && end-1 <= visible // no sample can still arrive in order, and all are published
		if !closed {
			open++
		}
		if !(cp.held && cp.end == end && int(cp.src) == src && closed) {
			v, ok := s.windowFrom(sr, src, stat, start, end, visible)
			low := false
			if ok && a.checkSamples {
				samples, _ := s.windowFrom(sr, src, SampleCount, start, end, visible)
				low = samples < a.minSamples()
			}
			*cp = closedPoint{end: end, value: v, src: int8(src), held: closed, ok: ok, low: low}
		}
		f := uint8(0)
		if !cp.ok {
			f = flagMissing
		} else if cp.low {
			f = flagLowSample
		}
		vals[j], flags[j] = cp.value, a.rule.mark(cp.value, f)
	}
	inc.open = int16(open)
	inc.all, inc.recent = 0, 0
	for j := range n {
		inc.all.add(flags[j])
		if j >= n-int(a.rule.n) {
			inc.recent.add(flags[j])
		}
	}
}

// slideTallies takes out of the tallies the datapoints that leave them
// when the range (the last read's flags) slides by shift (less than its
// length): the oldest shift leave the range, and the shift oldest of the
// newest N leave those. It reads the flags alone (see flagBreaching).
func (inc *incremental) slideTallies(r *rule, flags []uint8, shift int) {
	for _, f := range flags[:shift] {
		inc.all.remove(f)
	}
	recent := len(flags) - int(r.n)
	for _, f := range flags[recent:min(recent+shift, len(flags))] {
		inc.recent.remove(f)
	}
}

// rangeTally counts the real, low-sample and breaching datapoints of part
// of an alarm's compact range (all of it, or its newest N), kept up to
// date as the range slides, so that an evaluation whose newest N
// datapoints are all real (the common case) need not look at the
// datapoints that did not change. The three counts are packed in one
// word, 16 bits each (real in bits 0–15, low-sample in 16–31, breaching
// in 32–47; a valid range holds at most 8,642 datapoints), so that
// counting a datapoint is one addition and a tally takes 8 bytes.
type rangeTally uint64

// tallyOf is the tally of one datapoint of an incremental read by its
// flags (the three low bits; flagLowSample and flagBreaching are set only
// on real datapoints, see rule.mark), looked up rather than computed: one
// load instead of a dozen instructions.
var tallyOf = func() (t [8]rangeTally) {
	for f := range uint8(len(t)) {
		t[f] = rangeTally(^f&flagMissing) | rangeTally(f&flagLowSample)<<15 | rangeTally(f&flagBreaching)<<30
	}
	return t
}()

// add counts a datapoint; remove takes back one that add counted.
func (t *rangeTally) add(f uint8)    { *t += tallyOf[f&7] }
func (t *rangeTally) remove(f uint8) { *t -= tallyOf[f&7] }

// real, low and breaching return the counts.
func (t rangeTally) real() int32      { return int32(uint16(t)) }
func (t rangeTally) low() int32       { return int32(uint16(t >> 16)) }
func (t rangeTally) breaching() int32 { return int32(uint16(t >> 32)) }

// minSamples is MinPercentileSamples of the alarm's percentile, for
// checkSamples (computed when asked: such alarms are rare, and the room
// is the evaluation fields').
func (a *MetricAlarm) minSamples() float64 {
	p, _ := a.stat.IsPercentile()
	return MinPercentileSamples(p)
}

// forget drops every remembered datapoint.
func (a *MetricAlarm) forget() {
	clear(a.closed)
	a.inc.open = math.MaxInt16 // nothing is known to be closed
}

// floorDiv is a / b rounded toward −∞ (b > 0), so slots stay non-negative.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// EvaluatedAt reports whether the alarm's last evaluation was at now's
// instant of its evaluation grid, so that a caller evaluating on the
// alarm's behalf (a scaling policy, a caller of EvaluateAlarms) can skip a
// second evaluation of the same instant.
func (a *MetricAlarm) EvaluatedAt(now time.Time) bool {
	if !a.evaluated || !inRange(now) {
		return false
	}
	n := now.UnixNano() // on lastAt's step of the grid: floorTo(n, grid) == lastAt, without dividing
	return n >= a.lastAt && n-a.lastAt < a.grid
}

// NextEvaluation returns the first evaluation instant after now.
func (a *MetricAlarm) NextEvaluation(now time.Time) time.Time {
	return time.Unix(0, floorTo(now.UnixNano(), a.grid)+a.grid).In(now.Location())
}

// State returns the state after the last evaluation.
func (a *MetricAlarm) State() AlarmState { return a.state }

// Config returns the alarm's configuration, defaults filled in.
func (a *MetricAlarm) Config() AlarmConfig { return a.cfg }

// LastEvaluation returns the last evaluation (the zero Evaluation before
// the first); its Datapoints slice is reused by the next call, so copy it
// to keep it.
func (a *MetricAlarm) LastEvaluation() Evaluation {
	if !a.evaluated {
		return Evaluation{}
	}
	at := time.Unix(0, a.lastAt).In(a.lastLoc)
	vals, flags := a.lastPoints()
	a.dps = a.dps[:0]
	for j, v := range vals {
		a.dps = append(a.dps, Datapoint{Timestamp: at.Add(-time.Duration(len(vals)-j) * a.cfg.Period), Value: v,
			Missing: flags[j]&flagMissing != 0, LowSample: flags[j]&flagLowSample != 0})
	}
	return Evaluation{At: at, Datapoints: a.dps, Outcome: a.outcome.Outcome(), Previous: a.previous}
}

// lastPoints returns the compact datapoints of the last evaluation.
func (a *MetricAlarm) lastPoints() ([]float64, []uint8) {
	n, off := int(a.rng), int(a.inc.off)
	vals, flags := a.inc.points(n)
	return vals[off : off+n], flags[off : off+n]
}

// RealValues yields the values of the last evaluation's datapoints that
// are not missing, newest first (nothing before the first evaluation),
// without building Datapoints as LastEvaluation does.
func (a *MetricAlarm) RealValues() iter.Seq[float64] {
	return func(yield func(float64) bool) {
		if !a.evaluated {
			return
		}
		vals, flags := a.lastPoints()
		for i := len(vals) - 1; i >= 0; i-- {
			if flags[i]&flagMissing == 0 && !yield(vals[i]) {
				return
			}
		}
	}
}

// Reason explains the last evaluation for a decision log, e.g.
// "CPUUtilization [84.2, 81, 75.5]: 3 of 3 datapoints > 70 (most recent
// real datapoints)". Real datapoint values are listed newest first.
func (a *MetricAlarm) Reason() string {
	o := a.outcome.Outcome()
	c := a.cfg
	var vals []string
	for v := range a.RealValues() {
		if len(vals) == c.EvaluationPeriods {
			break
		}
		vals = append(vals, strconv.FormatFloat(v, 'g', 6, 64))
	}
	list := "[" + strings.Join(vals, ", ") + "]"
	switch o.Rule {
	case RuleAllMissing, RuleKeepState, RulePrematureGuard, RuleLowSample:
		return fmt.Sprintf("%s %s: %d real of %d datapoints, treat missing data as %v (%v)",
			c.Metric.Name, list, o.Real, c.EvaluationRange, c.TreatMissingData, o.Rule)
	}
	return fmt.Sprintf("%s %s: %d of %d datapoints %s %v (%v)",
		c.Metric.Name, list, o.Breaching, o.Evaluated, c.Comparison.symbol(), c.Threshold, o.Rule)
}
