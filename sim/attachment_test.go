package sim_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// recorder is a test-only attachment: it writes down the lifecycle points
// every task it is attached to passes, and fails the start of every task
// at failAt (when set). It is registered with World.Attach and
// Service.Attach only: task.go, fargate.go and service.go know nothing of
// it.
type recorder struct {
	points map[*sim.Task][]string
	tasks  []*sim.Task // in the order they were first heard of
	failAt sim.Lifecycle
}

func (r *recorder) Attach(*sim.Task) sim.Attachment { return r }

func (r *recorder) OnTask(e sim.TaskEvent) sim.Verdict {
	if r.points[e.Task] == nil {
		r.tasks = append(r.tasks, e.Task)
	}
	p := e.Point.String()
	if e.Point == sim.LifecycleStopRequested && !e.Graceful {
		p += "(abrupt)"
	}
	r.points[e.Task] = append(r.points[e.Task], p)
	if e.Point == r.failAt {
		return sim.Verdict{Fail: "VolumeMountError: cannot mount data"}
	}
	return sim.Verdict{}
}

var (
	lifeStart      = []string{"Placed", "ResourcesAcquired", "Running", "HealthChanged"}
	lifeGraceful   = []string{"StopRequested", "SIGTERM", "ContainersExited", "Stopped"}
	lifeAbrupt     = []string{"StopRequested(abrupt)", "ContainersExited", "Stopped"}
	lifeFailPlaced = []string{"Placed", "StopRequested(abrupt)", "ContainersExited", "Stopped"}
	lifeFailMount  = []string{"Placed", "ResourcesAcquired", "StopRequested(abrupt)", "ContainersExited", "Stopped"}
)

// TestAttachmentHearsTheLifecycle: an attachment registered with the world
// or a service hears, on an EC2 task and on a Fargate task, started by a
// service or by RunTask, exactly the lifecycle points of a normal life and
// a graceful stop, of an abrupt stop, and of a start it fails itself (the
// task stops with TaskFailedToStart and the attachment's reason).
func TestAttachmentHearsTheLifecycle(t *testing.T) {
	type how struct {
		name   string
		stop   func(f *fixture, tk *sim.Task)
		failAt sim.Lifecycle
		want   []string
		reason string
		code   sim.StopCode
	}
	hows := []how{
		{name: "StopTask", stop: func(f *fixture, tk *sim.Task) { must(f.t, f.w.StopTask(tk, "")) },
			want: append(slices.Clone(lifeStart), lifeGraceful...), code: sim.StopUserInitiated},
		{name: "container exit", stop: func(f *fixture, tk *sim.Task) {
			must(f.t, f.w.ScheduleFailure(sim.ScriptedFailure{At: f.s.Now(), Task: tk}))
		}, want: append(slices.Clone(lifeStart), lifeAbrupt...), code: sim.StopEssentialContainerExited},
		{name: "fail at Placed", failAt: sim.LifecyclePlaced, want: lifeFailPlaced, code: sim.StopTaskFailedToStart, reason: "VolumeMountError: cannot mount data"},
		{name: "fail at ResourcesAcquired", failAt: sim.LifecycleResourcesAcquired, want: lifeFailMount, code: sim.StopTaskFailedToStart, reason: "VolumeMountError: cannot mount data"},
	}
	for _, fargate := range []bool{false, true} {
		for _, viaService := range []bool{false, true} {
			for _, h := range hows {
				name := map[bool]string{false: "EC2", true: "Fargate"}[fargate] + "/" +
					map[bool]string{false: "RunTask", true: "service"}[viaService] + "/" + h.name
				t.Run(name, func(t *testing.T) {
					f := newFixture(t, 1, sim.WorldConfig{})
					rec := &recorder{points: map[*sim.Task][]string{}, failAt: h.failAt}
					if fargate {
						f.fargateDef("app", 256, 512)
					} else {
						f.launch("m5.large", zones3[:1], 1)
						f.taskDef("app", 256, 512, sim.Behavior{Shutdown: sim.Fixed(time.Second)})
						f.run(time.Minute)
					}
					lt := sim.EC2
					if fargate {
						lt = sim.Fargate
					}
					var tk *sim.Task
					if viaService {
						svc := f.service(sim.ServiceConfig{Name: "app", TaskDefinition: "app", DesiredCount: 1, LaunchType: lt})
						svc.Attach(rec)
						f.run(time.Second) // the first reconcile: the task exists
						tk = rec.tasks[0]
					} else {
						f.w.Attach(rec)
						out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "app", LaunchType: lt})
						if err != nil || len(out.Tasks) != 1 {
							t.Fatalf("RunTask: %v %+v", err, out)
						}
						tk = out.Tasks[0]
					}
					f.run(2 * time.Minute) // RUNNING, and healthy by the 40-second rule
					if h.stop != nil {
						h.stop(f, tk)
					}
					f.run(2 * time.Minute)
					if got := rec.points[tk]; !slices.Equal(got, h.want) {
						t.Errorf("points\n got %s\nwant %s", strings.Join(got, ", "), strings.Join(h.want, ", "))
					}
					if tk.State() != sim.TaskStopped || tk.StopCode() != h.code || h.reason != "" && tk.StoppedReason() != h.reason {
						t.Errorf("task %v, %s %q; want STOPPED, %s %q", tk.State(), tk.StopCode(), tk.StoppedReason(), h.code, h.reason)
					}
				})
			}
		}
	}
}

// TestAttachmentHoldsAndGates: an attachment's hold keeps a task in PENDING
// until released or until it runs out, alongside the state's own work (a
// 10 s image pull and start); a health gate keeps it from counting as
// healthy (the 40-second rule no longer applies) until it reports healthy,
// and a gate that reports unhealthy after the grace period gets the
// service task replaced, with the gate's reason.
func TestAttachmentHoldsAndGates(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3[:1], 1)
	f.taskDef("app", 256, 512, sim.Behavior{})
	f.run(time.Minute)
	mount := &volume{mount: 25 * time.Second}
	svc := f.service(sim.ServiceConfig{Name: "app", TaskDefinition: "app", DesiredCount: 1, HealthCheckGracePeriod: time.Minute})
	svc.Attach(mount)
	f.run(time.Second)
	tk := svc.Tasks()[0]
	f.run(20 * time.Second)
	if tk.State() != sim.TaskPending {
		t.Fatalf("20 s after placement the task is %v, want PENDING: the mount holds it past its 10 s start", tk.State())
	}
	mount.release(tk) // the mount is done 21 s after placement
	f.run(0)
	if tk.State() != sim.TaskRunning || tk.StartedAt().Sub(tk.CreatedAt()) != 21*time.Second {
		t.Fatalf("task %v %v after placement, want RUNNING at 21 s, when the mount was released", tk.State(), tk.StartedAt().Sub(tk.CreatedAt()))
	}
	f.run(time.Minute)
	if tk.CountsHealthy() {
		t.Fatalf("task counts healthy before its gate reported")
	}
	tk.ReportHealth(mount, sim.HealthHealthy, "")
	if !tk.CountsHealthy() {
		t.Fatalf("task does not count healthy once its gate did")
	}
	tk.ReportHealth(mount, sim.HealthUnhealthy, "Volume data became unreadable")
	f.run(time.Second)
	if tk.DesiredStatus() != sim.TaskStopped || tk.StoppedReason() != "Volume data became unreadable" || svc.Counters().UnhealthyStopped != 1 {
		t.Errorf("task %v %q, %d replaced; want stopped for its gate", tk.DesiredStatus(), tk.StoppedReason(), svc.Counters().UnhealthyStopped)
	}
	// The next task's mount is never released: the hold runs out.
	f.run(2 * time.Minute)
	for _, next := range svc.Tasks() {
		if next != tk && next.StartedAt().Sub(next.CreatedAt()) != mount.mount {
			t.Errorf("replacement RUNNING %v after placement, want %v (the hold ran out)", next.StartedAt().Sub(next.CreatedAt()), mount.mount)
		}
	}
}

// volume holds PENDING for up to mount and is a health gate.
type volume struct{ mount time.Duration }

func (v *volume) Attach(*sim.Task) sim.Attachment { return v }

func (v *volume) OnTask(e sim.TaskEvent) sim.Verdict {
	switch e.Point {
	case sim.LifecycleResourcesAcquired:
		return sim.Verdict{Hold: v.mount}
	case sim.LifecycleRunning:
		return sim.Verdict{GateHealth: true}
	}
	return sim.Verdict{}
}

func (v *volume) release(t *sim.Task) { t.Release(v) }
