package sim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// fixedLatencies makes every lifecycle step take a known time, so that
// tests can state exact instants: instances register after 30 s; a bridge
// task is PENDING for 10 s (pull 8 s on an instance without the image,
// start 2 s); awsvpc adds 5 s of PROVISIONING and 3 s of DEPROVISIONING.
var fixedLatencies = sim.Latencies{
	InstanceLaunch: sim.Fixed(30 * time.Second),
	ENIAttach:      sim.Fixed(5 * time.Second),
	ImagePull:      sim.Fixed(8 * time.Second),
	ContainerStart: sim.Fixed(2 * time.Second),
	Activating:     sim.Fixed(0),
	Deactivating:   sim.Fixed(0),
	ENIDetach:      sim.Fixed(3 * time.Second),
}

var zones3 = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

type fixture struct {
	t *testing.T
	s *sim.Sim
	w *sim.World
	c *sim.Cluster
}

// newFixture returns a world with fixedLatencies (unless cfg sets some)
// and one cluster "prod".
func newFixture(t *testing.T, seed uint64, cfg sim.WorldConfig) *fixture {
	t.Helper()
	if cfg.Latencies == (sim.Latencies{}) {
		cfg.Latencies = fixedLatencies
	}
	return newFixtureDefaults(t, seed, cfg)
}

// newFixtureDefaults is newFixture with cfg.Latencies as given, so that an
// unset field takes the world's default distribution.
func newFixtureDefaults(t *testing.T, seed uint64, cfg sim.WorldConfig) *fixture {
	t.Helper()
	return newFixtureSim(t, sim.Config{Seed: seed}, cfg)
}

// newFixtureSim is newFixtureDefaults with the simulation's configuration
// (an Observer, say) given.
func newFixtureSim(t *testing.T, simCfg sim.Config, cfg sim.WorldConfig) *fixture {
	t.Helper()
	s, err := sim.New(simCfg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.CreateCluster("prod")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, s: s, w: w, c: c}
}

func (f *fixture) launch(typ string, zones []string, n int) []*sim.Instance {
	f.t.Helper()
	ins, err := f.c.LaunchInstances(typ, zones, n)
	if err != nil {
		f.t.Fatal(err)
	}
	return ins
}

func (f *fixture) run(d time.Duration) {
	f.t.Helper()
	if err := f.s.RunFor(d); err != nil {
		f.t.Fatal(err)
	}
}

// taskDef registers a one-container bridge task definition.
func (f *fixture) taskDef(family string, cpu, memMiB int, b sim.Behavior) *sim.TaskDefinition {
	f.t.Helper()
	d, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family:     family,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: family + ":latest", CPU: cpu, MemoryMiB: memMiB}},
		Behavior:   b,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *fixture) service(cfg sim.ServiceConfig) *sim.Service {
	f.t.Helper()
	s, err := f.c.CreateService(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// messages returns the service's event messages without the service
// prefix, with task and container-instance IDs kept.
func messages(s *sim.Service) []string {
	var out []string
	for _, e := range s.Events() {
		out = append(out, strings.TrimPrefix(e.Message, "(service "+s.Name()+") "))
	}
	return out
}

func countIf[T any](xs []T, pred func(T) bool) int {
	n := 0
	for _, x := range xs {
		if pred(x) {
			n++
		}
	}
	return n
}

// errorFields returns the Field of every *fielderr.Error in err, joined or
// not, in order; an error that is not one reads "".
func errorFields(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, errorFields(e)...)
		}
		return out
	}
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		return []string{fe.Field}
	}
	return []string{""}
}

// noThrottle turns the API rate limits off for benchmarks and tests that
// build a large starting state (hundreds of services, thousands of tasks)
// at one instant: the account as it stands, not API traffic to throttle.
var noThrottle = capacity.APIRateLimits{Disabled: true}
