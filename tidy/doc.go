// Package tidy turns runs and sweeps into tidy, long-format tables (one
// row per observation, one column per variable, units in the column
// names) that pandas, polars, DuckDB, R or a spreadsheet read as they
// are, written as CSV (Table.WriteCSV), JSON Lines (Table.WriteJSONL) or
// a Markdown table (Table.WriteMarkdown).
//
// Record runs a scenario and returns its report with the period and event
// rows; a Recorder does the same for a world built in Go (sample it
// between engine runs). SweepRows flattens a sweep of scenario runs, and
// Summarize sums it up per arm with 95 % Student t intervals. Recording
// reads the world between engine runs only, so it adds no event and
// leaves the trace hash as it was.
//
// Numbers are written in the shortest form that reads back to the same
// float64, times in RFC 3339 UTC, and a missing value is an empty CSV
// cell or a JSON null, so the same run writes the same bytes on every
// machine.
//
// # Columns of the period table (PeriodTable), one row per service per period
//
//	time                the period's start, RFC 3339 UTC
//	period_s            its length in seconds (the last one may be short)
//	cluster, service    the service's cluster and name
//	desired_tasks       desired count at the period's end
//	running_tasks       RUNNING tasks at the period's end
//	pending_tasks       PENDING tasks at the period's end
//	requests_per_s      requests offered to the load balancer, per second, over the period
//	cpu_pct             mean of the per-minute AWS/ECS CPUUtilization, percent
//	memory_pct          mean of the per-minute AWS/ECS MemoryUtilization, percent
//	p50_ms, p90_ms, p99_ms  latency percentiles (time in a task) of the requests served, ms
//	errors_5xx          requests answered 5xx (no target, queue full, aborted)
//	timeouts            requests the client abandoned at its timeout
//	cost_usd            dollars billed to the service in the period
//	scaling_activities  desired-count changes its scaling made in the period
//
// The traffic columns are zero for a service without traffic.
//
// # Columns of the event table (EventTable), one row per event
//
//	time                when it happened, RFC 3339 UTC
//	cluster, service    whose event (empty for a zone outage)
//	kind                scaling, deployment, deployment_completed, deployment_failed,
//	                    rollback, unplaced, interruption, outage, outage_stop, launch,
//	                    refused (the Kind constants)
//	desired_from, desired_to  a scaling activity's desired counts (empty otherwise)
//	detail              the service event's text, the action, or the stopped task and reason
//
// # Columns of the sweep table (SweepTable), one row per arm × seed × service
//
//	arm, arm_label      the arm's index in the sweep and its name
//	seed                the run's seed
//	cluster, service    the service
//	requests            requests offered over the run
//	errors_5xx, timeouts  over the run
//	p50_ms, p99_ms      latency percentiles over the run, ms
//	cost_usd            dollars billed to the service over the run
//	scaling_activities  desired-count changes over the run
//	max_desired_tasks   the largest desired count, sampled every minute
//	unhealthy_tasks     tasks replaced for failing health checks
//
// # Columns of the summary table (SummaryTable), one row per arm × service
//
//	arm, arm_label, cluster, service, seeds (how many runs)
//	cost_usd_mean, cost_usd_ci95        mean and 95 % Student t half-width over seeds
//	p99_ms_mean, p99_ms_ci95            the same for p99
//	p99_ms_p50, p99_ms_p90              median and 90th percentile of p99 across seeds
//	errors_5xx_pct_mean, errors_5xx_pct_ci95  5xx as a percentage of requests
package tidy
