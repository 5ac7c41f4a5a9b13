package tidy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/sim"
)

// ErrInvalid marks a Recorder given what it cannot record.
var ErrInvalid = errors.New("tidy: invalid recorder")

// Tracked is one service a Recorder follows.
type Tracked struct {
	// Cluster names the service's cluster, for the rows.
	Cluster string
	// Service is required. Its rows' cost is what World.Cost bills to its
	// name: two services of one name in different clusters share that
	// bill, and both their rows show it.
	Service *sim.Service
	// Workload is the service's traffic; nil without traffic (the traffic
	// columns are then zero). Its ReportPeriod should be the Recorder's
	// period: a row takes the traffic of the workload period that starts
	// with it.
	Workload *sim.Workload
	// Scaling is the service's scaler; nil without one.
	Scaling *sim.ServiceScaling
}

// Recorder turns a running world into tidy rows: it samples the tracked
// services between engine runs, never inside one, so it adds no event and
// leaves the trace hash as it was. Run the engine in steps that stop at
// every period end (a minute at a time does, as scenario.Simulation.Run
// and the quickstart do), call Sample after each step, and Close at the
// end of the run: a row's counts are those of the instant Sample closes
// it.
type Recorder struct {
	world  *sim.World
	period time.Duration
	series []*series
	events []EventRow
	start  time.Time // of the open period
	closed bool
}

// series is one tracked service with its rows and running tallies.
type series struct {
	Tracked
	rows       []PeriodRow
	cost       float64 // billed to the service up to the open period's start
	activities int     // scaling activities up to the open period's start
}

// NewRecorder returns a recorder of w's services in periods of the given
// length (a whole number of minutes; periods end on its multiples in UTC,
// as report periods do), the first one starting now.
func NewRecorder(w *sim.World, period time.Duration, tracked ...Tracked) (*Recorder, error) {
	l := fielderr.NewList(ErrInvalid)
	if w == nil {
		l.Add("world", nil, "is required")
	}
	if period < time.Minute || period%time.Minute != 0 {
		l.Add("period", period, "must be a whole number of minutes")
	}
	for i, t := range tracked {
		if t.Service == nil {
			l.Add(fmt.Sprintf("tracked[%d].Service", i), nil, "is required")
		}
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	r := &Recorder{world: w, period: period, start: w.Sim().Now()}
	for _, t := range tracked {
		r.series = append(r.series, &series{Tracked: t, cost: r.billed(t.Service), activities: activities(t.Scaling)})
	}
	return r, nil
}

// billed returns what World.Cost bills to the service's name so far.
func (r *Recorder) billed(s *sim.Service) float64 {
	for _, l := range r.world.Cost().ByService {
		if l.Key == s.Name() {
			return l.Cost
		}
	}
	return 0
}

func activities(s *sim.ServiceScaling) int {
	if s == nil {
		return 0
	}
	return s.Activities()
}

// Sample closes the open period if the clock has reached its end. Call it
// between engine runs.
func (r *Recorder) Sample() {
	now := r.world.Sim().Now()
	if r.closed || !now.After(r.start) {
		return
	}
	if end := r.start.Truncate(r.period).Add(r.period); !now.Before(end) {
		r.closeAt(now)
	}
}

// Close closes the last period (possibly short) at the current instant
// and adds the run's Spot interruptions and zone-outage stops to the
// events. Later Samples do nothing.
func (r *Recorder) Close() {
	if r.closed {
		return
	}
	if now := r.world.Sim().Now(); now.After(r.start) {
		r.closeAt(now)
	}
	r.closed = true
}

// AddEvent records an event the world does not log itself, such as an
// action a scenario took.
func (r *Recorder) AddEvent(e EventRow) { r.events = append(r.events, e) }

func (r *Recorder) closeAt(now time.Time) {
	for _, s := range r.series {
		cost, acts := r.billed(s.Service), activities(s.Scaling)
		s.rows = append(s.rows, PeriodRow{
			Start: r.start, Length: now.Sub(r.start), Cluster: s.Cluster, Service: s.Service.Name(),
			Desired: s.Service.DesiredCount(), Running: s.Service.RunningCount(), Pending: s.Service.PendingCount(),
			CostUSD: cost - s.cost, ScalingActivities: acts - s.activities,
		})
		s.cost, s.activities = cost, acts
	}
	r.start = now
}

// Periods returns one row per tracked service per closed period, service
// by service in the order tracked, each in time order, with the traffic
// of the workload's period that starts with the row.
func (r *Recorder) Periods() []PeriodRow {
	var out []PeriodRow
	for _, s := range r.series {
		var byStart map[time.Time]sim.Period
		if s.Workload != nil {
			ps := s.Workload.Periods()
			byStart = make(map[time.Time]sim.Period, len(ps))
			for _, p := range ps {
				byStart[p.Start] = p
			}
		}
		for _, row := range s.rows {
			if p, ok := byStart[row.Start]; ok {
				row.RequestsPerSecond, row.CPUPercent, row.MemoryPercent = p.RequestsPerSecond(), p.CPUUtilization, p.MemoryUtilization
				row.P50, row.P90, row.P99 = p.P50, p.P90, p.P99
				row.Errors5xx, row.Timeouts = p.Counters.Errors5xx(), p.Counters.TimedOut
			}
			out = append(out, row)
		}
	}
	return out
}

// Events returns the events of the tracked services in time order (ties
// in the order tracked, then logged): scaling activities, deployments
// ending, rollbacks and tasks ECS could not place, read from each
// service's event log; Spot interruptions and zone-outage stops, read
// from the world's tasks; and the events given to AddEvent.
func (r *Recorder) Events() []EventRow {
	var out []EventRow
	for _, s := range r.series {
		for _, e := range s.Service.Events() {
			if row, ok := classify(s.Cluster, s.Service.Name(), e); ok {
				out = append(out, row)
			}
		}
	}
	for _, t := range r.world.Tasks() {
		svc := t.Service()
		if svc == nil || t.State() != sim.TaskStopped {
			continue
		}
		cluster, tracked := r.clusterOf(svc)
		if !tracked {
			continue
		}
		kind := ""
		switch {
		case t.StopCode() == sim.StopSpotInterruption:
			kind = KindInterruption
		case t.StoppedReason() == sim.ZoneOutageReason:
			kind = KindOutageStop
		default:
			continue
		}
		out = append(out, EventRow{At: t.StoppedAt(), Cluster: cluster, Service: svc.Name(), Kind: kind,
			DesiredFrom: -1, DesiredTo: -1, Detail: "task " + t.ID() + " in " + t.Zone() + ": " + t.StoppedReason()})
	}
	out = append(out, r.events...)
	slices.SortStableFunc(out, func(a, b EventRow) int { return a.At.Compare(b.At) })
	return out
}

func (r *Recorder) clusterOf(svc *sim.Service) (string, bool) {
	for _, s := range r.series {
		if s.Service == svc {
			return s.Cluster, true
		}
	}
	return "", false
}

// Event kinds.
const (
	KindScaling             = "scaling"              // a scaling activity changed the desired count
	KindDeployment          = "deployment"           // a deployment was asked for (UpdateService)
	KindDeploymentCompleted = "deployment_completed" // a deployment reached its desired state
	KindDeploymentFailed    = "deployment_failed"    // the circuit breaker failed a deployment
	KindRollback            = "rollback"             // the circuit breaker rolled back
	KindUnplaced            = "unplaced"             // ECS could not place a task
	KindInterruption        = "interruption"         // a Spot interruption stopped a task
	KindOutage              = "outage"               // an Availability Zone outage began
	KindOutageStop          = "outage_stop"          // a zone outage stopped a task
	KindLaunch              = "launch"               // instances were launched by hand
	KindRefused             = "refused"              // an action the simulator refused
)

// classify reads a service event as ECS words it.
func classify(cluster, service string, e sim.ServiceEvent) (EventRow, bool) {
	row := EventRow{At: e.At, Cluster: cluster, Service: service, DesiredFrom: -1, DesiredTo: -1, Detail: e.Message}
	m := e.Message
	switch {
	case strings.Contains(m, "desired count changed from "):
		row.Kind = KindScaling
		i := strings.Index(m, "desired count changed from ")
		fmt.Sscanf(m[i:], "desired count changed from %d to %d", &row.DesiredFrom, &row.DesiredTo)
	case strings.HasSuffix(m, "deployment completed."):
		row.Kind = KindDeploymentCompleted
	case strings.Contains(m, "deployment failed"):
		row.Kind = KindDeploymentFailed
	case strings.Contains(m, "rolling back to deployment"):
		row.Kind = KindRollback
	case strings.Contains(m, "unable to place a task"):
		row.Kind = KindUnplaced
	default:
		return row, false
	}
	return row, true
}
