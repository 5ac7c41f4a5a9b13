// Command fargatevsec2 answers the capacity planner's first question:
// Fargate, EC2, or a Fargate/Fargate Spot mix? It runs the same service
// through the same step in demand on three kinds of capacity and prints
// them side by side.
//
//	go run ./examples/fargatevsec2
//	go run ./examples/fargatevsec2 -to 400 -spot-rate 2
//
// The scenario, all in virtual time:
//
//   - one service of 1 vCPU / 2 GB tasks, desired 10; at 10 minutes the
//     desired count steps to 200 (-to), at 40 minutes back to 10; the run
//     ends at 70 minutes;
//   - (a) Fargate: launch type FARGATE (awsvpc, start latency of
//     capacity.StartLatency, the 100 + 20/s launch bucket, 500 launches
//     per service per minute);
//   - (b) EC2: an Auto Scaling group capacity provider of m5.2xlarge (8
//     vCPU, $0.384/h) in one zone, 2 to 60 instances, with managed scaling
//     (target 100 %, default 300 s warm-up) and managed termination
//     protection; the tasks use bridge networking so that ENI limits do
//     not cap an instance at 3 tasks;
//   - (c) Fargate mix: FARGATE base 10 weight 1, FARGATE_SPOT weight 3,
//     Fargate Spot tasks interrupted at -spot-rate per task-hour.
//
// For each it reports the time from the step until 200 tasks run
// (sampled every 5 s), the peak and time-weighted mean of running tasks
// and registered instances, Spot interruptions, and the bill at the us-east-1
// prices of capacity.USEast1Prices (with the idle part of EC2 capacity).
//
// It ends with the burst of the published 2022 measurement: 3,500 Fargate
// tasks requested at once reach RUNNING in about 4 minutes here. The launch
// bucket alone takes (3,500 − 100) / 20 = 170 s to hand out the tokens; the
// last tasks then need their start latency (median ≈ 23 s, with a
// lognormal tail whose extreme among thousands of tasks is over a minute).
// Vlad Ionescu measured close to 3,500 running at ≈ 4.5 minutes in 2022.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// Scenario is the demand step every arm goes through.
type Scenario struct {
	// Seed feeds every random stream; the same seed gives the same run.
	Seed uint64
	// Before and After are the desired counts before and after the step.
	Before, After int
	// StepAt is when the desired count rises to After, StepDownAt when it
	// falls back to Before, End when the run stops.
	StepAt, StepDownAt, End time.Duration
	// SpotRatePerHour is the Fargate Spot interruption rate per task-hour
	// of the mix arm.
	SpotRatePerHour float64
}

// DefaultScenario is the scenario of the package comment.
func DefaultScenario() Scenario {
	return Scenario{Seed: 1, Before: 10, After: 200, StepAt: 10 * time.Minute, StepDownAt: 40 * time.Minute, End: 70 * time.Minute, SpotRatePerHour: 1}
}

// Arm names the kind of capacity.
type Arm string

// The three arms.
const (
	ArmFargate Arm = "Fargate"
	ArmEC2     Arm = "EC2 + managed scaling"
	ArmMix     Arm = "FARGATE/FARGATE_SPOT"
)

// Result is what one arm did.
type Result struct {
	Arm Arm
	// TimeToCapacity is from the step until After tasks ran, at the 5 s
	// sampling; negative if they never did before the step down.
	TimeToCapacity time.Duration
	// PeakTasks and MeanTasks are the running tasks' maximum and time
	// average over the run; likewise for registered instances.
	PeakTasks, PeakInstances int
	MeanTasks, MeanInstances float64
	// Interruptions counts Spot interruption warnings.
	Interruptions int
	// Cost is the bill in dollars, Idle the part paying for EC2 capacity
	// no task reserved.
	Cost, Idle float64
}

const sample = 5 * time.Second

// Run simulates one arm.
func Run(arm Arm, sc Scenario) (Result, error) {
	s, err := sim.New(sim.Config{Seed: sc.Seed})
	if err != nil {
		return Result{}, err
	}
	cfg := sim.WorldConfig{}
	if arm == ArmMix {
		cfg.Capacity.FargateSpotInterruptions = capacity.InterruptionProcess{RatePerHour: sc.SpotRatePerHour}
	}
	w, err := sim.NewWorld(s, cfg)
	if err != nil {
		return Result{}, err
	}
	c, err := w.CreateCluster("demo")
	if err != nil {
		return Result{}, err
	}
	def := sim.TaskDefinitionInput{
		Family: "web", CPU: 1024, MemoryMiB: 2048, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers:              []sim.ContainerDefinition{{Name: "app", Image: "web:1"}},
	}
	svc := sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: sc.Before}
	var provider *sim.CapacityProvider
	switch arm {
	case ArmFargate:
		svc.LaunchType = sim.Fargate
	case ArmEC2:
		def.NetworkMode, def.RequiresCompatibilities = sim.Bridge, nil
		provider, err = w.CreateCapacityProvider(sim.AutoScalingGroupProviderConfig{
			Name: "m5-2xlarge", InstanceType: "m5.2xlarge", Zones: []string{"us-east-1a"},
			MinSize: 2, MaxSize: 60, DesiredCapacity: 2,
			ManagedScaling: &capacity.ManagedScalingConfig{TargetCapacity: 100}, ManagedTerminationProtection: true,
		})
		if err != nil {
			return Result{}, err
		}
		if err := c.PutCapacityProviders([]string{"m5-2xlarge"}, []sim.CapacityProviderStrategyItem{{Provider: "m5-2xlarge", Weight: 1}}); err != nil {
			return Result{}, err
		}
	case ArmMix:
		if err := c.PutCapacityProviders([]string{"FARGATE", "FARGATE_SPOT"}, nil); err != nil {
			return Result{}, err
		}
		provider = w.CapacityProvider("FARGATE_SPOT")
		svc.CapacityProviderStrategy = []sim.CapacityProviderStrategyItem{
			{Provider: "FARGATE", Base: 10, Weight: 1}, {Provider: "FARGATE_SPOT", Weight: 3}}
	default:
		return Result{}, fmt.Errorf("unknown arm %q", arm)
	}
	if _, err := w.RegisterTaskDefinition(def); err != nil {
		return Result{}, err
	}
	service, err := c.CreateService(svc)
	if err != nil {
		return Result{}, err
	}
	r := Result{Arm: arm, TimeToCapacity: -1}
	var taskSum, instSum float64
	n := 0
	for at := time.Duration(0); at <= sc.End; at += sample {
		if err := s.RunUntil(s.Start().Add(at)); err != nil {
			return Result{}, err
		}
		switch at {
		case sc.StepAt:
			err = service.SetDesiredCount(sc.After)
		case sc.StepDownAt:
			err = service.SetDesiredCount(sc.Before)
		}
		if err != nil {
			return Result{}, err
		}
		running := service.RunningCount()
		instances := 0
		for _, in := range c.Instances() {
			if st := in.Status(); st == sim.InstanceActive || st == sim.InstanceDraining {
				instances++
			}
		}
		if at > sc.StepAt && at < sc.StepDownAt && r.TimeToCapacity < 0 && running >= sc.After {
			r.TimeToCapacity = at - sc.StepAt
		}
		r.PeakTasks, r.PeakInstances = max(r.PeakTasks, running), max(r.PeakInstances, instances)
		taskSum += float64(running)
		instSum += float64(instances)
		n++
	}
	r.MeanTasks, r.MeanInstances = taskSum/float64(n), instSum/float64(n)
	if provider != nil {
		r.Interruptions = provider.Interruptions()
	}
	bill := w.Cost()
	r.Cost = bill.Total
	for _, l := range bill.ByCluster {
		r.Idle += l.Idle
	}
	return r, nil
}

// burstAttempts is how many times Burst tries each RunTask call.
const burstAttempts = 10

// Burst requests n Fargate tasks at once (RunTask, 10 per call) and
// returns how long until the last of them is RUNNING. The calls beyond
// RunTask's rate limit (20 a second, burst and sustained) are throttled
// and retried as the AWS SDKs retry, with jittered exponential backoff
// (sim.RetryPolicy) and up to burstAttempts attempts, more than the SDKs'
// default 3, as a client that must start every task sets it.
func Burst(seed uint64, n int) (time.Duration, error) {
	s, err := sim.New(sim.Config{Seed: seed})
	if err != nil {
		return 0, err
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		return 0, err
	}
	if _, err := w.CreateCluster("burst"); err != nil {
		return 0, err
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "job", CPU: 256, MemoryMiB: 512, NetworkMode: sim.AWSVPC,
		Containers: []sim.ContainerDefinition{{Name: "job", Image: "job:1"}},
	}); err != nil {
		return 0, err
	}
	var tasks []*sim.Task
	var failed error
	policy := sim.RetryPolicy{MaxAttempts: burstAttempts, Stream: "burst-retry"}
	for left := n; left > 0; left -= 10 {
		in := sim.RunTaskInput{Cluster: "burst", TaskDefinition: "job", Count: min(left, 10), LaunchType: sim.Fargate}
		var out sim.RunTaskOutput
		call := func() (err error) {
			out, err = w.RunTask(in)
			return err
		}
		err := w.Retry(policy, call, func(err error, attempts int) {
			switch {
			case err != nil:
				failed = cmp.Or(failed, fmt.Errorf("RunTask after %d attempts: %w", attempts, err))
			case len(out.Failures) > 0:
				failed = cmp.Or(failed, fmt.Errorf("RunTask failed: %+v", out.Failures[0]))
			}
			tasks = append(tasks, out.Tasks...)
		})
		if err != nil {
			return 0, err
		}
	}
	if err := s.RunFor(30 * time.Minute); err != nil {
		return 0, err
	}
	if failed != nil {
		return 0, failed
	}
	if len(tasks) != n {
		return 0, fmt.Errorf("%d of %d tasks started", len(tasks), n)
	}
	var last time.Time
	for _, t := range tasks {
		if t.State() != sim.TaskRunning {
			return 0, fmt.Errorf("task %s is %s after 30 minutes", t.ID(), t.State())
		}
		if t.StartedAt().After(last) {
			last = t.StartedAt()
		}
	}
	return last.Sub(s.Start()), nil
}

// Print writes the results side by side.
func Print(out io.Writer, sc Scenario, rs []Result) {
	fmt.Fprintf(out, "Desired %d → %d at %v, back to %d at %v; run of %v (seed %d)\n\n", sc.Before, sc.After, sc.StepAt, sc.Before, sc.StepDownAt, sc.End, sc.Seed)
	row := func(name string, f func(Result) string) {
		fmt.Fprintf(out, "%-26s", name)
		for _, r := range rs {
			fmt.Fprintf(out, "%24s", f(r))
		}
		fmt.Fprintln(out)
	}
	row("", func(r Result) string { return string(r.Arm) })
	row("time to capacity", func(r Result) string {
		if r.TimeToCapacity < 0 {
			return "never"
		}
		return r.TimeToCapacity.String()
	})
	row("peak / mean tasks", func(r Result) string { return fmt.Sprintf("%d / %.1f", r.PeakTasks, r.MeanTasks) })
	row("peak / mean instances", func(r Result) string { return fmt.Sprintf("%d / %.1f", r.PeakInstances, r.MeanInstances) })
	row("Spot interruptions", func(r Result) string { return fmt.Sprint(r.Interruptions) })
	row("cost (idle)", func(r Result) string { return fmt.Sprintf("$%.2f ($%.2f)", r.Cost, r.Idle) })
}

func main() {
	sc := DefaultScenario()
	flag.Uint64Var(&sc.Seed, "seed", sc.Seed, "random seed")
	flag.IntVar(&sc.After, "to", sc.After, "desired count after the step (at most 5000)")
	flag.Float64Var(&sc.SpotRatePerHour, "spot-rate", sc.SpotRatePerHour, "Fargate Spot interruptions per task-hour")
	burst := flag.Int("burst", 3500, "Fargate tasks of the burst measurement (0 to skip)")
	flag.Parse()
	var rs []Result
	for _, arm := range []Arm{ArmFargate, ArmEC2, ArmMix} {
		r, err := Run(arm, sc)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		rs = append(rs, r)
	}
	Print(os.Stdout, sc, rs)
	if *burst > 0 {
		d, err := Burst(sc.Seed, *burst)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		tokens := time.Duration(max(*burst-capacity.DefaultLaunchBurst, 0)) * time.Second / capacity.DefaultLaunchRefillPerSecond
		fmt.Printf("\nBurst: %d Fargate tasks requested at once are all RUNNING after %v\n", *burst, d.Round(time.Second))
		fmt.Printf("(launch tokens: 100 at once, the other %d at 20/s = %v; then each task's start latency)\n", max(*burst-100, 0), tokens)
	}
}
