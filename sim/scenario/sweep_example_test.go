package scenario_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/autoscale"
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
	// cpu=512, targetValue=50  cost $14.58  p99 449.2 ms  tasks 20.8 (max 32)
	// cpu=512, targetValue=70  cost $10.46  p99 710.9 ms  tasks 15.0 (max 23)
	// cpu=1024, targetValue=50 cost $12.59  p99 220.7 ms  tasks 10.6 (max 16)
	// cpu=1024, targetValue=70 cost $ 9.11  p99 332.0 ms  tasks  7.7 (max 12)
}

// busyHours is a scaler of one's own: 6 tasks from 08:00 to 20:00, 2
// otherwise.
type busyHours struct{}

func (busyHours) Evaluate(now time.Time, s autoscale.State) autoscale.Decision {
	want := 2
	if h := now.Hour(); h >= 8 && h < 20 {
		want = 6
	}
	d := autoscale.Decision{Desired: want, Changed: want != s.Desired}
	if d.Changed {
		d.Activities = []autoscale.Activity{{Time: now, From: s.Desired, To: want, Cause: "busy hours"}}
	}
	return d
}

// A policy of one's own on a file-defined world: Build the file, attach
// the scaler to its service, run; the report counts its activities.
func ExampleBuild_customScaler() {
	sc, err := scenario.Parse([]byte(`{"duration": "24h",
	  "taskDefinitions": [{"family": "web", "cpu": 256, "memoryMiB": 512, "networkMode": "awsvpc",
	    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "web:1"}]}],
	  "clusters": [{"name": "prod"}],
	  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "FARGATE"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := scenario.Build(sc, scenario.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := s.Service("prod", "web").AttachScaler(busyHours{}, s.Metrics); err != nil {
		fmt.Println(err)
		return
	}
	r, err := s.Run()
	if err != nil {
		fmt.Println(err)
		return
	}
	web := r.Services[0]
	fmt.Printf("%d scaling activities, %d to %d tasks, %.1f on average, $%.2f\n", web.ScalingActivities, web.MinDesired, web.MaxDesired, web.MeanTasks, web.Cost)
	// 12 hours of 6 tasks and 12 of 2 are 96 task-hours, 4 on average; at
	// Fargate's us-east-1 Linux x86 rates (0.25 vCPU × $0.04048 + 0.5 GB ×
	// $0.004445 per hour) $1.18.

	// Output:
	// 2 scaling activities, 2 to 6 tasks, 4.0 on average, $1.18
}
