package autoscale

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// DefaultCooldown is the cooldown Application Auto Scaling applies to ECS
// services when a policy leaves it unset: 300 s.
const DefaultCooldown = 300 * time.Second

// MaxStepAdjustments is AWS's quota of step adjustments per step policy.
const MaxStepAdjustments = 20

// AdjustmentType says how a step's ScalingAdjustment changes the capacity.
type AdjustmentType uint8

// The adjustment types. The zero value is invalid so that a forgotten field
// is reported rather than guessed.
const (
	// ChangeInCapacity adds ScalingAdjustment tasks (negative removes).
	ChangeInCapacity AdjustmentType = iota + 1
	// PercentChangeInCapacity adds ScalingAdjustment percent of the current
	// capacity, rounded as AWS does (see PercentChange).
	PercentChangeInCapacity
	// ExactCapacity sets the capacity to ScalingAdjustment.
	ExactCapacity
)

// String returns the AWS name of the adjustment type.
func (t AdjustmentType) String() string {
	switch t {
	case ChangeInCapacity:
		return "ChangeInCapacity"
	case PercentChangeInCapacity:
		return "PercentChangeInCapacity"
	case ExactCapacity:
		return "ExactCapacity"
	}
	return fmt.Sprintf("AdjustmentType(%d)", uint8(t))
}

// AggregationType is a step policy's MetricAggregationType.
type AggregationType uint8

// The aggregation types. The zero value is Average, AWS's default.
const (
	AggregateAverage AggregationType = iota
	AggregateMinimum
	AggregateMaximum
)

// String returns the AWS name of the aggregation type.
func (t AggregationType) String() string {
	switch t {
	case AggregateAverage:
		return "Average"
	case AggregateMinimum:
		return "Minimum"
	case AggregateMaximum:
		return "Maximum"
	}
	return fmt.Sprintf("AggregationType(%d)", uint8(t))
}

// StepAdjustment is one step of a step scaling policy. Its bounds are
// offsets from the alarm threshold: with threshold 50, bounds [10, 20) cover
// metric values 60 to 70. Above the threshold (alarms with a Greater…
// comparison) the lower bound is inclusive and the upper exclusive; below it
// (Less… comparisons) the lower bound is exclusive and the upper inclusive.
type StepAdjustment struct {
	// LowerBound is the step's lower bound relative to the threshold;
	// math.Inf(-1) stands for AWS's null (no lower bound).
	LowerBound float64
	// UpperBound is the step's upper bound relative to the threshold;
	// math.Inf(+1) stands for AWS's null (no upper bound).
	UpperBound float64
	// ScalingAdjustment is tasks, percent or the exact capacity, as the
	// policy's AdjustmentType says.
	ScalingAdjustment int
}

// StepScalingConfig configures a step scaling policy.
type StepScalingConfig struct {
	// Name identifies the policy; required.
	Name string
	// Alarm is the CloudWatch alarm whose ALARM state triggers the policy.
	// Its Threshold is the origin of the step bounds and its comparison
	// decides which bound of a step is inclusive.
	Alarm metrics.AlarmConfig
	// AdjustmentType is how ScalingAdjustment applies; required.
	AdjustmentType AdjustmentType
	// StepAdjustments are 1 to 20 steps with no gaps and no overlaps, at
	// most one without a lower bound and one without an upper bound; their
	// order does not matter.
	StepAdjustments []StepAdjustment
	// MinAdjustmentMagnitude is the smallest number of tasks a
	// PercentChangeInCapacity step adds or removes; zero means no minimum.
	// Valid only with PercentChangeInCapacity.
	MinAdjustmentMagnitude int
	// Cooldown is the policy's cooldown; zero means DefaultCooldown (300 s)
	// and a negative value means none.
	Cooldown time.Duration
	// MetricAggregationType aggregates the alarm's most recent datapoints
	// (the newest EvaluationPeriods real datapoints the alarm evaluated) into
	// the value compared with the steps; the zero value is Average.
	MetricAggregationType AggregationType
}

// StepScaling is a step scaling policy. It implements Policy, AlarmPolicy
// and Observer.
type StepScaling struct {
	cfg   StepScalingConfig
	steps []StepAdjustment // sorted by LowerBound
	above bool             // the alarm fires above its threshold
	alarm *metrics.MetricAlarm
	cause string // the activities' cause, fixed by the configuration
	cd    cooldown
}

// validateSteps checks the step table alone: AWS's rules on bounds, count
// and adjustment type. It returns the steps sorted by lower bound.
func validateSteps(cfg StepScalingConfig) ([]StepAdjustment, error) {
	var errs []error
	switch cfg.AdjustmentType {
	case ChangeInCapacity, PercentChangeInCapacity, ExactCapacity:
	default:
		errs = append(errs, invalid("StepScalingConfig.AdjustmentType", cfg.AdjustmentType,
			"must be ChangeInCapacity, PercentChangeInCapacity or ExactCapacity"))
	}
	if cfg.MinAdjustmentMagnitude < 0 {
		errs = append(errs, invalid("StepScalingConfig.MinAdjustmentMagnitude", cfg.MinAdjustmentMagnitude, "must not be negative"))
	} else if cfg.MinAdjustmentMagnitude > math.MaxInt32 {
		errs = append(errs, invalid("StepScalingConfig.MinAdjustmentMagnitude", cfg.MinAdjustmentMagnitude, "must fit in 32 bits, as in the API"))
	}
	if cfg.MinAdjustmentMagnitude > 0 && cfg.AdjustmentType != PercentChangeInCapacity {
		errs = append(errs, invalid("StepScalingConfig.MinAdjustmentMagnitude", cfg.MinAdjustmentMagnitude,
			"is valid only with PercentChangeInCapacity"))
	}
	switch cfg.MetricAggregationType {
	case AggregateAverage, AggregateMinimum, AggregateMaximum:
	default:
		errs = append(errs, invalid("StepScalingConfig.MetricAggregationType", cfg.MetricAggregationType, "must be Average, Minimum or Maximum"))
	}
	n := len(cfg.StepAdjustments)
	if n == 0 || n > MaxStepAdjustments {
		errs = append(errs, invalid("len(StepScalingConfig.StepAdjustments)", n, fmt.Sprintf("must be 1 to %d", MaxStepAdjustments)))
	}
	steps := slices.Clone(cfg.StepAdjustments)
	nullLower, nullUpper := 0, 0
	for i, s := range steps {
		field := fmt.Sprintf("StepScalingConfig.StepAdjustments[%d]", i)
		if s.ScalingAdjustment < math.MinInt32 || s.ScalingAdjustment > math.MaxInt32 {
			errs = append(errs, invalid(field+".ScalingAdjustment", s.ScalingAdjustment, "must fit in 32 bits, as in the API"))
		}
		if math.IsNaN(s.LowerBound) || math.IsNaN(s.UpperBound) || math.IsInf(s.LowerBound, 1) || math.IsInf(s.UpperBound, -1) {
			errs = append(errs, invalid(field, fmt.Sprintf("[%g, %g]", s.LowerBound, s.UpperBound), "bounds must be numbers, -Inf (null lower) or +Inf (null upper)"))
			continue
		}
		if math.IsInf(s.LowerBound, -1) {
			nullLower++
		}
		if math.IsInf(s.UpperBound, 1) {
			nullUpper++
		}
		if math.IsInf(s.LowerBound, -1) && math.IsInf(s.UpperBound, 1) {
			errs = append(errs, invalid(field, "[null, null]", "a step cannot have both bounds null"))
		} else if s.LowerBound >= s.UpperBound {
			errs = append(errs, invalid(field, fmt.Sprintf("[%g, %g]", s.LowerBound, s.UpperBound), "the lower bound must be below the upper bound"))
		}
		if cfg.AdjustmentType == ExactCapacity && s.ScalingAdjustment < 0 {
			errs = append(errs, invalid(field+".ScalingAdjustment", s.ScalingAdjustment, "an exact capacity must not be negative"))
		}
	}
	if nullLower > 1 {
		errs = append(errs, invalid("StepScalingConfig.StepAdjustments", nullLower, "at most one step may have a null (-Inf) lower bound"))
	}
	if nullUpper > 1 {
		errs = append(errs, invalid("StepScalingConfig.StepAdjustments", nullUpper, "at most one step may have a null (+Inf) upper bound"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortStableFunc(steps, func(a, b StepAdjustment) int { return compareFloat(a.LowerBound, b.LowerBound) })
	for i := 1; i < len(steps); i++ {
		prev, cur := steps[i-1], steps[i]
		switch {
		case cur.LowerBound < prev.UpperBound:
			errs = append(errs, invalid("StepScalingConfig.StepAdjustments", fmt.Sprintf("[%g, %g] and [%g, %g]", prev.LowerBound, prev.UpperBound, cur.LowerBound, cur.UpperBound), "steps must not overlap"))
		case cur.LowerBound > prev.UpperBound:
			errs = append(errs, invalid("StepScalingConfig.StepAdjustments", fmt.Sprintf("[%g, %g] and [%g, %g]", prev.LowerBound, prev.UpperBound, cur.LowerBound, cur.UpperBound), "steps must not leave a gap"))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return steps, nil
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// NewStepScaling validates cfg, creates the policy's alarm and returns the
// policy. Every problem is reported at once; each matches ErrInvalidConfig
// (or the metrics package's own alarm errors).
func NewStepScaling(cfg StepScalingConfig) (*StepScaling, error) {
	var errs []error
	if cfg.Name == "" {
		errs = append(errs, invalid("StepScalingConfig.Name", "", "must not be empty"))
	}
	steps, err := validateSteps(cfg)
	if err != nil {
		errs = append(errs, err)
	}
	above, comparisonOK := false, true
	switch cfg.Alarm.Comparison {
	case metrics.GreaterThanThreshold, metrics.GreaterThanOrEqualToThreshold:
		above = true
	case metrics.LessThanThreshold, metrics.LessThanOrEqualToThreshold:
	default:
		comparisonOK = false
		errs = append(errs, invalid("StepScalingConfig.Alarm.Comparison", cfg.Alarm.Comparison, "must be one of the four CloudWatch comparison operators"))
	}
	if cfg.Alarm.EvaluationPeriods < 1 {
		errs = append(errs, invalid("StepScalingConfig.Alarm.EvaluationPeriods", cfg.Alarm.EvaluationPeriods, "must be at least 1"))
	} else if comparisonOK {
		// The alarm's other rules, reported with the step table's problems.
		if err := cfg.Alarm.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("autoscale: step policy %s: alarm: %w", cfg.Name, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	alarm, err := metrics.NewAlarm(cfg.Alarm)
	if err != nil {
		return nil, fmt.Errorf("autoscale: step policy %s: alarm: %w", cfg.Name, err)
	}
	p := &StepScaling{cfg: cfg, steps: steps, above: above, alarm: alarm}
	p.cause = fmt.Sprintf("monitor alarm %s in state ALARM triggered policy %s", p.alarmName(), cfg.Name)
	return p, nil
}

// Name returns the policy's name.
func (p *StepScaling) Name() string { return p.cfg.Name }

// Config returns the policy's configuration.
func (p *StepScaling) Config() StepScalingConfig { return p.cfg }

// Alarm returns the policy's alarm, for inspection.
func (p *StepScaling) Alarm() *metrics.MetricAlarm { return p.alarm }

func (p *StepScaling) cooldownLength() time.Duration {
	switch {
	case p.cfg.Cooldown == 0:
		return DefaultCooldown
	case p.cfg.Cooldown < 0:
		return 0
	}
	return p.cfg.Cooldown
}

// Observe keeps the policy's cooldown (see Policy and the package doc).
func (p *StepScaling) Observe(a Activity) {
	d := p.cooldownLength()
	p.cd.observe(a, a.Policy == p.cfg.Name, d, d)
}

// stepFor returns the index of the step covering value, or -1.
func (p *StepScaling) stepFor(value float64) int {
	diff := value - p.cfg.Alarm.Threshold
	for i, s := range p.steps {
		var in bool
		if p.above {
			in = s.LowerBound <= diff && diff < s.UpperBound
		} else {
			in = s.LowerBound < diff && diff <= s.UpperBound
		}
		if in {
			return i
		}
	}
	return -1
}

// DesiredFor returns the capacity the policy's steps give for an aggregated
// metric value when the capacity is current, ignoring cooldowns, min and
// max, and false when no step covers the value. It is the policy's pure
// arithmetic:
//
//	ChangeInCapacity:        current + adjustment
//	PercentChangeInCapacity: current + PercentChange(current, adjustment, MinAdjustmentMagnitude)
//	ExactCapacity:           adjustment
//
// The result is never negative.
func (p *StepScaling) DesiredFor(current int, value float64) (int, bool) {
	i := p.stepFor(value)
	if i < 0 {
		return current, false
	}
	return max(0, applyAdjustment(p.cfg.AdjustmentType, current, p.steps[i].ScalingAdjustment, p.cfg.MinAdjustmentMagnitude)), true
}

func applyAdjustment(t AdjustmentType, current, adjustment, minMagnitude int) int {
	switch t {
	case ChangeInCapacity:
		return addCapacity(current, adjustment)
	case PercentChangeInCapacity:
		return addCapacity(current, PercentChange(current, adjustment, minMagnitude))
	case ExactCapacity:
		return adjustment
	}
	return current
}

// maxCapacity bounds the capacity arithmetic: far above any quota, far
// below overflow.
const maxCapacity = math.MaxInt32

// addCapacity is current + n, saturating at ±maxCapacity so that no
// adjustment of a capacity given by a caller can overflow. It adds in 64
// bits: with a 32-bit int, ±maxCapacity plus twice that would not fit.
func addCapacity(current, n int) int {
	c := min(max(int64(current), -maxCapacity), maxCapacity)
	d := min(max(int64(n), -2*maxCapacity), 2*maxCapacity)
	return int(min(max(c+d, -maxCapacity), maxCapacity))
}

// PercentChange returns the number of tasks a PercentChangeInCapacity
// adjustment of percent % adds to current, with AWS's rounding of
// raw = current × percent / 100:
//
//	raw > 1       → floor(raw)     (12.7 → 12)
//	0 < raw < 1   → 1              (0.67 → 1)
//	-1 < raw < 0  → -1             (-0.58 → -1)
//	raw < -1      → ceil(raw)      (-6.67 → -6, toward zero)
//
// and then, if the change is not zero and smaller in magnitude than
// minMagnitude, ±minMagnitude. It uses integer arithmetic only, so no float
// rounding decides; current and percent are first limited to 32 bits (the
// API's integers), so the product cannot overflow.
func PercentChange(current, percent, minMagnitude int) int {
	// In 64 bits whatever int's size: where int has 32 bits the change
	// saturates rather than wrapping.
	c := min(max(int64(current), -maxCapacity), maxCapacity)
	pct := min(max(int64(percent), math.MinInt32), math.MaxInt32)
	n := c * pct    // hundredths of a task
	wide := n / 100 // Go truncates toward zero: floor above, ceil below
	switch {
	case n > 0 && wide == 0:
		wide = 1
	case n < 0 && wide == 0:
		wide = -1
	}
	change := int(min(max(wide, math.MinInt), math.MaxInt))
	switch {
	case change > 0 && change < minMagnitude:
		change = minMagnitude
	case change < 0 && -change < minMagnitude:
		change = -minMagnitude
	}
	return change
}

// aggregate aggregates, by MetricAggregationType, the most recent
// EvaluationPeriods real datapoints of the alarm's last evaluation (so it
// sees exactly what the alarm saw, publication delay included). It returns
// false when none exists.
func (p *StepScaling) aggregate() (float64, bool) {
	var sum, lo, hi float64
	n := 0
	for v := range p.alarm.RealValues() {
		if n == p.cfg.Alarm.EvaluationPeriods {
			break
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if n == 0 || v < lo {
			lo = v
		}
		if n == 0 || v > hi {
			hi = v
		}
		sum += v
		n++
	}
	if n == 0 {
		return 0, false
	}
	switch p.cfg.MetricAggregationType {
	case AggregateMinimum:
		return lo, true
	case AggregateMaximum:
		return hi, true
	}
	return sum / float64(n), true
}

// EvaluateAlarms evaluates the policy's alarm at now, unless it was
// already evaluated at now's instant of its grid.
func (p *StepScaling) EvaluateAlarms(now time.Time, r metrics.Reader) { evaluateOnce(p.alarm, now, r) }

// The texts of a step scaling policy's explanations.
const (
	stepNotAlarm  uint8 = iota + 1 // the alarm is not in ALARM
	stepNoData                     // in ALARM, but no datapoint to aggregate
	stepNoStep                     // the value is in no step
	stepAdjust                     // a step applies
	stepNoChange                   // a step applies and changes nothing
	stepInBlocked                  // a scale-in held back by the cooldown
)

// explain formats one of the policy's explanations.
func (p *StepScaling) explain(e Explanation) string {
	switch e.code {
	case stepNotAlarm:
		return fmt.Sprintf("alarm %s is %v", p.alarmName(), e.state)
	case stepNoData:
		return "alarm in ALARM but no datapoints to aggregate"
	case stepNoStep:
		return fmt.Sprintf("%s %.4g is in no step", p.metricLabel(), e.value)
	case stepAdjust:
		return p.explainStep(e.value, e.base, e.want)
	case stepNoChange:
		return p.explainStep(e.value, e.base, e.want) + " (no change)"
	case stepInBlocked:
		return fmt.Sprintf("scale-in to %d held back by the cooldown until %s", e.want, e.until.UTC().Format(time.RFC3339))
	}
	return ""
}

// Propose evaluates the alarm at in.Now (unless EvaluateAlarms did at that
// instant); while it is in ALARM (CloudWatch re-invokes Auto Scaling
// actions every minute) the aggregated metric picks a step. A scale-out
// inside the cooldown is computed from the capacity before the cooldown
// began and acts only if larger than the current one; a scale-in inside
// the cooldown is held back. It formats no text: the proposal's
// Explanation does, when read.
func (p *StepScaling) Propose(in Input) Proposal {
	if state := evaluateOnce(p.alarm, in.Now, in.Metrics); state != metrics.Alarm {
		return Proposal{Explanation: Explanation{by: p, code: stepNotAlarm, state: state}}
	}
	value, ok := p.aggregate()
	if !ok {
		return Proposal{Explanation: Explanation{by: p, code: stepNoData}}
	}
	base := p.cd.base(in.Now, in.Desired)
	out, ok := p.DesiredFor(base, value)
	if !ok {
		return Proposal{Explanation: Explanation{by: p, code: stepNoStep, value: value}}
	}
	if out > in.Desired {
		return Proposal{Desired: out, Vote: Independent, Cause: p.cause, Explanation: Explanation{by: p, code: stepAdjust, value: value, base: base, want: out}}
	}
	down, _ := p.DesiredFor(in.Desired, value)
	if down < in.Desired {
		if p.cd.scaleInBlocked(in.Now) {
			return Proposal{Explanation: Explanation{by: p, code: stepInBlocked, want: down, until: p.cd.inUntil}}
		}
		return Proposal{Desired: down, Vote: Independent, Cause: p.cause, Explanation: Explanation{by: p, code: stepAdjust, value: value, base: in.Desired, want: down}}
	}
	return Proposal{Explanation: Explanation{by: p, code: stepNoChange, value: value, base: base, want: out}}
}

func (p *StepScaling) alarmName() string {
	if p.cfg.Alarm.Name != "" {
		return p.cfg.Alarm.Name
	}
	return p.cfg.Name + "-alarm"
}

func (p *StepScaling) metricLabel() string {
	if p.cfg.MetricAggregationType == AggregateAverage && p.cfg.Alarm.EvaluationPeriods == 1 {
		return p.cfg.Alarm.Metric.Name
	}
	return fmt.Sprintf("%s (%s of %d datapoints)", p.cfg.Alarm.Metric.Name, p.cfg.MetricAggregationType, p.cfg.Alarm.EvaluationPeriods)
}

func (p *StepScaling) explainStep(value float64, from, to int) string {
	i := p.stepFor(value)
	s := p.steps[i]
	var b strings.Builder
	fmt.Fprintf(&b, "%s %.4g vs threshold %g is in step %s: ", p.metricLabel(), value, p.cfg.Alarm.Threshold, stepRange(s, p.above))
	switch p.cfg.AdjustmentType {
	case ChangeInCapacity:
		fmt.Fprintf(&b, "%+d tasks", s.ScalingAdjustment)
	case PercentChangeInCapacity:
		fmt.Fprintf(&b, "%+d %% of %d", s.ScalingAdjustment, from)
	case ExactCapacity:
		fmt.Fprintf(&b, "exactly %d", s.ScalingAdjustment)
	}
	fmt.Fprintf(&b, "; %d → %d", from, to)
	return b.String()
}

func stepRange(s StepAdjustment, above bool) string {
	lo, hi := "(", "]"
	if above {
		lo, hi = "[", ")"
	}
	l, u := "-∞", "+∞"
	if !math.IsInf(s.LowerBound, -1) {
		l = fmt.Sprintf("%+g", s.LowerBound)
	} else {
		lo = "("
	}
	if !math.IsInf(s.UpperBound, 1) {
		u = fmt.Sprintf("%+g", s.UpperBound)
	} else {
		hi = ")"
	}
	return lo + l + ", " + u + hi
}
