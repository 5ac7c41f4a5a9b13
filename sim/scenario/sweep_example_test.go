package scenario_test

import (
	"fmt"

	"github.com/ecssim/ecssim/sim/scenario"
)

// The question "Fargate 0.5 or 1 vCPU, target 50 % or 70 %: cost and p99
// over a day" as an experiment: the day in a file, the four arms by
// Sweep, each arm's figures typed.
func ExampleSweep() {
	day := []byte(`{
	  "duration": "24h",
	  "taskDefinitions": [{"family": "web", "cpu": 512, "memoryMiB": 2048, "networkMode": "awsvpc",
	    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "web:1"}]}],
	  "clusters": [{"name": "prod"}],
	  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 4,
	    "launchType": "FARGATE", "loadBalancer": {},
	    "traffic": {"mode": "fluid", "delay": "5m", "work": {"mean": "25ms"},
	      "rate": {"diurnal": {"mean": 200, "amplitude": 0.6, "peak": "14h"}}},
	    "autoScaling": {"minCapacity": 2, "maxCapacity": 100, "targetTracking": [
	      {"name": "cpu", "metric": "ECSServiceAverageCPUUtilization", "targetValue": 50}]}}]
	}`)
	arms, err := scenario.Sweep(day, scenario.Options{}, 1,
		scenario.Vary{Path: "taskDefinitions[0].cpu", Values: []any{512, 1024}},
		scenario.Vary{Path: "services[0].autoScaling.targetTracking[0].targetValue", Values: []any{50, 70}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, arm := range arms {
		web, _ := arm.Service("web")
		fmt.Printf("%-24s cost $%5.2f  p99 %5.1f ms  tasks %4.1f (max %v)\n",
			arm.Name(), web.CostUSD.Mean, web.P99Ms.Mean, web.MeanTasks.Mean, web.MaxTasks.Mean)
	}
	// The mean task counts are what the utilisation law says target
	// tracking holds: 200 requests/s × 25 ms is 5 vCPUs of work, so 20
	// tasks of 0.5 vCPU at 50 %, 14.3 at 70 %, 10 and 7.1 of 1 vCPU (a
	// little more: scale-in is slower than scale-out). Cost follows the
	// task-hours; p99 the smaller tasks' longer service times.

	// Output:
	// cpu=512, targetValue=50  cost $14.58  p99 488.3 ms  tasks 20.8 (max 32)
	// cpu=512, targetValue=70  cost $10.46  p99 742.2 ms  tasks 15.0 (max 23)
	// cpu=1024, targetValue=50 cost $12.59  p99 220.7 ms  tasks 10.6 (max 16)
	// cpu=1024, targetValue=70 cost $ 9.11  p99 339.8 ms  tasks  7.7 (max 12)
}
