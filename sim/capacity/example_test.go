package capacity_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/sim/capacity"
)

// Split 10 tasks of a service over FARGATE (base 2, weight 1) and
// FARGATE_SPOT (weight 3), then price an hour of them.
func Example() {
	strategy := capacity.Strategy{
		{Provider: capacity.Fargate, Base: 2, Weight: 1},
		{Provider: capacity.FargateSpot, Weight: 3},
	}
	if err := strategy.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	counts := capacity.DistributeCounts(strategy, []int{0, 0}, 10)
	for i, item := range strategy {
		fmt.Printf("%-12s %d tasks\n", item.Provider, counts[i])
	}

	acc, _ := capacity.NewAccumulator(capacity.USEast1Prices())
	size := capacity.FargateTaskSize{CPU: 1024, MemoryMiB: 2048}
	for i, provider := range capacity.Distribute(strategy, []int{0, 0}, 10) {
		id := fmt.Sprintf("task-%d", i)
		spot := strategy[provider].Provider == capacity.FargateSpot
		_ = acc.StartFargateTask(id, capacity.FargateUsage{
			Service: "web", Provider: strategy[provider].Provider, Cluster: "prod", Size: size, Spot: spot,
		}, 0)
	}
	report := acc.Report(time.Hour)
	for _, line := range report.ByProvider {
		fmt.Printf("%-12s $%.6f\n", line.Key, line.Cost)
	}
	fmt.Printf("total        $%.6f\n", report.Total)
	// Output:
	// FARGATE      4 tasks
	// FARGATE_SPOT 6 tasks
	// FARGATE      $0.197480
	// FARGATE_SPOT $0.088866
	// total        $0.286346
}

// A burst of 150 Fargate launches against the token bucket (burst 100,
// 20 a second, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html):
// 100 at once, then one every 50 ms.
func ExampleLaunchBucket_Take() {
	bucket, _ := capacity.NewLaunchBucket(capacity.LaunchBucketConfig{})
	waiting, now := 150, time.Duration(0)
	for waiting > 0 {
		granted, next := bucket.Take(now, waiting)
		if granted > 1 || waiting == granted {
			fmt.Printf("t=%v: %d launched\n", now, granted)
		}
		waiting -= granted
		now = next
	}
	// Output:
	// t=0s: 100 launched
	// t=2.5s: 1 launched
}

// Cluster auto scaling from zero: ten 1 vCPU / 2 GiB tasks wait for an
// empty Auto Scaling group of 4 vCPU / 8 GiB instances.
func ExampleManagedScaling_Evaluate() {
	ms, _ := capacity.NewManagedScaling(capacity.ManagedScalingConfig{TargetCapacity: 100},
		capacity.AutoScalingGroup{MinSize: 0, MaxSize: 10})
	pending := make([]capacity.TaskRequirement, 10)
	for i := range pending {
		pending[i] = capacity.TaskRequirement{CPU: 1024, MemoryMiB: 2048, AWSVPC: true}
	}
	d := ms.Evaluate(0, capacity.ScalingInput{
		Pending:       pending,
		InstanceTypes: []capacity.InstanceType{{Name: "m6i.xlarge", CPU: 4096, MemoryMiB: 8192, ENIs: 3}},
	})
	fmt.Printf("M=%d CPR=%.0f%% desired %d → %d; next evaluation at %v\n", d.M, d.Reservation, d.Previous, d.Desired, d.Next)
	// Output:
	// M=4 CPR=200% desired 0 → 4; next evaluation at 1m0s
}
