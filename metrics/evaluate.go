package metrics

import "math"

// Rule names the branch of CloudWatch's evaluation algorithm that decided an
// alarm's state.
type Rule uint8

// The rules, in the order EvaluateDatapoints tries them.
const (
	// RuleRecentReal: the range holds at least N real datapoints; the N most
	// recent real ones decide and TreatMissingData is not consulted.
	RuleRecentReal Rule = iota + 1
	// RuleAllMissing: every datapoint in the range is missing; the
	// treatment alone decides (missing → INSUFFICIENT_DATA, breaching →
	// ALARM, notBreaching → OK).
	RuleAllMissing
	// RuleFilled: fewer than N real datapoints; N − real missing ones are
	// filled as breaching or not breaching and counted with all real ones.
	RuleFilled
	// RuleRealOnly: fewer than N real datapoints under missing or ignore,
	// and the real ones decide: at least M breach (ALARM), or at least one
	// does not breach and fewer than M do (OK).
	RuleRealOnly
	// RuleOldestBreaching: under missing, every real datapoint breaches, too
	// few to reach M, but the oldest is at least M periods old with only
	// breaching or missing datapoints after it: ALARM.
	RuleOldestBreaching
	// RulePrematureGuard: under missing, every real datapoint breaches but
	// the oldest is fewer than M periods old; more data may still arrive, so
	// the alarm does not fire yet: INSUFFICIENT_DATA.
	RulePrematureGuard
	// RuleKeepState: under ignore, the real datapoints cannot decide (none,
	// or all breaching but fewer than M); the current state is kept.
	RuleKeepState
	// RuleLowSample: a percentile alarm with LowSampleCountPercentile =
	// LowSampleIgnore has a real datapoint from too few samples; the current
	// state is kept.
	RuleLowSample
)

// String returns a short description used in alarm reasons.
func (r Rule) String() string {
	switch r {
	case RuleRecentReal:
		return "most recent real datapoints"
	case RuleAllMissing:
		return "all datapoints missing"
	case RuleFilled:
		return "missing datapoints filled"
	case RuleRealOnly:
		return "real datapoints only"
	case RuleOldestBreaching:
		return "oldest breaching datapoint old enough"
	case RulePrematureGuard:
		return "premature-alarm guard"
	case RuleKeepState:
		return "state kept"
	case RuleLowSample:
		return "too few samples for the percentile; state kept"
	}
	return "no rule"
}

// Outcome is the result of evaluating a range of datapoints.
type Outcome struct {
	State     AlarmState // the new state
	Rule      Rule       // which branch decided
	Real      int        // real (non-missing) datapoints in the range
	Breaching int        // breaching datapoints among the evaluated ones, filled ones included
	Evaluated int        // datapoints evaluated: N, except when the state was kept or data was insufficient
}

// EvaluateDatapoints applies CloudWatch's alarm evaluation to a range of
// datapoints (oldest first; normally cfg's EvaluationRange of them) and the
// alarm's current state, and returns the new state. cfg should be valid
// (see AlarmConfig.Validate); its zero-means-default fields are filled in.
//
// With N = EvaluationPeriods, M = DatapointsToAlarm and real the number of
// non-missing datapoints in the range
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html):
//
//  1. real ≥ N: the N most recent real datapoints are evaluated;
//     ALARM if at least M breach, else OK. TreatMissingData is not used.
//  2. real = 0: missing → INSUFFICIENT_DATA, ignore → current state,
//     breaching → ALARM, notBreaching → OK.
//  3. 0 < real < N, breaching or notBreaching: every real datapoint plus
//     N − real filled ones (missing datapoints are used "as few times as
//     possible") are evaluated; ALARM if at least M breach, else OK.
//  4. 0 < real < N, missing or ignore: ALARM if at least M real datapoints
//     breach; OK if fewer breach and at least one real datapoint does not.
//     Otherwise every real datapoint breaches but fewer than M do: ignore
//     keeps the current state; missing goes to ALARM if the oldest real
//     datapoint is at least M periods old (counting the newest period as 1)
//     — CloudWatch's `- - X - -` case — and to INSUFFICIENT_DATA if it is
//     more recent, the premature-alarm guard of `- - - - X`.
//
// Before all of these, a percentile alarm with LowSampleCountPercentile =
// LowSampleIgnore keeps its state if any real datapoint has LowSample set.
//
// Rule 4 is the one reading of CloudWatch's prose and example tables that
// reproduces every published row of the user guide's table (N = M = 3,
// range 5; TestWorkedExampleE holds it); the docs give no formula for it.
func EvaluateDatapoints(cfg AlarmConfig, points []Datapoint, current AlarmState) AlarmState {
	return evaluate(cfg, points, current).State
}

// ExplainDatapoints is EvaluateDatapoints with the reasoning: which rule
// decided and how many datapoints were real, evaluated and breaching.
func ExplainDatapoints(cfg AlarmConfig, points []Datapoint, current AlarmState) Outcome {
	return evaluate(cfg, points, current)
}

func evaluate(cfg AlarmConfig, points []Datapoint, current AlarmState) Outcome {
	cfg = cfg.WithDefaults()
	r := cfg.rule()
	return evaluateRange(&r, pointsOf(points), current)
}

// rule is what evaluateRange reads of an AlarmConfig (defaults filled in),
// kept together so that an alarm's evaluation reads one cache line of it.
type rule struct {
	n, m      int32 // in 32 bits, so that a MetricAlarm's evaluation fields fit in three cache lines
	threshold float64
	op        ComparisonOperator
	treat     MissingData
	lowIgnore bool
}

func (c *AlarmConfig) rule() rule {
	return rule{n: clampInt32(c.EvaluationPeriods), m: clampInt32(c.DatapointsToAlarm), threshold: c.Threshold, op: c.Comparison,
		treat: c.TreatMissingData, lowIgnore: c.LowSampleCountPercentile == LowSampleIgnore}
}

// clampInt32 is v as an int32, the nearest one when out of range: a valid
// configuration's N and M are at most 8,640; EvaluateDatapoints of an
// invalid one with N or M beyond ±2^31 sees the bound instead.
func clampInt32(v int) int32 {
	return int32(min(max(v, math.MinInt32), math.MaxInt32))
}

// points is an evaluation range, oldest first: Datapoints, or an alarm's
// compact copy of them (values and flags).
type points struct {
	dps   []Datapoint
	vals  []float64
	flags []uint8
}

// The flags of a compact datapoint. count relies on their values.
const (
	flagMissing   uint8 = 1 << iota
	flagLowSample       // real, from too few samples (set only when an alarm checks)
	// flagBreaching marks a real datapoint that breaches the alarm's
	// threshold; only an incremental read sets it (rule.mark), so that the
	// tallies it keeps as its range slides need not read the values or
	// compare them again.
	flagBreaching
)

// mark returns the flags f of datapoint v with flagBreaching set when it
// is real and breaches r's threshold.
func (r *rule) mark(v float64, f uint8) uint8 {
	if f&flagMissing == 0 && r.op.Breaches(v, r.threshold) {
		f |= flagBreaching
	}
	return f
}

func pointsOf(dps []Datapoint) points { return points{dps: dps} }

// evaluateRange is evaluate for a rule from a configuration with its
// defaults filled in (a MetricAlarm's).
func evaluateRange(cfg *rule, points points, current AlarmState) Outcome {
	var t tally
	if points.dps == nil {
		t = tallyCompact(cfg, points.vals, points.flags)
	} else {
		t = tallyDatapoints(cfg, points.dps)
	}
	return decide(cfg, t, current)
}

// tally is what the evaluation algorithm needs to know of a range: its
// length, its real (non-missing) datapoints, how many of them breach, how
// many of the n most recent real ones breach, the index of the oldest
// real one (-1 if none), and whether a real one has LowSample set.
type tally struct {
	np, real, breaching, recent, oldestReal int
	lowSample                               bool
}

// tallyCompact tallies an alarm's compact range in one pass, newest first,
// so that the n most recent real datapoints are the first n met.
func tallyCompact(cfg *rule, vals []float64, flags []uint8) tally {
	t := tally{np: len(vals), oldestReal: -1}
	op, threshold, n := cfg.op, cfg.threshold, int(cfg.n)
	var seen uint8
	flags = flags[:len(vals)]
	for i := len(vals) - 1; i >= 0; i-- {
		f := flags[i]
		if f&flagMissing != 0 {
			continue
		}
		seen |= f
		t.oldestReal = i
		if op.Breaches(vals[i], threshold) {
			t.breaching++
			if t.real < n {
				t.recent++
			}
		}
		t.real++
	}
	t.lowSample = seen&flagLowSample != 0
	return t
}

// tallyDatapoints is tallyCompact for Datapoints.
func tallyDatapoints(cfg *rule, dps []Datapoint) tally {
	t := tally{np: len(dps), oldestReal: -1}
	for i := len(dps) - 1; i >= 0; i-- {
		d := &dps[i]
		if d.Missing {
			continue
		}
		t.lowSample = t.lowSample || d.LowSample
		t.oldestReal = i
		if cfg.op.Breaches(d.Value, cfg.threshold) {
			t.breaching++
			if t.real < int(cfg.n) {
				t.recent++
			}
		}
		t.real++
	}
	return t
}

// decide applies the evaluation algorithm to a range's tally.
func decide(cfg *rule, t tally, current AlarmState) Outcome {
	n, m := int(cfg.n), int(cfg.m)
	if n < 1 || m < 1 {
		return Outcome{State: current, Rule: RuleKeepState}
	}
	np, real, breaching, oldestReal := t.np, t.real, t.breaching, t.oldestReal
	alarmIf := func(b int) AlarmState {
		if b >= m {
			return Alarm
		}
		return OK
	}

	if t.lowSample && cfg.lowIgnore {
		return Outcome{State: current, Rule: RuleLowSample, Real: real}
	}

	// Rule 1: enough real datapoints; take the N most recent.
	if real >= n {
		return Outcome{State: alarmIf(t.recent), Rule: RuleRecentReal, Real: real, Breaching: t.recent, Evaluated: n}
	}

	// Rule 2: nothing real at all.
	if real == 0 {
		out := Outcome{Rule: RuleAllMissing}
		switch cfg.treat {
		case MissingDataBreaching:
			out.State, out.Breaching, out.Evaluated = Alarm, n, n
		case MissingDataNotBreaching:
			out.State, out.Evaluated = OK, n
		case MissingDataIgnore:
			out.State, out.Rule = current, RuleKeepState
		default:
			out.State = InsufficientData
		}
		return out
	}

	// Rule 3: fill the gap with the treatment.
	fill := n - real
	switch cfg.treat {
	case MissingDataBreaching:
		return Outcome{State: alarmIf(breaching + fill), Rule: RuleFilled, Real: real, Breaching: breaching + fill, Evaluated: n}
	case MissingDataNotBreaching:
		return Outcome{State: alarmIf(breaching), Rule: RuleFilled, Real: real, Breaching: breaching, Evaluated: n}
	}

	// Rule 4: missing or ignore; the real datapoints decide if they can.
	if breaching >= m || breaching < real {
		return Outcome{State: alarmIf(breaching), Rule: RuleRealOnly, Real: real, Breaching: breaching, Evaluated: n}
	}
	if cfg.treat == MissingDataIgnore {
		return Outcome{State: current, Rule: RuleKeepState, Real: real, Breaching: breaching}
	}
	age := np - oldestReal // the newest period has age 1
	if age >= m {
		// The missing datapoints after the oldest breaching one count as
		// breaching: there are at least M periods of them.
		return Outcome{State: Alarm, Rule: RuleOldestBreaching, Real: real, Breaching: m, Evaluated: n}
	}
	return Outcome{State: InsufficientData, Rule: RulePrematureGuard, Real: real, Breaching: breaching}
}
