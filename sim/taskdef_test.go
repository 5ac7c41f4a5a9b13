package sim_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

func app(mut func(*sim.ContainerDefinition)) []sim.ContainerDefinition {
	c := sim.ContainerDefinition{Name: "app", Image: "nginx", MemoryMiB: 256}
	if mut != nil {
		mut(&c)
	}
	return []sim.ContainerDefinition{c}
}

// TestTaskDefinitionValidation: each invalid input is rejected with a
// *fielderr.Error naming the field and the rule (ECS's RegisterTaskDefinition rules,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html).
func TestTaskDefinitionValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   sim.TaskDefinitionInput
		want string // the field the one error names
	}{
		{"family chars", sim.TaskDefinitionInput{Family: "my app", Containers: app(nil)}, "TaskDefinitionInput.Family"},
		{"no containers", sim.TaskDefinitionInput{Family: "a"}, "TaskDefinitionInput.Containers"},
		{"11 containers", sim.TaskDefinitionInput{Family: "a", Containers: func() []sim.ContainerDefinition {
			var cs []sim.ContainerDefinition
			for i := range 11 {
				cs = append(cs, sim.ContainerDefinition{Name: "c" + string(rune('a'+i)), Image: "x", MemoryMiB: 8})
			}
			return cs
		}()}, "TaskDefinitionInput.Containers"},
		{"no essential", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) { c.Essential = sim.Bool(false) })}, "TaskDefinitionInput.Containers"},
		{"no memory", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) { c.MemoryMiB = 0 })}, "TaskDefinitionInput.Containers[0].MemoryMiB"},
		{"tiny memory", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) { c.MemoryMiB = 4 })}, "TaskDefinitionInput.Containers[0].MemoryMiB"},
		{"soft above hard", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) { c.MemoryReservationMiB = 512 })}, "TaskDefinitionInput.Containers[0].MemoryReservationMiB"},
		{"no image", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) { c.Image = "" })}, "TaskDefinitionInput.Containers[0].Image"},
		{"task cpu low", sim.TaskDefinitionInput{Family: "a", CPU: 64, Containers: app(nil)}, "TaskDefinitionInput.CPU"},
		{"containers over task cpu", sim.TaskDefinitionInput{Family: "a", CPU: 256, Containers: app(func(c *sim.ContainerDefinition) { c.CPU = 512 })}, "TaskDefinitionInput.Containers"},
		{"containers over task memory", sim.TaskDefinitionInput{Family: "a", MemoryMiB: 128, Containers: app(nil)}, "TaskDefinitionInput.Containers"},
		{"bad mode", sim.TaskDefinitionInput{Family: "a", NetworkMode: "nat", Containers: app(nil)}, "TaskDefinitionInput.NetworkMode"},
		{"awsvpc host port", sim.TaskDefinitionInput{Family: "a", NetworkMode: sim.AWSVPC, Containers: app(func(c *sim.ContainerDefinition) {
			c.PortMappings = []sim.PortMapping{{ContainerPort: 80, HostPort: 8080}}
		})}, "TaskDefinitionInput.Containers[0].PortMappings[0].HostPort"},
		{"duplicate host port", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) {
			c.PortMappings = []sim.PortMapping{{ContainerPort: 80, HostPort: 8080}, {ContainerPort: 81, HostPort: 8080}}
		})}, "TaskDefinitionInput.Containers[0].PortMappings[1].HostPort"},
		{"port range", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) {
			c.PortMappings = []sim.PortMapping{{ContainerPort: 70000}}
		})}, "TaskDefinitionInput.Containers[0].PortMappings[0].ContainerPort"},
		{"health interval", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) {
			c.HealthCheck = &sim.HealthCheck{Command: []string{"CMD", "true"}, Interval: 2 * time.Second}
		})}, "TaskDefinitionInput.Containers[0].HealthCheck.Interval"},
		{"health timeout", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) {
			c.HealthCheck = &sim.HealthCheck{Command: []string{"CMD", "true"}, Timeout: 61 * time.Second}
		})}, "TaskDefinitionInput.Containers[0].HealthCheck.Timeout"},
		{"health retries", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) {
			c.HealthCheck = &sim.HealthCheck{Command: []string{"CMD", "true"}, Retries: 11}
		})}, "TaskDefinitionInput.Containers[0].HealthCheck.Retries"},
		{"health start period", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) {
			c.HealthCheck = &sim.HealthCheck{Command: []string{"CMD", "true"}, StartPeriod: 301 * time.Second}
		})}, "TaskDefinitionInput.Containers[0].HealthCheck.StartPeriod"},
		{"health command", sim.TaskDefinitionInput{Family: "a", Containers: app(func(c *sim.ContainerDefinition) {
			c.HealthCheck = &sim.HealthCheck{}
		})}, "TaskDefinitionInput.Containers[0].HealthCheck.Command"},
		{"fargate stop timeout", sim.TaskDefinitionInput{Family: "a", NetworkMode: sim.AWSVPC, CPU: 256, MemoryMiB: 512,
			RequiresCompatibilities: []sim.LaunchType{sim.Fargate}, Containers: app(func(c *sim.ContainerDefinition) { c.StopTimeout = 121 * time.Second })},
			"TaskDefinitionInput.Containers[0].StopTimeout"},
		{"distinctInstance in task def", sim.TaskDefinitionInput{Family: "a", Containers: app(nil),
			PlacementConstraints: []placement.Constraint{{Type: placement.DistinctInstance}}}, "TaskDefinitionInput.PlacementConstraints[0].Type"},
		{"bad expression", sim.TaskDefinitionInput{Family: "a", Containers: app(nil),
			PlacementConstraints: []placement.Constraint{{Type: placement.MemberOf, Expression: "attribute:x =="}}}, "TaskDefinitionInput.PlacementConstraints"},
		{"probability", sim.TaskDefinitionInput{Family: "a", Containers: app(nil), Behavior: sim.Behavior{StartFailureProbability: 2}}, "TaskDefinitionInput.Behavior.StartFailureProbability"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newFixture(t, 1, sim.WorldConfig{}).w
			_, err := w.RegisterTaskDefinition(tc.in)
			if !errors.Is(err, sim.ErrInvalidTaskDefinition) || !errors.Is(err, sim.ErrConfig) {
				t.Fatalf("err %v, want ErrInvalidTaskDefinition", err)
			}
			if got := errorFields(err); !slices.Contains(got, tc.want) {
				t.Errorf("err %q names fields %q, want %q", err, got, tc.want)
			}
		})
	}
}

// TestTaskDefinitionAllProblemsAtOnce: several mistakes come back together.
func TestTaskDefinitionAllProblemsAtOnce(t *testing.T) {
	w := newFixture(t, 1, sim.WorldConfig{}).w
	_, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "", NetworkMode: "nat",
		Containers: []sim.ContainerDefinition{{Name: "a"}, {Name: "a", Image: "x", MemoryMiB: 1}}})
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("err %v is not a joined error", err)
	}
	// Family, NetworkMode, Containers[0].Image, Containers[0] memory,
	// Containers[1].Name duplicate, Containers[1].MemoryMiB.
	if n := len(joined.Unwrap()); n != 6 {
		t.Errorf("%d problems reported, want 6:\n%v", n, err)
	}
}

// TestTaskDefinitionResources checks what a task reserves on an instance
// in each network mode.
func TestTaskDefinitionResources(t *testing.T) {
	w := newFixture(t, 1, sim.WorldConfig{}).w
	type res struct {
		CPU, MemoryMiB, ENIs int
		HostPorts            []uint16
	}
	for _, tc := range []struct {
		name string
		in   sim.TaskDefinitionInput
		want res
	}{
		{"bridge: soft limits, static and dynamic ports", sim.TaskDefinitionInput{Family: "a", Containers: []sim.ContainerDefinition{
			{Name: "web", Image: "w", CPU: 256, MemoryMiB: 1024, MemoryReservationMiB: 512, PortMappings: []sim.PortMapping{{ContainerPort: 80, HostPort: 8080}, {ContainerPort: 81}}},
			{Name: "side", Image: "s", CPU: 128, MemoryMiB: 128},
		}}, res{CPU: 384, MemoryMiB: 640, HostPorts: []uint16{8080}}},
		{"awsvpc: task-level size, one ENI, no host ports", sim.TaskDefinitionInput{Family: "b", NetworkMode: sim.AWSVPC, CPU: 1024, MemoryMiB: 2048,
			Containers: []sim.ContainerDefinition{{Name: "web", Image: "w", PortMappings: []sim.PortMapping{{ContainerPort: 80}}}}},
			res{CPU: 1024, MemoryMiB: 2048, ENIs: 1}},
		{"host: container ports are host ports", sim.TaskDefinitionInput{Family: "c", NetworkMode: sim.Host,
			Containers: []sim.ContainerDefinition{{Name: "web", Image: "w", MemoryMiB: 64, PortMappings: []sim.PortMapping{{ContainerPort: 80}, {ContainerPort: 443, HostPort: 443}}}}},
			res{MemoryMiB: 64, HostPorts: []uint16{80, 443}}},
	} {
		d, err := w.RegisterTaskDefinition(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := res{CPU: d.CPU(), MemoryMiB: d.MemoryMiB()}
		// ENIs and ports are visible on a placed task; read them through a
		// throwaway placement request built the way the world builds it.
		got.ENIs, got.HostPorts = enisAndPorts(t, tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	d1, _ := w.TaskDefinition("a")
	d2, _ := w.RegisterTaskDefinition(d1.Input())
	if d2.String() != "a:2" || d1.String() != "a:1" {
		t.Errorf("revisions %s, %s; want a:1, a:2", d1, d2)
	}
	if got, err := w.TaskDefinition("a:1"); err != nil || got != d1 {
		t.Errorf("a:1 resolved to %v, %v", got, err)
	}
	for _, ref := range []string{"a:3", "a:0", "a:x", "zz"} {
		if _, err := w.TaskDefinition(ref); !errors.Is(err, sim.ErrNotFound) {
			t.Errorf("%q: err %v, want ErrNotFound", ref, err)
		}
	}
}

// enisAndPorts places one task of in on a fresh roomy instance and reads
// its reservation.
func enisAndPorts(t *testing.T, in sim.TaskDefinitionInput) (int, []uint16) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.4xlarge", zones3[:1], 1)
	if _, err := f.w.RegisterTaskDefinition(in); err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	task := runOne(t, f, in.Family)
	r := task.Resources()
	return r.ENIs, r.HostPorts
}
