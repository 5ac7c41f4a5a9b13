// Command predictive compares target tracking alone with predictive
// scaling plus target tracking on a week of a real trace: NASA's web
// server, Monday 10 to Sunday 16 July 1995, per minute, scaled to a modern
// load, after nine days (1 to 9 July) from which the forecast learns.
//
//	go run ./examples/predictive            # the comparison table
//	go run ./examples/predictive -csv f.csv # also the forecast against the actual load, hour by hour
//
// Both arms run the same service: Fargate tasks of 1 vCPU and 2 GB behind
// an ALB, each request 100 ms of CPU (exponential), processor sharing, 64
// at once and 100 queued, 10 s client timeout, and target tracking on
// ECSServiceAverageCPUUtilization at 60 % (2 to 200 tasks; 60 s scale-out
// and 300 s scale-in cooldowns). The second arm adds a predictive scaling
// policy in ForecastAndScale mode on the ECSServiceCPUUtilization metric
// pair with the same 60 % target and AWS's defaults: a forecast once 24
// hours of data exist, refreshed every 6 hours, each hour's capacity from
// 5 minutes before the hour. The forecaster is autoscale's default
// (trend plus daily and weekly harmonics by least squares).
//
// It reports, for the week, the latency p99 and the 5xx answers during the
// morning ramps (07:00 to 10:00 US Eastern time, Monday to Friday, when
// NASA's traffic climbs from its night low to its day high), the same over
// the whole week, and the Fargate bill of the week.
package main

import (
	"bytes"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

//go:embed testdata/nasa_http_1995-07-01_to_16_per_minute.csv
var nasa []byte

var edt = time.FixedZone("EDT", -4*3600)

// The trace's span: nine days of history, then the week compared.
var (
	traceStart = time.Date(1995, time.July, 1, 0, 0, 0, 0, edt)
	weekStart  = time.Date(1995, time.July, 10, 0, 0, 0, 0, edt) // a Monday
)

// Arm is one of the two scaling set-ups.
type Arm string

// The arms.
const (
	TargetTracking  Arm = "target tracking"
	PredictiveAndTT Arm = "predictive + target tracking"
)

// Options are the knobs of a run; the command uses DefaultOptions.
type Options struct {
	// Seed feeds every random stream.
	Seed uint64
	// Scale multiplies the trace's per-minute counts into requests per
	// second.
	Scale float64
	// Mode is sim.RequestLevel or sim.FluidMode.
	Mode sim.WorkloadMode
	// WeekDays is how many days of the week to compare, 1 to 7.
	WeekDays int
}

// DefaultOptions is the command's comparison: the trace's per-minute
// counts ×20 as requests per minute (the peak minute's 405 requests become
// 135 requests per second, about 20 tasks at the 60 % target), every
// request simulated.
var DefaultOptions = Options{Seed: 1, Scale: 20, Mode: sim.RequestLevel, WeekDays: 7}

const (
	minTasks     = 2
	maxTasks     = 200
	initialTasks = 4
	cpuTarget    = 60.0
	meanWork     = 100 * time.Millisecond
)

// Window is latency and errors over some hours.
type Window struct {
	Hours     int
	Requests  int64
	Errors5xx int64
	TimedOut  int64
	// P99 is the mean of the hours' p99 latencies (the hours are equal
	// in length; a mean of quantiles, not the quantile of the union),
	// and WorstP99 the largest.
	P99, WorstP99 time.Duration
}

// Result is one arm's week.
type Result struct {
	Arm      Arm
	Ramps    Window  // 07:00–10:00 EDT, Monday to Friday
	Week     Window  // every hour of the week
	Cost     float64 // dollars billed during the week
	MeanTask float64 // mean running tasks over the week
	// Forecasts is the predictive policy's log: each hour's forecast
	// load and capacity (nil for target tracking alone); Actual is each
	// hour's actual load on the same metric (total CPU utilisation, in
	// percent of one task), from the metrics store.
	Forecasts []autoscale.ForecastPoint
	Actual    []float64
}

// ramp reports whether the hour starting at t is a weekday morning ramp.
func ramp(t time.Time) bool {
	t = t.In(edt)
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday && t.Hour() >= 7 && t.Hour() < 10
}

// Run simulates one arm.
func Run(arm Arm, opt Options) (Result, error) {
	if opt.WeekDays < 1 || opt.WeekDays > 7 {
		return Result{}, fmt.Errorf("predictive: WeekDays is %d; it must be 1 to 7", opt.WeekDays)
	}
	series, err := traffic.ReadSeriesCSV(bytes.NewReader(nasa), traffic.SeriesCSV{TimeColumn: "minute_start_utc_epoch", ValueColumn: "requests"})
	if err != nil {
		return Result{}, err
	}
	s, err := sim.New(sim.Config{Seed: opt.Seed, Start: traceStart})
	if err != nil {
		return Result{}, err
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		return Result{}, err
	}
	cluster, err := w.CreateCluster("nasa")
	if err != nil {
		return Result{}, err
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "web", CPU: 1024, MemoryMiB: 2048, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers:              []sim.ContainerDefinition{{Name: "app", Image: "web:1", StopTimeout: 45 * time.Second}},
	}); err != nil {
		return Result{}, err
	}
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
		HealthCheck:         loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2},
		DeregistrationDelay: 30 * time.Second,
	}})
	if err != nil {
		return Result{}, err
	}
	svc, err := cluster.CreateService(sim.ServiceConfig{
		Name: "web", TaskDefinition: "web", DesiredCount: initialTasks, LaunchType: sim.Fargate,
		Observer: lb, HealthCheckGracePeriod: time.Minute,
	})
	if err != nil {
		return Result{}, err
	}
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		return Result{}, err
	}
	const id = "service/nasa/web"
	tt, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{
		Name: "cpu60", ResourceID: id, TargetValue: cpuTarget,
		PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization,
		ScaleOutCooldown: time.Minute, ScaleInCooldown: 5 * time.Minute,
	})
	if err != nil {
		return Result{}, err
	}
	policies := []autoscale.Policy{tt}
	var predict *autoscale.PredictiveScaling
	if arm == PredictiveAndTT {
		predict, err = autoscale.NewPredictiveScaling(autoscale.PredictiveScalingConfig{
			Name: "forecast", ResourceID: id, Mode: autoscale.ForecastAndScale,
			MetricPair: autoscale.PredictiveECSServiceCPUUtilization, TargetValue: cpuTarget,
		})
		if err != nil {
			return Result{}, err
		}
		policies = append(policies, predict)
	}
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: id, MinCapacity: minTasks, MaxCapacity: maxTasks},
		Policies: policies,
	})
	if err != nil {
		return Result{}, err
	}
	if _, err := svc.AttachScaler(ctl, store); err != nil {
		return Result{}, err
	}
	end := weekStart.Sub(traceStart) + time.Duration(opt.WeekDays)*24*time.Hour
	wl, err := w.NewWorkload(sim.WorkloadConfig{
		LoadBalancer: lb, Mode: opt.Mode,
		Source: traffic.Replay{Series: series, Counts: true, Scale: opt.Scale},
		End:    end,
		Demand: traffic.Exponential{Mean: meanWork}, MeanWork: meanWork, SCV: 1,
		Server:  traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 64, QueueLimit: 100, Timeout: 10 * time.Second},
		Metrics: store,
	})
	if err != nil {
		return Result{}, err
	}
	if err := s.RunUntil(weekStart); err != nil {
		return Result{}, err
	}
	costBefore := w.Cost().Total
	// The actual load of each hour, on the forecast's metric (the hour's
	// mean CPU utilisation times its mean task count), read as the hour
	// ends.
	actual := map[int64]float64{} // by the hour's Unix time
	cpu := metrics.ServiceMetric(metrics.MetricCPUUtilization, "nasa", "web")
	count := metrics.RunningTaskCountMetric("nasa", "web")
	for h := weekStart; h.Before(traceStart.Add(end)); h = h.Add(time.Hour) {
		if err := s.RunUntil(h.Add(time.Hour)); err != nil {
			return Result{}, err
		}
		u, ok1 := store.Statistic(cpu, metrics.Average, time.Hour, h.Add(time.Hour))
		n, ok2 := store.Statistic(count, metrics.Average, time.Hour, h.Add(time.Hour))
		if ok1 && ok2 {
			actual[h.Unix()] = u * n
		}

	}
	res := Result{Arm: arm, Cost: w.Cost().Total - costBefore}
	var tasks float64
	for _, p := range wl.Periods() {
		if p.Start.Before(weekStart) {
			continue
		}
		res.Week.add(p)
		if ramp(p.Start) {
			res.Ramps.add(p)
		}
		tasks += p.MeanTasks
	}
	res.Week.finish()
	res.Ramps.finish()
	if res.Week.Hours > 0 {
		res.MeanTask = tasks / float64(res.Week.Hours)
	}
	if predict != nil {
		for _, f := range predict.Log() {
			if f.Hour.Before(weekStart) || !f.Hour.Before(traceStart.Add(end)) {
				continue
			}
			res.Forecasts = append(res.Forecasts, f)
			a, ok := actual[f.Hour.Unix()]
			if !ok {
				a = math.NaN()
			}
			res.Actual = append(res.Actual, a)
		}
	}
	return res, nil
}

func (w *Window) add(p sim.Period) {
	w.Hours++
	w.Requests += p.Counters.Arrived
	w.Errors5xx += p.Counters.Errors5xx()
	w.TimedOut += p.Counters.TimedOut
	w.P99 += p.P99 // summed here, divided in finish
	w.WorstP99 = max(w.WorstP99, p.P99)
}

func (w *Window) finish() {
	if w.Hours > 0 {
		w.P99 /= time.Duration(w.Hours)
	}
}

// Print writes the comparison.
func Print(out io.Writer, opt Options, rs []Result) {
	fmt.Fprintf(out, "ecssim predictive: NASA web server, week of Mon %s ×%g, Fargate 1 vCPU/2 GB behind an ALB, %s (seed %d)\n\n",
		weekStart.Format("2 Jan 2006"), opt.Scale, opt.Mode, opt.Seed)
	fmt.Fprintf(out, "%-30s %10s %10s %8s %8s %10s %10s %8s %7s %9s\n",
		"", "ramp p99", "worst p99", "ramp 5xx", "ramp t/o", "week p99", "worst p99", "week 5xx", "tasks", "cost $")
	for _, r := range rs {
		fmt.Fprintf(out, "%-30s %10s %10s %8d %8d %10s %10s %8d %7.1f %9.2f\n", r.Arm,
			msText(r.Ramps.P99), msText(r.Ramps.WorstP99), r.Ramps.Errors5xx, r.Ramps.TimedOut,
			msText(r.Week.P99), msText(r.Week.WorstP99), r.Week.Errors5xx, r.MeanTask, r.Cost)
	}
	if len(rs) == 2 {
		a, b := rs[0], rs[1]
		fmt.Fprintf(out, "\npredictive + target tracking against target tracking alone: ramp p99 %s, ramp 5xx %+d, week 5xx %+d, cost %+.1f %%\n",
			pct(a.Ramps.P99, b.Ramps.P99), b.Ramps.Errors5xx-a.Ramps.Errors5xx, b.Week.Errors5xx-a.Week.Errors5xx, 100*(b.Cost-a.Cost)/a.Cost)
	}
	for _, r := range rs {
		if len(r.Forecasts) == 0 {
			continue
		}
		var errSum, actSum float64
		n := 0
		for i, f := range r.Forecasts {
			if a := r.Actual[i]; !math.IsNaN(a) {
				errSum += math.Abs(f.Load - a)
				actSum += a
				n++
			}
		}
		if n > 0 && actSum > 0 {
			fmt.Fprintf(out, "forecast of the week's %d hours: mean absolute error %.0f %% of the mean actual load (total CPU %%)\n", n, 100*errSum/actSum)
		}
		fmt.Fprintf(out, "\nThursday 13 July, forecast against actual (total CPU %% of one task; capacity = ceil(forecast / 60)):\n")
		fmt.Fprintf(out, "%-5s %9s %9s %8s\n", "hour", "forecast", "actual", "tasks")
		for i, f := range r.Forecasts {
			h := f.Hour.In(edt)
			if h.Day() != 13 || h.Hour() < 5 || h.Hour() > 12 {
				continue
			}
			fmt.Fprintf(out, "%-5s %9.0f %9.0f %8d\n", h.Format("15:04"), f.Load, r.Actual[i], f.Capacity)
		}
	}
}

// WriteCSV writes the forecast against the actual load, hour by hour.
func WriteCSV(out io.Writer, r Result) {
	fmt.Fprintln(out, "hour_start_edt,forecast_made_at_edt,forecast_total_cpu_percent,actual_total_cpu_percent,forecast_capacity")
	for i, f := range r.Forecasts {
		fmt.Fprintf(out, "%s,%s,%.1f,%.1f,%d\n", f.Hour.In(edt).Format(time.RFC3339), f.MadeAt.In(edt).Format(time.RFC3339), f.Load, r.Actual[i], f.Capacity)
	}
}

func msText(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/1e6) }

func pct(a, b time.Duration) string {
	if a == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f %%", 100*(float64(b)-float64(a))/float64(a))
}

func main() {
	opt := DefaultOptions
	csvPath := flag.String("csv", "", "write the forecast against the actual load to this file")
	fluid := flag.Bool("fluid", false, "run in fluid mode (queueing-theory estimates, in a second)")
	flag.Float64Var(&opt.Scale, "scale", opt.Scale, "multiply the trace's per-minute counts into requests per second")
	flag.Uint64Var(&opt.Seed, "seed", opt.Seed, "random seed")
	flag.Parse()
	if *fluid {
		opt.Mode = sim.FluidMode
	}
	var rs []Result
	for _, arm := range []Arm{TargetTracking, PredictiveAndTT} {
		r, err := Run(arm, opt)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		rs = append(rs, r)
	}
	Print(os.Stdout, opt, rs)
	if *csvPath != "" {
		i := slices.IndexFunc(rs, func(r Result) bool { return r.Arm == PredictiveAndTT })
		f, err := os.Create(*csvPath)
		if err == nil {
			WriteCSV(f, rs[i])
			err = f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
