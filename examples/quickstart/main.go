// Command quickstart simulates one day of a web service on AWS: an ECS
// service on Fargate behind an Application Load Balancer, scaled by target
// tracking on CPU, serving the busiest day of the NASA 1995 web trace
// (13 July 1995, per minute) scaled to a modern load, with every request
// simulated. It prints an hourly table and a summary.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -chart day.svg   # also draws the day (.svg or .png)
//
// The scenario, all in virtual time:
//
//   - Fargate tasks of 1 vCPU and 2 GB; each request needs 100 ms of CPU on
//     average (exponential), shared by processor sharing, at most 64 at
//     once with 100 more queued (beyond that the task answers 503);
//     clients give up after 10 s.
//   - An ALB target group with the ECS best-practice health check (5 s
//     interval, 2 checks to healthy) and a 30 s deregistration delay; the
//     containers' stop timeout is 45 s: stopTimeout > deregistration delay
//     > client timeout, as AWS advises.
//   - Target tracking on ECSServiceAverageCPUUtilization at 60 %, 2 to 200
//     tasks, 60 s scale-out and 300 s scale-in cooldowns.
//   - The trace's per-minute counts become requests per second (×60: the
//     peak minute's 405 requests become 405 requests per second, about 8
//     million requests in the day); requests arrive as a Poisson process
//     whose rate follows the trace minute by minute. The trace has real
//     holes (the NASA server's log outages, e.g. 17:06–17:21 and
//     19:43–19:50): the service scales in during them and is short of
//     tasks when the traffic comes back, which is where its 5xx come
//     from.
//
// Options.Scale 300 with MeanWork 20 ms gives the same task counts at a
// 2,000-requests-per-second peak (40 million requests, about five times
// the run time); Options.Mode sim.FluidMode runs the day in queueing-theory
// steps in milliseconds.
//
// The service starts five minutes before midnight with 10 tasks so that it
// is serving when the day begins.
package main

import (
	"bytes"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/chart"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/progress"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
	"github.com/ecssim/ecssim/tidy"
)

//go:embed testdata/nasa_http_1995-07-13_per_minute.csv
var nasaDay []byte

// Options are the knobs of a run; the command uses DefaultOptions.
type Options struct {
	// Seed feeds every random stream.
	Seed uint64
	// Hours is how many hours of the day to simulate, 1 to 24.
	Hours int
	// Scale multiplies the trace's per-minute counts.
	Scale float64
	// MeanWork is the mean CPU work of a request at one vCPU.
	MeanWork time.Duration
	// Mode is sim.RequestLevel or sim.FluidMode.
	Mode sim.WorkloadMode
	// SeparateHealthEndpoint answers health checks outside the request
	// queue (sim.WorkloadConfig.SeparateHealthEndpoint); false sends them
	// through it, so overloaded tasks fail them and are replaced.
	SeparateHealthEndpoint bool
	// Observer, if set, sees every engine event (sim.Config.Observer): the
	// command's progress line watches the run through it.
	Observer func(sim.Event)
	// Record keeps the day's tidy rows (Result.Periods and EventRows), for a
	// chart or a CSV file; it changes no event of the run.
	Record bool
}

// DefaultOptions is the command's scenario.
var DefaultOptions = Options{Seed: 1, Hours: 24, Scale: 60, MeanWork: 100 * time.Millisecond, Mode: sim.RequestLevel}

// Scaling bounds and target.
const (
	minTasks     = 2
	maxTasks     = 200
	initialTasks = 10
	cpuTarget    = 60.0
	warmUp       = 5 * time.Minute
)

// Row is one hour of the table.
type Row struct {
	Start             time.Time
	RequestsPerSecond float64
	MeanTasks         float64
	MaxTasks          int
	CPUPercent        float64
	P50, P99          time.Duration
	Errors5xx         int64
	TimedOut          int64
	Cost              float64 // dollars billed in the hour
}

// Result is what a run measures.
type Result struct {
	Options    Options
	Rows       []Row
	Counters   sim.WorkloadCounters
	P50, P99   time.Duration // over every served request
	Cost       float64       // dollars, the whole run including the warm-up
	Activities int           // scaling activities
	Decisions  []sim.ScalingDecision
	Events     uint64 // engine events run
	MinDesired int    // smallest and largest desired count seen
	MaxDesired int
	Unhealthy  int // tasks ECS stopped for failing their health checks
	// Periods and EventRows are the day's tidy rows, hour by hour, with
	// Options.Record.
	Periods   []tidy.PeriodRow
	EventRows []tidy.EventRow
}

// Run simulates the scenario.
func Run(opt Options) (Result, error) {
	if opt.Hours < 1 || opt.Hours > 24 {
		return Result{}, fmt.Errorf("quickstart: Hours is %d; it must be 1 to 24", opt.Hours)
	}
	series, err := traffic.ReadSeriesCSV(bytes.NewReader(nasaDay), traffic.SeriesCSV{TimeColumn: "minute_start_utc_epoch", ValueColumn: "requests"})
	if err != nil {
		return Result{}, err
	}
	day := time.Date(1995, time.July, 13, 0, 0, 0, 0, edt) // the trace's first row
	s, err := sim.New(sim.Config{Seed: opt.Seed, Start: day.Add(-warmUp), Observer: opt.Observer})
	if err != nil {
		return Result{}, err
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		return Result{}, err
	}
	cluster, err := w.CreateCluster("quickstart")
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
	policy, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{
		Name: "cpu60", ResourceID: "service/quickstart/web", TargetValue: cpuTarget,
		PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization,
		ScaleOutCooldown: time.Minute, ScaleInCooldown: 5 * time.Minute,
	})
	if err != nil {
		return Result{}, err
	}
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: "service/quickstart/web", MinCapacity: minTasks, MaxCapacity: maxTasks},
		Policies: []autoscale.Policy{policy},
	})
	if err != nil {
		return Result{}, err
	}
	scaling, err := svc.AttachScaler(ctl, store)
	if err != nil {
		return Result{}, err
	}
	if err := s.RunFor(warmUp); err != nil {
		return Result{}, err
	}
	wl, err := w.NewWorkload(sim.WorkloadConfig{
		LoadBalancer: lb, Mode: opt.Mode,
		Source: traffic.Delayed{Source: traffic.Replay{Series: series, Counts: true, Scale: opt.Scale}, By: warmUp}, // the trace starts when the day does, after the warm-up
		End:    warmUp + time.Duration(opt.Hours)*time.Hour,
		Demand: traffic.Exponential{Mean: opt.MeanWork}, MeanWork: opt.MeanWork, SCV: 1,
		Server:                 traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 64, QueueLimit: 100, Timeout: 10 * time.Second},
		Metrics:                store,
		SeparateHealthEndpoint: opt.SeparateHealthEndpoint,
	})
	if err != nil {
		return Result{}, err
	}
	var rec *tidy.Recorder
	if opt.Record {
		// Hours, as the workload's report periods (WorkloadConfig.ReportPeriod).
		if rec, err = tidy.NewRecorder(w, time.Hour, tidy.Tracked{Cluster: "quickstart", Service: svc, Workload: wl, Scaling: scaling}); err != nil {
			return Result{}, err
		}
	}
	res := Result{Options: opt, MinDesired: svc.DesiredCount(), MaxDesired: svc.DesiredCount()}
	cost := w.Cost().Total
	for range opt.Hours {
		for range 60 {
			if err := s.RunFor(time.Minute); err != nil {
				return Result{}, err
			}
			res.MinDesired = min(res.MinDesired, svc.DesiredCount())
			res.MaxDesired = max(res.MaxDesired, svc.DesiredCount())
			if rec != nil {
				rec.Sample()
			}
		}
		ps := wl.Periods()
		p := ps[len(ps)-1]
		now := w.Cost().Total
		res.Rows = append(res.Rows, Row{
			Start: p.Start, RequestsPerSecond: p.RequestsPerSecond(), MeanTasks: p.MeanTasks, MaxTasks: p.MaxTasks,
			CPUPercent: p.CPUUtilization, P50: p.P50, P99: p.P99, Errors5xx: p.Counters.Errors5xx(), TimedOut: p.Counters.TimedOut,
			Cost: now - cost,
		})
		cost = now
	}
	res.Counters = wl.Counters()
	res.Unhealthy = svc.Counters().UnhealthyStopped
	res.P50, res.P99 = wl.Latency(0.50), wl.Latency(0.99)
	res.Cost = cost
	res.Activities = scaling.Activities()
	res.Decisions = scaling.Decisions()
	res.Events = s.Executed()
	if rec != nil {
		rec.Close()
		res.Periods, res.EventRows = rec.Periods(), rec.Events()
	}
	return res, nil
}

// Print writes the hourly table and the summary.
func Print(out io.Writer, r Result) {
	fmt.Fprintf(out, "ecssim quickstart: NASA 13 Jul 1995 ×%g, Fargate 1 vCPU/2 GB behind an ALB, target tracking CPU 60 %%, %s\n", r.Options.Scale, r.Options.Mode)
	fmt.Fprintln(out)
	fmt.Fprintf(out, "%-5s %7s %6s %4s %5s %7s %7s %6s %6s\n", "hour", "req/s", "tasks", "max", "CPU%", "p50 ms", "p99 ms", "5xx", "cost$")
	for _, row := range r.Rows {
		fmt.Fprintf(out, "%-5s %7.0f %6.1f %4d %5.1f %7.1f %7.1f %6d %6.2f\n",
			row.Start.In(edt).Format("15:04"), row.RequestsPerSecond, row.MeanTasks, row.MaxTasks, row.CPUPercent,
			ms(row.P50), ms(row.P99), row.Errors5xx, row.Cost)
	}
	c := r.Counters
	fmt.Fprintln(out)
	fmt.Fprintf(out, "requests      %d (served %d, 5xx %d, timed out %d, in flight %d)\n", c.Arrived, c.Served, c.Errors5xx(), c.TimedOut, c.InFlight)
	fmt.Fprintf(out, "latency       p50 %.1f ms, p99 %.1f ms\n", ms(r.P50), ms(r.P99))
	fmt.Fprintf(out, "tasks         desired %d to %d, %d scaling activities, %d replaced for failing health checks\n", r.MinDesired, r.MaxDesired, r.Activities, r.Unhealthy)
	perMillion := 0.0
	if c.Arrived > 0 {
		perMillion = r.Cost / float64(c.Arrived) * 1e6
	}
	fmt.Fprintf(out, "cost          $%.2f, $%.4f per million requests\n", r.Cost, perMillion)
	fmt.Fprintf(out, "engine        %d events\n", r.Events)
}

var edt = time.FixedZone("EDT", -4*3600)

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e5) / 10 }

func main() {
	chartFile := flag.String("chart", "", "also draw the day to this `file` (.svg or .png)")
	flag.Parse()
	opt := DefaultOptions
	opt.Record = *chartFile != ""
	// A progress line on stderr if it is a terminal; off one the observer
	// is nil and the engine calls nothing.
	line := progress.NewRun(warmUp+time.Duration(opt.Hours)*time.Hour, nil, progress.Options{})
	opt.Observer = line.Observer()
	r, err := Run(opt)
	line.Finish()
	if err == nil && *chartFile != "" {
		err = drawChart(*chartFile, r)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	Print(os.Stdout, r)
}

// drawChart draws the day's periods and events to file, SVG or PNG by its
// extension, on US Eastern time as the table prints it.
func drawChart(file string, r Result) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	format := chart.SVG
	if strings.HasSuffix(file, ".png") {
		format = chart.PNG
	}
	title := fmt.Sprintf("quickstart: NASA 13 Jul 1995 ×%g, Fargate behind an ALB, target tracking CPU 60 %%", r.Options.Scale)
	if err := chart.Run(f, format, r.Periods, r.EventRows, chart.Options{Title: title, Location: edt}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
