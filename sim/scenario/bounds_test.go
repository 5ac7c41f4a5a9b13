package scenario

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// smallFiles are the costliest scenarios of 50 to 420 bytes we could
// write: each asks for far more work than a run should do, and must end
// in an error at Build or Run (or complete) in bounded time and memory.
// What bounds each is in its name. The "long" ones run to
// DefaultMaxEvents or a year of simulated time (a second or two each), so
// -short skips them.
var smallFiles = []struct {
	name string
	long bool
	json string
}{
	{"billion instances: the instances quota", false, `{"duration":"1h","clusters":[{"name":"a","instances":[{"type":"m5.large","count":1000000000}]}]}`},
	{"billion-instance capacity provider: the instances quota", false, `{"duration":"1h","capacityProviders":[{"name":"p","instanceType":"m5.large","zones":["us-east-1a"],"maxSize":1000000000,"desiredCapacity":1000000000}],"clusters":[{"name":"a","capacityProviders":["p"]}]}`},
	{"billion tasks: the tasks-per-service quota", false, `{"duration":"1h",` + fargateDef + `,"clusters":[{"name":"a"}],"services":[{"cluster":"a","name":"s","taskDefinition":"w","desiredCount":1000000000,"launchType":"FARGATE"}]}`},
	{"minute rows for a year: MaxReportRows", false, `{"duration":"8784h","reportPeriod":"1m","clusters":[{"name":"a"}]}`},
	{"a century: MaxDuration", false, `{"duration":"876000h","clusters":[{"name":"a"}]}`},
	{"a launch action past the instances quota: the quota", false, `{"duration":"1h","clusters":[{"name":"a","instances":[{"type":"m5.large","count":5000}]}],"actions":[{"at":"1m","launchInstances":{"cluster":"a","type":"m5.large","count":5000}}]}`},
	{"a year of fluid traffic at 10⁸/s, 5,000 tasks: MaxDuration, a fluid step a minute", true, `{"duration":"8784h",` + fargateDef + `,"clusters":[{"name":"a"}],"services":[{"cluster":"a","name":"s","taskDefinition":"w","desiredCount":5000,"launchType":"FARGATE","loadBalancer":{},"traffic":{"mode":"fluid","rate":{"constant":1e8},"work":{"mean":"1ms"}}}]}`},
	{"a year of requests at 10⁸/s: DefaultMaxEvents", true, `{"duration":"8784h",` + fargateDef + `,"clusters":[{"name":"a"}],"services":[{"cluster":"a","name":"s","taskDefinition":"w","desiredCount":2,"launchType":"FARGATE","loadBalancer":{},"traffic":{"rate":{"constant":1e8},"work":{"mean":"1ms"}}}]}`},
	{"5,000 instances and 5,000 tasks for a year: the quotas, MaxDuration", true, `{"duration":"8784h","taskDefinitions":[{"family":"w","containers":[{"name":"a","image":"a","memoryMiB":64}]}],"clusters":[{"name":"a","instances":[{"type":"m5.large","count":5000}]}],"services":[{"cluster":"a","name":"s","taskDefinition":"w","desiredCount":5000}]}`},
}

// fargateDef is a small Fargate task definition "w".
const fargateDef = `"taskDefinitions":[{"family":"w","cpu":256,"memoryMiB":512,"networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"containers":[{"name":"a","image":"a"}]}]`

// TestSmallFilesAreBounded: a scenario of a few hundred bytes cannot make
// Build or Run take unbounded time or memory, with the default Options:
// each of smallFiles ends in ErrInvalid at Parse or Build (a quota,
// MaxDuration, MaxReportRows) or in sim.ErrEventLimit at Run
// (DefaultMaxEvents), or completes, and the heap in use, sampled every
// 100,000 events, stays under 512 MiB. The time of each is logged, not
// asserted (the machine is shared).
func TestSmallFilesAreBounded(t *testing.T) {
	for _, f := range smallFiles {
		t.Run(f.name, func(t *testing.T) {
			if f.long && testing.Short() {
				t.Skip("a run of DefaultMaxEvents or a year")
			}
			if len(f.json) > 420 {
				t.Fatalf("%d bytes: not a small file", len(f.json))
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base, peak := ms.HeapInuse, ms.HeapInuse
			sample := func() {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			events := 0
			start := time.Now()
			outcome := "completed"
			sc, err := Parse([]byte(f.json))
			if err == nil {
				var s *Simulation
				s, err = Build(sc, Options{Observer: func(sim.Event) {
					if events++; events%100_000 == 0 {
						sample()
					}
				}})
				sample()
				if err == nil {
					_, err = s.Run()
					sample()
				}
			}
			switch {
			case err == nil:
			case errors.Is(err, ErrInvalid):
				outcome = "refused"
			case errors.Is(err, sim.ErrEventLimit):
				outcome = "stopped at the event budget"
			default:
				t.Fatalf("%v", err)
			}
			if peak-base > 512<<20 {
				t.Errorf("heap in use grew by %d MiB", (peak-base)>>20)
			}
			t.Logf("%d bytes: %s after %v, %d events, heap in use +%d MiB at most: %v",
				len(f.json), outcome, time.Since(start).Round(time.Millisecond), events, (peak-base)>>20, err)
		})
	}
}
