package sim

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/metrics"
)

// Scaler decides a service's desired count; *autoscale.Controller is one.
type Scaler interface {
	// Evaluate is called every minute with the service's state and returns
	// the desired count to apply.
	Evaluate(now time.Time, s autoscale.State) autoscale.Decision
}

// ScalingDecision is one evaluation that changed the desired count.
type ScalingDecision struct {
	// At is the evaluation instant.
	At time.Time
	// From and To are the desired counts before and after.
	From, To int
	// Reason is the scaler's one-line explanation.
	Reason string
}

// String renders the decision as "15:04 3 → 5: reason".
func (d ScalingDecision) String() string {
	return fmt.Sprintf("%s %d → %d: %s", d.At.Format("15:04"), d.From, d.To, d.Reason)
}

// ServiceScaling runs a Scaler on a service: every minute, in PhaseScaling
// (after the minute's metrics and alarms), it calls Evaluate with the
// service's desired and running counts, whether a deployment is in
// progress, and the metrics reader, and applies Decision.Desired with
// SetDesiredCount. Changes are kept in a decision log and written to the
// service's events as "(service web) desired count changed from 3 to 5:
// <reason>".
type ServiceScaling struct {
	svc        *Service
	scaler     Scaler
	reader     metrics.Reader
	kind       Kind
	decisions  []ScalingDecision
	activities int
}

// AttachScaler starts evaluating sc for the service every minute, reading
// metrics from r (nil means no data). The first evaluation is at the next
// whole minute of virtual time.
func (s *Service) AttachScaler(sc Scaler, r metrics.Reader) (*ServiceScaling, error) {
	if sc == nil {
		return nil, fmt.Errorf("%w: AttachScaler needs a Scaler", ErrInvalidService)
	}
	if s.cfg.SchedulingStrategy == Daemon {
		return nil, fmt.Errorf("%w: service %s is a DAEMON service; only REPLICA services scale", ErrInvalidService, s.cfg.Name)
	}
	ss := &ServiceScaling{svc: s, scaler: sc, reader: r}
	sim := s.w.sim
	ss.kind = sim.Handle("service-scaling", PhaseScaling, ss.onEvaluate)
	sim.Schedule(ss.kind, time.Minute-sim.Elapsed()%time.Minute, 0)
	return ss, nil
}

// Decisions returns the evaluations that changed the desired count, oldest
// first.
func (ss *ServiceScaling) Decisions() []ScalingDecision {
	return append([]ScalingDecision(nil), ss.decisions...)
}

// Activities returns the number of scaling activities the scaler reported.
func (ss *ServiceScaling) Activities() int { return ss.activities }

func (ss *ServiceScaling) onEvaluate(uint64) {
	s := ss.svc
	if s.status != ServiceActive {
		return
	}
	sim := s.w.sim
	sim.Schedule(ss.kind, time.Minute, 0)
	now := s.w.now()
	d := ss.scaler.Evaluate(now, autoscale.State{
		Desired: s.desired, Running: s.RunningCount(), DeploymentInProgress: s.DeploymentInProgress(), Metrics: ss.reader,
	})
	ss.activities += len(d.Activities)
	if d.Desired == s.desired {
		return
	}
	from := s.desired
	if err := s.SetDesiredCount(d.Desired); err != nil {
		s.event("scaling decision %d → %d not applied: %v", from, d.Desired, err)
		return
	}
	ss.decisions = append(ss.decisions, ScalingDecision{At: now, From: from, To: d.Desired, Reason: d.Reason})
	s.event("desired count changed from %d to %d: %s", from, d.Desired, d.Reason)
}
