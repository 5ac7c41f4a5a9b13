package scenario

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"
)

// WriteText writes the report as aligned plain-text tables: a summary line,
// one line per service, then one table of rows per service in the order
// of Services (its name, the header once, a line per period) and the
// actions.
func (r *Report) WriteText(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	name := r.Name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(out, "scenario %s: seed %d, %s to %s, %d events, trace %016x, cost $%.2f\n\n",
		name, r.Seed, r.Start.UTC().Format(time.DateTime), r.End.UTC().Format(time.DateTime), r.Events, r.TraceHash, r.Cost)
	fmt.Fprintln(w, "service\tdesired\trunning\tmin\tmax\tstarted\tstopped\tunplaced\tunhealthy\tscalings\trequests\t5xx\tp50 ms\tp99 ms\tcost $\t")
	for _, s := range r.Services {
		c := s.Counters
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%.2f\t\n",
			s.Service, s.Desired, s.Running, s.MinDesired, s.MaxDesired, c.TasksStarted, c.TasksStopped, c.UnplacedTasks,
			c.UnhealthyStopped, s.ScalingActivities, s.Requests.Arrived, s.Requests.Errors5xx(), ms(s.P50), ms(s.P99), s.Cost)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	service := ""
	for _, row := range r.Rows {
		if row.Service != service {
			if service != "" {
				if err := w.Flush(); err != nil {
					return err
				}
			}
			service = row.Service
			fmt.Fprintf(out, "\n%s\n", service)
			fmt.Fprintln(w, "period (UTC)\tdesired\trunning\tpending\treq/s\ttasks\tCPU %\tp50 ms\tp99 ms\t5xx\ttimed out\t")
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t\n",
			row.Start.UTC().Format("01-02 15:04"), row.Desired, row.Running, row.Pending, row.RequestsPerSecond,
			row.MeanTasks, row.CPUPercent, ms(row.P50), ms(row.P99), row.Errors5xx, row.TimedOut)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(r.Subnets) > 0 {
		fmt.Fprintln(out)
		fmt.Fprintln(w, "subnet\tcapacity\tin use\tpeak\texhaustions\t")
		for _, s := range r.Subnets {
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t\n", s.SubnetId, s.Capacity, s.InUse, s.PeakInUse, s.Exhaustions)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if len(r.Actions) > 0 {
		fmt.Fprintln(out, "\nactions")
		for _, a := range r.Actions {
			outcome := "done"
			if a.Err != "" {
				outcome = "refused: " + a.Err
			}
			fmt.Fprintf(out, "%s  %s: %s\n", a.At.UTC().Format("01-02 15:04:05"), a.Action, outcome)
		}
	}
	return nil
}

// ms is d in milliseconds to one decimal.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e5) / 10 }
