package scenario

import (
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/dist"
	"github.com/ecssim/ecssim/sim/traffic"
	"github.com/google/go-cmp/cmp"
)

// minimal is the smallest valid scenario; tests patch it.
const minimal = `{
  "duration": "1h",
  "taskDefinitions": [{"family": "web", "cpu": 256, "memoryMiB": 512, "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "web:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "FARGATE"}]
}`

func TestParseMinimal(t *testing.T) {
	sc, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Duration.D() != time.Hour || sc.Services[0].DesiredCount != 2 || sc.TaskDefinitions[0].Containers[0].Image != "web:1" {
		t.Fatalf("decoded %+v", sc)
	}
}

// TestSyntaxErrorsNamePosition: decoding problems say where they are.
func TestSyntaxErrorsNamePosition(t *testing.T) {
	for _, tc := range []struct {
		name, in   string
		line, col  int
		msgContain string
	}{
		{"empty", "", 1, 1, "empty file"},
		{"not json", "{\n  \"duration\": \"1h\",,\n}", 2, 20, "invalid character ','"},
		{"unknown field", "{\n  \"duration\": \"1h\",\n  \"sead\": 1\n}", 3, 3, `unknown field "sead"`},
		{"case", `{"Duration": "1h"}`, 1, 2, `unknown field "Duration" (did you mean "duration"?)`},
		{"twice", `{"seed": 1, "seed": 2}`, 1, 13, `field "seed" appears twice`},
		{"wrong type", "{\"services\": [{\"desiredCount\": \"two\"}]}", 1, 32, `services[0].desiredCount: expected a whole number, got the string "two"`},
		{"fraction", `{"clusters": [{"instances": [{}, {"count": 2.5}]}]}`, 1, 44, "clusters[0].instances[1].count: expected a whole number, got 2.5"},
		{"huge int", `{"services": [{"desiredCount": 99999999999999999999}]}`, 1, 32, "services[0].desiredCount: the number 99999999999999999999 does not fit a " + strconv.Itoa(strconv.IntSize) + "-bit integer"},
		{"huge float", `{"services": [{"traffic": {"rate": {"constant": 1e999}}}]}`, 1, 49, "services[0].traffic.rate.constant: the number 1e999 is out of range"},
		{"negative seed", `{"seed": -1}`, 1, 10, "seed: expected a whole number from 0 to 2^64-1"},
		{"object for array", `{"clusters": {"name": "prod"}}`, 1, 14, "clusters: expected an array, got an object"},
		{"number duration", "{\n\"duration\": 3600}", 2, 13, "duration: a duration is a string with a unit"},
		{"bad duration", "{\"duration\": \"an hour\"}", 1, 14, `got "an hour"`},
		{"bad time", `{"start": "2024-03-04"}`, 1, 11, "start: a time is an RFC 3339 string"},
		{"trailing", minimal + "\n{}", 8, 1, "data after the scenario object"},
		{"truncated", "{\"clusters\": [", 1, 15, "ends inside a value"},
		{"columns count runes", "{\"name\": \"é\", \"x\": 1}", 1, 15, `unknown field "x"`},
		{"not an object", `[1]`, 1, 1, "the scenario: expected an object, got an array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse = %v, want a *SyntaxError", err)
			}
			if se.Line != tc.line || se.Column != tc.col || !strings.Contains(se.Msg, tc.msgContain) {
				t.Errorf("got line %d column %d %q; want line %d column %d containing %q", se.Line, se.Column, se.Msg, tc.line, tc.col, tc.msgContain)
			}
		})
	}
}

// TestValidateReportsEveryProblem: one file with many mistakes gets one
// error per mistake, each naming its field, value and rule.
func TestValidateReportsEveryProblem(t *testing.T) {
	in := `{
  "duration": "0s",
  "reportPeriod": "7m",
  "taskDefinitions": [{"family": "web", "networkMode": "vpc", "requiresCompatibilities": ["LAMBDA"], "containers": []}],
  "capacityProviders": [{"name": "FARGATE", "instanceType": "m5.large", "interruptionsPerHour": 0.1}],
  "clusters": [{"name": "prod", "capacityProviders": ["asg"], "instances": [{"type": "m5.large", "count": 0}]},
               {"name": "prod"}],
  "services": [
    {"cluster": "qa", "name": "web", "taskDefinition": "web:2", "desiredCount": -1, "launchType": "fargate",
     "placementStrategy": [{"type": "pack"}], "placementConstraints": [{"type": "memberOf"}],
     "traffic": {"mode": "fast", "rate": {}, "work": {"mean": "0s", "distribution": "fixed", "scv": 2}},
     "autoScaling": {"minCapacity": 5, "maxCapacity": 1,
       "targetTracking": [{"name": "t", "metric": "ALBRequestCountPerTarget", "targetValue": 10}],
       "stepScaling": [{"name": "s", "metric": "CPU", "statistic": "Median", "comparisonOperator": ">", "adjustmentType": "Change", "evaluationPeriods": 1}]}},
    {"cluster": "prod", "name": "api", "taskDefinition": "api", "desiredCount": 1}
  ],
  "actions": [
    {"at": "2h", "updateService": {"cluster": "prod", "service": "nope"}},
    {"at": "1m"},
    {"at": "1m", "zoneOutage": {"zone": "", "duration": "0s"}, "launchInstances": {"cluster": "x", "type": "m5.large", "count": 1}}
  ]
}`
	_, err := Parse([]byte(in))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Parse = %v, want ErrInvalid", err)
	}
	want := []string{
		`duration 0s: must be positive`,
		`reportPeriod 7m0s: must be a whole number of minutes that divides a day`,
		`taskDefinitions[0].networkMode "vpc": must be one of awsvpc, bridge, host`,
		`taskDefinitions[0].requiresCompatibilities[0] "LAMBDA": must be one of EC2, FARGATE, EXTERNAL`,
		`taskDefinitions[0].containers 0: must hold at least one container`,
		`capacityProviders[0].name "FARGATE": is reserved for Fargate`,
		`capacityProviders[0].interruptionsPerHour 0.1: needs spot`,
		`clusters[0].instances[0].count 0: must be 1 to 100000`,
		`clusters[0].capacityProviders[0] "asg": names no capacity provider`,
		`clusters[1].name "prod": is used by an earlier cluster`,
		`services[0].cluster "qa": names no cluster`,
		`services[0].taskDefinition "web:2": revision must be 1 to 1`,
		`services[0].desiredCount -1: must not be negative`,
		`services[0].launchType "fargate": must be one of EC2, FARGATE, EXTERNAL`,
		`services[0].placementStrategy[0].type "pack": must be "binpack", "spread", "random" or "custom"`,
		`services[0].placementConstraints[0].expression "": is required for memberOf`,
		`services[0].traffic "{…}": needs loadBalancer`,
		`services[0].traffic.mode "fast": must be one of request, fluid`,
		`services[0].traffic.rate 0: must hold exactly one of constant, diurnal, steps, linear and series`,
		`services[0].traffic.work.mean 0s: must be positive`,
		`services[0].traffic.work.scv 2: is fixed by the "fixed" distribution`,
		`services[0].autoScaling.maxCapacity 1: must be at least minCapacity (5)`,
		`services[0].autoScaling.targetTracking[0].metric "ALBRequestCountPerTarget": needs the service's loadBalancer to be an alb`,
		`services[0].autoScaling.stepScaling[0].metric "CPU": must be ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget`,
		`services[0].autoScaling.stepScaling[0].statistic "Median": must be a CloudWatch statistic`,
		`services[0].autoScaling.stepScaling[0].comparisonOperator ">": must be GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold`,
		`services[0].autoScaling.stepScaling[0].adjustmentType "Change": must be ChangeInCapacity, PercentChangeInCapacity or ExactCapacity`,
		`services[0].autoScaling.stepScaling[0].stepAdjustments 0: must hold at least one step`,
		`services[1].taskDefinition "api": names no family of taskDefinitions`,
		`actions[0].at 2h0m0s: must be within the scenario's duration`,
		`actions[0].updateService.service "prod/nope": names no service`,
		`actions[1] 0: must hold exactly one of updateService, zoneOutage and launchInstances`,
		`actions[2].zoneOutage.zone "": is required`,
		`actions[2].zoneOutage.duration 0s: must be positive`,
		`actions[2].launchInstances.cluster "x": names no cluster`,
		`actions[2] 2: must hold exactly one`,
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("missing %q", w)
		}
	}
	var n int
	for _, line := range strings.Split(msg, "\n") {
		if strings.HasPrefix(line, "scenario: invalid: ") {
			n++
		}
	}
	// Every problem once, and nothing else (the counts match the list
	// above plus the action at 2h also exceeding the 0 s duration twice
	// more: actions[1] and actions[2] are at 1m ≥ 0s).
	if n != len(want)+2 {
		t.Errorf("%d problems reported, want %d:\n%s", n, len(want)+2, msg)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "duration" {
		t.Errorf("the first problem is %v, want a *FieldError on duration", fe)
	}
}

// TestRoundTrip: what Marshal writes, Parse reads back unchanged, for
// every file in testdata.
func TestRoundTrip(t *testing.T) {
	for _, name := range testdataScenarios(t) {
		t.Run(name, func(t *testing.T) {
			sc := readFile(t, name)
			out, err := json.MarshalIndent(sc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(Marshal(sc)): %v\n%s", err, out)
			}
			if d := cmp.Diff(sc, back); d != "" {
				t.Errorf("round trip changed the scenario (-before +after):\n%s", d)
			}
		})
	}
}

func testdataScenarios(t testing.TB) []string {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, "testdata/"+e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	return names
}

func readFile(t testing.TB, name string) *Scenario {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc, err := Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestEnumeratedFieldsReadTheirTypes: the load balancer's type and
// algorithm, the server's discipline, the work's distribution and the CPU
// architecture are read by their own types (package loadbalancer, traffic,
// dist and sim), which list the valid names when one is unknown; every
// unknown name is reported at once with the other problems, and a problem
// that could only come from reading the name as its default (the scv of a
// distribution that is not there) is left out.
func TestEnumeratedFieldsReadTheirTypes(t *testing.T) {
	in := `{
  "duration": "1h",
  "taskDefinitions": [{"family": "web", "cpu": 1024, "memoryMiB": 2048, "networkMode": "awsvpc", "cpuArchitecture": "arm",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "web:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": -1, "launchType": "FARGATE",
    "loadBalancer": {"type": "gwlb", "algorithm": "fastest"},
    "traffic": {"rate": {"constant": 1e300}, "work": {"distribution": "gamma", "mean": "10ms", "scv": 4},
      "server": {"discipline": "lifo"}}}]
}`
	_, err := Parse([]byte(in))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Parse = %v, want ErrInvalid", err)
	}
	want := []string{
		`taskDefinitions[0].cpuArchitecture "arm": must be one of X86_64, ARM64`,
		`services[0].loadBalancer.type "gwlb": must be one of alb, nlb, clb (or application, network, classic)`,
		`services[0].loadBalancer.algorithm "fastest": must be one of round_robin, least_outstanding_requests, weighted_random, flow_hash`,
		`services[0].traffic.work.distribution "gamma": must be one of fixed, uniform, exponential, lognormal, hyperexponential`,
		`services[0].traffic.server.discipline "lifo": must be one of fcfs, ps`,
		`services[0].desiredCount -1: must not be negative`,
		`services[0].traffic.rate.constant 1e+300: must be a rate from 0 to MaxPerSecond (1e+08) requests per second`,
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("missing %q", w)
		}
	}
	if n := strings.Count(msg, "scenario: invalid: "); n != len(want) {
		t.Errorf("%d problems, want %d:\n%s", n, len(want), msg)
	}
	if strings.Contains(msg, "work.scv") {
		t.Errorf("the scv is judged against a distribution the file does not hold:\n%s", msg)
	}
	// The right names read into the types.
	ok := strings.NewReplacer(`"arm"`, `"ARM64"`, `"gwlb"`, `"network"`, `"fastest"`, `"flow_hash"`, `"gamma"`, `"lognormal"`,
		`"lifo"`, `"fcfs"`, `-1`, `1`, `1e300`, `10`).Replace(in)
	sc, err := Parse([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Services[0]
	if sc.TaskDefinitions[0].CPUArchitecture != sim.ARM64 || s.LoadBalancer.Type != loadbalancer.NLB ||
		s.LoadBalancer.Algorithm != loadbalancer.FlowHash || s.Traffic.Work.Distribution != dist.KindLogNormal ||
		*s.Traffic.Server.Discipline != traffic.FCFS {
		t.Errorf("decoded %+v %+v", sc.TaskDefinitions[0], s)
	}
	// A name must be a JSON string.
	_, err = Parse([]byte(strings.Replace(ok, `"network"`, `1`, 1)))
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "services[0].loadBalancer.type: expected a string, got the number 1") {
		t.Errorf("number for a name: %v", err)
	}
	// A scenario built in Go is held to the same types.
	sc.Services[0].LoadBalancer.Type = 9
	if err := sc.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "services[0].loadBalancer.type 9: is not a known Type") {
		t.Errorf("Type(9): %v", err)
	}
}

// TestEmptyEnumeratedNamesMeanTheDefault: an empty string for an
// enumerated field was the field's default before the fields were typed,
// and still is ("discipline": "" is processor sharing, as absent).
func TestEmptyEnumeratedNamesMeanTheDefault(t *testing.T) {
	in := strings.Replace(minimal, `"launchType": "FARGATE"}]`, `"launchType": "FARGATE",
    "loadBalancer": {"type": "", "algorithm": ""},
    "traffic": {"rate": {"constant": 1}, "work": {"distribution": "", "mean": "10ms"}, "server": {"discipline": ""}}}]`, 1)
	in = strings.Replace(in, `"networkMode": "awsvpc",`, `"networkMode": "awsvpc", "cpuArchitecture": "",`, 1)
	sc, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Services[0]
	if s.LoadBalancer.Type != loadbalancer.ALB || s.LoadBalancer.Algorithm != loadbalancer.AlgorithmDefault ||
		s.Traffic.Work.Distribution != dist.Unset || s.Traffic.Server.Discipline != nil ||
		sc.TaskDefinitions[0].CPUArchitecture != "" {
		t.Errorf("decoded %+v %+v", s.LoadBalancer, s.Traffic)
	}
}

// TestRegressionZoneNamesAreAttributeValues: a zone instances are launched
// in becomes their ecs.availability-zone attribute, which the simulator
// checks only when an instance registers, by panicking (FuzzParse found a
// capacity provider zone holding a byte that is not UTF-8). Validate
// refuses such a name up front, wherever instances take their zone from.
func TestRegressionZoneNamesAreAttributeValues(t *testing.T) {
	in := `{"duration": "10m",
  "taskDefinitions": [{"family": "web", "containers": [{"name": "app", "image": "web:1", "memoryMiB": 128}]}],
  "capacityProviders": [{"name": "asg", "instanceType": "m5.large", "zones": ["us-east-1a", "us-east-1\u0086"], "minSize": 0, "maxSize": 2, "desiredCapacity": 1}],
  "clusters": [{"name": "prod", "zones": ["us-east-1 "], "instances": [{"type": "m5.large", "count": 1, "zones": ["us-east-1é"]}], "capacityProviders": ["asg"]}],
  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 1}],
  "actions": [{"at": "2m", "launchInstances": {"cluster": "prod", "type": "m5.large", "count": 1, "zones": [""]}}]}`
	_, err := Parse([]byte(in))
	rule := func(r string) string { return ": becomes the ecs.availability-zone attribute of its instances: " + r }
	chars := "attribute value must have 1 to 128 characters, each a letter, a digit, a space, or one of - _ . @ / \\ :"
	wantProblems(t, err, []string{
		`capacityProviders[0].zones[1] "us-east-1\u0086"` + rule(chars),
		`clusters[0].zones[0] "us-east-1 "` + rule("attribute value must not start or end with a space"),
		`clusters[0].instances[0].zones[0] "us-east-1é"` + rule(chars),
		`actions[0].launchInstances.zones[0] ""` + rule(chars),
	})
}

// TestLoadBalancerNodes: a scenario's loadBalancer.nodes and
// sharedRoundRobin reach the target group, and a node count out of range
// is refused by its path.
func TestLoadBalancerNodes(t *testing.T) {
	in := strings.Replace(minimal, `"launchType": "FARGATE"}`,
		`"launchType": "FARGATE", "loadBalancer": {"nodes": 5, "sharedRoundRobin": true}}`, 1)
	sc, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if cfg := targetGroup(sc.Services[0].LoadBalancer); cfg.Nodes != 5 || !cfg.SharedRoundRobin {
		t.Errorf("target group %+v, want 5 nodes and a shared cursor", cfg)
	}
	_, err = Parse([]byte(strings.Replace(in, `"nodes": 5`, `"nodes": -1`, 1)))
	if err == nil || !strings.Contains(err.Error(), "services[0].loadBalancer.nodes") {
		t.Errorf("nodes -1: error %v, want one naming services[0].loadBalancer.nodes", err)
	}
}
