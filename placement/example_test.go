package placement_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/ecssim/ecssim/placement"
)

// Example shows the pipeline: register instances, compile a spec once,
// place tasks (filter, constrain, rank, choose) and read the explanation
// when nothing fits.
func Example() {
	c := placement.NewCluster()
	for _, in := range []placement.Instance{
		{EC2InstanceID: "i-1a", InstanceType: "m5.large", Zone: "us-east-1a", CPU: 2048, MemoryMiB: 7680},
		{EC2InstanceID: "i-1b", InstanceType: "m5.xlarge", Zone: "us-east-1b", CPU: 4096, MemoryMiB: 15576},
		{EC2InstanceID: "i-1c", InstanceType: "c5.large", Zone: "us-east-1c", CPU: 2048, MemoryMiB: 3584},
	} {
		if _, err := c.Register(in); err != nil {
			panic(err)
		}
	}
	plan, err := placement.Compile(placement.Spec{
		Constraints: []placement.Constraint{{Type: placement.MemberOf,
			Expression: "attribute:ecs.instance-type =~ m5.*"}},
		Strategies: []placement.Strategy{{Type: placement.Binpack, Field: "memory"}},
	})
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2)) // the simulation's placement stream
	web := placement.Task{CPU: 512, MemoryMiB: 3072, Group: c.Group("service:web")}

	for range 3 {
		r, err := c.Place(plan, web, rng)
		if err != nil {
			panic(err)
		}
		if r.Placed() {
			st, _ := c.State(r.Instance)
			fmt.Printf("placed on %s, %d MiB left\n", st.EC2InstanceID, st.FreeMemoryMiB)
		}
	}
	// i-1c, not an m5, never receives a task. No instance has 4096 CPU
	// units free: all fail the first check, and the closest matching
	// instance is then the lowest ID.
	big := placement.Task{CPU: 4096, MemoryMiB: 8192, Group: c.Group("service:web")}
	r, _ := c.Place(plan, big, rng)
	fmt.Println(r.Rejection.Reason)
	fmt.Println(r.Rejection.Message())
	// Output:
	// placed on i-1a, 4608 MiB left
	// placed on i-1a, 1536 MiB left
	// placed on i-1b, 12504 MiB left
	// RESOURCE:CPU
	// unable to place a task because no container instance met all of its requirements. The closest matching container-instance i-1a has insufficient CPU units available.
}

// ExampleCluster_Diagnose is the dry run: for one task under one plan,
// each instance's first failed check, or its rank keys and whether Place
// would choose among it, without placing anything.
func ExampleCluster_Diagnose() {
	c := placement.NewCluster()
	for _, in := range []placement.Instance{
		{EC2InstanceID: "i-small", InstanceType: "t3.small", Zone: "us-east-1a", CPU: 2048, MemoryMiB: 1900},
		{EC2InstanceID: "i-arm", InstanceType: "m7g.large", Zone: "us-east-1b", CPU: 2048, MemoryMiB: 7800,
			Attributes: map[string]string{placement.AttrCPUArchitecture: "arm64"}},
		{EC2InstanceID: "i-big", InstanceType: "m5.xlarge", Zone: "us-east-1a", CPU: 4096, MemoryMiB: 15500},
		{EC2InstanceID: "i-mid", InstanceType: "m5.large", Zone: "us-east-1c", CPU: 2048, MemoryMiB: 7600},
	} {
		if _, err := c.Register(in); err != nil {
			panic(err)
		}
	}
	plan := placement.MustCompile(placement.Spec{
		Constraints: []placement.Constraint{{Type: placement.MemberOf, Expression: "attribute:ecs.cpu-architecture != arm64"}},
		Strategies:  []placement.Strategy{{Type: placement.Binpack, Field: "memory"}},
	})
	verdicts, err := c.Diagnose(plan, placement.Task{CPU: 512, MemoryMiB: 2048, Group: c.Group("service:web")})
	if err != nil {
		panic(err)
	}
	for _, v := range verdicts {
		switch {
		case v.Failed == placement.ReasonConstraint:
			fmt.Printf("%-8s fails %s (constraint %d)\n", v.EC2InstanceID, v.Failed, v.Constraint)
		case v.Failed != "":
			fmt.Printf("%-8s fails %s\n", v.EC2InstanceID, v.Failed)
		default:
			fmt.Printf("%-8s keys %v best %v\n", v.EC2InstanceID, v.Keys, v.Best)
		}
	}
	// Output:
	// i-small  fails RESOURCE:MEMORY
	// i-arm    fails CONSTRAINT (constraint 0)
	// i-big    keys [15500] best false
	// i-mid    keys [7600] best true
}

// ValidateAttributes applies ECS's attribute rules up front, e.g. when a
// simulated instance is launched, long before it registers.
func ExampleValidateAttributes() {
	err := placement.ValidateAttributes(map[string]string{"": "x", "team": "web ", "rack": "r1"})
	fmt.Println(err)
	// Output:
	// placement: invalid instance: Attributes "": attribute name must have 1 to 128 characters, each a letter, a digit, or one of - _ / \ .
	// placement: invalid instance: Attributes["team"] "web ": attribute value must not start or end with a space
}

// The enums read and write ECS's spellings, so a Spec can come from JSON.
func ExampleStrategyType_UnmarshalText() {
	var spec struct{ Strategies []placement.Strategy }
	err := json.Unmarshal([]byte(`{"Strategies": [{"Type": "spread", "Field": "attribute:ecs.availability-zone"}, {"Type": "binpack", "Field": "memory"}]}`), &spec)
	fmt.Println(spec.Strategies[0].Type, spec.Strategies[1].Type, err)
	err = json.Unmarshal([]byte(`{"Strategies": [{"Type": "Binpack"}]}`), &spec)
	fmt.Println(err)
	// Output:
	// spread binpack <nil>
	// placement: invalid placement spec: StrategyType "Binpack": must be "binpack", "spread", "random" or "custom"
}
