package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Experiments in Go. A question such as "Fargate 0.5 or 1 vCPU, target
// 50 % or 70 %: cost and p99 over a day" is a scenario file, the values
// to vary, and the figures to read: Sweep runs every combination (an arm)
// with a few seeds, and Arm.Service gives each service's figures as typed
// means with their 95 % intervals. The file says everything else, so the
// experiment is its question and nothing more; anything a file cannot say
// is Build's, one step away.

// Vary is one dimension of a sweep: a value of the file, by its path as
// an Override names it, and the values it takes in turn.
type Vary struct {
	Path string
	// Values are written into the file as JSON: 512, 0.7, "30s", true.
	Values []any
}

// Arm is one combination of a sweep's values with the reports of its
// runs, one per seed (the file's seed, then the next ones).
type Arm struct {
	Overrides []Override
	Reports   []*Report
}

// Name is the arm's values, "cpu=512, targetValue=50": each path's last
// field with its value.
func (a *Arm) Name() string {
	parts := make([]string, len(a.Overrides))
	for i, o := range a.Overrides {
		field := o.Path[strings.LastIndexByte(o.Path, '.')+1:]
		parts[i] = field + "=" + string(o.Value)
	}
	return strings.Join(parts, ", ")
}

// ServiceResult is one service's figures over an arm's seeds: the mean of
// each, with the half-width of its 95 % interval (NaN for one seed).
type ServiceResult struct {
	Service string
	// Cost in dollars; the share of requests answered 5xx in percent;
	// the latency quantiles in milliseconds.
	CostUSD, ErrorPercent, P50Ms, P99Ms Interval
	// MeanTasks and MaxTasks are the mean and largest running count
	// (sampled every minute); ScalingActivities the desired-count changes
	// its scaling made.
	MeanTasks, MaxTasks, ScalingActivities Interval
}

// Service returns the figures of the service named "cluster/name" (or
// just "name" when only one cluster has it), and false if the arm has no
// such service.
func (a *Arm) Service(name string) (ServiceResult, bool) {
	if len(a.Reports) == 0 {
		return ServiceResult{}, false
	}
	i := -1
	for j, s := range a.Reports[0].Services {
		if s.Service == name || strings.HasSuffix(s.Service, "/"+name) {
			i = j
			break
		}
	}
	if i < 0 {
		return ServiceResult{}, false
	}
	of := func(f func(s ServiceReport) float64) Interval {
		xs := make([]float64, len(a.Reports))
		for k, r := range a.Reports {
			xs[k] = f(r.Services[i])
		}
		return NewInterval(xs)
	}
	return ServiceResult{
		Service: a.Reports[0].Services[i].Service,
		CostUSD: of(func(s ServiceReport) float64 { return s.Cost }),
		ErrorPercent: of(func(s ServiceReport) float64 {
			if s.Requests.Arrived == 0 {
				return 0
			}
			return 100 * float64(s.Requests.Errors5xx()) / float64(s.Requests.Arrived)
		}),
		P50Ms:             of(func(s ServiceReport) float64 { return toMs(s.P50) }),
		P99Ms:             of(func(s ServiceReport) float64 { return toMs(s.P99) }),
		MeanTasks:         of(func(s ServiceReport) float64 { return s.MeanTasks }),
		MaxTasks:          of(func(s ServiceReport) float64 { return float64(s.MaxTasks) }),
		ScalingActivities: of(func(s ServiceReport) float64 { return float64(s.ScalingActivities) }),
	}, true
}

// Sweep runs the scenario file data once per combination of the values
// (the first Vary slowest), each with seeds seeds, one after another, and
// returns the arms in that order. Every arm is parsed and validated
// before any runs, and every problem is returned at once, each naming its
// arm. Without a Vary it runs the file as it is: one arm.
func Sweep(data []byte, opt Options, seeds int, vary ...Vary) ([]*Arm, error) {
	if seeds < 1 {
		return nil, fmt.Errorf("%w: Sweep seeds %d: must be at least 1", ErrInvalid, seeds)
	}
	combos := [][]Override{nil}
	for _, v := range vary {
		if len(v.Values) == 0 {
			return nil, fmt.Errorf("%w: Vary %q: no values", ErrOverride, v.Path)
		}
		var next [][]Override
		for _, c := range combos {
			for _, x := range v.Values {
				value, err := json.Marshal(x)
				if err != nil {
					return nil, fmt.Errorf("%w: Vary %q: %v", ErrOverride, v.Path, err)
				}
				next = append(next, append(append([]Override(nil), c...), Override{Path: v.Path, Value: value}))
			}
		}
		combos = next
	}
	arms := make([]*Arm, len(combos))
	scs := make([]*Scenario, len(combos))
	var errs []error
	for i, c := range combos {
		arms[i] = &Arm{Overrides: c}
		file, err := Apply(data, c)
		if err == nil {
			scs[i], err = Parse(file)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("arm %s: %w", arms[i].Name(), err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, sc := range scs {
		for k := range seeds {
			run := *sc // Build and Run only read the scenario
			run.Seed = sc.Seed + uint64(k)
			r, err := Run(&run, opt)
			if err != nil {
				return nil, fmt.Errorf("arm %s, seed %d: %w", arms[i].Name(), run.Seed, err)
			}
			arms[i].Reports = append(arms[i].Reports, r)
		}
	}
	return arms, nil
}
