package sim_test

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/sim"
)

// spelling is one constant with its text and its String. The texts are
// the ECS API's (LaunchType, NetworkMode, SchedulingStrategy,
// availabilityZoneRebalancing, runtimePlatform.cpuArchitecture, Task
// lastStatus, healthStatus and stopCode, ContainerInstance status,
// Deployment status and rolloutState, Service status, as the ECS API
// Reference lists them at
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Types.html);
// WorkloadMode and Phase are the simulator's own. str is what String
// returned before the types had a text form ("" for a type without
// String).
type spelling[E any] struct {
	val  E
	text string
	str  string
}

// enumCase checks one enum: every constant writes its text and reads back
// from it, String is unchanged, the JSON of a struct field uses the text,
// each of bad is refused with an error naming the type and listing the
// spellings (rule), and each of badVals cannot be written.
func enumCase[E comparable, P interface {
	*E
	encoding.TextUnmarshaler
}](t *testing.T, typ string, consts []spelling[E], rule string, bad []string, badVals []E) {
	t.Run(typ, func(t *testing.T) {
		for _, c := range consts {
			m, ok := any(c.val).(encoding.TextMarshaler)
			if !ok {
				t.Fatalf("%s does not implement encoding.TextMarshaler", typ)
			}
			got, err := m.MarshalText()
			if err != nil || string(got) != c.text {
				t.Errorf("MarshalText(%v) = %q, %v; want %q", c.val, got, err, c.text)
			}
			var back E
			if err := P(&back).UnmarshalText([]byte(c.text)); err != nil || back != c.val {
				t.Errorf("UnmarshalText(%q) = %v, %v; want %v", c.text, back, err, c.val)
			}
			if s, ok := any(c.val).(fmt.Stringer); ok && s.String() != c.str {
				t.Errorf("String(%q) = %q, want %q (unchanged)", c.text, s.String(), c.str)
			}
			// Through encoding/json as a struct field.
			type wrap struct{ F E }
			data, err := json.Marshal(wrap{c.val})
			want := fmt.Sprintf(`{"F":%q}`, c.text)
			if err != nil || string(data) != want {
				t.Errorf("json.Marshal = %s, %v; want %s", data, err, want)
			}
			var w wrap
			if err := json.Unmarshal(data, &w); err != nil || w.F != c.val {
				t.Errorf("json.Unmarshal(%s) = %v, %v; want %v", data, w.F, err, c.val)
			}
		}
		for _, text := range bad {
			var v E
			err := P(&v).UnmarshalText([]byte(text))
			checkRefusal(t, err, typ, text, rule)
			var zero E
			if v != zero {
				t.Errorf("UnmarshalText(%q) refused but set %v", text, v)
			}
		}
		for _, v := range badVals {
			_, err := any(v).(encoding.TextMarshaler).MarshalText()
			var fe *fielderr.Error
			if !errors.Is(err, sim.ErrConfig) || !errors.As(err, &fe) || fe.Field != typ || fe.Rule != rule {
				t.Errorf("MarshalText of a value that is no constant: %v; want a field error on %s with rule %q", err, typ, rule)
			}
		}
	})
}

func checkRefusal(t *testing.T, err error, typ, text, rule string) {
	t.Helper()
	var fe *fielderr.Error
	if !errors.Is(err, sim.ErrConfig) || !errors.As(err, &fe) {
		t.Errorf("UnmarshalText(%q) = %v; want a *fielderr.Error wrapping ErrConfig", text, err)
		return
	}
	if fe.Field != typ || fe.Value != text || fe.Rule != rule {
		t.Errorf("UnmarshalText(%q): field %q value %v rule %q; want %q %q %q", text, fe.Field, fe.Value, fe.Rule, typ, text, rule)
	}
}

func TestEnumsAsText(t *testing.T) {
	enumCase(t, "LaunchType", []spelling[sim.LaunchType]{
		{"", "", ""}, {sim.EC2, "EC2", ""}, {sim.Fargate, "FARGATE", ""}, {sim.External, "EXTERNAL", ""},
	}, "must be one of EC2, FARGATE, EXTERNAL", []string{"fargate", "Fargate", "FARGATE_SPOT", " EC2"}, []sim.LaunchType{"ec2"})

	enumCase(t, "NetworkMode", []spelling[sim.NetworkMode]{
		{"", "", ""}, {sim.AWSVPC, "awsvpc", ""}, {sim.Bridge, "bridge", ""}, {sim.Host, "host", ""},
	}, "must be one of awsvpc, bridge, host", []string{"AWSVPC", "vpc", "none"}, []sim.NetworkMode{"nat"})

	enumCase(t, "Architecture", []spelling[sim.Architecture]{
		{"", "", ""}, {sim.X86_64, "X86_64", ""}, {sim.ARM64, "ARM64", ""},
	}, "must be one of X86_64, ARM64", []string{"arm64", "x86_64", "arm", "AMD64"}, []sim.Architecture{"sparc"})

	enumCase(t, "SchedulingStrategy", []spelling[sim.SchedulingStrategy]{
		{"", "", ""}, {sim.Replica, "REPLICA", ""}, {sim.Daemon, "DAEMON", ""},
	}, "must be one of REPLICA, DAEMON", []string{"replica", "Daemon"}, []sim.SchedulingStrategy{"BATCH"})

	enumCase(t, "AZRebalancing", []spelling[sim.AZRebalancing]{
		{sim.AZRebalancingDefault, "", "DEFAULT"},
		{sim.AZRebalancingEnabled, "ENABLED", "ENABLED"},
		{sim.AZRebalancingDisabled, "DISABLED", "DISABLED"},
	}, "must be one of ENABLED, DISABLED", []string{"DEFAULT", "enabled", "true"}, []sim.AZRebalancing{3, -1})

	enumCase(t, "WorkloadMode", []spelling[sim.WorkloadMode]{
		{sim.RequestLevel, "request", "request-level"}, {sim.FluidMode, "fluid", "fluid"},
	}, "must be one of request, fluid", []string{"", "request-level", "Fluid"}, []sim.WorkloadMode{2})

	enumCase(t, "TaskState", []spelling[sim.TaskState]{
		{sim.TaskProvisioning, "PROVISIONING", "PROVISIONING"}, {sim.TaskPending, "PENDING", "PENDING"},
		{sim.TaskActivating, "ACTIVATING", "ACTIVATING"}, {sim.TaskRunning, "RUNNING", "RUNNING"},
		{sim.TaskDeactivating, "DEACTIVATING", "DEACTIVATING"}, {sim.TaskStopping, "STOPPING", "STOPPING"},
		{sim.TaskDeprovisioning, "DEPROVISIONING", "DEPROVISIONING"}, {sim.TaskStopped, "STOPPED", "STOPPED"},
	}, "must be one of PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED",
		[]string{"", "running", "RUNING"}, []sim.TaskState{8, 255})

	enumCase(t, "Health", []spelling[sim.Health]{
		{sim.HealthUnknown, "UNKNOWN", "UNKNOWN"}, {sim.HealthHealthy, "HEALTHY", "HEALTHY"},
		{sim.HealthUnhealthy, "UNHEALTHY", "UNHEALTHY"},
	}, "must be one of UNKNOWN, HEALTHY, UNHEALTHY", []string{"", "healthy", "OK"}, []sim.Health{3})

	enumCase(t, "InstanceStatus", []spelling[sim.InstanceStatus]{
		{sim.InstanceLaunching, "LAUNCHING", "LAUNCHING"}, {sim.InstanceActive, "ACTIVE", "ACTIVE"},
		{sim.InstanceDraining, "DRAINING", "DRAINING"}, {sim.InstanceInactive, "INACTIVE", "INACTIVE"},
	}, "must be one of LAUNCHING, ACTIVE, DRAINING, INACTIVE", []string{"", "REGISTERING", "active"}, []sim.InstanceStatus{4})

	enumCase(t, "StopCode", []spelling[sim.StopCode]{
		{"", "", ""},
		{sim.StopTaskFailedToStart, "TaskFailedToStart", ""},
		{sim.StopEssentialContainerExited, "EssentialContainerExited", ""},
		{sim.StopUserInitiated, "UserInitiated", ""},
		{sim.StopServiceSchedulerInitiated, "ServiceSchedulerInitiated", ""},
		{sim.StopSpotInterruption, "SpotInterruption", ""},
		{sim.StopTerminationNotice, "TerminationNotice", ""},
	}, "must be one of TaskFailedToStart, EssentialContainerExited, UserInitiated, ServiceSchedulerInitiated, SpotInterruption, TerminationNotice",
		[]string{"Essential container in task exited", "userInitiated"}, []sim.StopCode{"OutOfMemory"})

	enumCase(t, "DeploymentStatus", []spelling[sim.DeploymentStatus]{
		{sim.DeploymentPrimary, "PRIMARY", ""}, {sim.DeploymentActive, "ACTIVE", ""}, {sim.DeploymentInactive, "INACTIVE", ""},
	}, "must be one of PRIMARY, ACTIVE, INACTIVE", []string{"", "primary"}, []sim.DeploymentStatus{"", "DRAINING"})

	enumCase(t, "RolloutState", []spelling[sim.RolloutState]{
		{sim.RolloutInProgress, "IN_PROGRESS", ""}, {sim.RolloutCompleted, "COMPLETED", ""}, {sim.RolloutFailed, "FAILED", ""},
	}, "must be one of IN_PROGRESS, COMPLETED, FAILED", []string{"", "IN PROGRESS", "completed"}, []sim.RolloutState{"", "ROLLED_BACK"})

	enumCase(t, "ServiceStatus", []spelling[sim.ServiceStatus]{
		{sim.ServiceActive, "ACTIVE", ""}, {sim.ServiceDraining, "DRAINING", ""}, {sim.ServiceInactive, "INACTIVE", ""},
	}, "must be one of ACTIVE, DRAINING, INACTIVE", []string{"", "Active"}, []sim.ServiceStatus{"", "PENDING"})

	enumCase(t, "Phase", []spelling[sim.Phase]{
		{sim.PhaseLifecycle, "lifecycle", "lifecycle"}, {sim.PhaseTraffic, "traffic", "traffic"},
		{sim.PhaseMetrics, "metrics", "metrics"}, {sim.PhaseScaling, "scaling", "scaling"}, {sim.PhaseUser, "user", "user"},
	}, "must be one of lifecycle, traffic, metrics, scaling, user", []string{"", "alarms", "Phase(3)"}, []sim.Phase{3, 6})
}

// TestEnumsReadTheirTexts: what the world reports reads back through the
// text forms (a task's state, health and stop code, an instance's status,
// a service's and its deployments' status and rollout state) after a run
// with a deployment, not only the constants listed above.
func TestEnumsReadTheirTexts(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	f.taskDef("web", 256, 512, sim.Behavior{})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 2})
	f.run(5 * time.Minute)
	if err := svc.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}); err != nil {
		t.Fatal(err)
	}
	f.run(12 * time.Second) // the new tasks are running, not yet healthy
	type report struct {
		State   sim.TaskState
		Health  sim.Health
		Code    sim.StopCode
		Service sim.ServiceStatus
		Dep     []sim.DeploymentStatus
		Roll    []sim.RolloutState
		Inst    []sim.InstanceStatus
	}
	var seen []report
	for _, task := range f.w.Tasks() {
		r := report{State: task.State(), Health: task.Health(), Code: task.StopCode(), Service: svc.Status()}
		for _, d := range svc.Deployments() {
			r.Dep = append(r.Dep, d.Status())
			r.Roll = append(r.Roll, d.RolloutState())
		}
		for _, in := range f.w.Instances() {
			r.Inst = append(r.Inst, in.Status())
		}
		seen = append(seen, r)
	}
	if len(seen) < 3 || len(seen[0].Dep) != 2 {
		t.Fatalf("%d tasks and %d deployments, want a deployment in progress", len(seen), len(seen[0].Dep))
	}
	data, err := json.Marshal(seen)
	if err != nil {
		t.Fatal(err)
	}
	var back []report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if fmt.Sprint(back) != fmt.Sprint(seen) {
		t.Errorf("read back %v, want %v\n%s", back, seen, data)
	}
}

func ExampleLaunchType_UnmarshalText() {
	var in struct {
		LaunchType         sim.LaunchType
		NetworkMode        sim.NetworkMode
		AZRebalancing      sim.AZRebalancing
		DefaultRebalancing sim.AZRebalancing
		State              sim.TaskState
	}
	err := json.Unmarshal([]byte(`{"LaunchType": "FARGATE", "NetworkMode": "awsvpc",
		"AZRebalancing": "DISABLED", "DefaultRebalancing": "", "State": "RUNNING"}`), &in)
	fmt.Println(in.LaunchType, in.NetworkMode, in.AZRebalancing, in.DefaultRebalancing, in.State, err)

	err = json.Unmarshal([]byte(`{"LaunchType": "fargate"}`), &in)
	fmt.Println(err)
	// Output:
	// FARGATE awsvpc DISABLED DEFAULT RUNNING <nil>
	// sim: invalid config: LaunchType "fargate": must be one of EC2, FARGATE, EXTERNAL
}
