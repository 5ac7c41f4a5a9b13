// Command ec2packing answers a question of every EC2-backed ECS service:
// spread or binpack, and how much spare capacity in the Auto Scaling
// group? Spreading buys resilience to the loss of a zone, binpacking buys
// fewer instances, and managed scaling's target capacity below 100 %
// keeps spare instances to place on at once. It runs one service under
// each combination, takes one Availability Zone away for an hour, and
// prints what each costs before and loses during the outage.
//
//	go run ./examples/ec2packing            # 2 placements × 2 target capacities × 3 seeds
//
// The service: 12 tasks of 0.5 vCPU and 1 GB (bridge network, dynamic
// ports) behind an ALB, each serving by processor sharing (32 at once, 64
// waiting, 10 s client timeout); clients send 100 requests/s of 40 ms of
// CPU (exponential), two thirds of the tasks' CPU. No service autoscaling:
// the desired count stays 12, so only placement and capacity differ. The
// Auto Scaling group: m5.xlarge (4 vCPU, 8 such tasks), three zones, 1 to
// 30 instances starting at 3, managed scaling. The zone us-east-1a goes
// out from 02:00 to 03:00.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/traffic"
	"github.com/ecssim/ecssim/sweep"
)

// Arm is one simulation.
type Arm struct {
	Binpack        bool // binpack on memory; false: ECS's default spread over zones, then instances
	TargetCapacity int  // managed scaling's target capacity, percent
	Seed           uint64
}

func (a Arm) placementName() string {
	if a.Binpack {
		return "binpack(memory)"
	}
	return "spread (default)"
}

// Outcome is what one arm measured.
type Outcome struct {
	Arm          Arm
	Instances    float64 // mean registered instances in the hour before the outage
	Cost         float64 // EC2 dollars billed in that hour
	InLostZone   int     // tasks running in the lost zone when it went out
	ErrorsPct    float64 // 5xx and timeouts in the outage hour, percent of requests
	P99          time.Duration
	MinutesShort int // minutes of the outage hour with fewer than 12 healthy tasks
}

const (
	desired = 12
	lost    = "us-east-1a"
)

// Run simulates one arm.
func Run(arm Arm) (Outcome, error) {
	s, err := sim.New(sim.Config{Seed: arm.Seed})
	if err != nil {
		return Outcome{}, err
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		return Outcome{}, err
	}
	c, err := w.CreateCluster("prod")
	if err != nil {
		return Outcome{}, err
	}
	group, err := w.CreateCapacityProvider(sim.AutoScalingGroupProviderConfig{
		Name: "m5-xlarge", InstanceType: "m5.xlarge", Zones: []string{"us-east-1a", "us-east-1b", "us-east-1c"},
		MinSize: 1, MaxSize: 30, DesiredCapacity: 3,
		ManagedScaling: &capacity.ManagedScalingConfig{TargetCapacity: arm.TargetCapacity},
	})
	if err != nil {
		return Outcome{}, err
	}
	if err := c.PutCapacityProviders([]string{"m5-xlarge"}, []sim.CapacityProviderStrategyItem{{Provider: "m5-xlarge", Weight: 1}}); err != nil {
		return Outcome{}, err
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "api", CPU: 512, MemoryMiB: 1024, NetworkMode: sim.Bridge,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "api:1", PortMappings: []sim.PortMapping{{ContainerPort: 8080}}}},
	}); err != nil {
		return Outcome{}, err
	}
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "api", TargetGroup: loadbalancer.Config{
		HealthCheck:         loadbalancer.HealthCheck{Interval: 10 * time.Second, Timeout: 5 * time.Second, HealthyThreshold: 3},
		DeregistrationDelay: 30 * time.Second,
	}})
	if err != nil {
		return Outcome{}, err
	}
	cfg := sim.ServiceConfig{Name: "api", TaskDefinition: "api", DesiredCount: desired, Observer: lb, HealthCheckGracePeriod: time.Minute}
	if arm.Binpack {
		cfg.PlacementStrategy = []placement.Strategy{{Type: placement.Binpack, Field: "memory"}}
	}
	svc, err := c.CreateService(cfg)
	if err != nil {
		return Outcome{}, err
	}
	wl, err := w.NewWorkload(sim.WorkloadConfig{
		LoadBalancer: lb, Source: traffic.Constant{PerSecond: 100},
		Demand:       traffic.Exponential{Mean: 40 * time.Millisecond},
		Server:       traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 32, QueueLimit: 64, Timeout: 10 * time.Second},
		ReportPeriod: time.Hour,
	})
	if err != nil {
		return Outcome{}, err
	}
	start := s.Start()
	if err := w.ScheduleZoneOutage(lost, start.Add(2*time.Hour), start.Add(3*time.Hour)); err != nil {
		return Outcome{}, err
	}
	if err := s.RunFor(time.Hour); err != nil { // the group and the service settle
		return Outcome{}, err
	}
	out := Outcome{Arm: arm}
	cost0 := w.Cost().Total
	for minute := range 120 {
		if minute == 59 { // 01:59, before the outage
			for _, t := range svc.Tasks() {
				if t.Zone() == lost && t.DesiredStatus() == sim.TaskRunning {
					out.InLostZone++
				}
			}
		}
		if minute == 60 {
			out.Cost = w.Cost().Total - cost0
		}
		if err := s.RunFor(time.Minute); err != nil {
			return Outcome{}, err
		}
		if minute < 60 {
			out.Instances += float64(registered(group)) / 60
			continue
		}
		healthy := 0
		for _, t := range svc.Tasks() {
			if t.CountsHealthy() {
				healthy++
			}
		}
		if healthy < desired {
			out.MinutesShort++
		}
	}
	if err := s.RunFor(time.Second); err != nil { // close the outage hour's report period
		return Outcome{}, err
	}
	p := wl.Periods()
	if len(p) < 3 || p[2].Length != time.Hour {
		return Outcome{}, fmt.Errorf("ec2packing: want three whole report hours, got %d", len(p))
	}
	h := p[2] // 02:00 to 03:00, the outage
	if n := h.Counters.Arrived; n > 0 {
		out.ErrorsPct = 100 * float64(h.Counters.Errors5xx()+h.Counters.TimedOut) / float64(n)
	}
	out.P99 = h.P99
	return out, nil
}

// registered counts the group's registered instances.
func registered(p *sim.CapacityProvider) int {
	n := 0
	for _, in := range p.Instances() {
		if st := in.Status(); st == sim.InstanceActive || st == sim.InstanceDraining {
			n++
		}
	}
	return n
}

// Sweep runs every arm, one Sim per goroutine, and returns the outcomes in
// the order of arms.
func Sweep(arms []Arm) ([]Outcome, error) { return sweep.Map(arms, Run) }

// Summary is one setting averaged over its seeds.
type Summary struct {
	Arm                                   Arm // Seed unset
	Instances, Cost, InLostZone, ErrorPct float64
	P99                                   time.Duration
	MinutesShort                          float64
}

// Summarise averages each setting over its seeds, in the order of arms
// (a setting's seeds are consecutive).
func Summarise(outs []Outcome) []Summary {
	var sums []Summary
	var n []float64
	for _, o := range outs {
		key := o.Arm
		key.Seed = 0
		i := len(sums) - 1
		if i < 0 || sums[i].Arm != key {
			sums, n = append(sums, Summary{Arm: key}), append(n, 0)
			i++
		}
		s := &sums[i]
		s.Instances += o.Instances
		s.Cost += o.Cost
		s.InLostZone += float64(o.InLostZone)
		s.ErrorPct += o.ErrorsPct
		s.P99 += o.P99
		s.MinutesShort += float64(o.MinutesShort)
		n[i]++
	}
	for i := range sums {
		s, k := &sums[i], n[i]
		s.Instances, s.Cost, s.InLostZone, s.ErrorPct, s.MinutesShort = s.Instances/k, s.Cost/k, s.InLostZone/k, s.ErrorPct/k, s.MinutesShort/k
		s.P99 /= time.Duration(k)
	}
	return sums
}

// Print writes the comparison table.
func Print(out io.Writer, arms []Arm, sums []Summary) {
	fmt.Fprintf(out, "ecssim ec2packing: %d tasks of 0.5 vCPU on an m5.xlarge group over 3 zones, %s out 02:00-03:00; %d arms\n\n", desired, lost, len(arms))
	fmt.Fprintf(out, "%-17s %8s %10s %8s  %9s %8s %9s %11s\n", "placement", "capacity", "instances", "$/hour", "lost-zone", "errors%", "p99 ms", "min. short")
	for _, s := range sums {
		fmt.Fprintf(out, "%-17s %7d%% %10.1f %8.3f  %9.1f %8.3f %9.1f %11.1f\n", s.Arm.placementName(), s.Arm.TargetCapacity,
			s.Instances, s.Cost, s.InLostZone, s.ErrorPct, ms(s.P99), s.MinutesShort)
	}
	fmt.Fprintln(out, "\ninstances and $/hour: the hour before the outage; lost-zone: tasks in us-east-1a when it went out;")
	fmt.Fprintln(out, "errors%, p99 and min. short (minutes with fewer than 12 healthy tasks): the outage hour")
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e5) / 10 }

// Arms is the comparison: both placements with every target capacity and
// seed.
func Arms(targetCapacities []int, seeds int) []Arm {
	var arms []Arm
	for _, binpack := range []bool{false, true} {
		for _, tc := range targetCapacities {
			for seed := 1; seed <= seeds; seed++ {
				arms = append(arms, Arm{Binpack: binpack, TargetCapacity: tc, Seed: uint64(seed)})
			}
		}
	}
	return arms
}

func main() {
	seeds := flag.Int("seeds", 3, "seeds per setting")
	flag.Parse()
	if *seeds < 1 {
		fmt.Fprintln(os.Stderr, "ec2packing: -seeds must be at least 1")
		os.Exit(2)
	}
	arms := Arms([]int{100, 75}, *seeds)
	outs, err := Sweep(arms)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ec2packing:", err)
		os.Exit(1)
	}
	Print(os.Stdout, arms, Summarise(outs))
}
