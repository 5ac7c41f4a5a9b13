package scenario

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// mixed is an EC2 batch service with a binpack strategy beside a Fargate
// web service behind an ALB with request-level traffic and CPU target
// tracking, and an action at 30 minutes.
const mixed = `{
  "seed": 7,
  "start": "2024-05-01T00:00:00Z",
  "duration": "2h",
  "taskDefinitions": [
    {"family": "batch", "cpu": 512, "memoryMiB": 1024, "requiresCompatibilities": ["EC2"],
     "containers": [{"name": "worker", "image": "batch:1"}]},
    {"family": "web", "cpu": 512, "memoryMiB": 1024, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
     "containers": [{"name": "app", "image": "web:1"}]}
  ],
  "clusters": [{"name": "c", "instances": [{"type": "m5.large", "count": 6, "zones": ["us-east-1a", "us-east-1b", "us-east-1c"]}]}],
  "services": [
    {"cluster": "c", "name": "batch", "taskDefinition": "batch", "desiredCount": 4, "launchType": "EC2",
     "placementStrategy": [{"type": "binpack", "field": "memory"}]},
    {"cluster": "c", "name": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "FARGATE",
     "loadBalancer": {"healthCheck": {"interval": "10s"}},
     "traffic": {"rate": {"constant": 40}, "work": {"mean": "20ms"}, "server": {"concurrency": 16, "timeout": "5s"}},
     "autoScaling": {"minCapacity": 1, "maxCapacity": 10,
       "targetTracking": [{"name": "cpu40", "metric": "ECSServiceAverageCPUUtilization", "targetValue": 40}]}}
  ],
  "actions": [{"at": "30m", "updateService": {"cluster": "c", "service": "batch", "desiredCount": 8}}]
}`

// TestScenarioMatchesHandBuiltWorld: a scenario and the same world built
// call by call with the sim API (the oracle: no scenario code involved)
// run the same events: same trace hash, event count, counters and cost.
func TestScenarioMatchesHandBuiltWorld(t *testing.T) {
	sc, err := Parse([]byte(mixed))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Run(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}

	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	s := must(sim.New(sim.Config{Seed: 7, Start: start}))
	w := must(sim.NewWorld(s, sim.WorldConfig{}))
	store := must(metrics.NewStore(metrics.Config{}))
	must(w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "batch", CPU: 512, MemoryMiB: 1024,
		RequiresCompatibilities: []sim.LaunchType{sim.EC2}, Containers: []sim.ContainerDefinition{{Name: "worker", Image: "batch:1"}}}))
	must(w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "web", CPU: 512, MemoryMiB: 1024, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate}, Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:1"}}}))
	c := must(w.CreateCluster("c"))
	must(c.LaunchInstances("m5.large", []string{"us-east-1a", "us-east-1b", "us-east-1c"}, 6))
	batch := must(c.CreateService(sim.ServiceConfig{Name: "batch", TaskDefinition: "batch", DesiredCount: 4, LaunchType: sim.EC2,
		PlacementStrategy: []placement.Strategy{{Type: placement.Binpack, Field: "memory"}}}))
	lb := must(w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "c-web", TargetGroup: loadbalancer.Config{
		HealthCheck: loadbalancer.HealthCheck{Interval: 10 * time.Second}}}))
	web := must(c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 2, LaunchType: sim.Fargate, Observer: lb}))
	wl := must(w.NewWorkload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 40}, Metrics: store,
		End: 2 * time.Hour, ReportPeriod: time.Hour, MeanWork: 20 * time.Millisecond, SCV: 1,
		Demand: traffic.Exponential{Mean: 20 * time.Millisecond},
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 16, Timeout: 5 * time.Second}}))
	policy := must(autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "cpu40", ResourceID: "service/c/web",
		TargetValue: 40, PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization, ResourceLabel: lb.ResourceLabel()}))
	ctl := must(autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: "service/c/web", MinCapacity: 1, MaxCapacity: 10},
		Policies: []autoscale.Policy{policy}}))
	scaling := must(web.AttachScaler(ctl, store))
	s.At(start.Add(30*time.Minute), func() {
		if err := batch.UpdateService(sim.ServiceUpdate{DesiredCount: sim.Percent(8)}); err != nil {
			t.Error(err)
		}
	})
	if err := s.RunUntil(start.Add(2 * time.Hour)); err != nil {
		t.Fatal(err)
	}

	if got.TraceHash != s.TraceHash() || got.Events != s.Executed() {
		t.Errorf("scenario ran %d events (hash %x); by hand %d (hash %x)", got.Events, got.TraceHash, s.Executed(), s.TraceHash())
	}
	if got.Services[0].Counters != batch.Counters() || got.Services[1].Counters != web.Counters() {
		t.Errorf("service counters differ: %+v vs %+v, %+v vs %+v", got.Services[0].Counters, batch.Counters(), got.Services[1].Counters, web.Counters())
	}
	if got.Services[1].Requests != wl.Counters() || got.Services[1].ScalingActivities != scaling.Activities() {
		t.Errorf("web traffic %+v / %d activities; by hand %+v / %d", got.Services[1].Requests, got.Services[1].ScalingActivities, wl.Counters(), scaling.Activities())
	}
	if got.Cost != w.Cost().Total {
		t.Errorf("cost %v, by hand %v", got.Cost, w.Cost().Total)
	}
	if got.Services[0].Desired != 8 || got.Services[1].Requests.Arrived < 200_000 || got.Services[1].ScalingActivities == 0 {
		t.Errorf("the scenario did not do what it says: %+v", got.Services)
	}
	if len(got.Rows) != 4 || len(got.Actions) != 1 || got.Actions[0].Err != "" {
		t.Errorf("rows %d, actions %+v", len(got.Rows), got.Actions)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestDeterministic: the same scenario gives the same trace; another seed
// another one.
func TestDeterministic(t *testing.T) {
	sc := readFile(t, "testdata/web.json")
	a, b := must(Run(sc, Options{})), must(Run(sc, Options{}))
	if a.TraceHash != b.TraceHash || a.Events != b.Events || a.Cost != b.Cost {
		t.Fatalf("two runs differ: %x/%d/%v vs %x/%d/%v", a.TraceHash, a.Events, a.Cost, b.TraceHash, b.Events, b.Cost)
	}
	sc.Seed++
	if c := must(Run(sc, Options{})); c.TraceHash == a.TraceHash {
		t.Fatal("another seed gave the same trace")
	}
}

// TestUtilisationLaw: with a fixed task count, the CPU utilisation of each
// hour is offered work over capacity, λ·E[S] / (tasks · vCPUs), the
// utilisation law of queueing theory; fluid mode meets it exactly once
// the tasks run, request-level mode within sampling noise.
func TestUtilisationLaw(t *testing.T) {
	for _, mode := range []string{"fluid", "request"} {
		t.Run(mode, func(t *testing.T) {
			in := strings.NewReplacer("MODE", mode).Replace(`{
  "duration": "3h",
  "taskDefinitions": [{"family": "api", "cpu": 2048, "memoryMiB": 4096, "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "api:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "api", "taskDefinition": "api", "desiredCount": 5, "launchType": "FARGATE",
    "loadBalancer": {}, "traffic": {"mode": "MODE", "rate": {"constant": 150}, "work": {"mean": "30ms"}}}]
}`)
			r := must(Run(must(Parse([]byte(in))), Options{}))
			want := 150 * 0.030 / (5 * 2) * 100 // 45 %
			tol := map[string]float64{"fluid": 0.01, "request": 1.0}[mode]
			for _, row := range r.Rows[1:] { // the first hour includes the tasks' start
				if math.Abs(row.CPUPercent-want) > tol || row.Running != 5 || row.MeanTasks != 5 {
					t.Errorf("%v: CPU %.3f %% with %v tasks; the utilisation law says %.3f %% with 5", row.Start, row.CPUPercent, row.MeanTasks, want)
				}
				if math.Abs(row.RequestsPerSecond-150) > tol*2 {
					t.Errorf("%v: %.2f requests/s, offered 150", row.Start, row.RequestsPerSecond)
				}
			}
		})
	}
}

// TestSeriesFile: a CSV series from Options.Files drives the rate: counts
// per minute over 60 s, times scale, from the offset on.
func TestSeriesFile(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("t,requests\n")
	for m := range 180 {
		n := 600 // 10/s in the first hour
		if m >= 60 {
			n = 1200 // then 20/s
		}
		fmt.Fprintf(&csv, "%d,%d\n", m*60, n)
	}
	files := fstest.MapFS{"load.csv": {Data: []byte(csv.String())}}
	in := `{
  "duration": "4h",
  "taskDefinitions": [{"family": "api", "cpu": 1024, "memoryMiB": 2048, "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "api:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "api", "taskDefinition": "api", "desiredCount": 3, "launchType": "FARGATE",
    "loadBalancer": {}, "traffic": {"mode": "fluid", "work": {"mean": "10ms"},
      "rate": {"series": {"file": "load.csv", "timeColumn": "t", "valueColumn": "requests", "counts": true, "scale": 1.5, "offset": "1h"}}}}]
}`
	r := must(Run(must(Parse([]byte(in))), Options{Files: files}))
	want := []float64{0, 15, 30, 30} // offset 1 h; 10/s and 20/s, ×1.5
	for i, row := range r.Rows {
		if math.Abs(row.RequestsPerSecond-want[i]) > 1e-9 {
			t.Errorf("hour %d: %v requests/s, want %v", i, row.RequestsPerSecond, want[i])
		}
	}
	if _, err := Build(must(Parse([]byte(in))), Options{}); err == nil || !strings.Contains(err.Error(), "services[0].traffic: rate.series.file \"load.csv\": Options.Files is nil") {
		t.Errorf("Build without Files = %v", err)
	}
}

// TestRefusedActionIsAnOutcome: an action the simulator refuses at its time
// (here a task definition that does not run on Fargate) is a report entry,
// and the run goes on.
func TestRefusedActionIsAnOutcome(t *testing.T) {
	in := `{
  "duration": "1h",
  "taskDefinitions": [
    {"family": "web", "cpu": 256, "memoryMiB": 512, "networkMode": "awsvpc",
     "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "web:1"}]},
    {"family": "ec2only", "cpu": 256, "memoryMiB": 512, "requiresCompatibilities": ["EC2"],
     "containers": [{"name": "app", "image": "x"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "FARGATE"}],
  "actions": [
    {"at": "10m", "updateService": {"cluster": "prod", "service": "web", "taskDefinition": "ec2only"}},
    {"at": "20m", "updateService": {"cluster": "prod", "service": "web", "desiredCount": 3}}]
}`
	r := must(Run(must(Parse([]byte(in))), Options{}))
	if len(r.Actions) != 2 || r.Actions[0].Err == "" || r.Actions[1].Err != "" {
		t.Fatalf("actions %+v: want the first refused, the second done", r.Actions)
	}
	if r.Services[0].Desired != 3 || r.Services[0].Running != 3 {
		t.Errorf("service ended at %d desired, %d running; want 3 and 3", r.Services[0].Desired, r.Services[0].Running)
	}
}
