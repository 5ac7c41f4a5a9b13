package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

// TestEveryEnumeratedFieldReadsItsType: the launch type, network mode,
// CPU architecture, scheduling strategy, AZ rebalancing and traffic mode
// (package sim), the placement strategy and constraint types (package
// placement), the predefined metrics and adjustment type (package
// autoscale), and the comparison operator and missing-data treatment
// (package metrics) are read by their types from the names the ECS,
// Application Auto Scaling and CloudWatch APIs use, and the scenario
// builds.
func TestEveryEnumeratedFieldReadsItsType(t *testing.T) {
	in := `{
  "duration": "1h",
  "taskDefinitions": [
    {"family": "web", "cpu": 1024, "memoryMiB": 2048, "networkMode": "awsvpc", "cpuArchitecture": "ARM64",
     "requiresCompatibilities": ["EC2", "FARGATE"],
     "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.cpu-architecture == arm64"}],
     "containers": [{"name": "app", "image": "web:1"}]},
    {"family": "agent", "networkMode": "host", "containers": [{"name": "a", "image": "agent:1", "cpu": 128, "memoryMiB": 128}]}
  ],
  "clusters": [{"name": "prod", "instances": [{"type": "m7g.large", "count": 3}]}],
  "services": [
    {"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "EC2",
     "schedulingStrategy": "REPLICA", "availabilityZoneRebalancing": "DISABLED",
     "placementStrategy": [{"type": "spread", "field": "instanceId"}, {"type": "binpack", "field": "memory"}, {"type": "random"}],
     "placementConstraints": [{"type": "distinctInstance"}],
     "loadBalancer": {},
     "traffic": {"mode": "fluid", "rate": {"constant": 10}, "work": {"mean": "10ms"}},
     "autoScaling": {"minCapacity": 1, "maxCapacity": 3,
       "targetTracking": [{"name": "t", "metric": "ALBRequestCountPerTarget", "targetValue": 100}],
       "stepScaling": [{"name": "s", "metric": "ECSServiceAverageMemoryUtilization", "evaluationPeriods": 1, "threshold": 10,
         "comparisonOperator": "LessThanOrEqualToThreshold", "treatMissingData": "notBreaching", "adjustmentType": "ExactCapacity",
         "stepAdjustments": [{"metricIntervalUpperBound": 0, "scalingAdjustment": 1}]}]}},
    {"cluster": "prod", "name": "agent", "taskDefinition": "agent", "desiredCount": 0, "schedulingStrategy": "DAEMON"}
  ]
}`
	sc, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	td, agent, web := sc.TaskDefinitions[0], sc.TaskDefinitions[1], sc.Services[0]
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"networkMode", td.NetworkMode, sim.AWSVPC},
		{"networkMode", agent.NetworkMode, sim.Host},
		{"cpuArchitecture", td.CPUArchitecture, sim.ARM64},
		{"requiresCompatibilities[0]", td.RequiresCompatibilities[0], sim.EC2},
		{"requiresCompatibilities[1]", td.RequiresCompatibilities[1], sim.Fargate},
		{"taskDefinition constraint", td.PlacementConstraints[0].Type, placement.MemberOf},
		{"launchType", web.LaunchType, sim.EC2},
		{"schedulingStrategy", web.SchedulingStrategy, sim.Replica},
		{"schedulingStrategy", sc.Services[1].SchedulingStrategy, sim.Daemon},
		{"availabilityZoneRebalancing", web.AvailabilityZoneRebalancing, sim.AZRebalancingDisabled},
		{"placementStrategy[0]", web.PlacementStrategy[0].Type, placement.Spread},
		{"placementStrategy[1]", web.PlacementStrategy[1].Type, placement.Binpack},
		{"placementStrategy[2]", web.PlacementStrategy[2].Type, placement.Random},
		{"service constraint", web.PlacementConstraints[0].Type, placement.DistinctInstance},
		{"traffic.mode", web.Traffic.Mode, sim.FluidMode},
		{"targetTracking metric", web.AutoScaling.TargetTracking[0].Metric, autoscale.ALBRequestCountPerTarget},
		{"stepScaling metric", web.AutoScaling.StepScaling[0].Metric, autoscale.ECSServiceAverageMemoryUtilization},
		{"comparisonOperator", web.AutoScaling.StepScaling[0].ComparisonOperator, metrics.LessThanOrEqualToThreshold},
		{"treatMissingData", web.AutoScaling.StepScaling[0].TreatMissingData, metrics.MissingDataNotBreaching},
		{"adjustmentType", web.AutoScaling.StepScaling[0].AdjustmentType, autoscale.ExactCapacity},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	built, err := Build(sc, Options{})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	// The task definition the simulator registered holds the values.
	def, err := built.World.TaskDefinition("web")
	if err != nil {
		t.Fatal(err)
	}
	if got := def.Input(); got.NetworkMode != sim.AWSVPC || got.CPUArchitecture != sim.ARM64 ||
		len(got.RequiresCompatibilities) != 2 || got.RequiresCompatibilities[1] != sim.Fargate ||
		got.PlacementConstraints[0].Type != placement.MemberOf {
		t.Errorf("registered %+v", got)
	}
}

// wantProblems checks that err holds exactly the problems want, in that
// order (the order of the checks, which follows the file).
func wantProblems(t *testing.T, err error, want []string) {
	t.Helper()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Parse = %v, want ErrInvalid", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(lines), len(want), err)
	}
	for i, w := range want {
		if i >= len(lines) || lines[i] != "scenario: invalid: "+w {
			t.Errorf("problem %d: want %q\n%s", i, w, err)
			return
		}
	}
}

// TestUnknownNamesOfEveryEnumeratedField: a name the field's type does not
// know is reported with the names the type reads, in the order of the
// checks, with every other problem of the file, those of the same object
// included (a name refused is not a reason to keep quiet about its
// neighbours).
func TestUnknownNamesOfEveryEnumeratedField(t *testing.T) {
	in := `{
  "duration": "1h",
  "taskDefinitions": [{"family": "web", "networkMode": "nat", "requiresCompatibilities": ["EC2", "ecs"],
    "placementConstraints": [{"type": "memberof", "expression": "x"}], "containers": []}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": -1,
    "launchType": "SPOT", "schedulingStrategy": "replica", "availabilityZoneRebalancing": "DEFAULT",
    "placementStrategy": [{"type": "pack"}],
    "loadBalancer": {},
    "traffic": {"mode": "request-level", "rate": {"constant": 1}, "work": {"mean": "10ms"}},
    "autoScaling": {"minCapacity": 1, "maxCapacity": 2,
      "targetTracking": [{"name": "t", "metric": "CPUUtilization", "targetValue": 50}],
      "stepScaling": [{"name": "s", "metric": "ECSServiceAverageCPUUtilization", "evaluationPeriods": 1,
        "comparisonOperator": "GreaterThan", "treatMissingData": "notbreaching", "adjustmentType": "Exact", "stepAdjustments": []}]}}]
}`
	_, err := Parse([]byte(in))
	wantProblems(t, err, []string{
		`taskDefinitions[0].networkMode "nat": must be one of awsvpc, bridge, host`,
		`taskDefinitions[0].requiresCompatibilities[1] "ecs": must be one of EC2, FARGATE, EXTERNAL`,
		`taskDefinitions[0].placementConstraints[0].type "memberof": must be "distinctInstance", "memberOf" or "custom"`,
		`taskDefinitions[0].containers 0: must hold at least one container`,
		`services[0].desiredCount -1: must not be negative`,
		`services[0].schedulingStrategy "replica": must be one of REPLICA, DAEMON`,
		`services[0].launchType "SPOT": must be one of EC2, FARGATE, EXTERNAL`,
		`services[0].placementStrategy[0].type "pack": must be "binpack", "spread", "random" or "custom"`,
		`services[0].availabilityZoneRebalancing "DEFAULT": must be one of ENABLED, DISABLED`,
		`services[0].traffic.mode "request-level": must be one of request, fluid`,
		`services[0].autoScaling.targetTracking[0].metric "CPUUtilization": must be ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget`,
		`services[0].autoScaling.stepScaling[0].comparisonOperator "GreaterThan": must be GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold`,
		`services[0].autoScaling.stepScaling[0].treatMissingData "notbreaching": must be missing, ignore, breaching or notBreaching`,
		`services[0].autoScaling.stepScaling[0].adjustmentType "Exact": must be ChangeInCapacity, PercentChangeInCapacity or ExactCapacity`,
		`services[0].autoScaling.stepScaling[0].stepAdjustments 0: must hold at least one step`,
	})
}

// TestNamesAScenarioCannotUse: the EXTERNAL launch type and custom
// placement are names their types read (sim and placement accept them
// from Go), but a scenario cannot run them: Validate says why.
func TestNamesAScenarioCannotUse(t *testing.T) {
	in := strings.Replace(minimal, `["FARGATE"]`, `["FARGATE", "EXTERNAL"]`, 1)
	in = strings.Replace(in, `"launchType": "FARGATE"}]`, `"launchType": "EXTERNAL",
    "placementStrategy": [{"type": "custom"}], "placementConstraints": [{"type": "custom"}]}]`, 1)
	_, err := Parse([]byte(in))
	wantProblems(t, err, []string{
		`taskDefinitions[0].requiresCompatibilities[1] "EXTERNAL": is not simulated: a scenario runs tasks on EC2 and Fargate`,
		`services[0].launchType "EXTERNAL": is not simulated: a scenario runs tasks on EC2 and Fargate`,
		`services[0].placementStrategy[0].type "custom": needs a scorer written in Go, which a scenario file cannot hold`,
		`services[0].placementConstraints[0].type "custom": needs a filter written in Go, which a scenario file cannot hold`,
	})
}

// TestRequiredEnumeratedFields: a name a field requires, absent or empty,
// is reported with the names its type reads, whether or not the type
// reads "" as its zero value.
func TestRequiredEnumeratedFields(t *testing.T) {
	in := `{
  "duration": "1h",
  "taskDefinitions": [{"family": "web", "requiresCompatibilities": [""], "containers": [{"name": "app", "image": "web:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 1,
    "placementStrategy": [{"field": "memory"}], "placementConstraints": [{"type": ""}],
    "loadBalancer": {}, "traffic": {"rate": {"constant": 1}, "work": {"mean": "10ms"}},
    "autoScaling": {"minCapacity": 1, "maxCapacity": 2,
      "targetTracking": [{"name": "t", "targetValue": 50}],
      "stepScaling": [{"name": "s", "metric": "", "evaluationPeriods": 1, "adjustmentType": "",
        "stepAdjustments": [{"scalingAdjustment": 1}]}]}}]
}`
	_, err := Parse([]byte(in))
	wantProblems(t, err, []string{
		`taskDefinitions[0].requiresCompatibilities[0] "": must be one of EC2, FARGATE, EXTERNAL`,
		`services[0].placementStrategy[0].type "": must be "binpack", "spread", "random" or "custom"`,
		`services[0].placementConstraints[0].type "": must be "distinctInstance", "memberOf" or "custom"`,
		`services[0].autoScaling.targetTracking[0].metric "": must be ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget`,
		`services[0].autoScaling.stepScaling[0].metric "": must be ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget`,
		`services[0].autoScaling.stepScaling[0].comparisonOperator "": must be GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold`,
		`services[0].autoScaling.stepScaling[0].adjustmentType "": must be ChangeInCapacity, PercentChangeInCapacity or ExactCapacity`,
	})
}

// TestOptionalEnumeratedFieldsDefault: an optional enumerated field absent
// or "" is its type's zero value, the default the field documents.
func TestOptionalEnumeratedFieldsDefault(t *testing.T) {
	in := strings.Replace(minimal, `"launchType": "FARGATE"}]`, `"launchType": "",
    "schedulingStrategy": "", "availabilityZoneRebalancing": "",
    "loadBalancer": {}, "traffic": {"mode": "", "rate": {"constant": 1}, "work": {"mean": "10ms"}},
    "autoScaling": {"minCapacity": 1, "maxCapacity": 2,
      "stepScaling": [{"name": "s", "metric": "ECSServiceAverageCPUUtilization", "evaluationPeriods": 1,
        "comparisonOperator": "GreaterThanThreshold", "treatMissingData": "", "adjustmentType": "ChangeInCapacity",
        "stepAdjustments": [{"scalingAdjustment": 1}]}]}}]`, 1)
	// (An EC2 task definition: Fargate requires awsvpc, and says so.)
	in = strings.Replace(in, `"networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"]`, `"networkMode": "",
    "requiresCompatibilities": ["EC2"]`, 1)
	sc, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Services[0]
	if sc.TaskDefinitions[0].NetworkMode != "" || s.LaunchType != "" || s.SchedulingStrategy != "" ||
		s.AvailabilityZoneRebalancing != sim.AZRebalancingDefault || s.Traffic.Mode != sim.RequestLevel ||
		s.AutoScaling.StepScaling[0].TreatMissingData != metrics.MissingDataMissing {
		t.Errorf("decoded %+v %+v", sc.TaskDefinitions[0], s)
	}
}

// TestValidateHoldsGoValuesToTheTypes: a scenario built in Go can hold a
// value no name reads; Validate refuses it with the type's rule.
func TestValidateHoldsGoValuesToTheTypes(t *testing.T) {
	sc, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	sc.TaskDefinitions[0].NetworkMode = "vpc"
	sc.TaskDefinitions[0].RequiresCompatibilities[0] = "fargate"
	s := &sc.Services[0]
	s.LaunchType = "Fargate"
	s.SchedulingStrategy = "BATCH"
	s.AvailabilityZoneRebalancing = 7
	s.PlacementStrategy = []Strategy{{Type: "pack"}}
	wantProblems(t, sc.Validate(), []string{
		`taskDefinitions[0].networkMode "vpc": must be one of awsvpc, bridge, host`,
		`taskDefinitions[0].requiresCompatibilities[0] "fargate": must be one of EC2, FARGATE, EXTERNAL`,
		`services[0].schedulingStrategy "BATCH": must be one of REPLICA, DAEMON`,
		`services[0].launchType "Fargate": must be one of EC2, FARGATE, EXTERNAL`,
		`services[0].placementStrategy[0].type "pack": must be "binpack", "spread", "random" or "custom"`,
		`services[0].availabilityZoneRebalancing 7: must be one of ENABLED, DISABLED`,
	})
}
