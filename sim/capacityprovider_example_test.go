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
