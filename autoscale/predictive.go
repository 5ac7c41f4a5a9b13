package autoscale

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// Predictive scaling's documented timing
// (https://docs.aws.amazon.com/autoscaling/application/userguide/aas-predictive-scaling-how-it-works.html):
// it needs at least 24 hours of metric data before it forecasts, looks
// back up to 14 days, and makes an hourly forecast for the next 48 hours,
// refreshed every 6 hours. Capacity for an hour is applied at the start of
// the hour, or SchedulingBufferTime earlier (default 300 s, and less than
// the 3,600 s forecast interval,
// https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredictiveScalingPolicyConfiguration.html).
const (
	MinForecastHistory          = 24 * time.Hour
	ForecastLookBack            = 14 * 24 * time.Hour
	ForecastHorizon             = 48 * time.Hour
	ForecastRefresh             = 6 * time.Hour
	DefaultSchedulingBufferTime = 300 * time.Second
	// NoSchedulingBuffer asks for capacity exactly at the start of each
	// hour (SchedulingBufferTime 0 in AWS's API).
	NoSchedulingBuffer time.Duration = -1
)

// PredictiveMode is a predictive scaling policy's mode.
type PredictiveMode uint8

// The modes. The zero value is ForecastOnly, AWS's default.
const (
	// ForecastOnly forecasts but never changes capacity: the way to judge
	// the forecasts before trusting them.
	ForecastOnly PredictiveMode = iota
	// ForecastAndScale forecasts and scales out to the forecast capacity.
	ForecastAndScale
)

func (m PredictiveMode) String() string {
	switch m {
	case ForecastOnly:
		return "ForecastOnly"
	case ForecastAndScale:
		return "ForecastAndScale"
	}
	return fmt.Sprintf("PredictiveMode(%d)", uint8(m))
}

// MaxCapacityBreach is what a predictive policy does when its forecast
// capacity is above the target's MaxCapacity.
type MaxCapacityBreach uint8

// The behaviours. The zero value is HonorMaxCapacity, AWS's default.
const (
	// HonorMaxCapacity keeps capacity at MaxCapacity at most.
	HonorMaxCapacity MaxCapacityBreach = iota
	// IncreaseMaxCapacity raises MaxCapacity to the forecast capacity plus
	// MaxCapacityBuffer percent (buffer 10, forecast 50, max 40: the max
	// becomes 55). The raised maximum is not lowered again automatically.
	IncreaseMaxCapacity
)

func (b MaxCapacityBreach) String() string {
	switch b {
	case HonorMaxCapacity:
		return "HonorMaxCapacity"
	case IncreaseMaxCapacity:
		return "IncreaseMaxCapacity"
	}
	return fmt.Sprintf("MaxCapacityBreach(%d)", uint8(b))
}

// PredictiveMetricPair is a predefined pair of a load metric, which is
// forecast, and a scaling metric, whose TargetValue turns the forecast
// load into a capacity
// (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredictiveScalingPredefinedMetricPairSpecification.html).
// AWS says only that a pair is "a load metric and a scaling metric"; the
// members below are how public configurations use them, and agree with
// EC2 Auto Scaling's documented ALBRequestCount pair.
type PredictiveMetricPair uint8

// The predefined pairs. The zero value means "none": the policy then needs
// CustomLoad.
const (
	// PredictiveECSServiceCPUUtilization: load ECSServiceTotalCPUUtilization
	// (the tasks' CPU utilisation summed: average × running tasks, in
	// percent of one task), scaling metric ECSServiceAverageCPUUtilization
	// (TargetValue in percent).
	PredictiveECSServiceCPUUtilization PredictiveMetricPair = iota + 1
	// PredictiveECSServiceMemoryUtilization: the same for memory.
	PredictiveECSServiceMemoryUtilization
	// PredictiveALBRequestCount: load TotalALBRequestCount (requests per
	// minute to the target group named by ResourceLabel), scaling metric
	// ALBRequestCountPerTarget (TargetValue in requests per target per
	// minute).
	PredictiveALBRequestCount
)

func (m PredictiveMetricPair) String() string {
	switch m {
	case PredictiveECSServiceCPUUtilization:
		return "ECSServiceCPUUtilization"
	case PredictiveECSServiceMemoryUtilization:
		return "ECSServiceMemoryUtilization"
	case PredictiveALBRequestCount:
		return "ALBRequestCount"
	}
	return fmt.Sprintf("PredictiveMetricPair(%d)", uint8(m))
}

// PredictiveScalingConfig configures a PredictiveScaling policy, after
// AWS's PredictiveScalingPolicyConfiguration.
type PredictiveScalingConfig struct {
	// Name is the policy's name, unique within its Controller.
	Name string
	// ResourceID is "service/<cluster>/<service>", for the ECS service
	// metrics.
	ResourceID string
	// ResourceLabel names the ALB target group,
	// "app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>", for
	// PredictiveALBRequestCount.
	ResourceLabel string
	// Mode is ForecastOnly (the zero value, AWS's default) or
	// ForecastAndScale.
	Mode PredictiveMode
	// TargetValue is the scaling metric's target per task (percent for
	// CPU and memory, requests per minute for ALBRequestCount); the
	// forecast capacity of an hour is ceil(forecast load / TargetValue).
	// Positive and finite.
	TargetValue float64
	// MetricPair is a predefined metric pair; zero needs CustomLoad.
	MetricPair PredictiveMetricPair
	// CustomLoad is a customised load metric, read as its Statistic over
	// each hour, in the units the target applies to (the forecast
	// capacity is load / TargetValue, as for the predefined pairs). Set
	// exactly one of MetricPair and CustomLoad, as AWS takes one metric
	// specification.
	CustomLoad *CustomizedMetric
	// SchedulingBufferTime is how long before each hour its capacity is
	// applied: 0 means DefaultSchedulingBufferTime (300 s),
	// NoSchedulingBuffer means none, otherwise a whole number of seconds
	// below 3,600.
	SchedulingBufferTime time.Duration
	// MaxCapacityBreachBehavior is HonorMaxCapacity (the default) or
	// IncreaseMaxCapacity.
	MaxCapacityBreachBehavior MaxCapacityBreach
	// MaxCapacityBuffer is, with IncreaseMaxCapacity, the percentage of
	// the forecast capacity added to it as the raised maximum, 0 to 100.
	MaxCapacityBuffer int
	// Forecaster makes the forecasts; nil means SeasonalForecaster{}.
	Forecaster Forecaster
}

// ForecastPoint is one hour of a forecast: the hour's start, the forecast
// load, the capacity it asks for (ceil(load / TargetValue), before the
// target's bounds) and when the forecast was made.
type ForecastPoint struct {
	Hour     time.Time
	Load     float64
	Capacity int
	MadeAt   time.Time
}

// PredictiveScaling is Application Auto Scaling's predictive scaling for
// an ECS service. Every 6 hours (on the 00:00, 06:00, 12:00 and 18:00 UTC
// grid, an assumption: AWS does not say when in the day it refreshes) it
// reads up to 14 days of hourly load, and once it has at least 24 hours
// of it, forecasts the next 48 hours with its Forecaster. In
// ForecastAndScale mode it then holds the service at no less than the
// forecast capacity of each hour from SchedulingBufferTime before the
// hour (during that lead the previous hour's capacity still holds too, so
// capacity never drops before its hour ends).
//
// It only scales out: its proposal has the Floor vote, so a Controller
// scales out to it when it is above the current capacity (the largest
// proposal wins), and lets target tracking or step scaling scale in only
// as far as the forecast capacity, never below: the larger capacity wins,
// in both directions. (AWS says predictive scaling works alongside the
// dynamic policies and never scales in; a community account of ECS's
// behaviour says the larger of the two capacities wins. Whether ECS
// applies the forecast as a temporary minimum or as one desired-count
// change per hour is not documented; as a floor, the forecast is what
// stops target tracking from scaling in below it within the hour.)
//
// Forecasts are readable: Forecast returns the latest 48 hours and Log
// the forecast applied to each hour so far, to plot against the actual
// load.
type PredictiveScaling struct {
	cfg       PredictiveScalingConfig
	load      func(r metrics.Reader, end time.Time) (float64, bool)
	series    []metrics.Metric // the load's series, retained for the look-back
	retained  metrics.Reader   // the reader last asked to retain them
	buffer    time.Duration
	forecast  []ForecastPoint
	nextFetch time.Time // the next refresh instant; zero before the first evaluation
	logged    time.Time // the last hour recorded in log
	log       []ForecastPoint
	history   []float64 // reused between refreshes
}

// maxForecastLog bounds Log: ten weeks of hours.
const maxForecastLog = 10 * 7 * 24

// NewPredictiveScaling validates cfg and returns the policy. Every problem
// is reported at once, each naming its field.
func NewPredictiveScaling(cfg PredictiveScalingConfig) (*PredictiveScaling, error) {
	var errs []error
	const at = "PredictiveScalingConfig."
	if cfg.Name == "" {
		errs = append(errs, invalid(at+"Name", cfg.Name, "must not be empty"))
	}
	if cfg.Mode > ForecastAndScale {
		errs = append(errs, invalid(at+"Mode", cfg.Mode, "must be ForecastOnly or ForecastAndScale"))
	}
	if !(cfg.TargetValue > 0) || math.IsInf(cfg.TargetValue, 0) {
		errs = append(errs, invalid(at+"TargetValue", cfg.TargetValue, "must be positive and finite"))
	}
	if b := cfg.SchedulingBufferTime; b != 0 && b != NoSchedulingBuffer && (b < time.Second || b >= time.Hour || b%time.Second != 0) {
		errs = append(errs, invalid(at+"SchedulingBufferTime", b, "must be 0 (300s), NoSchedulingBuffer or a whole number of seconds below 3600s"))
	}
	if cfg.MaxCapacityBreachBehavior > IncreaseMaxCapacity {
		errs = append(errs, invalid(at+"MaxCapacityBreachBehavior", cfg.MaxCapacityBreachBehavior, "must be HonorMaxCapacity or IncreaseMaxCapacity"))
	}
	if cfg.MaxCapacityBuffer < 0 || cfg.MaxCapacityBuffer > 100 {
		errs = append(errs, invalid(at+"MaxCapacityBuffer", cfg.MaxCapacityBuffer, "must be 0 to 100 (percent)"))
	} else if cfg.MaxCapacityBuffer > 0 && cfg.MaxCapacityBreachBehavior != IncreaseMaxCapacity {
		errs = append(errs, invalid(at+"MaxCapacityBuffer", cfg.MaxCapacityBuffer, "applies only with IncreaseMaxCapacity"))
	}
	p := &PredictiveScaling{cfg: cfg}
	switch {
	case cfg.MetricPair != 0 && cfg.CustomLoad != nil:
		errs = append(errs, invalid(at+"CustomLoad", "set", "must not be set with MetricPair: one metric specification"))
	case cfg.CustomLoad != nil:
		m := *cfg.CustomLoad
		p.series = []metrics.Metric{m.Metric}
		p.load = func(r metrics.Reader, end time.Time) (float64, bool) {
			return r.Statistic(m.Metric, m.Statistic, time.Hour, end)
		}
	case cfg.MetricPair == PredictiveECSServiceCPUUtilization || cfg.MetricPair == PredictiveECSServiceMemoryUtilization:
		cluster, service, ok := parseServiceResourceID(cfg.ResourceID)
		if !ok {
			errs = append(errs, invalid(at+"ResourceID", cfg.ResourceID, "must be service/<cluster>/<service> for "+cfg.MetricPair.String()))
			break
		}
		name := metrics.MetricCPUUtilization
		if cfg.MetricPair == PredictiveECSServiceMemoryUtilization {
			name = metrics.MetricMemoryUtilization
		}
		util, tasks := metrics.ServiceMetric(name, cluster, service), metrics.RunningTaskCountMetric(cluster, service)
		p.series = []metrics.Metric{util, tasks}
		// The hour's total utilisation: its mean utilisation times its
		// mean task count (the product of the means, which CloudWatch's
		// hourly statistics give, not the mean of the products).
		p.load = func(r metrics.Reader, end time.Time) (float64, bool) {
			u, ok1 := r.Statistic(util, metrics.Average, time.Hour, end)
			n, ok2 := r.Statistic(tasks, metrics.Average, time.Hour, end)
			return u * n, ok1 && ok2
		}
	case cfg.MetricPair == PredictiveALBRequestCount:
		lb, tg, ok := strings.Cut(cfg.ResourceLabel, "/targetgroup/")
		if !ok || !strings.HasPrefix(lb, "app/") || tg == "" {
			errs = append(errs, invalid(at+"ResourceLabel", cfg.ResourceLabel, "must be app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id> for ALBRequestCount"))
			break
		}
		m := metrics.TargetGroupMetric(metrics.MetricRequestCount, "targetgroup/"+tg, lb)
		p.series = []metrics.Metric{m}
		p.load = func(r metrics.Reader, end time.Time) (float64, bool) {
			v, ok := r.Statistic(m, metrics.Sum, time.Hour, end)
			return v / 60, ok // requests per minute
		}
	default:
		errs = append(errs, invalid(at+"MetricPair", cfg.MetricPair, "must be a predefined pair, or CustomLoad must be set"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if p.cfg.Forecaster == nil {
		p.cfg.Forecaster = SeasonalForecaster{}
	}
	switch cfg.SchedulingBufferTime {
	case 0:
		p.buffer = DefaultSchedulingBufferTime
	case NoSchedulingBuffer:
		p.buffer = 0
	default:
		p.buffer = cfg.SchedulingBufferTime
	}
	return p, nil
}

// Name returns the policy's name.
func (p *PredictiveScaling) Name() string { return p.cfg.Name }

// Config returns the policy's configuration (Forecaster filled in).
func (p *PredictiveScaling) Config() PredictiveScalingConfig { return p.cfg }

// Forecast returns the latest forecast, 48 hourly points, or nil before
// the first (less than 24 hours of load data at every refresh so far).
func (p *PredictiveScaling) Forecast() []ForecastPoint {
	return append([]ForecastPoint(nil), p.forecast...)
}

// Log returns, for each hour whose capacity the policy has scheduled so
// far (at most the last ten weeks), the forecast point it used, oldest
// first: plotted against the hour's actual load it shows how good the
// forecasts were. It is kept in ForecastOnly mode too.
func (p *PredictiveScaling) Log() []ForecastPoint { return append([]ForecastPoint(nil), p.log...) }

// refresh makes a forecast at t (a refresh instant) from the load of the
// hours before it, if there are at least 24 of them with data.
func (p *PredictiveScaling) refresh(t time.Time, r metrics.Reader) {
	if rr, ok := r.(retainer); ok && r != p.retained {
		// A store keeps little history unless asked (metrics.Store keeps
		// one day of hourly buckets by default): ask it to keep the
		// look-back of every series the load is made of.
		p.retained = r
		for _, m := range p.series {
			_ = rr.Retain(m, ForecastLookBack+time.Hour) // a valid span: cannot fail
		}
	}
	const hours = int(ForecastLookBack / time.Hour)
	h := p.history[:0]
	have := 0
	for i := hours; i >= 1; i-- {
		v, ok := p.load(r, t.Add(-time.Duration(i-1)*time.Hour))
		if !ok {
			v = math.NaN()
		} else {
			have++
		}
		h = append(h, v)
	}
	p.history = h
	if time.Duration(have)*time.Hour < MinForecastHistory {
		return // too little history: keep the previous forecast, or none
	}
	// Drop the leading hours before the data began, so that the trend
	// and the phases count from the first datum.
	first := 0
	for first < len(h) && math.IsNaN(h[first]) {
		first++
	}
	n := int(ForecastHorizon / time.Hour)
	loads := p.cfg.Forecaster.Forecast(h[first:], n)
	fc := p.forecast[:0]
	for i := range n {
		load := 0.0
		if i < len(loads) && loads[i] > 0 && !math.IsInf(loads[i], 0) { // NaN fails the comparison
			load = loads[i]
		}
		c := math.Ceil(load / p.cfg.TargetValue)
		if c > maxTasksPerService {
			c = maxTasksPerService
		}
		fc = append(fc, ForecastPoint{Hour: t.Add(time.Duration(i) * time.Hour), Load: load, Capacity: int(c), MadeAt: t})
	}
	p.forecast = fc
}

// at returns the forecast point of the hour starting at hour.
func (p *PredictiveScaling) at(hour time.Time) (ForecastPoint, bool) {
	if len(p.forecast) == 0 {
		return ForecastPoint{}, false
	}
	i := int(hour.Sub(p.forecast[0].Hour) / time.Hour)
	if hour.Before(p.forecast[0].Hour) || i >= len(p.forecast) {
		return ForecastPoint{}, false
	}
	return p.forecast[i], true
}

// retainer is a metrics.Reader that keeps a series' history on request,
// as *metrics.Store does.
type retainer interface {
	Retain(m metrics.Metric, span time.Duration) error
}

// Explanation codes of a predictive proposal.
const (
	predictNoForecast uint8 = iota
	predictForecastOnly
	predictFloor
)

func (p *PredictiveScaling) explain(e Explanation) string {
	switch e.code {
	case predictNoForecast:
		return "no forecast yet (needs 24 h of load data)"
	case predictForecastOnly:
		return fmt.Sprintf("forecast load %.4g for %s → %d tasks (ForecastOnly)", e.value, e.until.UTC().Format("15:04"), e.want)
	}
	return fmt.Sprintf("forecast load %.4g for %s → %d tasks", e.value, e.until.UTC().Format("15:04"), e.want)
}

// Propose implements Policy. It refreshes the forecast when a refresh is
// due, then proposes the forecast capacity of the hour now falls in
// (counting SchedulingBufferTime ahead) as a Floor, in ForecastAndScale
// mode; it abstains otherwise.
func (p *PredictiveScaling) Propose(in Input) Proposal {
	now := in.Now
	if p.nextFetch.IsZero() || !now.Before(p.nextFetch) {
		t := now.Truncate(ForecastRefresh)
		p.refresh(t, in.Metrics)
		p.nextFetch = t.Add(ForecastRefresh)
	}
	hour := now.Add(p.buffer).Truncate(time.Hour)
	pt, ok := p.at(hour)
	if !ok {
		return Proposal{Explanation: Explanation{by: p, code: predictNoForecast}}
	}
	if hour.After(p.logged) {
		p.logged = hour
		if len(p.log) >= maxForecastLog {
			p.log = append(p.log[:0], p.log[len(p.log)/2:]...)
		}
		p.log = append(p.log, pt)
	}
	want := pt.Capacity
	if prev, ok := p.at(now.Truncate(time.Hour)); ok && prev.Capacity > want {
		want = prev.Capacity // the lead before the hour: the current hour's capacity still holds
	}
	e := Explanation{by: p, code: predictFloor, value: pt.Load, want: want, until: hour}
	if p.cfg.Mode != ForecastAndScale {
		e.code = predictForecastOnly
		return Proposal{Explanation: e}
	}
	prop := Proposal{Desired: want, Vote: Floor, Explanation: e, Cause: "predictive scaling policy " + p.cfg.Name}
	if p.cfg.MaxCapacityBreachBehavior == IncreaseMaxCapacity && want > in.Max {
		prop.RaiseMaxTo = int(math.Ceil(float64(want) * float64(100+p.cfg.MaxCapacityBuffer) / 100))
	}
	return prop
}
