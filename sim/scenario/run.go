package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// Report is what a scenario run produced.
type Report struct {
	Name  string
	Seed  uint64
	Start time.Time
	End   time.Time
	// Events is the number of engine events run; TraceHash their hash
	// (same seed and scenario, same hash).
	Events    uint64
	TraceHash uint64
	// Cost is every dollar billed: Fargate, EC2 and EFS file systems.
	Cost     float64
	Services []ServiceReport
	// Rows are the report periods, service by service in scenario order
	// (the order of Services), each service's in time order.
	Rows    []Row
	Actions []ActionRecord
	// Subnets are the scenario's subnets at the end, in file order.
	Subnets []SubnetReport
}

// SubnetReport is one subnet's addresses: how many tasks can hold
// (Capacity), hold at the end (InUse) and held at most (PeakInUse), and
// how many network interfaces found it full (Exhaustions).
type SubnetReport struct {
	SubnetId                                string
	Capacity, InUse, PeakInUse, Exhaustions int
}

// ServiceReport sums up one service.
type ServiceReport struct {
	Service string // "cluster/name"
	// Desired and Running are the counts at the end; MinDesired and
	// MaxDesired the extremes of the desired count, sampled every minute.
	Desired, Running       int
	MinDesired, MaxDesired int
	// MeanTasks and MaxTasks are the mean and largest running count,
	// sampled at the end of every minute.
	MeanTasks float64
	MaxTasks  int
	Counters  sim.ServiceCounters
	// ScalingActivities is the number of desired-count changes its
	// scaling made (zero without autoScaling).
	ScalingActivities int
	// Requests and the latency quantiles are zero without traffic.
	Requests sim.WorkloadCounters
	P50, P99 time.Duration
	// Cost is what World.Cost bills to the service's name.
	Cost float64
}

// Row is one report period of one service.
type Row struct {
	Service string
	Start   time.Time
	Length  time.Duration
	// Desired, Running and Pending are the counts at the period's end.
	Desired, Running, Pending int
	// The traffic of the period (zero without traffic): offered load,
	// mean and largest task count, CPU utilisation in percent, latency
	// quantiles of served requests, 5xx answers and client time-outs.
	RequestsPerSecond float64
	MeanTasks         float64
	CPUPercent        float64
	P50, P99          time.Duration
	Errors5xx         int64
	TimedOut          int64
}

// ActionRecord is an action the run took and how it went: Err is the
// simulator's refusal (an UpdateService naming a task definition whose
// compatibilities do not fit the service, say), empty when it took effect.
// A refused action is an outcome of the run, not an error of Run.
type ActionRecord struct {
	At     time.Time
	Action string
	Err    string
}

// scheduleActions puts the scenario's actions on the clock, stable in file
// order at equal offsets.
func (s *Simulation) scheduleActions() {
	order := make([]int, len(s.Scenario.Actions))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		// Compared, not subtracted: a difference of offsets converted to
		// int would wrap where int has 32 bits (three hours is 1.08e13 ns)
		// and order the actions differently there.
		return cmp.Compare(s.Scenario.Actions[a].At, s.Scenario.Actions[b].At)
	})
	for _, i := range order {
		a := s.Scenario.Actions[i]
		at := s.Sim.Start().Add(a.At.D())
		s.Sim.At(at, func() { s.act(a) })
	}
}

func (s *Simulation) act(a Action) {
	rec := ActionRecord{At: s.Sim.Now()}
	var err error
	switch {
	case a.UpdateService != nil:
		u := a.UpdateService
		rec.Action = fmt.Sprintf("updateService %s/%s", u.Cluster, u.Service)
		svc := s.Service(u.Cluster, u.Service)
		if u.DesiredCount != nil {
			rec.Action += fmt.Sprintf(" desiredCount=%d", *u.DesiredCount)
		}
		if u.TaskDefinition != "" {
			rec.Action += " taskDefinition=" + u.TaskDefinition
		}
		// A throttled call is retried as the AWS SDKs do (standard mode,
		// jitter from the "scenario-retry" stream); the record is the
		// call's outcome, logged when it is known.
		call := func() error {
			return svc.UpdateService(sim.ServiceUpdate{DesiredCount: u.DesiredCount, TaskDefinition: u.TaskDefinition, ForceNewDeployment: u.ForceNewDeployment})
		}
		err = s.World.Retry(sim.RetryPolicy{Stream: "scenario-retry"}, call, func(err error, attempts int) {
			if err != nil {
				rec.Err = err.Error()
			}
			if attempts > 1 {
				rec.Action += fmt.Sprintf(" (%d attempts)", attempts)
			}
			s.actions = append(s.actions, rec)
		})
		if err != nil {
			panic(fmt.Sprintf("scenario: retry policy: %v", err)) // a constant, valid policy
		}
		return
	case a.ZoneOutage != nil:
		z := a.ZoneOutage
		rec.Action = fmt.Sprintf("zoneOutage %s for %v", z.Zone, z.Duration.D())
		err = s.World.ScheduleZoneOutage(z.Zone, s.Sim.Now(), s.Sim.Now().Add(z.Duration.D()))
	case a.LaunchInstances != nil:
		l := a.LaunchInstances
		rec.Action = fmt.Sprintf("launchInstances %s %d × %s", l.Cluster, l.Count, l.Type)
		c := s.World.Cluster(l.Cluster)
		zones := l.Zones
		if len(zones) == 0 {
			zones = (&builder{opt: s.opt}).zones(nil, s.cluster(l.Cluster))
		}
		_, err = c.LaunchInstances(l.Type, zones, l.Count)
	}
	if err != nil {
		rec.Err = err.Error()
	}
	s.actions = append(s.actions, rec)
}

// cluster returns the scenario's cluster of that name.
func (s *Simulation) cluster(name string) *Cluster {
	for i := range s.Scenario.Clusters {
		if s.Scenario.Clusters[i].Name == name {
			return &s.Scenario.Clusters[i]
		}
	}
	return nil
}

// Service returns the service of that cluster and name, or nil.
func (s *Simulation) Service(cluster, name string) *sim.Service {
	if b := s.built(cluster, name); b != nil {
		return b.svc
	}
	return nil
}

// Workload returns the traffic of that service, or nil without one.
func (s *Simulation) Workload(cluster, name string) *sim.Workload {
	if b := s.built(cluster, name); b != nil {
		return b.wl
	}
	return nil
}

func (s *Simulation) built(cluster, name string) *built {
	for _, b := range s.services {
		if b.spec.Cluster == cluster && b.spec.Name == name {
			return b
		}
	}
	return nil
}

// Run runs the scenario to its end and returns the report. It runs once:
// a second call returns the same report without running again. A run that
// spends Options.MaxEvents stops with an error matching sim.ErrEventLimit
// that names the option.
func (s *Simulation) Run() (*Report, error) {
	for s.Sim.Now().Before(s.end) {
		next := s.Sim.Now().Truncate(time.Minute).Add(time.Minute)
		if next.After(s.end) {
			next = s.end
		}
		if err := s.Sim.RunUntil(next); errors.Is(err, sim.ErrEventLimit) {
			return nil, fmt.Errorf("%w (Options.MaxEvents; the scenario asks for more work than it allows)", err)
		} else if err != nil {
			return nil, err
		}
		for _, b := range s.services {
			d := b.svc.DesiredCount()
			b.minDesired, b.maxDesired = min(b.minDesired, d), max(b.maxDesired, d)
			r := b.svc.RunningCount()
			b.taskMinutes, b.minutes, b.maxTasks = b.taskMinutes+r, b.minutes+1, max(b.maxTasks, r)
		}
		if now := s.Sim.Now(); now.Equal(s.end) || now.Truncate(s.period).Equal(now) {
			s.closeRows(now)
		}
		if s.Between != nil {
			s.Between()
		}
	}
	return s.report(), nil
}

// closeRows records the period ending now for every service.
func (s *Simulation) closeRows(now time.Time) {
	for _, b := range s.services {
		start := s.Sim.Start()
		for i := len(s.rows) - 1; i >= 0; i-- {
			if s.rows[i].Service == name(b.spec) {
				start = s.rows[i].Start.Add(s.rows[i].Length)
				break
			}
		}
		if !now.After(start) {
			continue
		}
		s.rows = append(s.rows, Row{Service: name(b.spec), Start: start, Length: now.Sub(start),
			Desired: b.svc.DesiredCount(), Running: b.svc.RunningCount(), Pending: b.svc.PendingCount()})
	}
}

func name(s *Service) string { return s.Cluster + "/" + s.Name }

func (s *Simulation) report() *Report {
	cost := s.World.Cost()
	r := &Report{
		Name: s.Scenario.Name, Seed: s.Sim.Seed(), Start: s.Sim.Start(), End: s.Sim.Now(),
		Events: s.Sim.Executed(), TraceHash: s.Sim.TraceHash(), Cost: cost.Total, Actions: s.actions,
	}
	for _, sn := range s.World.Subnets() {
		r.Subnets = append(r.Subnets, SubnetReport{SubnetId: sn.ID(), Capacity: sn.Capacity(), InUse: sn.InUse(),
			PeakInUse: sn.PeakInUse(), Exhaustions: sn.Exhaustions()})
	}
	for _, b := range s.services {
		sr := ServiceReport{Service: name(b.spec), Desired: b.svc.DesiredCount(), Running: b.svc.RunningCount(),
			MinDesired: b.minDesired, MaxDesired: b.maxDesired, Counters: b.svc.Counters(), MaxTasks: b.maxTasks}
		if b.minutes > 0 {
			sr.MeanTasks = float64(b.taskMinutes) / float64(b.minutes)
		}
		// The service's scaler, whether Build attached it or the caller
		// did after Build (a policy of its own).
		if ss := b.svc.Scaling(); ss != nil {
			sr.ScalingActivities = ss.Activities()
		}
		for _, l := range cost.ByService {
			if l.Key == b.spec.Name {
				sr.Cost = l.Cost
			}
		}
		if b.wl != nil {
			sr.Requests, sr.P50, sr.P99 = b.wl.Counters(), b.wl.Latency(0.5), b.wl.Latency(0.99)
		}
		r.Services = append(r.Services, sr)
	}
	// Each service's periods, by start, read once: a year of rows must
	// not rescan every period for every row.
	periods := map[string]map[time.Time]sim.Period{}
	for _, b := range s.services {
		if b.wl == nil {
			continue
		}
		byStart := map[time.Time]sim.Period{}
		for _, p := range b.wl.Periods() {
			byStart[p.Start] = p
		}
		periods[name(b.spec)] = byStart
	}
	// The rows were closed period by period; the report lists them
	// service by service, in scenario order, each service's by start.
	order := make(map[string]int, len(s.services))
	for i, b := range s.services {
		order[name(b.spec)] = i
	}
	rows := slices.Clone(s.rows)
	slices.SortStableFunc(rows, func(a, b Row) int { return order[a.Service] - order[b.Service] })
	for _, row := range rows {
		if p, ok := periods[row.Service][row.Start]; ok {
			row.RequestsPerSecond, row.MeanTasks, row.CPUPercent = p.RequestsPerSecond(), p.MeanTasks, p.CPUUtilization
			row.P50, row.P99, row.Errors5xx, row.TimedOut = p.P50, p.P99, p.Counters.Errors5xx(), p.Counters.TimedOut
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}
