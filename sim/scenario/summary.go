package scenario

import (
	"errors"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Replications. One run of a stochastic scenario is one sample: its p99
// or its bill can differ from seed to seed by more than the effect an
// experiment looks for. Summarise turns the reports of one scenario run
// with several seeds into a mean and a 95 % confidence interval per
// service and measure, which is what two arms of an experiment should be
// compared by. Runs are independent, so they can be run side by side (one
// Sim per goroutine) and summarised in any order of completion, as long
// as the reports are passed in seed order.

// Measure is one per-service figure a replication summarises.
type Measure struct {
	// Name heads its column, e.g. "p99 ms".
	Name string
	// Of reads the figure of service i from one report.
	Of func(r *Report, i int) float64
}

// DefaultMeasures are the figures Summarise reports when given none:
// cost, the share of requests answered 5xx, the p99 latency, the largest
// desired count, the scaling activities and the tasks replaced for
// failing health checks.
var DefaultMeasures = []Measure{
	{"cost $", func(r *Report, i int) float64 { return r.Services[i].Cost }},
	{"5xx %", func(r *Report, i int) float64 {
		q := r.Services[i].Requests
		if q.Arrived == 0 {
			return 0
		}
		return 100 * float64(q.Errors5xx()) / float64(q.Arrived)
	}},
	{"p99 ms", func(r *Report, i int) float64 { return float64(r.Services[i].P99) / 1e6 }},
	{"max desired", func(r *Report, i int) float64 { return float64(r.Services[i].MaxDesired) }},
	{"scalings", func(r *Report, i int) float64 { return float64(r.Services[i].ScalingActivities) }},
	{"unhealthy", func(r *Report, i int) float64 { return float64(r.Services[i].Counters.UnhealthyStopped) }},
}

// Interval is a sample mean with the half-width of its 95 % Student t
// confidence interval: mean ± t(0.975, n−1)·s/√n. The half-width is NaN
// for a single sample.
type Interval struct {
	Mean, HalfWidth float64
}

// NewInterval returns the mean of xs and the half-width of its 95 %
// confidence interval.
func NewInterval(xs []float64) Interval {
	mean, sd := stat.MeanStdDev(xs, nil)
	if len(xs) < 2 {
		return Interval{mean, math.NaN()}
	}
	n := float64(len(xs))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975)
	return Interval{mean, t * sd / math.Sqrt(n)}
}

// String prints the mean and the half-width with the same number of
// decimals: the half-width's two significant digits ("47.723 ± 0.013"),
// or, when it is 0 (every seed agrees), the mean's four significant
// digits ("929.7 ± 0.0", "0.03149 ± 0.00000"; "60 ± 0" for a whole
// number). A single sample has no half-width and prints the mean alone,
// to four significant digits.
func (iv Interval) String() string {
	var digits int
	switch {
	case iv.Mean == math.Trunc(iv.Mean) && (math.IsNaN(iv.HalfWidth) || iv.HalfWidth == 0):
		digits = 0 // a whole number, exact
	case math.IsNaN(iv.HalfWidth) || iv.HalfWidth == 0:
		digits = significant(iv.Mean, 4)
	default:
		digits = significant(iv.HalfWidth, 2)
	}
	if math.IsNaN(iv.HalfWidth) {
		return fmt.Sprintf("%.*f", digits, iv.Mean)
	}
	return fmt.Sprintf("%.*f ± %.*f", digits, iv.Mean, digits, iv.HalfWidth)
}

// significant is the decimals (0 to 6) that print x to n significant
// digits (0 for zero, an infinity or NaN).
func significant(x float64, n int) int {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	return min(max(n-1-int(math.Floor(math.Log10(math.Abs(x)))), 0), 6)
}

// Summary is a scenario's replications summed up.
type Summary struct {
	Name string
	// Seeds are the seeds of the reports, in the order given.
	Seeds []uint64
	// Measures name the columns of every service's Intervals.
	Measures []string
	Services []ServiceSummary
}

// ServiceSummary is one service's intervals, one per measure.
type ServiceSummary struct {
	Service   string
	Intervals []Interval
}

// ErrReplications marks reports that cannot be summarised together.
var ErrReplications = errors.New("scenario: replications do not match")

// Summarise sums up reports of one scenario run with different seeds:
// per service and measure (DefaultMeasures when measures is nil), the
// mean and 95 % interval over the reports. The reports must list the same
// services in the same order.
func Summarise(reports []*Report, measures []Measure) (*Summary, error) {
	if len(reports) == 0 {
		return nil, fmt.Errorf("%w: no reports", ErrReplications)
	}
	if measures == nil {
		measures = DefaultMeasures
	}
	first := reports[0]
	var errs []error
	for k, r := range reports[1:] {
		if r.Name != first.Name || len(r.Services) != len(first.Services) {
			errs = append(errs, fmt.Errorf("%w: report %d is scenario %q with %d services; report 0 is %q with %d", ErrReplications, k+1, r.Name, len(r.Services), first.Name, len(first.Services)))
			continue
		}
		for i, s := range r.Services {
			if s.Service != first.Services[i].Service {
				errs = append(errs, fmt.Errorf("%w: report %d lists service %q where report 0 lists %q", ErrReplications, k+1, s.Service, first.Services[i].Service))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sum := &Summary{Name: first.Name}
	for _, r := range reports {
		sum.Seeds = append(sum.Seeds, r.Seed)
	}
	for _, m := range measures {
		sum.Measures = append(sum.Measures, m.Name)
	}
	xs := make([]float64, len(reports))
	for i, s := range first.Services {
		ss := ServiceSummary{Service: s.Service}
		for _, m := range measures {
			for k, r := range reports {
				xs[k] = m.Of(r, i)
			}
			ss.Intervals = append(ss.Intervals, NewInterval(xs))
		}
		sum.Services = append(sum.Services, ss)
	}
	return sum, nil
}

// WriteText writes the summary as an aligned table, one line per service.
func (s *Summary) WriteText(out io.Writer) error {
	seeds := "no seeds"
	if n := len(s.Seeds); n > 0 {
		seeds = fmt.Sprintf("seeds %d to %d", s.Seeds[0], s.Seeds[n-1])
		if n == 1 {
			seeds = fmt.Sprintf("seed %d", s.Seeds[0])
		}
	}
	fmt.Fprintf(out, "scenario %s: %s, mean ± 95 %% interval half-width\n\n", s.Name, seeds)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "service\t")
	for _, m := range s.Measures {
		fmt.Fprintf(w, "%s\t", m)
	}
	fmt.Fprintln(w)
	for _, ss := range s.Services {
		fmt.Fprintf(w, "%s\t", ss.Service)
		for _, iv := range ss.Intervals {
			fmt.Fprintf(w, "%s\t", iv)
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}
