package tidy

import (
	"strings"

	"github.com/ecssim/ecssim/sim/scenario"
)

// Run is a scenario run with its tidy tables.
type Run struct {
	Report  *scenario.Report
	Periods []PeriodRow
	Events  []EventRow
}

// Record builds and runs a scenario as scenario.Run does, recording one
// row per service per report period and the run's events. Recording adds
// no engine event: the report and its trace hash are those of
// scenario.Run.
func Record(sc *scenario.Scenario, opt scenario.Options) (*Run, error) {
	s, err := scenario.Build(sc, opt)
	if err != nil {
		return nil, err
	}
	return RecordSimulation(s)
}

// RecordSimulation runs a scenario built by scenario.Build, as
// Simulation.Run does, recording what Record records: for a caller that
// needs the Simulation while it runs (a progress line reading its
// workloads, say). It samples through s.Between, after calling a Between
// already set.
func RecordSimulation(s *scenario.Simulation) (*Run, error) {
	var tracked []Tracked
	for _, spec := range s.Scenario.Services {
		tracked = append(tracked, Tracked{Cluster: spec.Cluster, Service: s.Service(spec.Cluster, spec.Name),
			Workload: s.Workload(spec.Cluster, spec.Name), Scaling: s.Scaling(spec.Cluster, spec.Name)})
	}
	rec, err := NewRecorder(s.World, s.Period(), tracked...)
	if err != nil {
		return nil, err
	}
	before := s.Between
	s.Between = func() {
		if before != nil {
			before()
		}
		rec.Sample()
	}
	rep, err := s.Run()
	if err != nil {
		return nil, err
	}
	rec.Close()
	for _, a := range rep.Actions {
		rec.AddEvent(actionEvent(a))
	}
	return &Run{Report: rep, Periods: rec.Periods(), Events: rec.Events()}, nil
}

// actionEvent is the event row of a scenario action.
func actionEvent(a scenario.ActionRecord) EventRow {
	row := EventRow{At: a.At, DesiredFrom: -1, DesiredTo: -1, Detail: a.Action}
	verb, rest, _ := strings.Cut(a.Action, " ")
	target, _, _ := strings.Cut(rest, " ")
	switch verb {
	case "updateService":
		row.Kind = KindDeployment
		row.Cluster, row.Service, _ = strings.Cut(target, "/")
	case "zoneOutage":
		row.Kind = KindOutage
	case "launchInstances":
		row.Kind, row.Cluster = KindLaunch, target
	default:
		row.Kind = verb
	}
	if a.Err != "" {
		row.Kind, row.Detail = KindRefused, a.Action+": "+a.Err
	}
	return row
}
