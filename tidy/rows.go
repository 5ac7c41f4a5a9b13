package tidy

import (
	"strings"
	"time"

	"github.com/ecssim/ecssim/sim/scenario"
	"github.com/ecssim/ecssim/sweep"
)

// PeriodRow is one service in one period (see the package doc for the
// columns it becomes).
type PeriodRow struct {
	Start                     time.Time
	Length                    time.Duration
	Cluster, Service          string
	Desired, Running, Pending int // at the period's end
	RequestsPerSecond         float64
	CPUPercent, MemoryPercent float64
	P50, P90, P99             time.Duration
	Errors5xx, Timeouts       int64
	CostUSD                   float64
	ScalingActivities         int
}

// EventRow is one event of a run.
type EventRow struct {
	At               time.Time
	Cluster, Service string // empty for an event of no one service
	Kind             string // one of the Kind constants
	// DesiredFrom and DesiredTo are a scaling activity's desired counts,
	// -1 for other kinds.
	DesiredFrom, DesiredTo int
	Detail                 string
}

// SweepRow is one service in one run (arm and seed) of a sweep.
type SweepRow struct {
	Arm                 int
	ArmLabel            string
	Seed                uint64
	Cluster, Service    string
	Requests            int64
	Errors5xx, Timeouts int64
	P50, P99            time.Duration
	CostUSD             float64
	ScalingActivities   int
	MaxDesired          int
	Unhealthy           int // tasks replaced for failing health checks
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// PeriodColumns are the columns of PeriodTable.
var PeriodColumns = []string{"time", "period_s", "cluster", "service", "desired_tasks", "running_tasks", "pending_tasks",
	"requests_per_s", "cpu_pct", "memory_pct", "p50_ms", "p90_ms", "p99_ms", "errors_5xx", "timeouts", "cost_usd", "scaling_activities"}

// PeriodTable is the rows as a table.
func PeriodTable(rows []PeriodRow) *Table {
	t := &Table{Columns: PeriodColumns}
	for _, r := range rows {
		t.Rows = append(t.Rows, []any{r.Start, r.Length.Seconds(), r.Cluster, r.Service, r.Desired, r.Running, r.Pending,
			r.RequestsPerSecond, r.CPUPercent, r.MemoryPercent, ms(r.P50), ms(r.P90), ms(r.P99), r.Errors5xx, r.Timeouts, r.CostUSD, r.ScalingActivities})
	}
	return t
}

// EventColumns are the columns of EventTable.
var EventColumns = []string{"time", "cluster", "service", "kind", "desired_from", "desired_to", "detail"}

// EventTable is the rows as a table; the desired counts of events other
// than scaling activities are empty.
func EventTable(rows []EventRow) *Table {
	t := &Table{Columns: EventColumns}
	count := func(n int) any {
		if n < 0 {
			return ""
		}
		return n
	}
	for _, r := range rows {
		t.Rows = append(t.Rows, []any{r.At, r.Cluster, r.Service, r.Kind, count(r.DesiredFrom), count(r.DesiredTo), r.Detail})
	}
	return t
}

// SweepColumns are the columns of SweepTable.
var SweepColumns = []string{"arm", "arm_label", "seed", "cluster", "service", "requests", "errors_5xx", "timeouts",
	"p50_ms", "p99_ms", "cost_usd", "scaling_activities", "max_desired_tasks", "unhealthy_tasks"}

// SweepTable is the rows as a table.
func SweepTable(rows []SweepRow) *Table {
	t := &Table{Columns: SweepColumns}
	for _, r := range rows {
		t.Rows = append(t.Rows, []any{r.Arm, r.ArmLabel, r.Seed, r.Cluster, r.Service, r.Requests, r.Errors5xx, r.Timeouts,
			ms(r.P50), ms(r.P99), r.CostUSD, r.ScalingActivities, r.MaxDesired, r.Unhealthy})
	}
	return t
}

// SweepRows flattens a sweep of scenario runs into one row per arm, seed
// and service, in the order of the results (cell order for Run's and
// Merge's). labels[a] names arm a; a missing label is empty.
func SweepRows(results []sweep.Result[*scenario.Report], labels []string) []SweepRow {
	var out []SweepRow
	for _, res := range results {
		label := ""
		if res.Arm < len(labels) {
			label = labels[res.Arm]
		}
		for _, s := range res.Out.Services {
			cluster, name, _ := strings.Cut(s.Service, "/")
			out = append(out, SweepRow{Arm: res.Arm, ArmLabel: label, Seed: res.Seed, Cluster: cluster, Service: name,
				Requests: s.Requests.Arrived, Errors5xx: s.Requests.Errors5xx(), Timeouts: s.Requests.TimedOut,
				P50: s.P50, P99: s.P99, CostUSD: s.Cost, ScalingActivities: s.ScalingActivities, MaxDesired: s.MaxDesired,
				Unhealthy: s.Counters.UnhealthyStopped})
		}
	}
	return out
}

// ArmSummary is one service of one arm summed up over its seeds.
type ArmSummary struct {
	Arm              int
	ArmLabel         string
	Cluster, Service string
	CostUSD, P99ms   sweep.Stats
	Errors5xxPercent sweep.Stats
}

// Summarize sums up sweep rows per arm and service, in order of first
// appearance (arm order for rows in cell order).
func Summarize(rows []SweepRow) []ArmSummary {
	type key struct {
		arm              int
		cluster, service string
	}
	var order []key
	groups := map[key][]SweepRow{}
	for _, r := range rows {
		k := key{r.Arm, r.Cluster, r.Service}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	var out []ArmSummary
	for _, k := range order {
		g := groups[k]
		cost, p99, e5 := make([]float64, len(g)), make([]float64, len(g)), make([]float64, len(g))
		for i, r := range g {
			cost[i], p99[i] = r.CostUSD, ms(r.P99)
			if r.Requests > 0 {
				e5[i] = 100 * float64(r.Errors5xx) / float64(r.Requests)
			}
		}
		out = append(out, ArmSummary{Arm: k.arm, ArmLabel: g[0].ArmLabel, Cluster: k.cluster, Service: k.service,
			CostUSD: sweep.Summarize(cost), P99ms: sweep.Summarize(p99), Errors5xxPercent: sweep.Summarize(e5)})
	}
	return out
}

// SummaryColumns are the columns of SummaryTable.
var SummaryColumns = []string{"arm", "arm_label", "cluster", "service", "seeds",
	"cost_usd_mean", "cost_usd_ci95", "p99_ms_mean", "p99_ms_ci95", "p99_ms_p50", "p99_ms_p90", "errors_5xx_pct_mean", "errors_5xx_pct_ci95"}

// SummaryTable is the summaries as a table; the ci95 columns are the
// half-widths of the 95 % Student t intervals (empty for one seed).
func SummaryTable(sums []ArmSummary) *Table {
	t := &Table{Columns: SummaryColumns}
	for _, s := range sums {
		t.Rows = append(t.Rows, []any{s.Arm, s.ArmLabel, s.Cluster, s.Service, s.CostUSD.N,
			s.CostUSD.Mean, s.CostUSD.HalfWidth, s.P99ms.Mean, s.P99ms.HalfWidth, s.P99ms.P50, s.P99ms.P90,
			s.Errors5xxPercent.Mean, s.Errors5xxPercent.HalfWidth})
	}
	return t
}
