package sim_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// A service on Fargate and Fargate Spot: the cluster's default strategy
// keeps a base of 2 tasks on FARGATE and splits the rest 1:3 (worked
// example I), no instance is launched, and the bill accrues per second.
func ExampleCluster_PutCapacityProviders() {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		panic(err)
	}
	cluster, _ := w.CreateCluster("prod")
	err = cluster.PutCapacityProviders([]string{capacity.Fargate, capacity.FargateSpot}, []sim.CapacityProviderStrategyItem{
		{Provider: capacity.Fargate, Base: 2, Weight: 1},
		{Provider: capacity.FargateSpot, Weight: 3},
	})
	if err != nil {
		panic(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "web", CPU: 1024, MemoryMiB: 2048, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers:              []sim.ContainerDefinition{{Name: "app", Image: "nginx:1.27"}},
	}); err != nil {
		panic(err)
	}
	web, err := cluster.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 10})
	if err != nil {
		panic(err)
	}
	_ = s.RunFor(time.Hour)
	onDemand, spot := 0, 0
	for _, t := range web.Tasks() {
		if t.IsSpot() {
			spot++
		} else {
			onDemand++
		}
	}
	fmt.Println(web)
	fmt.Printf("FARGATE %d, FARGATE_SPOT %d, instances %d\n", onDemand, spot, len(w.Instances()))
	// Nearly an hour of 4 On-Demand tasks at $0.04937 and 6 Spot tasks at
	// 30 % of it: (4 + 6 × 0.3) × 0.04937 = $0.286.
	fmt.Printf("cost after an hour: $%.2f\n", w.Cost().Total)
	// Output:
	// web: 10 running, 0 pending, desired 10
	// FARGATE 4, FARGATE_SPOT 6, instances 0
	// cost after an hour: $0.29
}

// Fargate Spot capacity can run out, and ECS does not fall back to
// on-demand Fargate by itself; users build the fallback. Here a Spot
// service loses two tasks to interruptions during an outage of Spot
// capacity (minutes 10 to 40), and a watcher run every minute keeps a
// FARGATE twin service covering the shortfall until Spot is back.
func ExampleCapacityProvider_CapacityUnavailable() {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, err := sim.NewWorld(s, sim.WorldConfig{Capacity: sim.CapacityConfig{
		FargateSpotUnavailability: capacity.Unavailability{Windows: []capacity.Window{{Start: 10 * time.Minute, End: 40 * time.Minute}}},
		FargateSpotInterruptions:  capacity.InterruptionProcess{Schedule: []time.Duration{12 * time.Minute, 13 * time.Minute}},
	}})
	if err != nil {
		panic(err)
	}
	cluster, _ := w.CreateCluster("prod")
	if err := cluster.PutCapacityProviders([]string{capacity.Fargate, capacity.FargateSpot}, nil); err != nil {
		panic(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "worker", CPU: 512, MemoryMiB: 1024, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers:              []sim.ContainerDefinition{{Name: "app", Image: "worker:1"}},
	}); err != nil {
		panic(err)
	}
	on := func(p string) []sim.CapacityProviderStrategyItem {
		return []sim.CapacityProviderStrategyItem{{Provider: p, Weight: 1}}
	}
	primary, _ := cluster.CreateService(sim.ServiceConfig{Name: "worker", TaskDefinition: "worker", DesiredCount: 6,
		CapacityProviderStrategy: on(capacity.FargateSpot)})
	fallback, _ := cluster.CreateService(sim.ServiceConfig{Name: "worker-fallback", TaskDefinition: "worker", DesiredCount: 0,
		CapacityProviderStrategy: on(capacity.Fargate)})
	spot := w.CapacityProvider(capacity.FargateSpot)
	var watch func()
	watch = func() {
		short := primary.DesiredCount() - primary.RunningCount()
		switch {
		case spot.CapacityUnavailable() && short > fallback.DesiredCount():
			_ = fallback.SetDesiredCount(short)
		case !spot.CapacityUnavailable() && short == 0 && fallback.DesiredCount() > 0:
			_ = fallback.SetDesiredCount(0)
		}
		s.After(time.Minute, watch)
	}
	s.After(time.Minute, watch)
	for _, at := range []time.Duration{9, 20, 39, 45} {
		_ = s.RunUntil(s.Start().Add(at * time.Minute))
		fmt.Printf("minute %2d: Spot out %-5v  %v  |  %v\n", at, spot.CapacityUnavailable(), primary, fallback)
	}
	// Output:
	// minute  9: Spot out false  worker: 6 running, 0 pending, desired 6  |  worker-fallback: 0 running, 0 pending, desired 0
	// minute 20: Spot out true   worker: 4 running, 0 pending, desired 6  |  worker-fallback: 2 running, 0 pending, desired 2
	// minute 39: Spot out true   worker: 4 running, 0 pending, desired 6  |  worker-fallback: 2 running, 0 pending, desired 2
	// minute 45: Spot out false  worker: 6 running, 0 pending, desired 6  |  worker-fallback: 0 running, 0 pending, desired 0
}
