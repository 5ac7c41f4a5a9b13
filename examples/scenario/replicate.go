package main

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/ecssim/ecssim/internal/sweep"
	"github.com/ecssim/ecssim/sim/scenario"
)

// measures are the per-service figures a replication summarises.
var measures = []struct {
	name string
	of   func(r *scenario.Report, i int) float64
}{
	{"cost $", func(r *scenario.Report, i int) float64 { return r.Services[i].Cost }},
	{"5xx %", func(r *scenario.Report, i int) float64 {
		q := r.Services[i].Requests
		if q.Arrived == 0 {
			return 0
		}
		return 100 * float64(q.Errors5xx()) / float64(q.Arrived)
	}},
	{"p99 ms", func(r *scenario.Report, i int) float64 { return float64(r.Services[i].P99) / 1e6 }},
	{"max desired", func(r *scenario.Report, i int) float64 { return float64(r.Services[i].MaxDesired) }},
	{"scalings", func(r *scenario.Report, i int) float64 { return float64(r.Services[i].ScalingActivities) }},
	{"unhealthy", func(r *scenario.Report, i int) float64 { return float64(r.Services[i].Counters.UnhealthyStopped) }},
}

// Interval is a sample mean with the half-width of its 95 % Student t
// confidence interval (NaN for one seed).
type Interval struct {
	Mean, HalfWidth float64
}

// String prints the mean to the precision the half-width allows (the
// half-width to two significant digits).
func (iv Interval) String() string {
	switch {
	case math.IsNaN(iv.HalfWidth):
		return fmt.Sprintf("%.4g", iv.Mean)
	case iv.HalfWidth == 0:
		return fmt.Sprintf("%.4g ± 0", iv.Mean)
	}
	digits := min(max(1-int(math.Floor(math.Log10(iv.HalfWidth))), 0), 6)
	return fmt.Sprintf("%.*f ± %.*f", digits, iv.Mean, digits, iv.HalfWidth)
}

// summary is one service's intervals, one per measure.
type summary struct {
	service   string
	intervals []Interval
}

// replicateOne runs a scenario with n seeds (its own and the n−1 after it),
// one Sim per goroutine, and summarises each service's measures.
func replicateOne(src source, n int) (*scenario.Scenario, []summary, error) {
	sc, err := src.read()
	if err != nil {
		return nil, nil, err
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = sc.Seed + uint64(i)
	}
	reports, err := sweep.Map(seeds, func(seed uint64) (*scenario.Report, error) {
		arm := *sc // Build and Run only read the scenario, so arms share its slices
		arm.Seed = seed
		return scenario.Run(&arm, scenario.Options{Files: src.files})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", src.name, err)
	}
	var out []summary
	for i, s := range reports[0].Services {
		sum := summary{service: s.Service}
		for _, m := range measures {
			xs := make([]float64, n)
			for k, r := range reports {
				xs[k] = m.of(r, i)
			}
			sum.intervals = append(sum.intervals, interval(xs))
		}
		out = append(out, sum)
	}
	return sc, out, nil
}

// interval is the mean of xs and the half-width of its 95 % confidence
// interval, t(0.975, n−1) · s / √n.
func interval(xs []float64) Interval {
	mean, sd := stat.MeanStdDev(xs, nil)
	n := float64(len(xs))
	if len(xs) < 2 {
		return Interval{mean, math.NaN()}
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(0.975)
	return Interval{mean, t * sd / math.Sqrt(n)}
}

// replicate prints the summary of each scenario over n seeds.
func replicate(out io.Writer, paths []string, n int) error {
	srcs, err := sources(paths)
	if err != nil {
		return err
	}
	for k, src := range srcs {
		sc, sums, err := replicateOne(src, n)
		if err != nil {
			return err
		}
		if k > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "scenario %s: seeds %d to %d, mean ± 95 %% interval half-width\n\n", sc.Name, sc.Seed, sc.Seed+uint64(n)-1)
		w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(w, "service\t")
		for _, m := range measures {
			fmt.Fprintf(w, "%s\t", m.name)
		}
		fmt.Fprintln(w)
		for _, s := range sums {
			fmt.Fprintf(w, "%s\t", s.service)
			for _, iv := range s.intervals {
				fmt.Fprintf(w, "%s\t", iv)
			}
			fmt.Fprintln(w)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return nil
}
