package sim_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/storage"
	"github.com/ecssim/ecssim/sim/traffic"
)

// Two Fargate tasks mount a Bursting file system of 100 GiB that starts
// with 1 GiB of credits; each request writes 1 MiB at 20 per second, four
// times the baseline. The credits last about a minute, then the file
// system permits only its baseline and the clients start to give up.
func ExampleWorld_CreateFileSystem() {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, _ := sim.NewWorld(s, sim.WorldConfig{})
	cluster, _ := w.CreateCluster("prod")
	fs, err := w.CreateFileSystem(sim.FileSystemConfig{ID: "fs-0123456789abcdef0", ThroughputMode: sim.Bursting, StoredGiB: 100, StartCreditsTiB: 1.0 / 1024})
	if err != nil {
		panic(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "app", CPU: 512, MemoryMiB: 1024, NetworkMode: sim.AWSVPC, RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "app:1", MountPoints: []sim.MountPoint{{SourceVolume: "data", ContainerPath: "/data"}}}},
		Volumes:    []sim.Volume{{Name: "data", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{FileSystemID: fs.ID()}}},
	}); err != nil {
		panic(err)
	}
	lb, _ := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "app", TargetGroup: loadbalancer.Config{}})
	if _, err := cluster.CreateService(sim.ServiceConfig{Name: "app", TaskDefinition: "app", DesiredCount: 2, LaunchType: sim.Fargate, Observer: lb}); err != nil {
		panic(err)
	}
	_ = s.RunFor(3 * time.Minute)
	wl, err := w.NewWorkload(sim.WorkloadConfig{
		LoadBalancer: lb, Source: traffic.Constant{PerSecond: 20}, Demand: traffic.Exponential{Mean: time.Millisecond},
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: 10 * time.Second},
		IO:     &sim.RequestIO{Volume: "data", MeanWriteBytes: storage.MiB},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("connections %d, permitted %.0f MiB/s\n", fs.Connections(), fs.PermittedThroughput()/storage.MiB)
	_ = s.RunFor(10 * time.Minute)
	c := wl.Counters()
	fmt.Printf("credits %.0f, permitted %.1f MiB/s, some timed out: %v\n", fs.CreditBalance(), fs.PermittedThroughput()/storage.MiB, c.TimedOut > 0)
	// Output:
	// connections 2, permitted 100 MiB/s
	// credits 0, permitted 4.9 MiB/s, some timed out: true
}
