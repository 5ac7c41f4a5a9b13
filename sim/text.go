package sim

import (
	"slices"
	"strings"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// The enums of this package read and write themselves as text
// (encoding.TextMarshaler and encoding.TextUnmarshaler) in the ECS API's
// spellings, so that JSON, a scenario file or a report names them without a
// table of its own: "FARGATE", "awsvpc", "DAEMON", "ENABLED", "RUNNING",
// "EssentialContainerExited". Spellings are case-sensitive, as in the API.
//
// Reading an unknown spelling, or writing a value that is not one of the
// type's constants, is a *fielderr.Error that wraps ErrConfig, names the
// type in place of a field (UnmarshalText does not know the field it
// fills) and lists the valid spellings:
//
//	sim: invalid config: LaunchType "fargate": must be one of EC2, FARGATE, EXTERNAL
//
// Where the zero value of a type is a setting's default rather than one of
// its values (a ServiceConfig without a LaunchType, a task definition
// without a NetworkMode, AZRebalancingDefault) or no value at all (the
// StopCode of a task that has not stopped), the empty text is that zero
// value, read and written: the API's way to ask for the default is to
// leave the field out. Where the zero value is a value (TaskState's
// PROVISIONING, WorkloadMode's RequestLevel) it has its name, and the
// empty text is refused like any unknown spelling; so it is where the
// zero value is nothing (a DeploymentStatus, RolloutState or
// ServiceStatus is always set).

// enumNames is the text of an enum with a string underlying type: the
// constants in the order an error lists them and, where the text is not
// the constant itself, the text of each. A "" among vals is the zero value,
// read and written as the empty text.
type enumNames[E ~string] struct {
	typ  string
	vals []E
	text []string // nil: the text is string(v)
}

func (t *enumNames[E]) name(i int) string {
	if t.text != nil {
		return t.text[i]
	}
	return string(t.vals[i])
}

func (t *enumNames[E]) marshal(v E) ([]byte, error) {
	i := slices.Index(t.vals, v)
	if i < 0 {
		return nil, fielderr.New(ErrConfig, t.typ, string(v), t.rule())
	}
	return []byte(t.name(i)), nil
}

func (t *enumNames[E]) unmarshal(v *E, text []byte) error {
	for i := range t.vals {
		if t.name(i) == string(text) {
			*v = t.vals[i]
			return nil
		}
	}
	return fielderr.New(ErrConfig, t.typ, string(text), t.rule())
}

// rule lists the spellings, leaving out the empty one (the default, not a
// name to write).
func (t *enumNames[E]) rule() string {
	var names []string
	for i := range t.vals {
		if n := t.name(i); n != "" {
			names = append(names, n)
		}
	}
	return "must be one of " + strings.Join(names, ", ")
}

// enumCodes is the text of an enum numbered from 0: names[v] is v's text.
// An empty name is the zero value's text at index 0 (a default, read and
// written as the empty text) and a vacant number anywhere else.
type enumCodes[E ~uint8 | ~int] struct {
	typ   string
	names []string
}

func (t *enumCodes[E]) marshal(v E) ([]byte, error) {
	if int(v) < 0 || int(v) >= len(t.names) || v != 0 && t.names[v] == "" {
		return nil, fielderr.New(ErrConfig, t.typ, int(v), t.rule())
	}
	return []byte(t.names[v]), nil
}

func (t *enumCodes[E]) unmarshal(v *E, text []byte) error {
	for i, name := range t.names {
		if name == string(text) && (name != "" || i == 0) {
			*v = E(i)
			return nil
		}
	}
	return fielderr.New(ErrConfig, t.typ, string(text), t.rule())
}

func (t *enumCodes[E]) rule() string {
	var names []string
	for _, n := range t.names {
		if n != "" {
			names = append(names, n)
		}
	}
	return "must be one of " + strings.Join(names, ", ")
}

var launchTypeText = enumNames[LaunchType]{typ: "LaunchType", vals: []LaunchType{"", EC2, Fargate, External}}

// MarshalText writes "EC2", "FARGATE" or "EXTERNAL", or the empty text for
// the zero LaunchType (a ServiceConfig or RunTaskInput that leaves the
// choice to the capacity provider strategy).
func (l LaunchType) MarshalText() ([]byte, error) { return launchTypeText.marshal(l) }

// UnmarshalText reads what MarshalText writes.
func (l *LaunchType) UnmarshalText(text []byte) error { return launchTypeText.unmarshal(l, text) }

var networkModeText = enumNames[NetworkMode]{typ: "NetworkMode", vals: []NetworkMode{"", AWSVPC, Bridge, Host}}

// MarshalText writes "awsvpc", "bridge" or "host", or the empty text for
// the zero NetworkMode (bridge, the default of a task definition).
func (m NetworkMode) MarshalText() ([]byte, error) { return networkModeText.marshal(m) }

// UnmarshalText reads what MarshalText writes.
func (m *NetworkMode) UnmarshalText(text []byte) error { return networkModeText.unmarshal(m, text) }

var architectureText = enumNames[Architecture]{typ: "Architecture",
	vals: []Architecture{"", X86_64, ARM64}, text: []string{"", "X86_64", "ARM64"}}

// MarshalText writes the task definition API's runtimePlatform.cpuArchitecture,
// "X86_64" or "ARM64", or the empty text for the zero Architecture (X86_64,
// the default of a task definition). The constants' own values are the
// lower-case spellings of the ecs.cpu-architecture attribute, which
// instances carry; the text is the API's, which task definitions use.
func (a Architecture) MarshalText() ([]byte, error) { return architectureText.marshal(a) }

// UnmarshalText reads what MarshalText writes.
func (a *Architecture) UnmarshalText(text []byte) error { return architectureText.unmarshal(a, text) }

var schedulingStrategyText = enumNames[SchedulingStrategy]{typ: "SchedulingStrategy",
	vals: []SchedulingStrategy{"", Replica, Daemon}}

// MarshalText writes "REPLICA" or "DAEMON", or the empty text for the zero
// SchedulingStrategy (REPLICA, the default of a service).
func (s SchedulingStrategy) MarshalText() ([]byte, error) { return schedulingStrategyText.marshal(s) }

// UnmarshalText reads what MarshalText writes.
func (s *SchedulingStrategy) UnmarshalText(text []byte) error {
	return schedulingStrategyText.unmarshal(s, text)
}

var azRebalancingText = enumCodes[AZRebalancing]{typ: "AZRebalancing", names: []string{
	AZRebalancingDefault: "", AZRebalancingEnabled: "ENABLED", AZRebalancingDisabled: "DISABLED"}}

// MarshalText writes the API's availabilityZoneRebalancing, "ENABLED" or
// "DISABLED", and the empty text for AZRebalancingDefault: the API has no
// name for the default (a CreateService request that wants it leaves the
// field out), so "DEFAULT", String's name for it in prose, is not read.
func (r AZRebalancing) MarshalText() ([]byte, error) { return azRebalancingText.marshal(r) }

// UnmarshalText reads what MarshalText writes: "ENABLED", "DISABLED", or
// the empty text for AZRebalancingDefault.
func (r *AZRebalancing) UnmarshalText(text []byte) error { return azRebalancingText.unmarshal(r, text) }

var workloadModeText = enumCodes[WorkloadMode]{typ: "WorkloadMode", names: []string{
	RequestLevel: "request", FluidMode: "fluid"}}

// MarshalText writes "request" (RequestLevel) or "fluid" (FluidMode), the
// names a scenario file uses; ECS has no name for them. String's
// "request-level" is for prose and is not read.
func (m WorkloadMode) MarshalText() ([]byte, error) { return workloadModeText.marshal(m) }

// UnmarshalText reads what MarshalText writes.
func (m *WorkloadMode) UnmarshalText(text []byte) error { return workloadModeText.unmarshal(m, text) }

var taskStateText = enumCodes[TaskState]{typ: "TaskState", names: taskStateNames[:]}

// MarshalText writes the task's lastStatus as ECS spells it ("RUNNING"), as
// String does.
func (s TaskState) MarshalText() ([]byte, error) { return taskStateText.marshal(s) }

// UnmarshalText reads what MarshalText writes.
func (s *TaskState) UnmarshalText(text []byte) error { return taskStateText.unmarshal(s, text) }

var healthText = enumCodes[Health]{typ: "Health", names: healthNames[:]}

// MarshalText writes the task's healthStatus, "UNKNOWN", "HEALTHY" or
// "UNHEALTHY", as String does.
func (h Health) MarshalText() ([]byte, error) { return healthText.marshal(h) }

// UnmarshalText reads what MarshalText writes.
func (h *Health) UnmarshalText(text []byte) error { return healthText.unmarshal(h, text) }

var instanceStatusText = enumCodes[InstanceStatus]{typ: "InstanceStatus", names: instanceStatusNames[:]}

// MarshalText writes the container instance's status as String does:
// "ACTIVE", "DRAINING", "INACTIVE", or "LAUNCHING" for an instance whose
// agent has not registered yet (ECS does not list it).
func (s InstanceStatus) MarshalText() ([]byte, error) { return instanceStatusText.marshal(s) }

// UnmarshalText reads what MarshalText writes.
func (s *InstanceStatus) UnmarshalText(text []byte) error {
	return instanceStatusText.unmarshal(s, text)
}

var stopCodeText = enumNames[StopCode]{typ: "StopCode", vals: []StopCode{"",
	StopTaskFailedToStart, StopEssentialContainerExited, StopUserInitiated,
	StopServiceSchedulerInitiated, StopSpotInterruption, StopTerminationNotice}}

// MarshalText writes the ECS TaskStopCode ("EssentialContainerExited"), or
// the empty text for the zero StopCode of a task that has not stopped.
func (c StopCode) MarshalText() ([]byte, error) { return stopCodeText.marshal(c) }

// UnmarshalText reads what MarshalText writes.
func (c *StopCode) UnmarshalText(text []byte) error { return stopCodeText.unmarshal(c, text) }

var deploymentStatusText = enumNames[DeploymentStatus]{typ: "DeploymentStatus",
	vals: []DeploymentStatus{DeploymentPrimary, DeploymentActive, DeploymentInactive}}

// MarshalText writes "PRIMARY", "ACTIVE" or "INACTIVE".
func (s DeploymentStatus) MarshalText() ([]byte, error) { return deploymentStatusText.marshal(s) }

// UnmarshalText reads what MarshalText writes.
func (s *DeploymentStatus) UnmarshalText(text []byte) error {
	return deploymentStatusText.unmarshal(s, text)
}

var rolloutStateText = enumNames[RolloutState]{typ: "RolloutState",
	vals: []RolloutState{RolloutInProgress, RolloutCompleted, RolloutFailed}}

// MarshalText writes "IN_PROGRESS", "COMPLETED" or "FAILED".
func (s RolloutState) MarshalText() ([]byte, error) { return rolloutStateText.marshal(s) }

// UnmarshalText reads what MarshalText writes.
func (s *RolloutState) UnmarshalText(text []byte) error { return rolloutStateText.unmarshal(s, text) }

var serviceStatusText = enumNames[ServiceStatus]{typ: "ServiceStatus",
	vals: []ServiceStatus{ServiceActive, ServiceDraining, ServiceInactive}}

// MarshalText writes "ACTIVE", "DRAINING" or "INACTIVE".
func (s ServiceStatus) MarshalText() ([]byte, error) { return serviceStatusText.marshal(s) }

// UnmarshalText reads what MarshalText writes.
func (s *ServiceStatus) UnmarshalText(text []byte) error { return serviceStatusText.unmarshal(s, text) }

var phaseText = enumCodes[Phase]{typ: "Phase", names: phaseNames[:]}

// MarshalText writes the phase's name, as String does ("lifecycle",
// "traffic", "metrics", "scaling", "user"); the vacant phase 3 has none.
func (p Phase) MarshalText() ([]byte, error) { return phaseText.marshal(p) }

// UnmarshalText reads what MarshalText writes.
func (p *Phase) UnmarshalText(text []byte) error { return phaseText.unmarshal(p, text) }
