package sim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// launchWorld launches n instances (with LaunchInstances, or as an Auto
// Scaling group capacity provider of desired capacity n when group is
// set), one task per instance by a service of desired count n, and
// deregisters them all: the launch, registration, placement and
// deregistration paths at size n, which must cost O(n log n) at most, not
// O(n²). It returns the tasks that ran.
func launchWorld(tb testing.TB, n int, group bool) int {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, err := sim.NewWorld(s, sim.WorldConfig{Latencies: fixedLatencies, ServiceLaunchRate: sim.MaxLaunchRate,
		Quotas: sim.Quotas{InstancesPerCluster: n, TasksPerService: n}})
	if err != nil {
		tb.Fatal(err)
	}
	c, _ := w.CreateCluster("prod")
	var ins []*sim.Instance
	if group {
		p, err := w.CreateCapacityProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", InstanceType: "m5.large", Zones: zones3,
			MaxSize: n, DesiredCapacity: n})
		if err != nil {
			tb.Fatal(err)
		}
		if err := c.PutCapacityProviders([]string{"asg"}, nil); err != nil {
			tb.Fatal(err)
		}
		_ = s.RunFor(5 * time.Minute)
		ins = p.Instances()
	} else if ins, err = c.LaunchInstances("m5.large", zones3, n); err != nil {
		tb.Fatal(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "web", Containers: []sim.ContainerDefinition{
		{Name: "app", Image: "web:1", CPU: 1024, MemoryMiB: 4096}}}); err != nil {
		tb.Fatal(err)
	}
	svc, err := c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: n})
	if err != nil {
		tb.Fatal(err)
	}
	_ = s.RunFor(10 * time.Minute)
	running := svc.RunningCount()
	if err := svc.Delete(true); err != nil {
		tb.Fatal(err)
	}
	for _, in := range ins {
		if err := in.Deregister(true); err != nil {
			tb.Fatal(err)
		}
	}
	_ = s.RunFor(10 * time.Minute)
	return running
}

// BenchmarkLaunchInstances measures launchWorld at 1,000, 5,000 and 10,000
// instances and tasks: the time per op should grow about tenfold (it grew
// a hundredfold when each launch scanned the cluster). Compare the two
// sizes' ns/op; the "ns/instance" metric should stay about flat.
func BenchmarkLaunchInstances(b *testing.B) {
	for _, group := range []bool{false, true} {
		for _, n := range []int{1_000, 5_000, 10_000} {
			b.Run(fmt.Sprintf("group=%v/%d", group, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if got := launchWorld(b, n, group); got != n {
						b.Fatalf("%d tasks ran, want %d", got, n)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/instance")
			})
		}
	}
}
