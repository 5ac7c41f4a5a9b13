package sim

import "time"

// periodLog keeps a workload's completed report periods (Retention.Periods
// of them, or all) as periodRecords: a Period whose Start is an offset
// from the log's base, the first period's Start. A Period holds a
// time.Time, whose *Location the collector would scan in every entry of
// the ring on every cycle; a periodRecord holds no pointer, so the ring is
// never scanned. Every Start comes from the same Sim's clock (one
// Location, no monotonic reading), and base.Add(Start.Sub(base)) gives
// back the same time.Time, field for field.
type periodLog struct {
	base time.Time
	log  recentLog[periodRecord]
}

// periodRecord is a Period without pointers.
type periodRecord struct {
	start                             time.Duration // Start - periodLog.base
	length                            time.Duration
	counters                          WorkloadCounters
	p50, p90, p99, mean               time.Duration
	meanTasks                         float64
	maxTasks                          int
	cpuUtilization, memoryUtilization float64
}

// add appends p, dropping the oldest period beyond limit (0: none).
func (l *periodLog) add(p Period, limit int) {
	if len(l.log.buf) == 0 {
		l.base = p.Start
	}
	l.log.add(periodRecord{
		start: p.Start.Sub(l.base), length: p.Length, counters: p.Counters,
		p50: p.P50, p90: p.P90, p99: p.P99, mean: p.Mean,
		meanTasks: p.MeanTasks, maxTasks: p.MaxTasks,
		cpuUtilization: p.CPUUtilization, memoryUtilization: p.MemoryUtilization,
	}, limit)
}

// items returns the periods, oldest first.
func (l *periodLog) items() []Period {
	out := make([]Period, 0, len(l.log.buf))
	for _, r := range l.log.items() {
		out = append(out, Period{
			Start: l.base.Add(r.start), Length: r.length, Counters: r.counters,
			P50: r.p50, P90: r.p90, P99: r.p99, Mean: r.mean,
			MeanTasks: r.meanTasks, MaxTasks: r.maxTasks,
			CPUUtilization: r.cpuUtilization, MemoryUtilization: r.memoryUtilization,
		})
	}
	return out
}
