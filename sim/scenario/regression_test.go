package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/autoscale"
)

// fourServices is four Fargate services behind load balancers with
// traffic, for three hours: a report of 4 services × 3 periods.
const fourServices = `{
  "duration": "3h",
  "taskDefinitions": [{"family": "api", "cpu": 512, "memoryMiB": 1024, "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "api:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [
    {"cluster": "prod", "name": "a", "taskDefinition": "api", "desiredCount": 1, "launchType": "FARGATE",
     "loadBalancer": {}, "traffic": {"mode": "fluid", "rate": {"constant": 20}, "work": {"mean": "20ms"}}},
    {"cluster": "prod", "name": "b", "taskDefinition": "api", "desiredCount": 2, "launchType": "FARGATE",
     "loadBalancer": {}, "traffic": {"mode": "fluid", "rate": {"constant": 40}, "work": {"mean": "20ms"}}},
    {"cluster": "prod", "name": "c", "taskDefinition": "api", "desiredCount": 3, "launchType": "FARGATE",
     "loadBalancer": {}, "traffic": {"mode": "fluid", "rate": {"constant": 60}, "work": {"mean": "20ms"}}},
    {"cluster": "prod", "name": "d", "taskDefinition": "api", "desiredCount": 4, "launchType": "FARGATE"}
  ]
}`

// TestRegressionLateScalerActivitiesCounted: a scaler attached to a
// service after Build (a policy of the caller's own) is counted in the
// report's ScalingActivities, as its own handle counts them; the report
// counted 0 for such a scaler.
func TestRegressionLateScalerActivitiesCounted(t *testing.T) {
	s := must(Build(must(Parse([]byte(fourServices))), Options{}))
	policy := must(autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "cpu10", ResourceID: "service/prod/c",
		TargetValue: 10, PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization}))
	ctl := must(autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: "service/prod/c", MinCapacity: 1, MaxCapacity: 20},
		Policies: []autoscale.Policy{policy}}))
	scaling := must(s.Service("prod", "c").AttachScaler(ctl, s.Metrics))
	r := must(s.Run())
	if scaling.Activities() == 0 {
		t.Fatal("the scaler made no change: the test shows nothing")
	}
	if got := r.Services[2].ScalingActivities; got != scaling.Activities() {
		t.Errorf("report counts %d scaling activities; the scaler made %d", got, scaling.Activities())
	}
}

// TestRegressionRowsServiceByService: the rows come service by service in
// scenario order, each service's in time order, and the text report has
// one table per service with its header once; it printed one table per
// period and service (12 here), the header repeated.
func TestRegressionRowsServiceByService(t *testing.T) {
	r := must(Run(must(Parse([]byte(fourServices))), Options{}))
	if len(r.Rows) != 12 {
		t.Fatalf("%d rows, want 4 services × 3 hours", len(r.Rows))
	}
	for i, row := range r.Rows {
		svc, period := r.Services[i/3].Service, i%3
		if row.Service != svc || !row.Start.Equal(r.Start.Add(row.Length*time1(period))) {
			t.Errorf("row %d is %s at %v; want %s, period %d", i, row.Service, row.Start, svc, period)
		}
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if n := strings.Count(text, "period (UTC)"); n != 4 {
		t.Errorf("%d row tables, want one per service (4):\n%s", n, text)
	}
	for _, s := range r.Services {
		if n := strings.Count(text, "\n"+s.Service+"\n"); n != 1 {
			t.Errorf("service %s heads %d tables, want 1", s.Service, n)
		}
	}
}

func time1(n int) time.Duration { return time.Duration(n) }

// TestRegressionReportJSONKeys: a report as JSON has the scenario file's
// camelCase keys, units in the names of figures (p99Ms, costUsd) and
// durations as strings, and reads back to the same report; it had Go's
// PascalCase keys and durations as integer nanoseconds.
func TestRegressionReportJSONKeys(t *testing.T) {
	sc := must(Parse([]byte(fourServices)))
	sc.Actions = []Action{{At: Duration(time.Hour), UpdateService: &UpdateService{Cluster: "prod", Service: "d", DesiredCount: ptr(2)}}}
	r := must(Run(sc, Options{}))
	data := must(json.Marshal(r))
	text := string(data)
	for _, want := range []string{`"costUsd":`, `"p99Ms":`, `"p50Ms":`, `"traceHash":"`, `"length":"1h0m0s"`, `"requests":{"arrived":`,
		`"counters":{"tasksStarted":`, `"cpuPercent":`, `"requestsPerSecond":`, `"actions":[{"at":"`} {
		if !strings.Contains(text, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	for _, bad := range []string{`"P99"`, `"Cost"`, `"Length"`, `"TasksStarted"`, `"Arrived"`} {
		if strings.Contains(text, bad) {
			t.Errorf("JSON has Go's key %s", bad)
		}
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, &back); diff != "" {
		t.Errorf("report read back differs (-ran +read):\n%s", diff)
	}
	if r.Services[0].P99 == 0 || r.Services[0].Requests.Arrived == 0 {
		t.Errorf("the report has no traffic to check: %+v", r.Services[0])
	}
}

func ptr[T any](v T) *T { return &v }

// TestRegressionIntervalSameDecimals: an interval prints its mean and
// half-width with the same decimals, the half-width to two significant
// digits, and a zero half-width at the mean's four; -seeds printed
// "929.7 ± 0", "1391 ± 0" and "0.03149 ± 0" side by side.
func TestRegressionIntervalSameDecimals(t *testing.T) {
	for _, c := range []struct {
		iv   Interval
		want string
	}{
		{Interval{929.7, 0}, "929.7 ± 0.0"},
		{Interval{1391, 0}, "1391 ± 0"},
		{Interval{1391.25, 0}, "1391 ± 0"},
		{Interval{0.031494, 0}, "0.03149 ± 0.00000"},
		{Interval{60, 0}, "60 ± 0"},
		{Interval{47.7231, 0.01304}, "47.723 ± 0.013"},
		{Interval{13, 9}, "13.0 ± 9.0"},
		{Interval{2469.4, 8269}, "2469 ± 8269"},
		{Interval{0, 0}, "0 ± 0"},
		{Interval{0.5, math.NaN()}, "0.5000"},
		{Interval{7, math.NaN()}, "7"},
	} {
		got := c.iv.String()
		if got != c.want {
			t.Errorf("%+v prints %q, want %q", c.iv, got, c.want)
		}
		if m, h, ok := strings.Cut(got, " ± "); ok && decimals(m) != decimals(h) {
			t.Errorf("%q: the mean has %d decimals, the half-width %d", got, decimals(m), decimals(h))
		}
	}
}

func decimals(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

// TestRegressionTrafficDelay: traffic.delay holds requests back while the
// tasks start: without it the first minute of a new service answers 5xx
// (no target yet); with a delay past the tasks' start, none, and the
// first hour offers the rate for the time after the delay only.
func TestRegressionTrafficDelay(t *testing.T) {
	in := `{
  "duration": "2h",
  "taskDefinitions": [{"family": "api", "cpu": 512, "memoryMiB": 1024, "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "api:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "api", "taskDefinition": "api", "desiredCount": 2, "launchType": "FARGATE",
    "loadBalancer": {}, "traffic": {"mode": "fluid", "rate": {"constant": 30}, "work": {"mean": "10ms"}DELAY}}]
}`
	cold := must(Run(must(Parse([]byte(strings.Replace(in, "DELAY", "", 1)))), Options{}))
	warm := must(Run(must(Parse([]byte(strings.Replace(in, "DELAY", `, "delay": "15m"`, 1)))), Options{}))
	if cold.Rows[0].Errors5xx == 0 {
		t.Fatal("without a delay the first hour has no 5xx: the test shows nothing")
	}
	if warm.Rows[0].Errors5xx != 0 || warm.Rows[1].Errors5xx != 0 {
		t.Errorf("with a 15 min delay: 5xx %d then %d, want none", warm.Rows[0].Errors5xx, warm.Rows[1].Errors5xx)
	}
	if got, want := warm.Rows[0].RequestsPerSecond, 30*45.0/60; math.Abs(got-want) > 1e-9 {
		t.Errorf("first hour offers %v requests/s; 45 of its 60 minutes at 30/s is %v", got, want)
	}
	if _, err := Parse([]byte(strings.Replace(in, "DELAY", `, "delay": "-1m"`, 1))); err == nil || !strings.Contains(err.Error(), "services[0].traffic.delay") {
		t.Errorf("a negative delay: %v", err)
	}
}

// TestRegressionEveryShapeProblemAtOnce: the shape pass reports every
// problem JSON lets it go past (an unknown field, a value of the wrong
// kind, a bad duration, a repeated field), each at its line; it stopped
// at the first. Bad JSON still stops it, after what came before.
func TestRegressionEveryShapeProblemAtOnce(t *testing.T) {
	in := `{
  "duration": "1 hour",
  "taskDefinitions": [{"family": "web", "cpu": "lots", "containers": [{"name": "app", "image": "web:1", "memry": 5}]}],
  "clusters": [{"name": "prod", "name": "again"}],
  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": [2, {"x": 1}]}]
}`
	_, err := Parse([]byte(in))
	// Each problem at the line and column (counted here, in the text) of
	// the value or key that breaks the shape.
	at := func(line int, token, msg string) string {
		col := strings.Index(strings.Split(in, "\n")[line-1], token) + 1
		return fmt.Sprintf("line %d, column %d: %s", line, col, msg)
	}
	want := []string{
		at(2, `"1 hour"`, `duration: a duration is a string with a unit`),
		at(3, `"lots"`, `taskDefinitions[0].cpu: expected a whole number or the API's string ("256", "1 vCPU", "2 GB"), got "lots"`),
		at(3, `"memry"`, `taskDefinitions[0].containers[0]: unknown field "memry"`),
		at(4, `"name": "again"`, `clusters[0]: field "name" appears twice`),
		at(5, `[2,`, `services[0].desiredCount: expected a whole number, got an array`),
	}
	var se *SyntaxError
	if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
		t.Fatalf("err %v is not a syntax error", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("problem %d is %q, want %q", i, lines[i], w)
		}
	}
	_, err = Parse([]byte(`{"duration": 5, "clusters": [`))
	if got := err.Error(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "duration: a duration") || !strings.Contains(got, "ends inside a value") {
		t.Errorf("bad JSON after a problem:\n%v", err)
	}
}

// TestRegressionFargateRulesUnderTheTaskDefinition: a task definition that
// requires Fargate and breaks its rules is reported once, under the field
// that breaks them, beside the file's other problems; it was reported by
// Build only once the rest was valid, under every service that ran it.
func TestRegressionFargateRulesUnderTheTaskDefinition(t *testing.T) {
	in := `{
  "duration": "1h",
  "taskDefinitions": [{"family": "web", "cpu": 300, "memoryMiB": 512, "networkMode": "bridge",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "web:1", "stopTimeout": "5m"}]},
   {"family": "big", "cpu": 1024, "memoryMiB": 512, "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "big:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "FARGATE"},
    {"cluster": "prod", "name": "web2", "taskDefinition": "web", "desiredCount": 2, "launchType": "FARGATE"},
    {"cluster": "prod", "name": "", "taskDefinition": "big", "desiredCount": 2, "launchType": "FARGATE"}]
}`
	_, err := Parse([]byte(in))
	wantProblems(t, err, []string{
		`taskDefinitions[0].networkMode "bridge": must be awsvpc: Fargate requires it`,
		`taskDefinitions[0].cpu 300: is no Fargate size: Fargate offers 256, 512, 1024, 2048, 4096, 8192, 16384`,
		`taskDefinitions[0].containers[0].stopTimeout 5m0s: must be at most 2m0s on Fargate`,
		`taskDefinitions[1].memoryMiB 512: is no Fargate size: with cpu 1024 it must be one of 2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB`,
		`services[2].name "": is required`,
	})
}

// TestSweepArmsAndSeeds: Sweep makes every combination, the first Vary
// slowest, each arm's reports are its seeds' runs as Run gives them, and
// Arm.Service's intervals are those of the reports' figures.
func TestSweepArmsAndSeeds(t *testing.T) {
	arms := must(Sweep([]byte(fourServices), Options{}, 2,
		Vary{Path: "services[1].desiredCount", Values: []any{1, 3}},
		Vary{Path: "duration", Values: []any{"1h", "2h", "3h"}}))
	if len(arms) != 6 || arms[1].Name() != `desiredCount=1, duration="2h"` || arms[3].Name() != `desiredCount=3, duration="1h"` {
		t.Fatalf("%d arms, names %q %q", len(arms), arms[1].Name(), arms[3].Name())
	}
	sc := must(Parse([]byte(fourServices)))
	sc.Services[1].DesiredCount, sc.Duration, sc.Seed = 3, Duration(time.Hour), 1
	want := must(Run(sc, Options{}))
	got := arms[3].Reports[1]
	if got.TraceHash != want.TraceHash || got.Seed != 1 {
		t.Errorf("arm 3, seed 1: trace %x, seed %d; Run gives %x", got.TraceHash, got.Seed, want.TraceHash)
	}
	b, ok := arms[3].Service("b")
	c0, c1 := arms[3].Reports[0].Services[1].Cost, arms[3].Reports[1].Services[1].Cost
	if !ok || b.Service != "prod/b" || b.CostUSD.Mean != (c0+c1)/2 || b.MaxTasks.Mean != 3 {
		t.Errorf("service b: %+v (costs %v, %v)", b, c0, c1)
	}
	if _, err := Sweep([]byte(fourServices), Options{}, 1, Vary{Path: "services[9].desiredCount", Values: []any{1}}); err == nil {
		t.Error("an arm that does not apply ran")
	}
}

// TestRegressionTaskDefinitionRefusedOnce: a task definition the
// simulator refuses is reported once, under it, not again under every
// service that runs it ("family is not registered").
func TestRegressionTaskDefinitionRefusedOnce(t *testing.T) {
	in := `{"duration": "1h",
 "taskDefinitions": [{"family": "web", "cpu": 256, "memoryMiB": 512, "requiresCompatibilities": ["EC2"],
   "containers": [{"name": "app", "image": "web:1", "memoryMiB": 4096}]}],
 "clusters": [{"name": "prod", "instances": [{"type": "m5.large", "count": 2}]}],
 "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 2},
   {"cluster": "prod", "name": "web2", "taskDefinition": "web:1", "desiredCount": 2}]}`
	_, err := Build(must(Parse([]byte(in))), Options{})
	if err == nil {
		t.Fatal("a container larger than its task built")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "taskDefinitions[0]: ") {
		t.Errorf("want the one problem under taskDefinitions[0]:\n%v", err)
	}
}

// TestRegressionCapacityProviderRefusedOnce: a capacity provider the
// simulator refuses is reported once, under it, not again under the
// cluster that names it and each service with a strategy on it; and a
// provider without zones takes the world's default zones, as a cluster's
// instances do (it was refused for want of a zone).
func TestRegressionCapacityProviderRefusedOnce(t *testing.T) {
	in := `{"duration": "1h",
 "taskDefinitions": [{"family": "web", "cpu": 256, "memoryMiB": 512, "requiresCompatibilities": ["EC2"], "containers": [{"name": "app", "image": "web:1"}]}],
 "capacityProviders": [{"name": "cp", "instanceType": "TYPE", "minSize": 0, "maxSize": 4, "desiredCapacity": 1}],
 "clusters": [{"name": "prod", "capacityProviders": ["cp"], "defaultCapacityProviderStrategy": [{"capacityProvider": "cp", "weight": 1}]}],
 "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 2, "capacityProviderStrategy": [{"capacityProvider": "cp", "weight": 1}]},
   {"cluster": "prod", "name": "web2", "taskDefinition": "web", "desiredCount": 2}]}`
	_, err := Build(must(Parse([]byte(strings.Replace(in, "TYPE", "m5.galactic", 1)))), Options{})
	if err == nil || strings.Count(err.Error(), "scenario: invalid: ") != 1 || !strings.Contains(err.Error(), "capacityProviders[0]: ") {
		t.Errorf("want the one problem under capacityProviders[0]:\n%v", err)
	}
	r := must(Run(must(Parse([]byte(strings.Replace(in, "TYPE", "m5.large", 1)))), Options{}))
	if r.Services[0].Running != 2 || r.Services[1].Running != 2 {
		t.Errorf("on a provider with the default zones: %+v", r.Services)
	}
}
