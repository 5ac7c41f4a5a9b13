package sim

import "github.com/ecssim/ecssim/autoscale"

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
