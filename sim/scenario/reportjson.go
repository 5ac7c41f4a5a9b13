package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// A report as JSON speaks the scenario file's language: camelCase keys,
// a unit in the name of every figure that has one (p99Ms, costUsd,
// requestsPerSecond) and durations as Go duration strings ("1h0m0s"), so
// that a reader needs no Go to read it; the trace hash is the hex string
// the text report prints. Reading it back (ecssim merge) gives the same
// Report: a latency to the nanosecond, every counter exactly.

type reportJSON struct {
	Name      string             `json:"name"`
	Seed      uint64             `json:"seed"`
	Start     time.Time          `json:"start"`
	End       time.Time          `json:"end"`
	Events    uint64             `json:"events"`
	TraceHash string             `json:"traceHash"`
	CostUSD   float64            `json:"costUsd"`
	Services  []ServiceReport    `json:"services"`
	Rows      []Row              `json:"rows"`
	Actions   []actionRecordJSON `json:"actions"`
}

type serviceReportJSON struct {
	Service           string          `json:"service"`
	Desired           int             `json:"desired"`
	Running           int             `json:"running"`
	MinDesired        int             `json:"minDesired"`
	MaxDesired        int             `json:"maxDesired"`
	MeanTasks         float64         `json:"meanTasks"`
	MaxTasks          int             `json:"maxTasks"`
	Counters          json.RawMessage `json:"counters"`
	ScalingActivities int             `json:"scalingActivities"`
	Requests          json.RawMessage `json:"requests"`
	P50Ms             float64         `json:"p50Ms"`
	P99Ms             float64         `json:"p99Ms"`
	CostUSD           float64         `json:"costUsd"`
}

type rowJSON struct {
	Service           string    `json:"service"`
	Start             time.Time `json:"start"`
	Length            Duration  `json:"length"`
	Desired           int       `json:"desired"`
	Running           int       `json:"running"`
	Pending           int       `json:"pending"`
	RequestsPerSecond float64   `json:"requestsPerSecond"`
	MeanTasks         float64   `json:"meanTasks"`
	CPUPercent        float64   `json:"cpuPercent"`
	P50Ms             float64   `json:"p50Ms"`
	P99Ms             float64   `json:"p99Ms"`
	Errors5xx         int64     `json:"errors5xx"`
	TimedOut          int64     `json:"timedOut"`
}

type actionRecordJSON struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Error  string    `json:"error,omitempty"`
}

// MarshalJSON writes the report with camelCase keys, units in the names
// and the trace hash in hex.
func (r Report) MarshalJSON() ([]byte, error) {
	out := reportJSON{Name: r.Name, Seed: r.Seed, Start: r.Start, End: r.End, Events: r.Events,
		TraceHash: fmt.Sprintf("%016x", r.TraceHash), CostUSD: r.Cost,
		Services: r.Services, Rows: r.Rows, Actions: []actionRecordJSON{}}
	for _, a := range r.Actions {
		out.Actions = append(out.Actions, actionRecordJSON{At: a.At, Action: a.Action, Error: a.Err})
	}
	if out.Services == nil {
		out.Services = []ServiceReport{}
	}
	if out.Rows == nil {
		out.Rows = []Row{}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Report) UnmarshalJSON(data []byte) error {
	var in reportJSON
	if err := strictJSON(data, &in); err != nil {
		return err
	}
	hash, err := strconv.ParseUint(in.TraceHash, 16, 64)
	if err != nil {
		return fmt.Errorf("traceHash %q: want 16 hex digits", clip(in.TraceHash))
	}
	*r = Report{Name: in.Name, Seed: in.Seed, Start: in.Start, End: in.End, Events: in.Events, TraceHash: hash,
		Cost: in.CostUSD, Services: in.Services, Rows: in.Rows}
	for _, a := range in.Actions {
		r.Actions = append(r.Actions, ActionRecord{At: a.At, Action: a.Action, Err: a.Error})
	}
	return nil
}

// MarshalJSON writes the service's summary with camelCase keys.
func (s ServiceReport) MarshalJSON() ([]byte, error) {
	return json.Marshal(serviceReportJSON{Service: s.Service, Desired: s.Desired, Running: s.Running,
		MinDesired: s.MinDesired, MaxDesired: s.MaxDesired, MeanTasks: s.MeanTasks, MaxTasks: s.MaxTasks, Counters: camelObject(s.Counters),
		ScalingActivities: s.ScalingActivities, Requests: camelObject(s.Requests),
		P50Ms: toMs(s.P50), P99Ms: toMs(s.P99), CostUSD: s.Cost})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *ServiceReport) UnmarshalJSON(data []byte) error {
	var in serviceReportJSON
	if err := strictJSON(data, &in); err != nil {
		return err
	}
	*s = ServiceReport{Service: in.Service, Desired: in.Desired, Running: in.Running, MinDesired: in.MinDesired,
		MaxDesired: in.MaxDesired, MeanTasks: in.MeanTasks, MaxTasks: in.MaxTasks, ScalingActivities: in.ScalingActivities, P50: fromMs(in.P50Ms), P99: fromMs(in.P99Ms), Cost: in.CostUSD}
	if err := fromCamelObject(in.Counters, &s.Counters); err != nil {
		return fmt.Errorf("counters: %w", err)
	}
	if err := fromCamelObject(in.Requests, &s.Requests); err != nil {
		return fmt.Errorf("requests: %w", err)
	}
	return nil
}

// MarshalJSON writes the row with camelCase keys.
func (row Row) MarshalJSON() ([]byte, error) {
	return json.Marshal(rowJSON{Service: row.Service, Start: row.Start, Length: Duration(row.Length),
		Desired: row.Desired, Running: row.Running, Pending: row.Pending, RequestsPerSecond: row.RequestsPerSecond,
		MeanTasks: row.MeanTasks, CPUPercent: row.CPUPercent, P50Ms: toMs(row.P50), P99Ms: toMs(row.P99),
		Errors5xx: row.Errors5xx, TimedOut: row.TimedOut})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (row *Row) UnmarshalJSON(data []byte) error {
	var in rowJSON
	if err := strictJSON(data, &in); err != nil {
		return err
	}
	*row = Row{Service: in.Service, Start: in.Start, Length: in.Length.D(), Desired: in.Desired, Running: in.Running,
		Pending: in.Pending, RequestsPerSecond: in.RequestsPerSecond, MeanTasks: in.MeanTasks, CPUPercent: in.CPUPercent,
		P50: fromMs(in.P50Ms), P99: fromMs(in.P99Ms), Errors5xx: in.Errors5xx, TimedOut: in.TimedOut}
	return nil
}

func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// toMs is d in milliseconds; fromMs its inverse, exact to the nanosecond
// for any latency a run can measure (below 2^53 ns, about 104 days).
func toMs(d time.Duration) float64 { return float64(d) / 1e6 }
func fromMs(ms float64) time.Duration {
	return time.Duration(math.Round(ms * 1e6))
}

// camelObject writes a struct of plain fields (the counters of package
// sim) as a JSON object in field order, each key its field's name with a
// lower-case first letter.
func camelObject(v any) json.RawMessage {
	rv := reflect.ValueOf(v)
	var b bytes.Buffer
	b.WriteByte('{')
	for f := range rv.Type().Fields() {
		i := f.Index[0]
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(lowerFirst(f.Name))
		val, _ := json.Marshal(rv.Field(i).Interface()) // ints and finite floats
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// fromCamelObject reads what camelObject writes into the struct *v points
// to; a key of no field is an error.
func fromCamelObject(data json.RawMessage, v any) error {
	if len(data) == 0 {
		return nil
	}
	var in map[string]json.RawMessage
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	rv := reflect.ValueOf(v).Elem()
	for f := range rv.Type().Fields() {
		i := f.Index[0]
		raw, ok := in[lowerFirst(f.Name)]
		if !ok {
			continue
		}
		delete(in, lowerFirst(f.Name))
		if err := json.Unmarshal(raw, rv.Field(i).Addr().Interface()); err != nil {
			return fmt.Errorf("%s: %w", lowerFirst(f.Name), err)
		}
	}
	for k := range in {
		return fmt.Errorf("unknown field %q", clip(k))
	}
	return nil
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
