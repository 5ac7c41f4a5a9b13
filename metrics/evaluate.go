package metrics

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
	n, m      int
	threshold float64
	op        ComparisonOperator
	treat     MissingData
	lowIgnore bool
}

func (c *AlarmConfig) rule() rule {
	return rule{n: c.EvaluationPeriods, m: c.DatapointsToAlarm, threshold: c.Threshold, op: c.Comparison,
		treat: c.TreatMissingData, lowIgnore: c.LowSampleCountPercentile == LowSampleIgnore}
}

// points is an evaluation range, oldest first: Datapoints, or an alarm's
// compact copy of them (values and flags).
type points struct {
	dps   []Datapoint
	vals  []float64
	flags []uint8
}

// The flags of a compact datapoint.
const (
	flagMissing uint8 = 1 << iota
	flagLowSample
)

func pointsOf(dps []Datapoint) points { return points{dps: dps} }

func (p *points) len() int {
	if p.dps != nil {
		return len(p.dps)
	}
	return len(p.vals)
}

func (p *points) missing(i int) bool {
	if p.dps != nil {
		return p.dps[i].Missing
	}
	return p.flags[i]&flagMissing != 0
}

func (p *points) low(i int) bool {
	if p.dps != nil {
		return p.dps[i].LowSample
	}
	return p.flags[i]&flagLowSample != 0
}

func (p *points) value(i int) float64 {
	if p.dps != nil {
		return p.dps[i].Value
	}
	return p.vals[i]
}

// evaluateRange is evaluate for a rule from a configuration with its
// defaults filled in (a MetricAlarm's).
func evaluateRange(cfg *rule, points points, current AlarmState) Outcome {
	n, m := cfg.n, cfg.m
	if n < 1 || m < 1 {
		return Outcome{State: current, Rule: RuleKeepState}
	}
	op, threshold := cfg.op, cfg.threshold
	breaches := func(i int) bool { return op.Breaches(points.value(i), threshold) }
	real, breaching := 0, 0
	oldestReal := -1 // index in points
	lowSample := false
	np := points.len()
	for i := range np {
		if points.missing(i) {
			continue
		}
		lowSample = lowSample || points.low(i)
		if oldestReal < 0 {
			oldestReal = i
		}
		real++
		if breaches(i) {
			breaching++
		}
	}
	alarmIf := func(b int) AlarmState {
		if b >= m {
			return Alarm
		}
		return OK
	}

	if lowSample && cfg.lowIgnore {
		return Outcome{State: current, Rule: RuleLowSample, Real: real}
	}

	// Rule 1: enough real datapoints; take the N most recent.
	if real >= n {
		b, taken := 0, 0
		for i := np - 1; i >= 0 && taken < n; i-- {
			if points.missing(i) {
				continue
			}
			taken++
			if breaches(i) {
				b++
			}
		}
		return Outcome{State: alarmIf(b), Rule: RuleRecentReal, Real: real, Breaching: b, Evaluated: n}
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
