package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// newEventLogWorld returns a world keeping n events per log, with the
// given services (no instances: nothing runs unless the test runs it) and
// a hook that records every event streamed.
func newEventLogWorld(t *testing.T, n int, names ...string) (*World, []*Service, *[]ServiceEvent) {
	t.Helper()
	s, err := New(Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	hooked := new([]ServiceEvent)
	w, err := NewWorld(s, WorldConfig{Retention: Retention{Events: n}, OnServiceEvent: func(e ServiceEvent) { *hooked = append(*hooked, e) }})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.CreateCluster("prod")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RegisterTaskDefinition(TaskDefinitionInput{Family: "web", CPU: 256, MemoryMiB: 512,
		Containers: []ContainerDefinition{{Name: "app", Image: "web:1", MemoryMiB: 512}}}); err != nil {
		t.Fatal(err)
	}
	var svcs []*Service
	for _, name := range names {
		svc, err := c.CreateService(ServiceConfig{Name: name, TaskDefinition: "web"})
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, svc)
	}
	return w, svcs, hooked
}

// TestEventLogMatchesNaiveLog logs 3,000 events (500 keeping all) of random lengths
// (empty to a few hundred bytes) from three services, a second apart,
// after the services' own first events, and after each compares World.Events, every Service.Events and the
// OnServiceEvent stream with a naive log of ServiceEvent values built
// here: the last n of each (every one when n is 0). It runs for n of 0,
// 1, 2, 7 and 20, so the logs drop entries at many phases, with the
// services' logs dropping at different times from the world's.
func TestEventLogMatchesNaiveLog(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 20} {
		t.Run(fmt.Sprint("n=", n), func(t *testing.T) {
			w, svcs, hooked := newEventLogWorld(t, n, "a", "bb", "web-service")
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			// The services log their deployment and steady state in
			// their first minute; after it, only the test's events.
			if err := w.sim.RunFor(time.Minute); err != nil {
				t.Fatal(err)
			}
			all := slices.Clone(*hooked)
			per := map[*Service][]ServiceEvent{}
			for _, e := range all {
				s := svcs[slices.IndexFunc(svcs, func(s *Service) bool { return s.Name() == e.Service })]
				per[s] = append(per[s], e)
			}
			if len(all) != 2*len(svcs) {
				t.Fatalf("the services' first minute logged %d events, want a completed deployment and a steady state each: %v", len(all), all)
			}
			last := func(log []ServiceEvent) []ServiceEvent {
				if n > 0 && len(log) > n {
					log = log[len(log)-n:]
				}
				return log
			}
			events := 3000
			if n == 0 {
				events = 500 // every comparison reads the whole log
			}
			for i := range events {
				if err := w.sim.RunFor(time.Second); err != nil {
					t.Fatal(err)
				}
				// Mostly one service, so its log fills while the world's
				// holds few of the others'.
				s := svcs[0]
				if rng.IntN(4) == 0 {
					s = svcs[1+rng.IntN(2)]
				}
				text := fmt.Sprintf("event %d %s", i, strings.Repeat("x", rng.IntN(300)))
				if rng.IntN(10) == 0 {
					text = ""
				}
				e := ServiceEvent{At: w.sim.Now(), Service: s.Name(), Message: "(service " + s.Name() + ") " + text}
				all = append(all, e)
				per[s] = append(per[s], e)
				s.eventText(text)

				if got, want := w.Events(), last(all); !slices.Equal(got, want) {
					t.Fatalf("after event %d, World.Events:\n got %v\nwant %v", i, got, want)
				}
				for _, s := range svcs {
					if got, want := s.Events(), last(per[s]); !slices.Equal(got, want) {
						t.Fatalf("after event %d, service %s Events:\n got %v\nwant %v", i, s.Name(), got, want)
					}
				}
			}
			if !slices.Equal(*hooked, all) {
				t.Fatalf("OnServiceEvent received %d events, not the %d logged (or not the same)", len(*hooked), len(all))
			}
		})
	}
}

// TestEventAllocatesNothing: once a service's log is full, logging an
// event (its text appended into the log's buffer) allocates nothing when
// no OnServiceEvent hook asks for a ServiceEvent.
func TestEventAllocatesNothing(t *testing.T) {
	w, svcs, _ := newEventLogWorld(t, 20, "web")
	w.cfg.OnServiceEvent = nil
	s := svcs[0]
	tasks := []*Task{{arnID: "0123456789abcdef0123456789abcdef"}, {arnID: "fedcba9876543210fedcba9876543210"}}
	logSome := func() {
		s.startedEvent(tasks...)
		s.eventText("has reached a steady state.")
		b := appendInt(append(s.beginEvent(), "desired count changed from "...), 3)
		s.endEvent(append(appendInt(append(b, " to "...), 5), ": monitor alarm high in state ALARM triggered policy cpu60"...))
	}
	for range 100 { // fill the logs and grow their buffers
		logSome()
	}
	if a := testing.AllocsPerRun(100, logSome); a != 0 {
		t.Errorf("logging three events allocates %v times", a)
	}
	want := []string{
		"(service web) has started 2 tasks: (task 0123456789abcdef0123456789abcdef) (task fedcba9876543210fedcba9876543210).",
		"(service web) has reached a steady state.",
		"(service web) desired count changed from 3 to 5: monitor alarm high in state ALARM triggered policy cpu60",
	}
	got := s.Events()
	for i, m := range want {
		if e := got[len(got)-3+i]; e.Message != m {
			t.Errorf("event %d: %q, want %q", i, e.Message, m)
		}
	}
}
