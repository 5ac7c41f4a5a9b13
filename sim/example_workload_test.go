package sim_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// A web service of three tasks behind an ALB, serving 10 requests per
// second of 100 ms of CPU for an hour: the workload counts every request
// and reports the hour's latency percentiles.
func ExampleWorld_NewWorkload() {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, _ := sim.NewWorld(s, sim.WorldConfig{})
	cluster, _ := w.CreateCluster("prod")
	if _, err := cluster.LaunchInstances("m5.xlarge", []string{"us-east-1a", "us-east-1b", "us-east-1c"}, 3); err != nil {
		panic(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "web", CPU: 1024, MemoryMiB: 2048,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:1", MemoryMiB: 2048}},
	}); err != nil {
		panic(err)
	}
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
		HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2},
	}})
	if err != nil {
		panic(err)
	}
	web, err := cluster.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 3, Observer: lb})
	if err != nil {
		panic(err)
	}
	_ = s.RunFor(3 * time.Minute) // instances register, tasks start and turn healthy
	wl, err := w.NewWorkload(sim.WorkloadConfig{
		LoadBalancer: lb,
		Source:       traffic.Constant{PerSecond: 10},
		Demand:       traffic.Exponential{Mean: 100 * time.Millisecond},
		Server:       traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited},
	})
	if err != nil {
		panic(err)
	}
	_ = s.RunFor(time.Hour)
	fmt.Println(web)
	c := wl.Counters()
	fmt.Println("conserved:", c.Arrived == c.Served+c.Errors5xx()+c.TimedOut+c.InFlight, "5xx:", c.Errors5xx())
	p := wl.Periods()[0]
	fmt.Printf("%s–%s: %.0f req/s, p50 < p99: %v\n", p.Start.Format("15:04"), p.Start.Add(p.Length).Format("15:04"),
		p.RequestsPerSecond(), p.P50 < p.P99)
	// Output:
	// web: 3 running, 0 pending, desired 3
	// conserved: true 5xx: 0
	// 00:03–01:00: 10 req/s, p50 < p99: true
}
