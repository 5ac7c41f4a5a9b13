package sim

import (
	"fmt"
	"strconv"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
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

// Task definition limits, from the ECS API reference
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html),
// the ECS service quotas
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html)
// and the agent's defaults.
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
	// MountPoints are the container's mountPoints: volumes of the task
	// definition (Volumes) it sees; nil means none.
	MountPoints []MountPoint
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
	// Volumes are the task definition's volumes; an Amazon EFS volume is
	// mounted in PENDING (see FileSystem). nil means none.
	Volumes []Volume
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
	hasEFS            bool // an Amazon EFS volume is declared
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

// MaxImageLength is the longest container image reference ECS accepts
// (ContainerDefinition.image, "up to 255 letters ...",
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
const MaxImageLength = 255

// validateTaskDefinition checks in as RegisterTaskDefinition does and
// returns every problem, joined; each is a *fielderr.Error that names the
// field, the value and the rule and matches ErrInvalidTaskDefinition. The
// resources a task reserves (the task-level values, or the containers'
// sums) are bounded by what an instance can register
// (placement.MaxInstanceCPU is above MaxTaskCPU; placement.MaxInstanceMemory),
// so no sum overflows and placement never refuses the task.
func validateTaskDefinition(in *TaskDefinitionInput) error {
	const at = "TaskDefinitionInput."
	l := fielderr.NewList(ErrInvalidTaskDefinition)
	if n := registeredSize(in); n > MaxTaskDefinitionBytes {
		// Too large to register: say so alone, rather than list a problem
		// for each of a million port mappings.
		l.Addf("TaskDefinitionInput", n, "is %d bytes; a task definition holds at most %d (MaxTaskDefinitionBytes)", n, MaxTaskDefinitionBytes)
		return l.Err()
	}
	if !validName(in.Family) {
		l.Add(at+"Family", in.Family, "must be 1 to 255 letters, digits, hyphens or underscores")
	}
	mode := in.NetworkMode
	switch mode {
	case "", AWSVPC, Bridge, Host:
	default:
		l.Add(at+"NetworkMode", string(mode), "must be awsvpc, bridge or host")
	}
	if mode == "" {
		mode = Bridge
	}
	switch in.CPUArchitecture {
	case "", X86_64, ARM64:
	default:
		l.Addf(at+"CPUArchitecture", string(in.CPUArchitecture), "must be %s or %s", X86_64, ARM64)
	}
	if g := in.EphemeralStorageGiB; g != 0 && (g < 21 || g > 200) {
		l.Add(at+"EphemeralStorageGiB", g, "must be 0 (the default 20 GiB) or 21 to 200")
	}
	fargate := false
	for i, lt := range in.RequiresCompatibilities {
		switch lt {
		case EC2, External:
		case Fargate:
			fargate = true
		default:
			l.Add(fmt.Sprintf("%sRequiresCompatibilities[%d]", at, i), string(lt), "must be EC2, FARGATE or EXTERNAL")
		}
	}
	if fargate {
		if mode != AWSVPC {
			l.Add(at+"NetworkMode", string(mode), "must be awsvpc: FARGATE requires it")
		}
		if in.CPU == 0 {
			l.Add(at+"CPU", 0, "is required: FARGATE needs a task-level CPU")
		}
		if in.MemoryMiB == 0 {
			l.Add(at+"MemoryMiB", 0, "is required: FARGATE needs a task-level memory")
		}
	}
	if in.CPU < 0 || in.CPU > MaxTaskCPU {
		l.Addf(at+"CPU", in.CPU, "must be 0 (none) or 128 to %d units", MaxTaskCPU)
	} else if in.CPU > 0 && in.CPU < 128 {
		l.Addf(at+"CPU", in.CPU, "must be 0 (none) or 128 to %d units", MaxTaskCPU)
	}
	if in.MemoryMiB < 0 || in.MemoryMiB > placement.MaxInstanceMemory {
		l.Addf(at+"MemoryMiB", in.MemoryMiB, "must be 0 (none) to %d MiB, the most an instance registers", placement.MaxInstanceMemory)
	}
	switch n := len(in.Containers); {
	case n == 0:
		l.Addf(at+"Containers", n, "must hold 1 to %d containers", MaxContainers)
	case n > MaxContainers:
		l.Addf(at+"Containers", n, "must hold at most %d containers (MaxContainers)", MaxContainers)
	}
	names := map[string]bool{}
	hostPorts := map[int]bool{}
	essential, sumCPU, sumMem := 0, 0, 0
	for i := range in.Containers {
		c := &in.Containers[i]
		f := fmt.Sprintf("%sContainers[%d]", at, i)
		if !validName(c.Name) {
			l.Add(f+".Name", c.Name, "must be 1 to 255 letters, digits, hyphens or underscores")
		} else if names[c.Name] {
			l.Add(f+".Name", c.Name, "is used by another container; names must be unique")
		}
		names[c.Name] = true
		if c.Image == "" || len(c.Image) > MaxImageLength {
			l.Addf(f+".Image", c.Image, "is required, at most %d characters", MaxImageLength)
		}
		if c.essential() {
			essential++
		}
		if c.CPU < 0 || c.CPU > MaxTaskCPU {
			l.Addf(f+".CPU", c.CPU, "must be 0 (none) to %d units", MaxTaskCPU)
		} else {
			sumCPU += c.CPU
		}
		if c.MemoryMiB < 0 || c.MemoryMiB > 0 && c.MemoryMiB < MinContainerMemoryMiB || c.MemoryMiB > placement.MaxInstanceMemory {
			l.Addf(f+".MemoryMiB", c.MemoryMiB, "must be 0 (none) or %d to %d MiB", MinContainerMemoryMiB, placement.MaxInstanceMemory)
		}
		if c.MemoryReservationMiB < 0 || c.MemoryReservationMiB > placement.MaxInstanceMemory {
			l.Addf(f+".MemoryReservationMiB", c.MemoryReservationMiB, "must be 0 (none) to %d MiB", placement.MaxInstanceMemory)
		}
		if c.MemoryMiB > 0 && c.MemoryReservationMiB > c.MemoryMiB {
			l.Addf(f+".MemoryReservationMiB", c.MemoryReservationMiB, "must not exceed MemoryMiB %d: the soft limit is below the hard one", c.MemoryMiB)
		}
		if in.MemoryMiB == 0 && c.MemoryMiB == 0 && c.MemoryReservationMiB == 0 {
			l.Add(f+".MemoryMiB", 0, "is required (or MemoryReservationMiB) when the task has no MemoryMiB")
		}
		if m := c.MemoryReservationMiB; m > 0 {
			sumMem += min(m, placement.MaxInstanceMemory+1)
		} else {
			sumMem += min(max(c.MemoryMiB, 0), placement.MaxInstanceMemory+1)
		}
		if c.StopTimeout < 0 || fargate && c.StopTimeout > MaxFargateStopTimeout {
			l.Addf(f+".StopTimeout", c.StopTimeout, "must be 0 (default 30s) or positive, and at most %v on FARGATE", MaxFargateStopTimeout)
		}
		for j, pm := range c.PortMappings {
			pf := fmt.Sprintf("%s.PortMappings[%d]", f, j)
			if pm.ContainerPort < 1 || pm.ContainerPort > 65535 {
				l.Add(pf+".ContainerPort", pm.ContainerPort, "must be 1 to 65535")
			}
			if pm.HostPort < 0 || pm.HostPort > 65535 {
				l.Add(pf+".HostPort", pm.HostPort, "must be 0 to 65535")
			}
			hp := pm.HostPort
			if mode != Bridge {
				if hp != 0 && hp != pm.ContainerPort {
					l.Addf(pf+".HostPort", hp, "must be 0 or equal ContainerPort %d in %s mode", pm.ContainerPort, mode)
				}
				hp = pm.ContainerPort
			}
			if hp > 0 {
				if hostPorts[hp] {
					l.Add(pf+".HostPort", hp, "is mapped by another port mapping of the task already")
				}
				hostPorts[hp] = true
			}
		}
		if h := c.HealthCheck; h != nil {
			hf := f + ".HealthCheck"
			if len(h.Command) == 0 {
				l.Add(hf+".Command", 0, "is required")
			}
			if h.Interval != 0 && !inRange(h.Interval, 5*time.Second, 300*time.Second) {
				l.Add(hf+".Interval", h.Interval, "must be 5s to 300s (0 means 30s)")
			}
			if h.Timeout != 0 && !inRange(h.Timeout, 2*time.Second, 60*time.Second) {
				l.Add(hf+".Timeout", h.Timeout, "must be 2s to 60s (0 means 5s)")
			}
			if h.Retries != 0 && (h.Retries < 1 || h.Retries > 10) {
				l.Add(hf+".Retries", h.Retries, "must be 1 to 10 (0 means 3)")
			}
			if !inRange(h.StartPeriod, 0, 300*time.Second) {
				l.Add(hf+".StartPeriod", h.StartPeriod, "must be 0s to 300s")
			}
		}
	}
	if len(in.Containers) > 0 && essential == 0 {
		l.Add(at+"Containers", len(in.Containers), "must hold an essential container")
	}
	switch {
	case in.CPU > 0 && sumCPU > in.CPU:
		l.Addf(at+"Containers", sumCPU, "container CPU adds up to more than the task-level CPU %d", in.CPU)
	case in.CPU == 0 && sumCPU > MaxTaskCPU:
		l.Addf(at+"Containers", sumCPU, "container CPU adds up to more than %d units (MaxTaskCPU), the most a task reserves", MaxTaskCPU)
	}
	switch {
	case in.MemoryMiB > 0 && sumMem > in.MemoryMiB:
		l.Addf(at+"Containers", sumMem, "container memory reservations add up to more than the task-level MemoryMiB %d", in.MemoryMiB)
	case in.MemoryMiB == 0 && sumMem > placement.MaxInstanceMemory:
		l.Addf(at+"Containers", sumMem, "container memory adds up to more than %d MiB, the most an instance registers", placement.MaxInstanceMemory)
	}
	if len(hostPorts) > placement.MaxTaskHostPorts {
		l.Addf(at+"Containers", len(hostPorts), "the task maps more host ports than the %d that fit on an instance", placement.MaxTaskHostPorts)
	}
	for i, c := range in.PlacementConstraints {
		if c.Type == placement.DistinctInstance {
			l.Add(fmt.Sprintf("%sPlacementConstraints[%d].Type", at, i), c.Type, "must be memberOf: a task definition allows only memberOf")
		}
	}
	_, err := placement.Compile(placement.Spec{Constraints: in.PlacementConstraints})
	joinLeaf(l, ErrInvalidTaskDefinition, at+"PlacementConstraints", "Spec.Constraints", err)
	b := &in.Behavior
	if !(b.StartFailureProbability >= 0 && b.StartFailureProbability <= 1) {
		l.Add(at+"Behavior.StartFailureProbability", b.StartFailureProbability, "must be in [0, 1]")
	}
	if len(b.StartFailureReason) > MaxStoppedReason {
		l.Addf(at+"Behavior.StartFailureReason", b.StartFailureReason, "must have at most %d characters (a stopped reason)", MaxStoppedReason)
	}
	if !(b.CrashesPerHour >= 0) || b.CrashesPerHour > 1e9 {
		l.Add(at+"Behavior.CrashesPerHour", b.CrashesPerHour, "must be a finite rate from 0 to 1e9")
	}
	l.Join(b.RunFor.Check(ErrInvalidTaskDefinition, at+"Behavior.RunFor"))
	l.Join(b.Shutdown.Check(ErrInvalidTaskDefinition, at+"Behavior.Shutdown"))
	validateVolumes(l, in)
	return l.Err()
}

// registeredSize approximates the size of in as ECS measures a task
// definition (its JSON): the bytes of its strings plus a fixed allowance
// for each container, port mapping, health check and constraint.
func registeredSize(in *TaskDefinitionInput) int {
	n := 256 + len(in.Family) + 16*len(in.RequiresCompatibilities) + len(in.Behavior.StartFailureReason)
	for _, c := range in.PlacementConstraints {
		n += 64 + len(c.Expression)
	}
	for _, c := range in.Containers {
		n += 256 + len(c.Name) + len(c.Image) + 64*len(c.PortMappings)
		if h := c.HealthCheck; h != nil {
			n += 128
			for _, a := range h.Command {
				n += 4 + len(a)
			}
		}
		if n > MaxTaskDefinitionBytes {
			return n // far enough: the sum cannot overflow
		}
	}
	return n + volumesSize(in)
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
	d.hasEFS = len(d.efsVolumes()) > 0
	return d
}
