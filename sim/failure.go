package sim

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Failure injection. Random crashes are a property of the application
// (Behavior.CrashesPerHour, drawn from the "failures" stream); scripted
// failures happen at given instants, for reproducing an incident.

// ScriptedFailure is one failure at a given instant: an instance that dies,
// or a task whose essential container exits. Exactly one of Instance and
// Task is set.
type ScriptedFailure struct {
	// At is when the failure happens; an instant already past means now.
	At time.Time
	// Instance fails as Instance.Fail does.
	Instance *Instance
	// Task has its essential container exit (EssentialContainerExited).
	Task *Task

	spot bool // the end of a Spot interruption notice
}

type scriptedFailure = ScriptedFailure

// ScheduleFailure arranges a scripted failure. A failure of something that
// has already stopped by then does nothing.
func (w *World) ScheduleFailure(f ScriptedFailure) error {
	switch {
	case (f.Instance == nil) == (f.Task == nil):
		return fielderr.New(ErrConfig, "ScriptedFailure.Instance", f.Instance != nil, "exactly one of Instance and Task must be set")
	case f.Instance != nil && f.Instance.c.w != w:
		return fielderr.New(ErrNotFound, "ScriptedFailure.Instance", f.Instance.ec2ID, "is an instance of another World")
	case f.Task != nil && f.Task.w != w:
		return fielderr.New(ErrNotFound, "ScriptedFailure.Task", f.Task.arnID, "is a task of another World")
	}
	w.scripted = append(w.scripted, f)
	w.sim.ScheduleAt(w.kScripted, f.At.Sub(w.sim.Start()), uint64(len(w.scripted)-1))
	return nil
}

func (w *World) onScripted(arg uint64) {
	f := w.scripted[arg]
	if in := f.Instance; in != nil {
		switch {
		case in.status == InstanceInactive:
		case f.spot:
			in.terminate(StopSpotInterruption, fmt.Sprintf("Host EC2 (instance %s) was reclaimed by a Spot interruption.", in.ec2ID))
		default:
			_ = in.Fail() // cannot fail: the status was checked
		}
		return
	}
	if t := f.Task; t.desired == TaskRunning && t.state <= TaskRunning {
		w.stop(t, stopExited, StopEssentialContainerExited, reasonEssentialExited)
	}
}
