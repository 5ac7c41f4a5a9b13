package autoscale

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// PredefinedMetric is one of the predefined target tracking metrics for ECS
// services.
type PredefinedMetric uint8

// The predefined metrics. The zero value means "none": the policy then needs
// a CustomizedMetric.
const (
	// ECSServiceAverageCPUUtilization is the service's average CPU
	// utilisation in percent: AWS/ECS CPUUtilization, statistic Average,
	// dimensions ClusterName and ServiceName.
	ECSServiceAverageCPUUtilization PredefinedMetric = iota + 1
	// ECSServiceAverageMemoryUtilization is the service's average memory
	// utilisation in percent: AWS/ECS MemoryUtilization, statistic Average,
	// dimensions ClusterName and ServiceName.
	ECSServiceAverageMemoryUtilization
	// ALBRequestCountPerTarget is the requests per target per minute of the
	// target group named by ResourceLabel: AWS/ApplicationELB
	// RequestCountPerTarget, statistic Sum, dimensions LoadBalancer
	// ("app/<lb-name>/<lb-id>") and TargetGroup ("targetgroup/<tg-name>/<tg-id>").
	ALBRequestCountPerTarget
)

// String returns the AWS name of the metric.
func (m PredefinedMetric) String() string {
	switch m {
	case ECSServiceAverageCPUUtilization:
		return "ECSServiceAverageCPUUtilization"
	case ECSServiceAverageMemoryUtilization:
		return "ECSServiceAverageMemoryUtilization"
	case ALBRequestCountPerTarget:
		return "ALBRequestCountPerTarget"
	}
	return fmt.Sprintf("PredefinedMetric(%d)", uint8(m))
}

// CustomizedMetric is a target tracking policy's own metric.
type CustomizedMetric struct {
	// Metric is the time series to track.
	Metric metrics.Metric
	// Statistic is applied to each one-minute period, e.g. metrics.Average.
	Statistic metrics.Statistic
}

// AlarmShape is the timing of one of the alarms a target tracking policy
// owns. AWS does not publish these; the defaults are observed values.
type AlarmShape struct {
	// Period is the length of one datapoint; zero means 60 s.
	Period time.Duration
	// EvaluationPeriods is N, the datapoints looked at; zero means the
	// alarm's default (3 for AlarmHigh, 15 for AlarmLow).
	EvaluationPeriods int
	// DatapointsToAlarm is M of N; zero means N.
	DatapointsToAlarm int
}

// TargetTrackingConfig configures a target tracking policy.
type TargetTrackingConfig struct {
	// Name identifies the policy; required.
	Name string
	// ResourceID is the scalable target, "service/<cluster>/<service>";
	// required with the ECSService… predefined metrics (it gives their
	// ClusterName and ServiceName dimensions) and used in alarm names.
	ResourceID string
	// TargetValue is the metric value to hold (percent for utilisation,
	// requests per target per minute for ALBRequestCountPerTarget); must be
	// positive.
	TargetValue float64
	// PredefinedMetric selects a predefined metric; zero means none, and
	// then CustomizedMetric must be set (exactly one of the two).
	PredefinedMetric PredefinedMetric
	// ResourceLabel identifies the target group for ALBRequestCountPerTarget:
	// "app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>".
	ResourceLabel string
	// CustomizedMetric is the metric to track when PredefinedMetric is zero.
	CustomizedMetric *CustomizedMetric
	// ScaleOutCooldown is the scale-out cooldown; zero means DefaultCooldown
	// (300 s) and a negative value means none.
	ScaleOutCooldown time.Duration
	// ScaleInCooldown is the scale-in cooldown; zero means DefaultCooldown
	// (300 s) and a negative value means none.
	ScaleInCooldown time.Duration
	// DisableScaleIn leaves scale-in to other policies: the policy then
	// owns no low alarm and never votes on scale-in.
	DisableScaleIn bool
	// High shapes AlarmHigh (metric > TargetValue); zero fields mean 60 s and
	// 3 of 3 datapoints. UNCONFIRMED: observed, not documented by AWS.
	High AlarmShape
	// Low shapes AlarmLow (metric < LowFraction × TargetValue); zero fields
	// mean 60 s and 15 of 15 datapoints. UNCONFIRMED: observed.
	Low AlarmShape
	// LowFraction places AlarmLow's threshold as a fraction of TargetValue;
	// zero means 0.9. UNCONFIRMED: observed (target 70 → 63).
	LowFraction float64
}

// TargetTracking is a target tracking scaling policy. It implements Policy
// and Observer. It owns two CloudWatch alarms:
//
//	AlarmHigh: statistic > TargetValue for 3 of 3 one-minute datapoints
//	AlarmLow:  statistic < 0.9 × TargetValue for 15 of 15 one-minute datapoints
//
// and, when one of them is in ALARM, proposes the capacity (UNCONFIRMED: AWS
// does not publish its formula)
//
//	desired = ceil(current × metric / TargetValue)
//
// where metric is the newest datapoint the alarm saw. Rounding the capacity up
// rounds additions up and removals down (need +1.5 → add 2; may remove
// 1.5 → remove 1), and it never removes so many tasks that the predicted
// metric current × metric / desired would exceed the target. The quotient
// is rounded to 6 decimal places before the ceiling so float noise never
// adds a task. With insufficient data the policy does not scale and, unless
// scale-in is disabled, holds back the other target tracking policies'
// scale-in. Scaling out from zero tasks proposes one task.
type TargetTracking struct {
	// What every minute's evaluation reads comes first, in 32 bytes (one
	// cache line wherever the object starts: a world evaluates thousands
	// of policies a minute). low is nil exactly when cfg.DisableScaleIn.
	high, low    *metrics.MetricAlarm
	lowThreshold float64 // LowFraction × TargetValue, AlarmLow's threshold
	targetValue  float64 // cfg.TargetValue
	cd           cooldown
	*targetTrackingSpec
}

// targetTrackingSpec is what a TargetTracking reads only when it is
// made, asked, or scales, out of line: the policy is 96 bytes where with
// its configuration, metric and causes it was 344 (in the 352-byte
// class, made beside another object of it: 704 bytes from one service's
// policy to the next). A world's scalers' pass then crosses a new page
// of policies every 14 services or so rather than every 6 (0.18 → 0.07
// page walks a service·minute at 5,000 services: BENCHMARKS.md, issue
// 13, round 21).
type targetTrackingSpec struct {
	cfg                 TargetTrackingConfig
	metric              metrics.Metric
	statistic           metrics.Statistic
	highCause, lowCause string // the activities' causes, fixed by the configuration, made at first use (cause)
	// The spec takes the 288-byte class, not the 256-byte class of the
	// policy's two alarms (made with it), which it would sit between:
	// the scalers' pass reads both alarms of each service, 512 bytes on
	// from the last service's rather than 768 (TestSpecBesideNoAlarm).
	_ [8]byte
}

// PredefinedMetricSpec returns the CloudWatch metric and statistic a
// predefined metric stands for. resourceID is "service/<cluster>/<service>";
// resourceLabel is the ALB target group label.
func PredefinedMetricSpec(m PredefinedMetric, resourceID, resourceLabel string) (metrics.Metric, metrics.Statistic, error) {
	switch m {
	case ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization:
		cluster, service, ok := parseServiceResourceID(resourceID)
		if !ok {
			return metrics.Metric{}, metrics.Statistic{}, invalid("TargetTrackingConfig.ResourceID", resourceID,
				"must be service/<cluster>/<service> for "+m.String())
		}
		name := metrics.MetricCPUUtilization
		if m == ECSServiceAverageMemoryUtilization {
			name = metrics.MetricMemoryUtilization
		}
		return metrics.ServiceMetric(name, cluster, service), metrics.Average, nil
	case ALBRequestCountPerTarget:
		lb, tg, ok := strings.Cut(resourceLabel, "/targetgroup/")
		if !ok || !strings.HasPrefix(lb, "app/") || tg == "" {
			return metrics.Metric{}, metrics.Statistic{}, invalid("TargetTrackingConfig.ResourceLabel", resourceLabel,
				"must be app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id> for ALBRequestCountPerTarget")
		}
		return metrics.TargetGroupMetric(metrics.MetricRequestCountPerTarget, "targetgroup/"+tg, lb), metrics.Sum, nil
	}
	return metrics.Metric{}, metrics.Statistic{}, invalid("TargetTrackingConfig.PredefinedMetric", m, "is not a predefined metric")
}

func parseServiceResourceID(id string) (cluster, service string, ok bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 || parts[0] != "service" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}

func (s AlarmShape) withDefaults(n int) AlarmShape {
	if s.Period == 0 {
		s.Period = time.Minute
	}
	if s.EvaluationPeriods == 0 {
		s.EvaluationPeriods = n
	}
	if s.DatapointsToAlarm == 0 {
		s.DatapointsToAlarm = s.EvaluationPeriods
	}
	return s
}

func (s AlarmShape) validate(field string) []error {
	var errs []error
	if s.Period < 0 {
		errs = append(errs, invalid(field+".Period", s.Period, "must not be negative"))
	}
	if s.EvaluationPeriods < 0 {
		errs = append(errs, invalid(field+".EvaluationPeriods", s.EvaluationPeriods, "must not be negative"))
	}
	if s.DatapointsToAlarm < 0 || (s.EvaluationPeriods > 0 && s.DatapointsToAlarm > s.EvaluationPeriods) {
		errs = append(errs, invalid(field+".DatapointsToAlarm", s.DatapointsToAlarm, "must be 0 (all) or 1..EvaluationPeriods"))
	}
	return errs
}

// NewTargetTracking validates cfg, creates the policy's alarms and returns
// the policy. Every problem is reported at once, the alarms' included.
func NewTargetTracking(cfg TargetTrackingConfig) (*TargetTracking, error) {
	var errs []error
	if cfg.Name == "" {
		errs = append(errs, invalid("TargetTrackingConfig.Name", "", "must not be empty"))
	}
	if !(cfg.TargetValue > 0) || math.IsInf(cfg.TargetValue, 0) {
		errs = append(errs, invalid("TargetTrackingConfig.TargetValue", cfg.TargetValue, "must be a positive finite number"))
	}
	if cfg.LowFraction < 0 || cfg.LowFraction >= 1 || math.IsNaN(cfg.LowFraction) {
		errs = append(errs, invalid("TargetTrackingConfig.LowFraction", cfg.LowFraction, "must be 0 (default 0.9) or in (0, 1)"))
	}
	highShape, lowShape := cfg.High.validate("TargetTrackingConfig.High"), cfg.Low.validate("TargetTrackingConfig.Low")
	errs = append(append(errs, highShape...), lowShape...)
	var metric metrics.Metric
	var stat metrics.Statistic
	metricOK := false
	switch {
	case cfg.PredefinedMetric != 0 && cfg.CustomizedMetric != nil:
		errs = append(errs, invalid("TargetTrackingConfig.CustomizedMetric", "set", "give either PredefinedMetric or CustomizedMetric, not both"))
	case cfg.PredefinedMetric != 0:
		var err error
		if metric, stat, err = PredefinedMetricSpec(cfg.PredefinedMetric, cfg.ResourceID, cfg.ResourceLabel); err != nil {
			errs = append(errs, err)
		} else {
			metricOK = true
		}
	case cfg.CustomizedMetric != nil:
		metric, stat = cfg.CustomizedMetric.Metric, cfg.CustomizedMetric.Statistic
		if err := metric.Validate(); err != nil {
			errs = append(errs, invalid("TargetTrackingConfig.CustomizedMetric.Metric", metric.String(), err.Error()))
		} else if !stat.Valid() {
			errs = append(errs, invalid("TargetTrackingConfig.CustomizedMetric.Statistic", stat.String(), "must be Average, Sum, Minimum, Maximum, SampleCount or p0 to p100"))
		} else {
			metricOK = true
		}
	default:
		errs = append(errs, invalid("TargetTrackingConfig.PredefinedMetric", nil, "give a PredefinedMetric or a CustomizedMetric"))
	}
	p := &TargetTracking{targetTrackingSpec: &targetTrackingSpec{cfg: cfg, metric: metric, statistic: stat}, targetValue: cfg.TargetValue}
	p.cfg.High = cfg.High.withDefaults(3)
	p.cfg.Low = cfg.Low.withDefaults(15)
	if p.cfg.LowFraction == 0 {
		p.cfg.LowFraction = 0.9
	}
	p.lowThreshold = p.cfg.LowFraction * cfg.TargetValue
	prefix := "TargetTracking-" + cfg.ResourceID
	if cfg.ResourceID == "" {
		prefix = "TargetTracking-" + cfg.Name
	}
	alarm := func(field, name string, shape AlarmShape, shapeOK bool, threshold float64, op metrics.ComparisonOperator) *metrics.MetricAlarm {
		if !metricOK || !shapeOK || !(threshold > 0) || math.IsInf(threshold, 0) {
			return nil // reported above
		}
		a, err := metrics.NewAlarm(metrics.AlarmConfig{
			Name: prefix + "-" + name, Metric: metric, Statistic: stat,
			Period: shape.Period, EvaluationPeriods: shape.EvaluationPeriods, DatapointsToAlarm: shape.DatapointsToAlarm,
			Threshold: threshold, Comparison: op,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("autoscale: TargetTrackingConfig.%s: %w", field, err))
		}
		return a
	}
	p.high = alarm("High", "AlarmHigh", p.cfg.High, len(highShape) == 0, cfg.TargetValue, metrics.GreaterThanThreshold)
	if !cfg.DisableScaleIn {
		p.low = alarm("Low", "AlarmLow", p.cfg.Low, len(lowShape) == 0, p.lowThreshold, metrics.LessThanThreshold)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if p.low != nil && p.cfg.Low.Period == p.cfg.High.Period {
		// AlarmLow, evaluated after AlarmHigh, takes the datapoints
		// AlarmHigh has just read.
		if err := p.low.Follow(p.high); err != nil {
			return nil, fmt.Errorf("autoscale: TargetTrackingConfig: %w", err) // unreachable: one metric, statistic and period
		}
	}
	return p, nil
}

// cause returns the cause of the activities a's ALARM starts (a is p.high
// or p.low), made at its first use and kept in *s (p.highCause or
// p.lowCause). Made with the policy, the two strings sat between one
// service's policy and the next in the allocator's 96-byte class.
func (p *TargetTracking) cause(s *string, a *metrics.MetricAlarm) string {
	if *s == "" {
		*s = "monitor alarm " + a.Config().Name + " in state ALARM triggered policy " + p.cfg.Name
	}
	return *s
}

// Name returns the policy's name.
func (p *TargetTracking) Name() string { return p.cfg.Name }

// Config returns the policy's configuration with defaults filled in.
func (p *TargetTracking) Config() TargetTrackingConfig { return p.cfg }

// Metric returns the metric and statistic the policy tracks.
func (p *TargetTracking) Metric() (metrics.Metric, metrics.Statistic) { return p.metric, p.statistic }

// Alarms returns the policy's high and low alarms; low is nil when scale-in
// is disabled.
func (p *TargetTracking) Alarms() (high, low *metrics.MetricAlarm) { return p.high, p.low }

// Observe keeps the policy's cooldowns.
func (p *TargetTracking) Observe(a Activity) {
	p.cd.observe(a, a.Policy == p.cfg.Name, orDefault(p.cfg.ScaleOutCooldown), orDefault(p.cfg.ScaleInCooldown))
}

func orDefault(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return DefaultCooldown
	case d < 0:
		return 0
	}
	return d
}

// TrackingCapacity is the target tracking formula, ceil(current × metric /
// target) with the quotient rounded to 6 decimal places first; from zero
// tasks a metric above target gives one task. It panics on a non-positive
// target (a programmer error: NewTargetTracking rejects it).
func TrackingCapacity(current int, metric, target float64) int {
	if !(target > 0) {
		panic("autoscale: TrackingCapacity: target must be positive")
	}
	if current == 0 {
		if metric > target {
			return 1
		}
		return 0
	}
	q := float64(current) * metric / target
	q = math.Ceil(math.Round(q*1e6) / 1e6)
	switch {
	case q < 0 || math.IsNaN(q):
		return 0
	case q > math.MaxInt32:
		return math.MaxInt32
	}
	return int(q)
}

// latest returns the newest real datapoint AlarmHigh saw at its last
// evaluation.
func (p *TargetTracking) latest() (float64, bool) {
	for v := range p.high.RealValues() {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, true
		}
	}
	return 0, false
}

// EvaluateAlarms evaluates AlarmHigh and AlarmLow at now, unless they were
// already evaluated at now's instant of their grid.
func (p *TargetTracking) EvaluateAlarms(now time.Time, r metrics.Reader) {
	evaluateOnce(p.high, now, r)
	if p.low != nil {
		evaluateOnce(p.low, now, r)
	}
}

// evaluateOnce evaluates a at now unless it was already evaluated at now's
// instant of its grid.
func evaluateOnce(a *metrics.MetricAlarm, now time.Time, r metrics.Reader) metrics.AlarmState {
	if a.EvaluatedAt(now) {
		return a.State()
	}
	return a.Evaluate(now, r)
}

// The texts of a target tracking policy's explanations.
const (
	ttNoData        uint8 = iota + 1 // no datapoint at all
	ttHigh                           // AlarmHigh in ALARM: the formula
	ttHighCooldown                   // ... but the scale-out cooldown already added as much
	ttLow                            // AlarmLow in ALARM: the formula
	ttLowAtTarget                    // ... but removing a task would exceed the target
	ttLowCooldown                    // ... but the scale-in cooldown holds
	ttAboveNotAlarm                  // above target, AlarmHigh not (yet) in ALARM
	ttBelowNotAlarm                  // below AlarmLow's threshold, AlarmLow not in ALARM
	ttInRange                        // within range
)

// explain formats one of the policy's explanations.
func (p *TargetTracking) explain(e Explanation) string {
	name, target := p.metric.Name, p.cfg.TargetValue
	switch e.code {
	case ttNoData:
		return "insufficient data: no scaling"
	case ttHigh, ttHighCooldown:
		s := fmt.Sprintf("%s %.1f > %g for %d of %d datapoints; ceil(%d × %.1f / %g) = %d",
			name, e.value, target, p.cfg.High.DatapointsToAlarm, p.cfg.High.EvaluationPeriods, e.base, e.value, target, e.want)
		if e.code == ttHighCooldown {
			s += " (within scale-out cooldown: no larger scale-out)"
		}
		return s
	case ttLow, ttLowAtTarget, ttLowCooldown:
		s := fmt.Sprintf("%s %.1f < %g for %d of %d datapoints; ceil(%d × %.1f / %g) = %d",
			name, e.value, p.lowThreshold, p.cfg.Low.DatapointsToAlarm, p.cfg.Low.EvaluationPeriods, e.base, e.value, target, e.want)
		switch e.code {
		case ttLowAtTarget:
			s += " (removing a task would exceed the target)"
		case ttLowCooldown:
			s += fmt.Sprintf(" (scale-in cooldown until %s)", e.until.UTC().Format(time.RFC3339))
		}
		return s
	case ttAboveNotAlarm:
		return fmt.Sprintf("%s %.1f > %g but AlarmHigh is %v", name, e.value, target, e.state)
	case ttBelowNotAlarm:
		return fmt.Sprintf("%s %.1f < %g but AlarmLow is %v", name, e.value, p.lowThreshold, e.state)
	case ttInRange:
		return fmt.Sprintf("%s %.1f within range of target %g", name, e.value, target)
	}
	return ""
}

// Propose evaluates the two alarms at in.Now (unless EvaluateAlarms did at
// that instant) and proposes a capacity. It formats no text: the proposal's
// Explanation does, when read.
func (p *TargetTracking) Propose(in Input) Proposal {
	p.EvaluateAlarms(in.Now, in.Metrics)
	high := p.high.State()
	low := metrics.InsufficientData
	if p.low != nil {
		low = p.low.State()
	}
	vote := Consensus
	if p.low == nil { // cfg.DisableScaleIn: no AlarmLow
		vote = Independent
	}
	hold := func(e Explanation) Proposal {
		e.by = p
		if p.low == nil {
			return Proposal{Explanation: e}
		}
		return Proposal{Desired: in.Desired, Vote: Consensus, Explanation: e}
	}
	value, ok := p.latest()
	if !ok {
		return hold(Explanation{code: ttNoData})
	}
	switch {
	case high == metrics.Alarm:
		base := p.cd.base(in.Now, in.Desired)
		want := TrackingCapacity(base, value, p.targetValue)
		e := Explanation{by: p, code: ttHigh, value: value, base: base, want: want}
		if want <= in.Desired {
			e.code = ttHighCooldown
			return hold(e)
		}
		return Proposal{Desired: want, Vote: vote, Explanation: e, Cause: p.cause(&p.highCause, p.high)}
	case low == metrics.Alarm:
		want := TrackingCapacity(in.Desired, value, p.targetValue)
		e := Explanation{by: p, code: ttLow, value: value, base: in.Desired, want: want}
		if want >= in.Desired {
			e.code = ttLowAtTarget
			return hold(e)
		}
		if p.cd.scaleInBlocked(in.Now) {
			e.code, e.until = ttLowCooldown, p.cd.inUntil
			return hold(e)
		}
		return Proposal{Desired: want, Vote: Consensus, Explanation: e, Cause: p.cause(&p.lowCause, p.low)}
	}
	switch {
	case value > p.targetValue:
		return hold(Explanation{code: ttAboveNotAlarm, value: value, state: high})
	case p.low != nil && value < p.lowThreshold:
		return hold(Explanation{code: ttBelowNotAlarm, value: value, state: low})
	}
	return hold(Explanation{code: ttInRange, value: value})
}
