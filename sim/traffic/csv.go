package traffic

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Sentinel errors of the package, matched with errors.Is.
var (
	// ErrConfig marks an invalid configuration value.
	ErrConfig = errors.New("traffic: invalid config")
	// ErrTrace marks malformed trace input; the concrete error is a
	// *TraceError naming the position.
	ErrTrace = errors.New("traffic: malformed trace")
)

// TraceError is a problem at one position of a CSV trace. It matches ErrTrace.
type TraceError struct {
	// Line is the 1-based line of the input (the header is line 1).
	Line int
	// Column is the 1-based field number in the row; 0 when the problem
	// concerns the whole row or file.
	Column int
	// Name is the header name of the column, when known.
	Name string
	// Rule says what was expected.
	Rule string
}

// Error formats the position and the rule.
func (e *TraceError) Error() string {
	if e.Column == 0 {
		return fmt.Sprintf("traffic: trace line %d: %s", e.Line, e.Rule)
	}
	return fmt.Sprintf("traffic: trace line %d, column %d (%s): %s", e.Line, e.Column, e.Name, e.Rule)
}

// Is reports whether target is ErrTrace.
func (e *TraceError) Is(target error) bool { return target == ErrTrace }

// DefaultMaxTraceBytes is how much of a CSV trace ReadSeriesCSV and
// ReadRequestCSV read when their config sets no MaxBytes: 64 MiB, about
// three million rows of a request trace. A longer input is refused rather
// than read to the end, so a reader handed an endless stream (a device, a
// pipe) stops.
const DefaultMaxTraceBytes = 64 << 20

// SeriesCSV says how to read a numeric time series from a CSV file with a
// header row.
type SeriesCSV struct {
	// TimeColumn names the column giving each row's start: either a number
	// of seconds (a Unix epoch or an offset, e.g. "minute_start_utc_epoch"
	// or "timestamp") or a date-time (RFC 3339, or "2006-01-02 15:04:05"
	// with optional fraction). Offsets are taken from the first row. Empty
	// means the file has no time column and row i starts at i·Step.
	TimeColumn string
	// ValueColumn names the numeric column to read; required.
	ValueColumn string
	// Step is the interval each row covers. Zero means the smallest gap
	// between consecutive timestamps (so it is required when TimeColumn is
	// empty). Rows may leave gaps (time not covered by any row, value 0) but
	// may not overlap.
	Step time.Duration
	// MaxBytes is the most input read; a longer input is refused. Zero
	// means DefaultMaxTraceBytes.
	MaxBytes int64
}

// Series is a numeric time series: row i holds Values[i] over
// [Starts[i], Starts[i]+Step). Time not covered by any row has value 0.
type Series struct {
	// Name is the value column's header.
	Name string
	// Origin is the calendar instant of the first row when the time column
	// held date-times; the zero Time otherwise.
	Origin time.Time
	// Step is the interval each row covers.
	Step time.Duration
	// Starts are the row starts relative to the first row, strictly
	// increasing, at least Step apart.
	Starts []time.Duration
	// Values are the rows' values, finite and ≥ 0.
	Values []float64
}

// End returns the end of the last row's interval (at most Never).
func (s *Series) End() time.Duration {
	if len(s.Starts) == 0 {
		return 0
	}
	return addSat(s.Starts[len(s.Starts)-1], s.Step)
}

// At returns the value of the row covering t, or 0 if no row does.
func (s *Series) At(t time.Duration) float64 {
	i := s.row(t)
	if i < 0 || t >= addSat(s.Starts[i], s.Step) {
		return 0
	}
	return s.Values[i]
}

// row returns the last row starting at or before t, or -1.
func (s *Series) row(t time.Duration) int {
	i, found := slices.BinarySearch(s.Starts, t)
	if found {
		return i
	}
	return i - 1
}

// MaxOver returns the largest value over [from, to): the largest value of
// the rows overlapping it, or 0 if none does (time between rows counts as 0).
func (s *Series) MaxOver(from, to time.Duration) float64 {
	m := 0.0
	i := max(s.row(from), 0)
	for ; i < len(s.Starts) && s.Starts[i] < to; i++ {
		if addSat(s.Starts[i], s.Step) > from {
			m = max(m, s.Values[i])
		}
	}
	return m
}

// Sum returns the sum of all values.
func (s *Series) Sum() float64 {
	var sum float64
	for _, v := range s.Values {
		sum += v
	}
	return sum
}

// Replay turns a Series into a demand Source:
//
//	Rate(t) = Scale · Speedup · v(Speedup·t) / unit
//
// where v is the series value at trace time Speedup·t and unit is the row's
// Step in seconds when Counts is set (the value is a count per row, as in
// the NASA files) and 1 otherwise (the value is already a rate per second,
// or a utilisation shape to be scaled to one). Speedup plays the trace
// faster while keeping each row's request count; to keep the original rates
// instead, divide Scale by Speedup. Beyond the end of the series the rate is 0.
type Replay struct {
	// Series is the data; required.
	Series *Series
	// Counts says the values are counts per row rather than rates.
	Counts bool
	// Scale multiplies every rate, e.g. to bring a 1995 web server's load
	// to a modern one; zero means 1.
	Scale float64
	// Speedup compresses time: trace time = Speedup · simulation time;
	// zero means 1 (real time).
	Speedup float64
}

// Validate reports every invalid field of r, and a replayed rate above
// MaxPerSecond.
func (r Replay) Validate() error {
	l := fielderr.NewList(ErrConfig)
	series := r.Series != nil && len(r.Series.Starts) > 0 && r.Series.Step > 0 && len(r.Series.Values) == len(r.Series.Starts)
	if !series {
		l.Add("Replay.Series", fielderr.Omit, "must be a non-empty series with a positive Step and one value per start")
	}
	if !(r.Scale >= 0) || math.IsInf(r.Scale, 0) {
		l.Add("Replay.Scale", r.Scale, "must be finite and ≥ 0 (0 means 1)")
	}
	if !(r.Speedup >= 0) || math.IsInf(r.Speedup, 0) {
		l.Add("Replay.Speedup", r.Speedup, "must be finite and ≥ 0 (0 means 1)")
	}
	if l.Len() == 0 {
		_, mult := r.factor()
		if peak := mult * slices.Max(r.Series.Values); !(peak <= MaxPerSecond) {
			l.Add("Replay.Scale", r.Scale, fmt.Sprintf("replays a peak of %g requests per second, above MaxPerSecond (%g)", peak, float64(MaxPerSecond)))
		}
	}
	return l.Err()
}

func (r Replay) factor() (speedup, mult float64) {
	speedup, scale := r.Speedup, r.Scale
	if speedup == 0 {
		speedup = 1
	}
	if scale == 0 {
		scale = 1
	}
	mult = scale * speedup
	if r.Counts {
		mult /= r.Series.Step.Seconds()
	}
	return speedup, mult
}

func traceTime(t time.Duration, speedup float64) time.Duration {
	if speedup == 1 {
		return t
	}
	return durationSat(math.Round(float64(t) * speedup))
}

// durationSat converts a whole number of nanoseconds to a Duration,
// saturating at ±the largest Duration instead of wrapping (NaN is 0).
func durationSat(ns float64) time.Duration {
	switch {
	case ns >= float64(math.MaxInt64):
		return Never
	case ns <= float64(math.MinInt64):
		return math.MinInt64
	case ns == ns:
		return time.Duration(ns)
	}
	return 0
}

// Duration returns the simulated time the replay lasts (at most Never).
func (r Replay) Duration() time.Duration {
	speedup, _ := r.factor()
	return durationSat(math.Ceil(float64(r.Series.End()) / speedup))
}

// Rate returns the replayed rate at t.
func (r Replay) Rate(t time.Duration) float64 {
	speedup, mult := r.factor()
	return mult * r.Series.At(traceTime(t, speedup))
}

// MaxRate returns the largest replayed rate of a row overlapping [from, to].
func (r Replay) MaxRate(from, to time.Duration) float64 {
	speedup, mult := r.factor()
	return mult * r.Series.MaxOver(traceTime(from, speedup), addSat(traceTime(to, speedup), 1))
}

// RequestCSV says how to read a request trace: one row per request.
type RequestCSV struct {
	// TimeColumn names the arrival time column (seconds or date-time, as in
	// SeriesCSV); required. Rows must be in non-decreasing time order.
	TimeColumn string
	// SizeColumns name numeric columns whose weighted sum is each request's
	// size (e.g. "GeneratedTokens"); empty means the trace carries no size
	// and every Size is 1.
	SizeColumns []string
	// SizeWeights weighs SizeColumns one to one; nil means all 1.
	SizeWeights []float64
	// MaxBytes is the most input read; a longer input is refused. Zero
	// means DefaultMaxTraceBytes.
	MaxBytes int64
}

// RequestTrace is a list of requests with their arrival offsets.
type RequestTrace struct {
	// Origin is the calendar instant of the first request when the time
	// column held date-times; the zero Time otherwise.
	Origin time.Time
	// At are arrival offsets from the first request, non-decreasing.
	At []time.Duration
	// Size are the requests' sizes (finite, ≥ 0), one per arrival.
	Size []float64
}

// timeParser reads a time column: all numbers (seconds) or all date-times.
type timeParser struct {
	first   bool
	numeric bool
	origin  time.Time
	zero    float64 // first numeric value, seconds
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

// parse returns the offset of field from the first row's time, or a rule.
func (p *timeParser) parse(field string) (time.Duration, time.Time, string) {
	field = strings.TrimSpace(field)
	if v, err := strconv.ParseFloat(field, 64); err == nil {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 4e9 {
			return 0, time.Time{}, fmt.Sprintf("time %q must be a finite number of seconds within ±4e9", fielderr.Clip(field))
		}
		if p.first {
			p.first, p.numeric, p.zero = false, true, v
		} else if !p.numeric {
			return 0, time.Time{}, fmt.Sprintf("time %q is a number but earlier rows held date-times", fielderr.Clip(field))
		}
		return time.Duration(math.Round((v - p.zero) * 1e9)), time.Time{}, ""
	}
	for _, layout := range dateLayouts {
		t, err := time.Parse(layout, field)
		if err != nil {
			continue
		}
		if p.first {
			p.first, p.numeric, p.origin = false, false, t
		} else if p.numeric {
			return 0, time.Time{}, fmt.Sprintf("time %q is a date-time but earlier rows held numbers", fielderr.Clip(field))
		}
		d := t.Sub(p.origin)
		if d == math.MaxInt64 || d == math.MinInt64 {
			return 0, time.Time{}, fmt.Sprintf("time %q is too far from the first row's", fielderr.Clip(field))
		}
		return d, p.origin, ""
	}
	return 0, time.Time{}, fmt.Sprintf("time %q is neither a number of seconds nor a date-time (RFC 3339 or 2006-01-02 15:04:05)", fielderr.Clip(field))
}

func parseValue(field string) (float64, string) {
	v, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
	if err != nil {
		return 0, fmt.Sprintf("value %q is not a number", fielderr.Clip(field))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Sprintf("value %q must be finite and ≥ 0", fielderr.Clip(field))
	}
	return v, ""
}

// csvTable wraps encoding/csv with header lookup, positioned errors and a
// cap on the bytes read.
type csvTable struct {
	r      *csv.Reader
	in     *cappedReader
	header []string
}

// cappedReader reads at most max bytes and remembers whether the input
// went on beyond them.
type cappedReader struct {
	r     io.Reader
	max   int64 // the cap
	limit int64 // bytes still allowed
	over  bool
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.limit <= 0 {
		// One more byte tells a longer input from one that ends here.
		var one [1]byte
		if n, _ := io.ReadFull(c.r, one[:]); n > 0 {
			c.over = true
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.limit {
		p = p[:c.limit]
	}
	n, err := c.r.Read(p)
	c.limit -= int64(n)
	return n, err
}

func openCSV(in io.Reader, maxBytes int64) (*csvTable, error) {
	if maxBytes == 0 {
		maxBytes = DefaultMaxTraceBytes
	}
	capped := &cappedReader{r: in, max: maxBytes, limit: maxBytes}
	r := csv.NewReader(capped)
	r.ReuseRecord = true
	r.FieldsPerRecord = 0 // every row as wide as the header
	t := &csvTable{r: r, in: capped}
	header, err := r.Read()
	if err := t.tooLong(); err != nil {
		return nil, err
	}
	if err == io.EOF {
		return nil, &TraceError{Line: 1, Rule: "empty input: a header row is required"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	header = slices.Clone(header)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // byte-order mark
	}
	t.header = header
	return t, nil
}

// tooLong reports an input that went on beyond the cap.
func (t *csvTable) tooLong() error {
	if !t.in.over {
		return nil
	}
	return fielderr.New(ErrTrace, "MaxBytes", t.in.max, "the input is longer than this; raise MaxBytes to read it")
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// ParseError's column counts characters, not fields: say so in the rule.
		return &TraceError{Line: pe.Line, Rule: fmt.Sprintf("CSV syntax at character %d: %v", pe.Column, pe.Err)}
	}
	return fmt.Errorf("traffic: reading trace: %w", err)
}

// column returns the index of the header name, or an error listing the
// header.
func (t *csvTable) column(role, name string) (int, error) {
	for i, h := range t.header {
		if strings.TrimSpace(h) == name {
			return i, nil
		}
	}
	return -1, &TraceError{Line: 1, Rule: fmt.Sprintf("%s column %q not in header %s", role, fielderr.Clip(name), t.headerList())}
}

// headerList quotes the header's names for an error, clipped: at most
// eight names of at most fielderr.MaxValueLen bytes each.
func (t *csvTable) headerList() string {
	var names []string
	for i, h := range t.header {
		if i == 8 {
			names = append(names, fmt.Sprintf("and %d more", len(t.header)-8))
			break
		}
		names = append(names, strconv.Quote(fielderr.Clip(h)))
	}
	return "[" + strings.Join(names, " ") + "]"
}

// row reads the next row; it returns io.EOF at the end.
func (t *csvTable) row() ([]string, int, error) {
	rec, err := t.r.Read()
	if err := t.tooLong(); err != nil {
		return nil, 0, err
	}
	if err != nil {
		if err == io.EOF {
			return nil, 0, err
		}
		return nil, 0, csvError(err)
	}
	line, _ := t.r.FieldPos(0)
	return rec, line, nil
}

func (t *csvTable) fieldError(line, col int, rule string) error {
	return &TraceError{Line: line, Column: col + 1, Name: t.header[col], Rule: rule}
}

// ReadSeriesCSV reads a numeric time series (a rate per interval, or a
// utilisation) from CSV. Every row must have a valid time (if any) and value.
func ReadSeriesCSV(in io.Reader, cfg SeriesCSV) (*Series, error) {
	l := fielderr.NewList(ErrConfig)
	if cfg.ValueColumn == "" {
		l.Add("SeriesCSV.ValueColumn", cfg.ValueColumn, "is required")
	}
	if cfg.Step < 0 || (cfg.TimeColumn == "" && cfg.Step == 0) {
		l.Add("SeriesCSV.Step", cfg.Step, "must be > 0 when there is no TimeColumn, and never negative")
	}
	if cfg.MaxBytes < 0 {
		l.Add("SeriesCSV.MaxBytes", cfg.MaxBytes, "must be ≥ 0 (0 means DefaultMaxTraceBytes)")
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	t, err := openCSV(in, cfg.MaxBytes)
	if err != nil {
		return nil, err
	}
	valCol, err := t.column("value", cfg.ValueColumn)
	if err != nil {
		return nil, err
	}
	timeCol := -1
	if cfg.TimeColumn != "" {
		if timeCol, err = t.column("time", cfg.TimeColumn); err != nil {
			return nil, err
		}
	}
	s := &Series{Name: cfg.ValueColumn, Step: cfg.Step}
	tp := timeParser{first: true}
	var lines []int // line of each row, for the overlap check below
	for {
		rec, line, err := t.row()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		v, rule := parseValue(rec[valCol])
		if rule != "" {
			return nil, t.fieldError(line, valCol, rule)
		}
		var start time.Duration
		if n := len(s.Starts); n > 0 && timeCol < 0 {
			if s.Starts[n-1] > math.MaxInt64-cfg.Step {
				return nil, &TraceError{Line: line, Rule: "series too long for a time.Duration"}
			}
			start = s.Starts[n-1] + cfg.Step // row n starts at n·Step
		}
		if timeCol >= 0 {
			var origin time.Time
			start, origin, rule = tp.parse(rec[timeCol])
			if rule != "" {
				return nil, t.fieldError(line, timeCol, rule)
			}
			s.Origin = origin
			if n := len(s.Starts); n > 0 && start <= s.Starts[n-1] {
				return nil, t.fieldError(line, timeCol, fmt.Sprintf("time must increase: offset %v is not after the previous row's %v", start, s.Starts[n-1]))
			}
		}
		s.Starts = append(s.Starts, start)
		s.Values = append(s.Values, v)
		lines = append(lines, line)
	}
	if len(s.Starts) == 0 {
		return nil, &TraceError{Line: 2, Rule: "no data rows after the header"}
	}
	if s.Step == 0 {
		s.Step = time.Duration(math.MaxInt64)
		for i := 1; i < len(s.Starts); i++ {
			s.Step = min(s.Step, s.Starts[i]-s.Starts[i-1])
		}
		if len(s.Starts) == 1 {
			return nil, &TraceError{Line: lines[0], Rule: "one row and no SeriesCSV.Step: cannot infer the interval"}
		}
	}
	for i := 1; i < len(s.Starts); i++ {
		if s.Starts[i]-s.Starts[i-1] < s.Step {
			return nil, t.fieldError(lines[i], timeCol, fmt.Sprintf("row starts %v after the previous one, less than Step %v: rows would overlap", s.Starts[i]-s.Starts[i-1], s.Step))
		}
	}
	if s.Starts[len(s.Starts)-1] > math.MaxInt64-s.Step {
		return nil, &TraceError{Line: lines[len(lines)-1], Rule: "series too long for a time.Duration"}
	}
	return s, nil
}

// ReadRequestCSV reads a request trace, one row per request, in
// non-decreasing time order.
func ReadRequestCSV(in io.Reader, cfg RequestCSV) (*RequestTrace, error) {
	l := fielderr.NewList(ErrConfig)
	if cfg.TimeColumn == "" {
		l.Add("RequestCSV.TimeColumn", cfg.TimeColumn, "is required")
	}
	if cfg.SizeWeights != nil && len(cfg.SizeWeights) != len(cfg.SizeColumns) {
		l.Addf("RequestCSV.SizeWeights", len(cfg.SizeWeights), "must hold one weight per SizeColumns entry (%d)", len(cfg.SizeColumns))
	}
	for i, w := range cfg.SizeWeights {
		if !(w >= 0) || math.IsInf(w, 0) {
			l.Add(fmt.Sprintf("RequestCSV.SizeWeights[%d]", i), w, "must be finite and ≥ 0")
		}
	}
	if cfg.MaxBytes < 0 {
		l.Add("RequestCSV.MaxBytes", cfg.MaxBytes, "must be ≥ 0 (0 means DefaultMaxTraceBytes)")
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	t, err := openCSV(in, cfg.MaxBytes)
	if err != nil {
		return nil, err
	}
	timeCol, err := t.column("time", cfg.TimeColumn)
	if err != nil {
		return nil, err
	}
	sizeCols := make([]int, len(cfg.SizeColumns))
	for i, name := range cfg.SizeColumns {
		if sizeCols[i], err = t.column("size", name); err != nil {
			return nil, err
		}
	}
	tr := &RequestTrace{}
	tp := timeParser{first: true}
	for {
		rec, line, err := t.row()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		at, origin, rule := tp.parse(rec[timeCol])
		if rule != "" {
			return nil, t.fieldError(line, timeCol, rule)
		}
		tr.Origin = origin
		if n := len(tr.At); n > 0 && at < tr.At[n-1] {
			return nil, t.fieldError(line, timeCol, fmt.Sprintf("requests must be in time order: offset %v is before the previous row's %v", at, tr.At[n-1]))
		}
		size := 1.0
		if len(sizeCols) > 0 {
			size = 0
			for i, c := range sizeCols {
				v, rule := parseValue(rec[c])
				if rule != "" {
					return nil, t.fieldError(line, c, rule)
				}
				w := 1.0
				if cfg.SizeWeights != nil {
					w = cfg.SizeWeights[i]
				}
				size += w * v
			}
			if math.IsInf(size, 0) {
				return nil, &TraceError{Line: line, Rule: "weighted size overflows"}
			}
		}
		tr.At = append(tr.At, at)
		tr.Size = append(tr.Size, size)
	}
	if len(tr.At) == 0 {
		return nil, &TraceError{Line: 2, Rule: "no data rows after the header"}
	}
	return tr, nil
}
