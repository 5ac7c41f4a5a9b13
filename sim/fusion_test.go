package sim_test

import (
	stdcmp "cmp"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// TestFusedMinutesDecline: the fluid pass runs workloads' metrics minutes
// only while nothing another workload's step may change is read: it
// stops at the first of two workloads that follow one service (behind
// the service's two load balancers); it runs none when a request-level
// workload's minute is in the metrics pass's list, or when another event
// (a file system's minute, made before the workloads) runs between the
// passes. Each world, and one whose tasks are overloaded (their health
// answers change, they fail their checks and are replaced), gives what it
// gives with the passes apart.
func TestFusedMinutesDecline(t *testing.T) {
	apartServices := []fusionSpec{{svc: "a"}, {svc: "b"}, {svc: "c"}}
	for _, tc := range []struct {
		name            string
		specs           []fusionSpec
		fileSystemFirst bool
		fused           int // metrics minutes the fluid pass runs, once tasks have registered
	}{
		{"apart services", apartServices, false, 3},
		{"a service behind two load balancers", []fusionSpec{{svc: "a"}, {svc: "b"}, {svc: "b", second: true}, {svc: "c"}}, false, 1},
		{"a request-level workload", []fusionSpec{{svc: "a"}, {svc: "b", requestLevel: true}, {svc: "c"}}, false, 0},
		{"a file system's minute between the passes", apartServices, true, 0},
		{"overloaded", []fusionSpec{{svc: "a", mean: 40}, {svc: "b", mean: 30}, {svc: "c", mean: 20}}, false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fused, apart := newFusionWorld(t, tc.specs, tc.fileSystemFirst), newFusionWorld(t, tc.specs, tc.fileSystemFirst)
			sim.SetMinuteFusion(apart.w, false)
			for _, fw := range []*fusionWorld{fused, apart} {
				if err := fw.s.RunFor(3 * time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			if at, n := sim.FusedMinutes(fused.w); at != fused.s.Elapsed() || n != tc.fused {
				t.Errorf("the fluid pass at %v ran %d metrics minutes, want %d at %v", at, n, tc.fused, fused.s.Elapsed())
			}
			if a, b := fused.s.TraceHash(), apart.s.TraceHash(); a != b {
				t.Errorf("trace hash %x fused, %x apart", a, b)
			}
			for i := range tc.specs {
				a, b := fused.workloads[i], apart.workloads[i]
				if b.Counters().Arrived == 0 {
					t.Fatalf("workload %d: no request arrived", i)
				}
				if diff := cmp.Diff(b.Counters(), a.Counters()); diff != "" {
					t.Errorf("workload %d's counters differ (-apart +fused):\n%s", i, diff)
				}
				if diff := cmp.Diff(b.Periods(), a.Periods()); diff != "" {
					t.Errorf("workload %d's periods differ (-apart +fused):\n%s", i, diff)
				}
			}
		})
	}
}

// fusionSpec is one workload of a fusionWorld: the service it fronts
// (made on first mention), whether through the service's second load
// balancer, and whether it simulates each request.
type fusionSpec struct {
	svc                  string
	second, requestLevel bool
	mean                 float64 // requests per second (0: 2 + the workload's index)
}

type fusionWorld struct {
	s         *sim.Sim
	w         *sim.World
	workloads []*sim.Workload
}

// newFusionWorld builds a cluster of six instances and one workload per
// spec, each publishing to one store, after a file system if asked.
func newFusionWorld(t *testing.T, specs []fusionSpec, fileSystemFirst bool) *fusionWorld {
	t.Helper()
	s, err := sim.New(sim.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := w.CreateCluster("prod")
	for i := range 6 {
		if _, err := c.LaunchInstance(sim.InstanceSpec{Type: "m5.xlarge", Zone: zones3[i%3]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RunFor(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if fileSystemFirst {
		if _, err := w.CreateFileSystem(sim.FileSystemConfig{ID: "fs-0123456789abcdef", StoredGiB: 10}); err != nil {
			t.Fatal(err)
		}
	}
	fw := &fusionWorld{s: s, w: w}
	services := map[string]*sim.Service{}
	for i, sp := range specs {
		lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: fmt.Sprintf("lb%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if svc, ok := services[sp.svc]; !ok {
			if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
				Family: sp.svc, CPU: 256, MemoryMiB: 512,
				Containers: []sim.ContainerDefinition{{Name: "app", Image: sp.svc + ":1", MemoryMiB: 512,
					PortMappings: []sim.PortMapping{{ContainerPort: 8080}}}},
			}); err != nil {
				t.Fatal(err)
			}
			if services[sp.svc], err = c.CreateService(sim.ServiceConfig{Name: sp.svc, TaskDefinition: sp.svc, DesiredCount: 2, Observer: lb}); err != nil {
				t.Fatal(err)
			}
		} else if err := svc.Attach(lb); err != nil {
			t.Fatal(err)
		}
		cfg := sim.WorkloadConfig{
			LoadBalancer: lb, Mode: sim.FluidMode,
			Source:   traffic.Diurnal{Mean: stdcmp.Or(sp.mean, float64(2+i)), Amplitude: 0.6, Peak: time.Hour},
			MeanWork: 200 * time.Millisecond, SCV: 1,
			Server:  traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 64, QueueLimit: 100, Timeout: 10 * time.Second},
			Metrics: store,
		}
		if sp.requestLevel {
			cfg.Mode, cfg.Demand = sim.RequestLevel, traffic.Exponential{Mean: 200 * time.Millisecond}
		}
		wl, err := w.NewWorkload(cfg)
		if err != nil {
			t.Fatal(err)
		}
		fw.workloads = append(fw.workloads, wl)
	}
	return fw
}
