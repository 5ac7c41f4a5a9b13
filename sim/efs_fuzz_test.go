package sim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// FuzzFileSystem: any FileSystemConfig and request I/O sizes either are
// refused with ErrInvalidFileSystem (ErrInvalidWorkload for the sizes) or
// run: a few minutes of requests on the file system end with the credits
// within [0, max], the connections within the limit and the requests
// conserved. Run longer with go test -fuzz FuzzFileSystem ./sim.
func FuzzFileSystem(f *testing.F) {
	f.Add("bursting", 100.0, 0.0, 0.001, 0, 1e6, 1e5)
	f.Add("elastic", 0.0, 0.0, 0.0, 2, 0.0, 4096.0)
	f.Add("provisioned", 1e4, 1.0, 0.0, 1, 1e9, 0.0)
	f.Add("", -1.0, 5.0, -2.0, -1, -1.0, 0.0)
	f.Add("provisioned", 5.0, 1e6, 1e300, 30000, 1e300, 1e-300)
	f.Fuzz(func(t *testing.T, mode string, storedGiB, provisioned, credits float64, limit int, read, write float64) {
		_, err := newEFSWorldErr(t, sim.FileSystemConfig{ThroughputMode: sim.ThroughputMode(mode), StoredGiB: storedGiB,
			ProvisionedMiBps: provisioned, StartCreditsTiB: credits, ConnectionLimit: limit},
			&sim.RequestIO{Volume: "data", MeanReadBytes: read, MeanWriteBytes: write})
		if err != nil && !errors.Is(err, sim.ErrInvalidFileSystem) && !errors.Is(err, sim.ErrInvalidWorkload) {
			t.Fatalf("refused with %v, want ErrInvalidFileSystem or ErrInvalidWorkload", err)
		}
	})
}

// newEFSWorldErr builds newEFSWorld's world, returning the refusal of the
// file system or the workload instead of failing, and runs it 3 minutes,
// checking the file system's invariants.
func newEFSWorldErr(t *testing.T, cfg sim.FileSystemConfig, io *sim.RequestIO) (*sim.FileSystem, error) {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, _ := sim.NewWorld(s, sim.WorldConfig{Latencies: fixedLatencies, Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	c, _ := w.CreateCluster("prod")
	cfg.ID = testFS
	fs, err := w.CreateFileSystem(cfg)
	if err != nil {
		return nil, err
	}
	f := &fixture{t: t, s: s, w: w, c: c}
	f.efsDef("web", testFS, 512, 1024)
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 2, LaunchType: sim.Fargate, Observer: lb})
	f.run(time.Minute)
	wl, err := w.NewWorkload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 20},
		Demand: traffic.Exponential{Mean: time.Millisecond}, IO: io,
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: 5 * time.Second}})
	if err != nil {
		return nil, err
	}
	f.run(3 * time.Minute)
	lim := fs.Config().ConnectionLimit
	if b := fs.CreditBalance(); b < 0 || b > fs.MaxCredits() || fs.PeakConnections() > lim || !conserved(wl.Counters()) {
		t.Fatalf("credits %v of %v, peak connections %d of %d, counters %+v", b, fs.MaxCredits(), fs.PeakConnections(), lim, wl.Counters())
	}
	return fs, nil
}
