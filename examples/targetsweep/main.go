// Command targetsweep answers a question every service owner meets: at
// what CPU target should target tracking run? A lower target buys latency
// headroom with more tasks; a higher one saves money until the queues
// grow. It runs the same service and the same day of demand under several
// targets and seeds, one independent simulation per goroutine, merges the
// results in a fixed order, and prints cost against latency side by side.
//
//	go run ./examples/targetsweep            # 5 targets × 3 seeds, 12 h each
//	go run ./examples/targetsweep -hours 24 -seeds 5
//	go run ./examples/targetsweep -chart targets.svg   # also draws cost against p99
//
// Same flags, same output: each simulation is deterministic and the merge
// order does not depend on which goroutine finishes first.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/chart"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/progress"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
	"github.com/ecssim/ecssim/sweep"
	"github.com/ecssim/ecssim/tidy"
)

// Arm is one simulation of the sweep.
type Arm struct {
	Target float64 // CPU target of target tracking, percent
	Seed   uint64
	Hours  int
}

// Outcome is what one arm measured.
type Outcome struct {
	Arm       Arm
	MeanTasks float64 // time-weighted over the measured hours
	Cost      float64 // dollars, Fargate
	P50, P99  time.Duration
	Errors    int64 // 5xx and client timeouts
	Requests  int64
	CPU       float64 // mean CPUUtilization over the measured hours, percent
	Replaced  int     // tasks ECS stopped for failing their health checks
}

// demand is a working day: a diurnal swing around 60 req/s peaking at
// 14:00, and a flash crowd that doubles it from 10:00 to 10:30.
// Offsets are from the simulation's start (05:50, ten minutes before the
// measured day begins).
func demand() traffic.Source {
	const t0 = 6*time.Hour - 10*time.Minute
	crowd, err := traffic.NewSteps(
		traffic.Point{At: 0, PerSecond: 0},
		traffic.Point{At: 10*time.Hour - t0, PerSecond: 60},
		traffic.Point{At: 10*time.Hour + 30*time.Minute - t0, PerSecond: 0},
	)
	if err != nil {
		panic(err) // the points above are valid
	}
	return sum{traffic.Diurnal{Mean: 60, Amplitude: 0.6, Peak: 14*time.Hour - t0}, crowd}
}

// sum adds two sources.
type sum [2]traffic.Source

func (s sum) Rate(t time.Duration) float64 { return s[0].Rate(t) + s[1].Rate(t) }
func (s sum) MaxRate(from, to time.Duration) float64 {
	return s[0].MaxRate(from, to) + s[1].MaxRate(from, to)
}

// Run simulates one arm: a Fargate service of 1 vCPU tasks behind an ALB,
// requests of 100 ms of CPU on average (exponential) served by processor
// sharing, scaled by target tracking on CPU between 2 and 100 tasks. The
// day starts at 06:00 so the measured hours hold the morning ramp, the
// flash crowd and the afternoon peak.
func Run(arm Arm) (Outcome, error) {
	const start = 6 * time.Hour
	s, err := sim.New(sim.Config{Seed: arm.Seed, Start: sim.DefaultStart.Add(start - 10*time.Minute)})
	if err != nil {
		return Outcome{}, err
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		return Outcome{}, err
	}
	cluster, err := w.CreateCluster("sweep")
	if err != nil {
		return Outcome{}, err
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "api", CPU: 1024, MemoryMiB: 2048, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers:              []sim.ContainerDefinition{{Name: "app", Image: "api:1", StopTimeout: 45 * time.Second}},
	}); err != nil {
		return Outcome{}, err
	}
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "api", TargetGroup: loadbalancer.Config{
		HealthCheck:         loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2},
		DeregistrationDelay: 30 * time.Second,
	}})
	if err != nil {
		return Outcome{}, err
	}
	svc, err := cluster.CreateService(sim.ServiceConfig{Name: "api", TaskDefinition: "api", DesiredCount: 4,
		LaunchType: sim.Fargate, Observer: lb, HealthCheckGracePeriod: time.Minute})
	if err != nil {
		return Outcome{}, err
	}
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		return Outcome{}, err
	}
	policy, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{
		Name: fmt.Sprintf("cpu%.0f", arm.Target), ResourceID: "service/sweep/api", TargetValue: arm.Target,
		PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization,
		ScaleOutCooldown: time.Minute, ScaleInCooldown: 5 * time.Minute,
	})
	if err != nil {
		return Outcome{}, err
	}
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: "service/sweep/api", MinCapacity: 2, MaxCapacity: 100},
		Policies: []autoscale.Policy{policy},
	})
	if err != nil {
		return Outcome{}, err
	}
	if _, err := svc.AttachScaler(ctl, store); err != nil {
		return Outcome{}, err
	}
	if err := s.RunFor(10 * time.Minute); err != nil { // tasks start and turn healthy
		return Outcome{}, err
	}
	wl, err := w.NewWorkload(sim.WorkloadConfig{
		LoadBalancer: lb, Source: demand(),
		Demand:  traffic.Exponential{Mean: 100 * time.Millisecond},
		Server:  traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 64, QueueLimit: 100, Timeout: 10 * time.Second},
		Metrics: store,
	})
	if err != nil {
		return Outcome{}, err
	}
	cost0 := w.Cost().Total
	if err := s.RunFor(time.Duration(arm.Hours) * time.Hour); err != nil {
		return Outcome{}, err
	}
	out := Outcome{Arm: arm, Cost: w.Cost().Total - cost0, P50: wl.Latency(0.5), P99: wl.Latency(0.99)}
	c := wl.Counters()
	out.Requests, out.Errors = c.Arrived, c.Errors5xx()+c.TimedOut
	out.Replaced = svc.Counters().UnhealthyStopped
	var hours, tasks, cpu float64
	for _, p := range wl.Periods() {
		h := p.Length.Hours()
		hours += h
		tasks += p.MeanTasks * h
		cpu += p.CPUUtilization * h
	}
	if hours > 0 {
		out.MeanTasks, out.CPU = tasks/hours, cpu/hours
	}
	return out, nil
}

// Sweep runs every arm, one Sim per goroutine, and returns the outcomes in
// the order of arms whatever order they finish in.
func Sweep(arms []Arm) ([]Outcome, error) { return sweep.Map(arms, Run) }

// ArmSummaries sums up each target's cost and p99 over its seeds, with
// 95 % Student t intervals, for a chart: targets in the order they first
// appear.
func ArmSummaries(outs []Outcome) []tidy.ArmSummary {
	var sums []tidy.ArmSummary
	var cost, p99 [][]float64
	for _, o := range outs {
		i := slices.IndexFunc(sums, func(s tidy.ArmSummary) bool { return s.ArmLabel == label(o.Arm.Target) })
		if i < 0 {
			i = len(sums)
			sums = append(sums, tidy.ArmSummary{Arm: i, ArmLabel: label(o.Arm.Target), Cluster: "sweep", Service: "api"})
			cost, p99 = append(cost, nil), append(p99, nil)
		}
		cost[i], p99[i] = append(cost[i], o.Cost), append(p99[i], float64(o.P99)/1e6)
	}
	for i := range sums {
		sums[i].CostUSD, sums[i].P99ms = sweep.Summarize(cost[i]), sweep.Summarize(p99[i])
	}
	return sums
}

func label(target float64) string { return fmt.Sprintf("CPU %.0f %%", target) }

// Summary is one target's outcomes averaged over seeds.
type Summary struct {
	Target                   float64
	MeanTasks, Cost, CPU     float64
	CostSD                   float64
	P50, P99                 time.Duration
	Errors, Requests         int64
	CostPerMillion, ErrorPct float64
	Replaced                 float64 // mean tasks replaced for failing health checks
}

// Summarise groups outcomes by target, in the order targets first appear.
func Summarise(outs []Outcome) []Summary {
	var sums []Summary
	index := map[float64]int{} // lookup only; order comes from outs
	var costs [][]float64
	for _, o := range outs {
		i, ok := index[o.Arm.Target]
		if !ok {
			i = len(sums)
			index[o.Arm.Target] = i
			sums = append(sums, Summary{Target: o.Arm.Target})
			costs = append(costs, nil)
		}
		s := &sums[i]
		s.MeanTasks += o.MeanTasks
		s.Cost += o.Cost
		s.CPU += o.CPU
		s.P50 += o.P50
		s.P99 += o.P99
		s.Errors += o.Errors
		s.Requests += o.Requests
		s.Replaced += float64(o.Replaced)
		costs[i] = append(costs[i], o.Cost)
	}
	for i := range sums {
		s, n := &sums[i], float64(len(costs[i]))
		s.MeanTasks, s.Cost, s.CPU, s.Replaced = s.MeanTasks/n, s.Cost/n, s.CPU/n, s.Replaced/n
		s.P50, s.P99 = s.P50/time.Duration(n), s.P99/time.Duration(n)
		for _, c := range costs[i] {
			s.CostSD += (c - s.Cost) * (c - s.Cost)
		}
		if n > 1 {
			s.CostSD = math.Sqrt(s.CostSD / (n - 1))
		}
		if s.Requests > 0 {
			s.CostPerMillion = s.Cost * n / float64(s.Requests) * 1e6
			s.ErrorPct = 100 * float64(s.Errors) / float64(s.Requests)
		}
	}
	return sums
}

// Print writes the comparison table.
func Print(out io.Writer, arms []Arm, sums []Summary) {
	fmt.Fprintf(out, "ecssim targetsweep: CPU target tracking on Fargate, %d h of a working day (diurnal 60 req/s ±60 %%, a 10:00 flash crowd ×2), %d arms\n\n",
		arms[0].Hours, len(arms))
	fmt.Fprintf(out, "%7s %7s %6s %14s %9s %9s %8s %9s %9s\n", "target", "tasks", "CPU%", "cost $", "p50 ms", "p99 ms", "errors%", "$/M req", "replaced")
	for _, s := range sums {
		fmt.Fprintf(out, "%6.0f%% %7.1f %6.1f %7.2f ± %4.2f %9.1f %9.1f %8.3f %9.4f %9.1f\n",
			s.Target, s.MeanTasks, s.CPU, s.Cost, s.CostSD, ms(s.P50), ms(s.P99), s.ErrorPct, s.CostPerMillion, s.Replaced)
	}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e5) / 10 }

// Arms is the sweep: every target with every seed.
func Arms(targets []float64, seeds, hours int) []Arm {
	var arms []Arm
	for _, t := range targets {
		for seed := 1; seed <= seeds; seed++ {
			arms = append(arms, Arm{Target: t, Seed: uint64(seed), Hours: hours})
		}
	}
	return arms
}

func main() {
	hours := flag.Int("hours", 12, "simulated hours per arm, from 06:00")
	seeds := flag.Int("seeds", 3, "seeds per target")
	chartFile := flag.String("chart", "", "also draw cost against p99 per target to this `file` (.svg or .png)")
	flag.Parse()
	if *hours < 1 || *hours > 18 || *seeds < 1 {
		fmt.Fprintln(os.Stderr, "targetsweep: -hours must be 1 to 18 and -seeds at least 1")
		os.Exit(2)
	}
	arms := Arms([]float64{40, 50, 60, 70, 80}, *seeds, *hours)
	// Runs done of the total on stderr, if it is a terminal.
	line := progress.NewSweep(len(arms), progress.Options{})
	outs, err := sweep.MapContext(context.Background(), arms, func(_ context.Context, a Arm) (Outcome, error) { return Run(a) },
		sweep.Options{Done: line.Done})
	line.Finish()
	if err == nil && *chartFile != "" {
		err = drawChart(*chartFile, outs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "targetsweep:", err)
		os.Exit(1)
	}
	Print(os.Stdout, arms, Summarise(outs))
}

// drawChart draws cost against p99 per target, SVG or PNG by the file's
// extension.
func drawChart(file string, outs []Outcome) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	format := chart.SVG
	if strings.HasSuffix(file, ".png") {
		format = chart.PNG
	}
	if err := chart.Sweep(f, format, ArmSummaries(outs), chart.Options{Title: "targetsweep: cost against p99 per CPU target, mean and 95 % interval over seeds"}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
