package scenario

import (
	"time"

	"github.com/ecssim/ecssim/sim"
)

// Scaling returns the scaling of that service, or nil without one.
func (s *Simulation) Scaling(cluster, name string) *sim.ServiceScaling {
	if b := s.built(cluster, name); b != nil {
		return b.scaling
	}
	return nil
}

// Period returns the length of the scenario's report periods.
func (s *Simulation) Period() time.Duration { return s.period }
