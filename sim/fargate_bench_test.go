package sim_test

import (
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// burst starts 3,500 tasks with RunTask (10 per call) and runs until all
// are RUNNING: on Fargate (launch bucket, zones, start latency, billing),
// or, as the baseline, on 110 pre-registered m5.4xlarge instances with
// the EC2 lifecycle (placement, image cache). It returns the events run.
func burst(b *testing.B, fargate bool) uint64 {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, err := sim.NewWorld(s, sim.WorldConfig{APIRateLimits: noThrottle})
	if err != nil {
		b.Fatal(err)
	}
	c, _ := w.CreateCluster("burst")
	in := sim.TaskDefinitionInput{Family: "job", CPU: 256, MemoryMiB: 512, NetworkMode: sim.AWSVPC,
		Containers: []sim.ContainerDefinition{{Name: "job", Image: "job:1"}}}
	lt := sim.Fargate
	if !fargate {
		in.NetworkMode, lt = sim.Bridge, sim.EC2
		if _, err := c.LaunchInstances("m5.4xlarge", zones3, 110); err != nil {
			b.Fatal(err)
		}
		_ = s.RunFor(2 * time.Minute)
	}
	if _, err := w.RegisterTaskDefinition(in); err != nil {
		b.Fatal(err)
	}
	for range 350 {
		out, err := w.RunTask(sim.RunTaskInput{Cluster: "burst", TaskDefinition: "job", Count: 10, LaunchType: lt})
		if err != nil || len(out.Tasks) != 10 {
			b.Fatalf("RunTask: %v %+v", err, out.Failures)
		}
	}
	_ = s.RunFor(15 * time.Minute)
	return s.Executed()
}

// BenchmarkFargateBurst3500 measures the Fargate launch path: 3,500 tasks
// through the launch bucket to RUNNING. One op is the whole burst.
func BenchmarkFargateBurst3500(b *testing.B) {
	burst(b, true) // warm-up
	b.ReportAllocs()
	b.ResetTimer()
	var sink uint64
	for range b.N {
		sink = burst(b, true)
	}
	b.ReportMetric(float64(sink), "events/op")
}

// BenchmarkEC2Burst3500 is the baseline of BenchmarkFargateBurst3500: the
// same 3,500 tasks on registered EC2 instances.
func BenchmarkEC2Burst3500(b *testing.B) {
	burst(b, false) // warm-up
	b.ReportAllocs()
	b.ResetTimer()
	var sink uint64
	for range b.N {
		sink = burst(b, false)
	}
	b.ReportMetric(float64(sink), "events/op")
}
