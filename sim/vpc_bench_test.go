package sim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// awsvpcBurst starts 3,500 awsvpc tasks with RunTask (10 per call) and
// runs until all are RUNNING, on Fargate or on 110 trunked m5.4xlarge
// instances (60 awsvpc tasks each), with a NetworkConfiguration of three
// /20 subnets (4,091 addresses each) or without one. It returns the
// events run.
func awsvpcBurst(b *testing.B, fargate, subnets bool) uint64 {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, err := sim.NewWorld(s, sim.WorldConfig{AWSVPCTrunking: true})
	if err != nil {
		b.Fatal(err)
	}
	c, _ := w.CreateCluster("burst")
	lt := sim.Fargate
	if !fargate {
		lt = sim.EC2
		if _, err := c.LaunchInstances("m5.4xlarge", zones3, 110); err != nil {
			b.Fatal(err)
		}
		_ = s.RunFor(2 * time.Minute)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "job", CPU: 256, MemoryMiB: 512, NetworkMode: sim.AWSVPC,
		Containers: []sim.ContainerDefinition{{Name: "job", Image: "job:1"}}}); err != nil {
		b.Fatal(err)
	}
	var net *sim.NetworkConfiguration
	if subnets {
		var ids []string
		for i, z := range zones3 {
			id := fmt.Sprintf("subnet-%d", i)
			if _, err := w.CreateSubnet(sim.SubnetConfig{SubnetId: id, AvailabilityZone: z, CidrBlock: fmt.Sprintf("10.0.%d.0/20", 16*i)}); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, id)
		}
		net = &sim.NetworkConfiguration{AwsvpcConfiguration: &sim.AwsVpcConfiguration{Subnets: ids}}
	}
	for range 350 {
		out, err := w.RunTask(sim.RunTaskInput{Cluster: "burst", TaskDefinition: "job", Count: 10, LaunchType: lt, NetworkConfiguration: net})
		if err != nil || len(out.Tasks) != 10 {
			b.Fatalf("RunTask: %v %+v", err, out.Failures)
		}
	}
	_ = s.RunFor(15 * time.Minute)
	return s.Executed()
}

// BenchmarkAWSVPCBurst3500 measures what subnets cost a burst of 3,500
// awsvpc tasks: each sub-benchmark "subnets" against its "none"
// baseline, on Fargate and on EC2 (where placement goes one task at a
// time so that the subnet filter sees each address taken).
func BenchmarkAWSVPCBurst3500(b *testing.B) {
	for _, fargate := range []bool{true, false} {
		for _, subnets := range []bool{false, true} {
			name := map[bool]string{true: "fargate", false: "ec2"}[fargate] + "/" + map[bool]string{true: "subnets", false: "none"}[subnets]
			b.Run(name, func(b *testing.B) {
				awsvpcBurst(b, fargate, subnets) // warm-up
				b.ReportAllocs()
				b.ResetTimer()
				var sink uint64
				for range b.N {
					sink = awsvpcBurst(b, fargate, subnets)
				}
				b.ReportMetric(float64(sink), "events/op")
			})
		}
	}
}
