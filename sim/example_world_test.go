package sim_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// From an empty cluster to a running service: launch three instances,
// register a task definition, create a service of four tasks, and read the
// service event log as the ECS console shows it.
func ExampleNewWorld() {
	s, _ := sim.New(sim.Config{Seed: 7})
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		panic(err)
	}
	cluster, _ := w.CreateCluster("prod")
	// Three m5.large instances, one per zone; each agent registers after
	// 30-60 s of boot (Latencies.InstanceLaunch).
	if _, err := cluster.LaunchInstances("m5.large", []string{"us-east-1a", "us-east-1b", "us-east-1c"}, 3); err != nil {
		panic(err)
	}
	def, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "web",
		Containers: []sim.ContainerDefinition{{
			Name: "app", Image: "nginx:1.27", CPU: 512, MemoryMiB: 1024,
			PortMappings: []sim.PortMapping{{ContainerPort: 80}}, // bridge: dynamic host port
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("registered", def)
	_ = s.RunFor(2 * time.Minute) // let the instances boot
	web, err := cluster.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 4})
	if err != nil {
		panic(err)
	}
	_ = s.RunFor(5 * time.Minute)
	fmt.Println(web)
	for _, e := range web.Events() {
		fmt.Println(e.At.Format("15:04:05"), shorten(e.Message))
	}
	// Output:
	// registered web:1
	// web: 4 running, 0 pending, desired 4
	// 00:02:00 (service web) has started 4 tasks: (task …) (task …) (task …) (task …).
	// 00:02:52 (service web) (deployment ecs-svc/…) deployment completed.
	// 00:02:52 (service web) has reached a steady state.
}

// shorten replaces the random-looking IDs in a message by "…".
func shorten(msg string) string {
	out := []byte{}
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if isHex(c) {
			j := i
			for j < len(msg) && isHex(msg[j]) {
				j++
			}
			if j-i >= 16 {
				out = append(out, "…"...)
				i = j - 1
				continue
			}
		}
		out = append(out, c)
	}
	return string(out)
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }
