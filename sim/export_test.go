package sim

import (
	"time"

	"github.com/ecssim/ecssim/autoscale"
)

// ScalingLines reports, of the scalers in w's minute ticks, how many are
// controllers, and how many of those have an entry that names the
// controller's Lines as they are now (what the scalers' pass prefetches).
func ScalingLines(w *World) (controllers, current int) {
	if w.minuteTicks == nil {
		return 0, 0
	}
	for _, e := range w.minuteTicks.scaling {
		if c, ok := e.x.scaler.(*autoscale.Controller); ok {
			controllers++
			if e.lines == c.Lines() && e.lines != (autoscale.Lines{}) {
				current++
			}
		}
	}
	return controllers, current
}

// SetMinuteFusion lets the fluid pass run workloads' metrics minutes
// (on, the default) or leaves them all to the metrics pass.
func SetMinuteFusion(w *World, on bool) { w.ticks().unfused = !on }

// FusedMinutes reports the instant of the last fluid pass and how many of
// the minute list's workloads it ran the metrics minute of.
func FusedMinutes(w *World) (at time.Duration, n int) {
	if w.minuteTicks == nil {
		return -1, 0
	}
	return w.minuteTicks.fusedAt, w.minuteTicks.fusedTo
}
