package sim

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ecssim/ecssim/placement"
)

// NetworkMode is a task definition's Docker networking mode.
type NetworkMode string

// Network modes. What each consumes on a container instance:
//
//	awsvpc: one ENI of the instance (InstanceType.TaskENIs); ports are the
//	        task's own, so no host port is reserved
//	bridge: the static host ports of its port mappings; a mapping with
//	        HostPort 0 gets a dynamic port from the ephemeral range, which
//	        ECS does not reserve at placement
//	host:   every container port, as a host port
const (
	AWSVPC NetworkMode = "awsvpc"
	Bridge NetworkMode = "bridge"
	Host   NetworkMode = "host"
)

// LaunchType is where a task runs.
type LaunchType string

// Launch types. EC2 and FARGATE are simulated; EXTERNAL is accepted in task
// definitions (requiresCompatibilities) but a RunTask or service using it
// returns ErrNotSupported.
const (
	EC2      LaunchType = "EC2"
	Fargate  LaunchType = "FARGATE"
	External LaunchType = "EXTERNAL"
)

// Task definition limits (aws-behaviour.md §1.3, §2.3, §9).
const (
	MaxContainers          = 10      // containers per task definition
	MinContainerMemoryMiB  = 6       // Docker's minimum hard limit
	MaxTaskCPU             = 196_608 // task-level CPU on EC2, CPU units (192 vCPU)
	DefaultStopTimeout     = 30 * time.Second
	MaxFargateStopTimeout  = 120 * time.Second
	DefaultHealthInterval  = 30 * time.Second
	DefaultHealthTimeout   = 5 * time.Second
	DefaultHealthRetries   = 3
	NoHealthCheckHealthyAt = 40 * time.Second // RUNNING → counts as healthy without health checks
)

// PortMapping maps a container port to a host port.
type PortMapping struct {
	// ContainerPort is the port the container listens on, 1..65535.
	ContainerPort int
	// HostPort is the port on the instance. In bridge mode 0 means a dynamic
	// port; in awsvpc and host mode 0 means "same as ContainerPort", and any
	// other value must equal it.
	HostPort int
}

// HealthCheck is a container health check. Zero durations and retries take
// the ECS defaults (interval 30 s, timeout 5 s, retries 3, no start period).
type HealthCheck struct {
	// Command is the check command, e.g. ["CMD-SHELL", "curl -f localhost"];
	// required.
	Command []string
	// Interval between checks, 5 s to 300 s; zero means 30 s.
	Interval time.Duration
	// Timeout of one check, 2 s to 60 s; zero means 5 s.
	Timeout time.Duration
	// Retries is the number of consecutive failures that make the container
	// UNHEALTHY, 1 to 10; zero means 3.
	Retries int
	// StartPeriod is the grace after container start during which failures
	// do not count, 0 to 300 s; zero means none.
	StartPeriod time.Duration
}

func (h HealthCheck) withDefaults() HealthCheck {
	if h.Interval == 0 {
		h.Interval = DefaultHealthInterval
	}
	if h.Timeout == 0 {
		h.Timeout = DefaultHealthTimeout
	}
	if h.Retries == 0 {
		h.Retries = DefaultHealthRetries
	}
	return h
}

// ContainerDefinition is one container of a task definition.
type ContainerDefinition struct {
	// Name is 1 to 255 letters, digits, hyphens and underscores, unique in
	// the task definition.
	Name string
	// Image is the image reference; required. Instances cache pulled images,
	// so the second task with an image on an instance skips the pull.
	Image string
	// CPU is the container's CPU reservation in CPU units; 0 means none.
	CPU int
	// MemoryMiB is the hard memory limit in MiB; 0 means none. At least
	// MinContainerMemoryMiB when set.
	MemoryMiB int
	// MemoryReservationMiB is the soft limit in MiB, reserved at placement
	// instead of MemoryMiB when set; 0 means none. Must not exceed MemoryMiB.
	MemoryReservationMiB int
	// PortMappings are the container's ports; nil means none.
	PortMappings []PortMapping
	// Essential, when nil, means true (the ECS default). If an essential
	// container stops, the task stops; every task needs one.
	Essential *bool
	// HealthCheck is the container health check; nil means none.
	HealthCheck *HealthCheck
	// StopTimeout is the wait between SIGTERM and SIGKILL; zero means 30 s
	// (the agent's ECS_CONTAINER_STOP_TIMEOUT default). At most 120 s for
	// FARGATE compatibility.
	StopTimeout time.Duration
}

func (c *ContainerDefinition) essential() bool { return c.Essential == nil || *c.Essential }

// Bool returns a pointer to b, for optional fields such as
// ContainerDefinition.Essential.
func Bool(b bool) *bool { return &b }

// Behavior is not part of ECS: it says how the simulated application in a
// task definition behaves, so that failures can be scripted per revision
// (a bad image is a task definition whose Behavior fails). The zero value is
// a healthy application that runs until stopped.
type Behavior struct {
	// StartFailureProbability is the chance, 0 to 1, that a task fails in
	// PENDING and stops with TaskFailedToStart (for example an image that
	// cannot be pulled).
	StartFailureProbability float64
	// StartFailureReason is the stopped reason of such a task; empty means
	// "CannotPullContainerError: pull image manifest has been retried 5
	// time(s): <image>: not found".
	StartFailureReason string
	// UnhealthyAfterStart makes every essential container health check fail,
	// so the task turns UNHEALTHY after the start period and Retries checks.
	// Without a health check it has no effect.
	UnhealthyAfterStart bool
	// CrashesPerHour is the rate, per task-hour of RUNNING, of an essential
	// container exiting with an error (EssentialContainerExited): the time
	// to a crash is exponential with mean 1/rate. Zero means never.
	CrashesPerHour float64
	// RunFor, when set, is how long the essential container runs before it
	// exits by itself (a batch job); unset means until stopped.
	RunFor Dist
	// Shutdown is how long the application takes to exit after SIGTERM;
	// past the stop timeout it gets SIGKILL. Unset means uniform 0 to 2 s.
	Shutdown Dist
}

// TaskDefinitionInput is what RegisterTaskDefinition takes.
type TaskDefinitionInput struct {
	// Family is 1 to 255 letters, digits, hyphens and underscores. Each
	// registration adds a revision: 1, 2, 3, ...
	Family string
	// Containers are 1 to MaxContainers containers.
	Containers []ContainerDefinition
	// CPU is the task-level CPU in CPU units; 0 means none (the containers'
	// sum is reserved). On EC2 at most MaxTaskCPU; required for FARGATE.
	CPU int
	// MemoryMiB is the task-level memory in MiB; 0 means none (the sum of
	// each container's MemoryReservationMiB, or MemoryMiB, is reserved).
	// Required for FARGATE.
	MemoryMiB int
	// NetworkMode is awsvpc, bridge or host; empty means bridge (the EC2
	// default on Linux).
	NetworkMode NetworkMode
	// RequiresCompatibilities lists launch types the definition must be
	// valid for; nil means EC2.
	RequiresCompatibilities []LaunchType
	// CPUArchitecture is runtimePlatform.cpuArchitecture, X86_64 or ARM64;
	// empty means X86_64. Fargate sizes and bills by it; on EC2 it is not
	// checked (add a memberOf constraint on ecs.cpu-architecture).
	CPUArchitecture Architecture
	// EphemeralStorageGiB is ephemeralStorage.sizeInGiB on Fargate, 21 to
	// 200; 0 means the default 20 GiB. Storage above 20 GiB is billed.
	EphemeralStorageGiB int
	// PlacementConstraints are memberOf constraints (distinctInstance is not
	// allowed in a task definition); nil means none.
	PlacementConstraints []placement.Constraint
	// Behavior is the simulated application; see Behavior.
	Behavior Behavior
}

// TaskDefinition is a registered, validated, immutable task definition
// revision.
type TaskDefinition struct {
	in       TaskDefinitionInput
	revision int
	// resources reserved at placement, derived once
	cpu, memory, enis int
	hostPorts         []uint16
	stopTimeout       time.Duration
	health            *HealthCheck // effective essential-container check (the slowest), or nil
	images            []string
}

// Family returns the task definition family.
func (d *TaskDefinition) Family() string { return d.in.Family }

// Revision returns the revision number, from 1.
func (d *TaskDefinition) Revision() int { return d.revision }

// String returns "family:revision".
func (d *TaskDefinition) String() string { return d.in.Family + ":" + strconv.Itoa(d.revision) }

// NetworkMode returns the definition's network mode.
func (d *TaskDefinition) NetworkMode() NetworkMode { return d.in.NetworkMode }

// CPU returns the CPU units a task of this definition reserves on an
// instance: the task-level CPU, else the sum of container CPU.
func (d *TaskDefinition) CPU() int { return d.cpu }

// MemoryMiB returns the memory a task reserves: the task-level memory, else
// the sum over containers of MemoryReservationMiB, or MemoryMiB when no
// reservation is set.
func (d *TaskDefinition) MemoryMiB() int { return d.memory }

// Input returns a copy of the registration input.
func (d *TaskDefinition) Input() TaskDefinitionInput { return d.in }

func validName(s string) bool {
	if len(s) == 0 || len(s) > 255 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func inRange(d, lo, hi time.Duration) bool { return d >= lo && d <= hi }

// validateTaskDefinition checks in as RegisterTaskDefinition does and
// returns every problem, joined; each names the field, the value and the
// rule and matches ErrInvalidTaskDefinition.
func validateTaskDefinition(in *TaskDefinitionInput) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidTaskDefinition}, args...)...))
	}
	if !validName(in.Family) {
		bad("Family %q must be 1 to 255 letters, digits, hyphens or underscores", in.Family)
	}
	mode := in.NetworkMode
	switch mode {
	case "", AWSVPC, Bridge, Host:
	default:
		bad("NetworkMode %q must be awsvpc, bridge or host", mode)
	}
	if mode == "" {
		mode = Bridge
	}
	switch in.CPUArchitecture {
	case "", X86_64, ARM64:
	default:
		bad("CPUArchitecture %q must be %s or %s", in.CPUArchitecture, X86_64, ARM64)
	}
	if g := in.EphemeralStorageGiB; g != 0 && (g < 21 || g > 200) {
		bad("EphemeralStorageGiB is %d; it must be 0 (the default 20 GiB) or 21 to 200", g)
	}
	fargate := false
	for i, lt := range in.RequiresCompatibilities {
		switch lt {
		case EC2, External:
		case Fargate:
			fargate = true
		default:
			bad("RequiresCompatibilities[%d] %q must be EC2, FARGATE or EXTERNAL", i, lt)
		}
	}
	if fargate {
		if mode != AWSVPC {
			bad("NetworkMode %q: FARGATE requires awsvpc", mode)
		}
		if in.CPU == 0 {
			bad("CPU is 0: FARGATE requires a task-level CPU")
		}
		if in.MemoryMiB == 0 {
			bad("MemoryMiB is 0: FARGATE requires a task-level memory")
		}
	}
	if in.CPU < 0 || in.CPU > MaxTaskCPU {
		bad("CPU is %d; task-level CPU must be 0 (none) or up to %d units", in.CPU, MaxTaskCPU)
	} else if in.CPU > 0 && in.CPU < 128 {
		bad("CPU is %d; task-level CPU must be at least 128 units", in.CPU)
	}
	if in.MemoryMiB < 0 {
		bad("MemoryMiB is %d; it must not be negative", in.MemoryMiB)
	}
	switch n := len(in.Containers); {
	case n == 0:
		bad("Containers is empty; a task definition needs 1 to %d containers", MaxContainers)
	case n > MaxContainers:
		bad("Containers has %d entries; at most %d are allowed", n, MaxContainers)
	}
	names := map[string]bool{}
	hostPorts := map[int]bool{}
	essential, sumCPU, sumMem := 0, 0, 0
	for i := range in.Containers {
		c := &in.Containers[i]
		f := fmt.Sprintf("Containers[%d]", i)
		if !validName(c.Name) {
			bad("%s.Name %q must be 1 to 255 letters, digits, hyphens or underscores", f, c.Name)
		} else if names[c.Name] {
			bad("%s.Name %q is used by another container; names must be unique", f, c.Name)
		}
		names[c.Name] = true
		if c.Image == "" {
			bad("%s.Image is empty; it is required", f)
		}
		if c.essential() {
			essential++
		}
		if c.CPU < 0 {
			bad("%s.CPU is %d; it must not be negative", f, c.CPU)
		}
		sumCPU += max(c.CPU, 0)
		if c.MemoryMiB < 0 || c.MemoryMiB > 0 && c.MemoryMiB < MinContainerMemoryMiB {
			bad("%s.MemoryMiB is %d; a hard limit must be at least %d MiB", f, c.MemoryMiB, MinContainerMemoryMiB)
		}
		if c.MemoryReservationMiB < 0 {
			bad("%s.MemoryReservationMiB is %d; it must not be negative", f, c.MemoryReservationMiB)
		}
		if c.MemoryMiB > 0 && c.MemoryReservationMiB > c.MemoryMiB {
			bad("%s.MemoryReservationMiB %d exceeds MemoryMiB %d; the soft limit must not exceed the hard limit", f, c.MemoryReservationMiB, c.MemoryMiB)
		}
		if in.MemoryMiB == 0 && c.MemoryMiB == 0 && c.MemoryReservationMiB == 0 {
			bad("%s has no MemoryMiB or MemoryReservationMiB and the task has no MemoryMiB; one of them is required", f)
		}
		if c.MemoryReservationMiB > 0 {
			sumMem += c.MemoryReservationMiB
		} else {
			sumMem += max(c.MemoryMiB, 0)
		}
		if c.StopTimeout < 0 || fargate && c.StopTimeout > MaxFargateStopTimeout {
			bad("%s.StopTimeout is %v; it must be 0 (default 30s) or positive, and at most %v on FARGATE", f, c.StopTimeout, MaxFargateStopTimeout)
		}
		for j, pm := range c.PortMappings {
			pf := fmt.Sprintf("%s.PortMappings[%d]", f, j)
			if pm.ContainerPort < 1 || pm.ContainerPort > 65535 {
				bad("%s.ContainerPort is %d; it must be in 1..65535", pf, pm.ContainerPort)
			}
			if pm.HostPort < 0 || pm.HostPort > 65535 {
				bad("%s.HostPort is %d; it must be in 0..65535", pf, pm.HostPort)
			}
			hp := pm.HostPort
			if mode != Bridge {
				if hp != 0 && hp != pm.ContainerPort {
					bad("%s.HostPort is %d; in %s mode it must be 0 or equal ContainerPort %d", pf, hp, mode, pm.ContainerPort)
				}
				hp = pm.ContainerPort
			}
			if hp > 0 {
				if hostPorts[hp] {
					bad("%s.HostPort %d is already mapped by another port mapping of the task", pf, hp)
				}
				hostPorts[hp] = true
			}
		}
		if h := c.HealthCheck; h != nil {
			if len(h.Command) == 0 {
				bad("%s.HealthCheck.Command is empty; it is required", f)
			}
			if h.Interval != 0 && !inRange(h.Interval, 5*time.Second, 300*time.Second) {
				bad("%s.HealthCheck.Interval is %v; it must be 5s to 300s (0 means 30s)", f, h.Interval)
			}
			if h.Timeout != 0 && !inRange(h.Timeout, 2*time.Second, 60*time.Second) {
				bad("%s.HealthCheck.Timeout is %v; it must be 2s to 60s (0 means 5s)", f, h.Timeout)
			}
			if h.Retries != 0 && (h.Retries < 1 || h.Retries > 10) {
				bad("%s.HealthCheck.Retries is %d; it must be 1 to 10 (0 means 3)", f, h.Retries)
			}
			if !inRange(h.StartPeriod, 0, 300*time.Second) {
				bad("%s.HealthCheck.StartPeriod is %v; it must be 0s to 300s", f, h.StartPeriod)
			}
		}
	}
	if len(in.Containers) > 0 && essential == 0 {
		bad("Containers has no essential container; at least one is required")
	}
	if in.CPU > 0 && sumCPU > in.CPU {
		bad("container CPU adds up to %d units, more than the task-level CPU %d", sumCPU, in.CPU)
	}
	if in.MemoryMiB > 0 && sumMem > in.MemoryMiB {
		bad("container memory reservations add up to %d MiB, more than the task-level MemoryMiB %d", sumMem, in.MemoryMiB)
	}
	if len(hostPorts) > placement.MaxTaskHostPorts {
		bad("the task maps %d host ports; at most %d fit on an instance", len(hostPorts), placement.MaxTaskHostPorts)
	}
	for i, c := range in.PlacementConstraints {
		if c.Type == placement.DistinctInstance {
			bad("PlacementConstraints[%d] is distinctInstance; a task definition allows only memberOf", i)
		}
	}
	if _, err := placement.Compile(placement.Spec{Constraints: in.PlacementConstraints}); err != nil {
		bad("PlacementConstraints: %v", err)
	}
	b := &in.Behavior
	if !(b.StartFailureProbability >= 0 && b.StartFailureProbability <= 1) {
		bad("Behavior.StartFailureProbability is %g; it must be in [0, 1]", b.StartFailureProbability)
	}
	if !(b.CrashesPerHour >= 0) || b.CrashesPerHour > 1e9 {
		bad("Behavior.CrashesPerHour is %g; it must be a finite rate >= 0", b.CrashesPerHour)
	}
	for _, e := range []error{b.RunFor.Check(ErrConfig, "Behavior.RunFor"), b.Shutdown.Check(ErrConfig, "Behavior.Shutdown")} {
		if e != nil {
			bad("%v", e)
		}
	}
	return errors.Join(errs...)
}

// newTaskDefinition derives the placement needs of a validated input.
func newTaskDefinition(in TaskDefinitionInput, revision int) *TaskDefinition {
	if in.NetworkMode == "" {
		in.NetworkMode = Bridge
	}
	d := &TaskDefinition{in: in, revision: revision, cpu: in.CPU, memory: in.MemoryMiB}
	sumCPU, sumMem := 0, 0
	for i := range in.Containers {
		c := &in.Containers[i]
		sumCPU += c.CPU
		if c.MemoryReservationMiB > 0 {
			sumMem += c.MemoryReservationMiB
		} else {
			sumMem += c.MemoryMiB
		}
		st := c.StopTimeout
		if st == 0 {
			st = DefaultStopTimeout
		}
		d.stopTimeout = max(d.stopTimeout, st)
		for _, pm := range c.PortMappings {
			// awsvpc tasks listen on their own ENI and take no host port.
			hp := pm.HostPort
			switch in.NetworkMode {
			case Host:
				hp = pm.ContainerPort
			case AWSVPC:
				hp = 0
			}
			if hp > 0 {
				d.hostPorts = append(d.hostPorts, uint16(hp))
			}
		}
		if c.essential() && c.HealthCheck != nil {
			h := c.HealthCheck.withDefaults()
			// The task is HEALTHY when all essential containers are; the
			// check that takes longest decides when.
			if d.health == nil || h.Interval > d.health.Interval {
				d.health = &h
			}
		}
		d.images = append(d.images, c.Image)
	}
	if d.cpu == 0 {
		d.cpu = sumCPU
	}
	if d.memory == 0 {
		d.memory = sumMem
	}
	if in.NetworkMode == AWSVPC {
		d.enis = 1
	}
	return d
}
