package sim_test

import (
	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

// fataler is what the invariant checks need of a test: *testing.T and
// *rapid.T both are one.
type fataler interface {
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// agentPorts are the host ports the ECS agent reserves on every instance
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html,
// ECS_RESERVED_PORTS), which no task may take.
var agentPorts = []uint16{22, 2375, 2376, 51678, 51679}

// checkInstanceInvariants holds the cluster's instances to what placement
// promises, for the state-machine properties: an instance that is
// launching or INACTIVE hosts no task; a task is listed on one instance
// only, the one it names, and is not STOPPED; an instance is never
// over-committed in CPU, memory, awsvpc slots (its ENIs less the primary,
// or its trunking figure) or host ports; and the placement index's free
// resources and task count equal what the tasks hold. onInstance collects
// each task's instance, so that callers can check more.
func checkInstanceInvariants(t fataler, c *sim.Cluster, onInstance map[*sim.Task]*sim.Instance) {
	for _, in := range c.Instances() {
		tasks := in.Tasks()
		if in.Status() == sim.InstanceLaunching || in.Status() == sim.InstanceInactive {
			if len(tasks) != 0 {
				t.Fatalf("%s is %v with %d tasks", in.EC2InstanceID(), in.Status(), len(tasks))
			}
			continue
		}
		it := in.Type()
		cpu, mem, enis := 0, 0, 0
		ports := map[uint16]bool{}
		for _, p := range agentPorts {
			ports[p] = true
		}
		for _, tk := range tasks {
			if tk.State() == sim.TaskStopped || onInstance[tk] != nil || tk.Instance() != in {
				t.Fatalf("task %s (%v) listed on %s wrongly: STOPPED, on two instances, or naming another", tk.ID(), tk.State(), in.EC2InstanceID())
			}
			onInstance[tk] = in
			r := tk.Resources()
			cpu, mem, enis = cpu+r.CPU, mem+r.MemoryMiB, enis+r.ENIs
			for _, p := range r.HostPorts {
				if ports[p] {
					t.Fatalf("host port %d taken twice on %s", p, in.EC2InstanceID())
				}
				ports[p] = true
			}
		}
		slots := it.AWSVPCTasks(in.Trunked())
		if cpu > it.RegisteredCPU() || mem > it.RegisteredMemoryMiB(0) || enis > slots || len(ports) > placement.MaxReservedPorts {
			t.Fatalf("%s (%s) over-committed: CPU %d/%d, memory %d/%d, awsvpc tasks %d/%d, ports %d",
				in.EC2InstanceID(), it.Name, cpu, it.RegisteredCPU(), mem, it.RegisteredMemoryMiB(0), enis, slots, len(ports))
		}
		st, err := c.Placement().State(in.PlacementID())
		if err != nil {
			t.Fatal(err)
		}
		if st.FreeCPU != it.RegisteredCPU()-cpu || st.FreeMemoryMiB != it.RegisteredMemoryMiB(0)-mem || st.FreeENI != slots-enis || st.RunningTasks != len(tasks) {
			t.Fatalf("%s: placement index says %+v, tasks hold CPU %d, memory %d, ENIs %d in %d tasks", in.EC2InstanceID(), st, cpu, mem, enis, len(tasks))
		}
	}
}

// drawLiveTask draws one of the world's tasks that is not STOPPED, or
// skips the action when there is none.
func drawLiveTask(t *rapid.T, w *sim.World) *sim.Task {
	var live []*sim.Task
	for _, tk := range w.Tasks() {
		if tk.State() != sim.TaskStopped {
			live = append(live, tk)
		}
	}
	if len(live) == 0 {
		t.Skip("no task")
	}
	return live[rapid.IntRange(0, len(live)-1).Draw(t, "task")]
}
