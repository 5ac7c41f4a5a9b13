package sim_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// mountLog is a volume attached to every task: it takes 15 s to mount, so
// it holds its task in PENDING that long (alongside the image pull), and
// it prints the lifecycle points it hears.
type mountLog struct{ start time.Time }

func (m *mountLog) Attach(*sim.Task) sim.Attachment { return m }

func (m *mountLog) OnTask(e sim.TaskEvent) sim.Verdict {
	fmt.Printf("%4.0fs  %-17s %v\n", e.Now.Sub(m.start).Seconds(), e.Point, e.Task.State())
	if e.Point == sim.LifecycleResourcesAcquired {
		return sim.Verdict{Hold: 15 * time.Second}
	}
	return sim.Verdict{}
}

// ExampleAttachment attaches a volume to every task of the world and
// follows one standalone task from RunTask to StopTask: the mount holds
// PENDING 5 s past the 10 s image pull and start, and the task counts as
// healthy 40 s after RUNNING (it has no health check).
func ExampleAttachment() {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, _ := sim.NewWorld(s, sim.WorldConfig{Latencies: sim.Latencies{
		InstanceLaunch: sim.Fixed(30 * time.Second), ImagePull: sim.Fixed(8 * time.Second),
		ContainerStart: sim.Fixed(2 * time.Second), ENIDetach: sim.Fixed(time.Second),
	}})
	c, _ := w.CreateCluster("prod")
	if _, err := c.LaunchInstances("m5.large", []string{"us-east-1a"}, 1); err != nil {
		fmt.Println(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "batch",
		Containers: []sim.ContainerDefinition{{Name: "job", Image: "batch:1", CPU: 256, MemoryMiB: 512}},
		Behavior:   sim.Behavior{Shutdown: sim.Fixed(3 * time.Second)}}); err != nil {
		fmt.Println(err)
	}
	w.Attach(&mountLog{start: s.Now()})
	_ = s.RunFor(time.Minute) // the instance registers at 30 s
	out, err := w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "batch"})
	if err != nil {
		fmt.Println(err)
	}
	_ = s.RunFor(2 * time.Minute)
	_ = w.StopTask(out.Tasks[0], "")
	_ = s.RunFor(time.Minute)
	fmt.Println(out.Tasks[0].StopCode(), out.Tasks[0].StoppedAt().Sub(s.Start()))
	// Output:
	//   60s  Placed            PROVISIONING
	//   60s  ResourcesAcquired PROVISIONING
	//   75s  Running           RUNNING
	//  115s  HealthChanged     RUNNING
	//  180s  StopRequested     RUNNING
	//  180s  SIGTERM           DEACTIVATING
	//  183s  ContainersExited  STOPPING
	//  183s  Stopped           STOPPED
	// UserInitiated 3m3s
}
