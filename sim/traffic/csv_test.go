package traffic

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Reader configurations for the traces, by file name (the testdata slices
// share their origin's prefix).
var (
	nasaMinute = SeriesCSV{TimeColumn: "minute_start_local", ValueColumn: "requests", Step: time.Minute}
	nasaSecond = SeriesCSV{TimeColumn: "second_of_day", ValueColumn: "requests", Step: time.Second}
	googleCPU  = SeriesCSV{ValueColumn: "avg_cpu", Step: 5 * time.Minute}
	azureVMCPU = SeriesCSV{TimeColumn: "timestamp", ValueColumn: "cpu_usage"}
	llmTokens  = RequestCSV{TimeColumn: "TIMESTAMP", SizeColumns: []string{"GeneratedTokens"}}
)

func readSeriesFile(t *testing.T, path string, cfg SeriesCSV) *Series {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadSeriesCSV(f, cfg)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func readRequestFile(t *testing.T, path string, cfg RequestCSV) *RequestTrace {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := ReadRequestCSV(f, cfg)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return tr
}

// sharedTraces returns the directory of the full public traces named by
// the environment variable ECSSIM_TRACES (the NASA-HTTP 1995 logs per
// minute and per second, https://ita.ee.lbl.gov/html/contrib/NASA-HTTP.html;
// the Azure LLM inference traces 2023,
// https://github.com/Azure/AzurePublicDataset/blob/master/AzureLLMInferenceDataset2023.md,
// and VM traces 2019, .../AzurePublicDatasetV2.md; the Google cluster
// trace 2019, https://github.com/google/cluster-data/blob/master/ClusterData2019.md;
// reduced to the CSV files TestSharedTracesAllLoad lists, with a README of
// their facts), or skips the test: they are too large to ship with the
// module. Run it with
//
//	ECSSIM_TRACES=/path/to/traces go test ./sim/traffic -run SharedTraces
func sharedTraces(t *testing.T) string {
	t.Helper()
	traces := os.Getenv("ECSSIM_TRACES")
	if traces == "" {
		t.Skip("ECSSIM_TRACES is not set")
	}
	if _, err := os.Stat(traces); err != nil {
		t.Skipf("traces not present at %s", traces)
	}
	return traces
}

func maxIndex(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// TestSharedTracesAllLoad loads every CSV in the trace directory and
// checks it against the facts its README states (row counts, totals, peaks,
// spans). A new file without a reader configuration here fails the test.
func TestSharedTracesAllLoad(t *testing.T) {
	dir := sharedTraces(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]func(t *testing.T, path string){
		"nasa_http_1995_per_minute.csv": func(t *testing.T, path string) {
			s := readSeriesFile(t, path, nasaMinute)
			peak := maxIndex(s.Values)
			peakAt := s.Origin.Add(s.Starts[peak]).Format(time.RFC3339)
			if len(s.Values) != 84333 || s.Sum() != 3461603 || s.Values[peak] != 405 || peakAt != "1995-07-13T09:49:00-04:00" {
				t.Errorf("%d rows, %v requests, peak %v at %s; README: 84,333 rows, 3,461,603 requests, peak 405 at 1995-07-13T09:49-04:00",
					len(s.Values), s.Sum(), s.Values[peak], peakAt)
			}
			// The July log ends 28 Jul 13:32: no row covers 29 Jul noon.
			gap := time.Date(1995, 7, 29, 12, 0, 0, 0, time.FixedZone("", -4*3600)).Sub(s.Origin)
			if v := s.At(gap); v != 0 {
				t.Errorf("value on 29 Jul 1995 (no log): %v, want 0", v)
			}
		},
		"nasa_http_1995-07-13_per_second.csv": func(t *testing.T, path string) {
			s := readSeriesFile(t, path, nasaSecond)
			if len(s.Values) != 86400 || s.Sum() != 134203 || s.Values[maxIndex(s.Values)] != 20 {
				t.Errorf("%d rows, %v requests, max %v; README: 86,400, 134,203, 20", len(s.Values), s.Sum(), s.Values[maxIndex(s.Values)])
			}
		},
		"azure_llm_inference_2023_code.csv": func(t *testing.T, path string) {
			tr := readRequestFile(t, path, llmTokens)
			span := tr.At[len(tr.At)-1]
			if len(tr.At) != 8819 || tr.Origin.Format("15:04:05") != "18:17:03" || span < 57*time.Minute || span > 58*time.Minute {
				t.Errorf("%d requests from %v over %v; README: 8,819 from 18:17:04 to 19:14:20", len(tr.At), tr.Origin, span)
			}
		},
		"azure_llm_inference_2023_conv.csv": func(t *testing.T, path string) {
			tr := readRequestFile(t, path, llmTokens)
			span := tr.At[len(tr.At)-1]
			if len(tr.At) != 19366 || span < 58*time.Minute || span > 59*time.Minute {
				t.Errorf("%d requests over %v; README: 19,366 from 18:15:47 to 19:14:08", len(tr.At), span)
			}
		},
		"google_2019_cluster_avg_usage_5min.csv": func(t *testing.T, path string) {
			s := readSeriesFile(t, path, googleCPU)
			lo, hi := slices.Min(s.Values), slices.Max(s.Values)
			if len(s.Values) != 8064 || s.End() != 28*24*time.Hour || math.Round(lo*100) != 32 || math.Round(hi*100) != 59 {
				t.Errorf("%d rows over %v, avg_cpu %.3f..%.3f; README: 8,064 rows, 28 days, 0.32..0.59", len(s.Values), s.End(), lo, hi)
			}
		},
		"azure_vm_2019_total_cpu_mem_5min.csv": func(t *testing.T, path string) {
			s := readSeriesFile(t, path, azureVMCPU)
			if len(s.Values) != 8640 || s.Step != 5*time.Minute || s.Starts[len(s.Starts)-1] != 2591700*time.Second {
				t.Errorf("%d rows, step %v, last %v; README: 8,640 rows, 300 s, last at 2,591,700 s", len(s.Values), s.Step, s.Starts[len(s.Starts)-1])
			}
		},
	}
	seen := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		seen++
		check, ok := checks[e.Name()]
		if !ok {
			t.Errorf("%s: no reader configuration in this test; add one", e.Name())
			continue
		}
		t.Run(e.Name(), func(t *testing.T) { check(t, filepath.Join(dir, e.Name())) })
	}
	if seen != len(checks) {
		t.Errorf("found %d CSV files, expected the %d the README lists", seen, len(checks))
	}
}

// TestTestdataSlices loads the committed slices, which CI always has.
func TestTestdataSlices(t *testing.T) {
	sec := readSeriesFile(t, "testdata/nasa_http_1995-07-13_per_second_first600.csv", nasaSecond)
	// 538 requests in the first 10 minutes of 13 Jul 1995 (sum of the rows).
	if len(sec.Values) != 600 || sec.Sum() != 538 {
		t.Errorf("per-second slice: %d rows, %v requests; want 600, 538", len(sec.Values), sec.Sum())
	}
	g := readSeriesFile(t, "testdata/google_2019_cluster_avg_usage_5min_first288.csv", googleCPU)
	if g.Values[0] != 0.4416155843647663 || g.Starts[1] != 5*time.Minute || g.End() != 24*time.Hour {
		t.Errorf("google slice: first %v, second row at %v, end %v", g.Values[0], g.Starts[1], g.End())
	}
	vm := readSeriesFile(t, "testdata/azure_vm_2019_total_cpu_mem_5min_first288.csv", azureVMCPU)
	if vm.Step != 5*time.Minute || vm.Values[0] != 6135515.87712279 {
		t.Errorf("azure vm slice: step %v (inferred), first %v", vm.Step, vm.Values[0])
	}
	code := readRequestFile(t, "testdata/azure_llm_inference_2023_code_first500.csv",
		RequestCSV{TimeColumn: "TIMESTAMP", SizeColumns: []string{"ContextTokens", "GeneratedTokens"}, SizeWeights: []float64{0.5, 2}})
	// First rows: 18:17:03.9799600 4808,10 and 18:17:04.0319600 3180,8.
	if d := cmp.Diff([]time.Duration{0, 52 * time.Millisecond}, code.At[:2]); d != "" {
		t.Errorf("arrival offsets (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]float64{0.5*4808 + 2*10, 0.5*3180 + 2*8}, code.Size[:2]); d != "" {
		t.Errorf("weighted sizes (-want +got):\n%s", d)
	}
	if len(code.At) != 500 || code.Origin.Format("2006-01-02 15:04:05.0000000") != "2023-11-16 18:17:03.9799600" {
		t.Errorf("code slice: %d requests, origin %v", len(code.At), code.Origin)
	}
	conv := readRequestFile(t, "testdata/azure_llm_inference_2023_conv_first500.csv", RequestCSV{TimeColumn: "TIMESTAMP"})
	if len(conv.At) != 500 || conv.Size[0] != 1 {
		t.Errorf("conv slice without size columns: %d requests, size %v (want 1)", len(conv.At), conv.Size[0])
	}
}

// TestNASAReplayRates: the per-minute NASA file as a rate source. Counts per
// minute become rates per second; Scale and Speedup act as documented.
func TestNASAReplayRates(t *testing.T) {
	s := readSeriesFile(t, "testdata/nasa_http_1995_per_minute.csv", SeriesCSV{TimeColumn: "minute_start_utc_epoch", ValueColumn: "requests"})
	if s.Step != time.Minute || !s.Origin.IsZero() {
		t.Fatalf("step %v (want 1m inferred from epochs), origin %v (want zero for numeric times)", s.Step, s.Origin)
	}
	// First rows: 42 then 61 requests.
	r := Replay{Series: s, Counts: true, Scale: 10}
	if got := r.Rate(30 * time.Second); got != 42.0/60*10 {
		t.Errorf("rate at 0:30: %v, want 42/60·10", got)
	}
	fast := Replay{Series: s, Counts: true, Speedup: 60}
	if got := fast.Rate(1500 * ms); got != 61 {
		t.Errorf("60× replay at 1.5 s (trace minute 1): %v req/s, want 61 (61 requests in one simulated second)", got)
	}
	if got := fast.Duration(); got != (s.End()+59)/60 {
		t.Errorf("60× replay lasts %v, want %v", got, s.End()/60)
	}
	if got := r.MaxRate(0, 2*time.Minute); got != 61.0/60*10 {
		t.Errorf("MaxRate over the first 2 minutes: %v, want 61/60·10", got)
	}
	if err := (Replay{Scale: -1}).Validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "Replay.Series") || !strings.Contains(err.Error(), "Replay.Scale") {
		t.Errorf("invalid replay: %v", err)
	}
}

// TestReaderErrorsNamePosition: malformed input gives a *TraceError with
// the line, the column and the rule.
func TestReaderErrorsNamePosition(t *testing.T) {
	cfg := SeriesCSV{TimeColumn: "t", ValueColumn: "v", Step: time.Second}
	for _, tc := range []struct {
		name, in  string
		line, col int
		rule      string
	}{
		{"empty", "", 1, 0, "header row is required"},
		{"no rows", "t,v\n", 2, 0, "no data rows"},
		{"missing column", "t,x\n1,2\n", 1, 0, `value column "v" not in header`},
		{"not a number", "t,v\n0,1\n1,abc\n", 3, 2, `value "abc" is not a number`},
		{"negative", "t,v\n0,-1\n", 2, 2, "must be finite and ≥ 0"},
		{"NaN", "t,v\n0,NaN\n", 2, 2, "must be finite"},
		{"bad time", "t,v\n0,1\nnoon,1\n", 3, 1, "neither a number"},
		{"mixed time", "t,v\n0,1\n2023-11-16 18:17:03,1\n", 3, 1, "earlier rows held numbers"},
		{"not increasing", "t,v\n0,1\n5,1\n5,2\n", 4, 1, "time must increase"},
		{"overlap", "t,v\n0,1\n0.5,1\n", 3, 1, "rows would overlap"},
		{"short row", "t,v\n0,1\n1\n", 3, 0, "wrong number of fields"},
		{"bad quote", "t,v\n0,\"1\n", 2, 0, "extraneous or missing"},
	} {
		_, err := ReadSeriesCSV(strings.NewReader(tc.in), cfg)
		var te *TraceError
		if !errors.As(err, &te) || !errors.Is(err, ErrTrace) {
			t.Errorf("%s: err = %v, want a *TraceError", tc.name, err)
			continue
		}
		if te.Line != tc.line || (tc.col != 0 && te.Column != tc.col) || !strings.Contains(te.Rule, tc.rule) {
			t.Errorf("%s: line %d column %d rule %q; want line %d column %d rule containing %q", tc.name, te.Line, te.Column, te.Rule, tc.line, tc.col, tc.rule)
		}
	}
	_, err := ReadRequestCSV(strings.NewReader("at,n\n2,1\n1,1\n"), RequestCSV{TimeColumn: "at", SizeColumns: []string{"n"}})
	if te := (*TraceError)(nil); !errors.As(err, &te) || te.Line != 3 || te.Column != 1 || !strings.Contains(err.Error(), "time order") {
		t.Errorf("unsorted request trace: %v", err)
	}
	_, err = ReadRequestCSV(strings.NewReader("at\n1\n"), RequestCSV{SizeWeights: []float64{1, math.NaN()}})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "TimeColumn") || !strings.Contains(err.Error(), "SizeWeights[1]") {
		t.Errorf("bad RequestCSV: %v", err)
	}
}

func checkSeries(t *testing.T, s *Series) {
	if len(s.Starts) == 0 || len(s.Starts) != len(s.Values) || s.Step <= 0 {
		t.Fatalf("series shape: %d starts, %d values, step %v", len(s.Starts), len(s.Values), s.Step)
	}
	for i, v := range s.Values {
		if !(v >= 0) || math.IsInf(v, 0) {
			t.Fatalf("value %d = %v", i, v)
		}
		if i > 0 && s.Starts[i]-s.Starts[i-1] < s.Step {
			t.Fatalf("rows %d and %d overlap", i-1, i)
		}
	}
}

func checkTraceErr(t *testing.T, err error) {
	var te *TraceError
	if errors.As(err, &te) {
		if te.Line < 1 || !strings.Contains(err.Error(), "line") {
			t.Fatalf("trace error without a position: %v", err)
		}
		return
	}
	if !errors.Is(err, ErrConfig) && !errors.Is(err, ErrTrace) {
		t.Fatalf("error is neither a TraceError, ErrTrace nor ErrConfig: %v", err)
	}
}

// FuzzReadRateCSV: the series reader never panics; what it accepts is a
// valid series, what it rejects names a position.
func FuzzReadRateCSV(f *testing.F) {
	f.Add([]byte("minute_start_utc_epoch,minute_start_local,requests\n804571200,1995-07-01T00:00:00-04:00,42\n804571260,1995-07-01T00:01:00-04:00,61\n"), false)
	f.Add([]byte("avg_cpu,avg_mem\n0.44,0.33\n0.43,0.32\n"), true)
	f.Add([]byte("t,v\n0,1\n0.5,1\n"), false)
	f.Add([]byte("t,v\n1e300,1\n-1e300,2\n"), false)
	f.Add([]byte("\ufefft,v\n\"0\",\"1\"\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, implicit bool) {
		cfg := SeriesCSV{TimeColumn: "minute_start_local", ValueColumn: "requests"}
		if implicit {
			cfg = SeriesCSV{ValueColumn: "avg_cpu", Step: time.Minute}
		}
		// The last configuration reads at most half the input: it must be
		// refused if it is longer.
		capped := SeriesCSV{TimeColumn: "t", ValueColumn: "v", MaxBytes: int64(len(data)/2 + 1)}
		for _, c := range []SeriesCSV{cfg, {TimeColumn: "t", ValueColumn: "v"}, {TimeColumn: "minute_start_utc_epoch", ValueColumn: "requests"}, capped} {
			s, err := ReadSeriesCSV(bytes.NewReader(data), c)
			if err != nil {
				checkTraceErr(t, err)
				continue
			}
			if c.MaxBytes > 0 && int64(len(data)) > c.MaxBytes {
				t.Fatalf("read %d bytes with MaxBytes %d", len(data), c.MaxBytes)
			}
			checkSeries(t, s)
			r := Replay{Series: s, Counts: true, Speedup: 3}
			if m := r.MaxRate(0, s.End()); m < r.Rate(s.End()/2) {
				t.Fatalf("MaxRate %v below Rate %v", m, r.Rate(s.End()/2))
			}
		}
	})
}

// FuzzReadRequestCSV: the request reader never panics; accepted traces are
// sorted with finite sizes, rejections name a position.
func FuzzReadRequestCSV(f *testing.F) {
	f.Add([]byte("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,4808,10\n2023-11-16 18:17:04.0319600,3180,8\n"))
	f.Add([]byte("TIMESTAMP,ContextTokens,GeneratedTokens\n1,2,3\n0,2,3\n"))
	f.Add([]byte("TIMESTAMP,ContextTokens,GeneratedTokens\n1999-01-01T00:00:00Z,1e308,1e308\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ReadRequestCSV(bytes.NewReader(data), RequestCSV{TimeColumn: "TIMESTAMP", SizeColumns: []string{"ContextTokens", "GeneratedTokens"}, SizeWeights: []float64{1, 1e10}})
		if err != nil {
			checkTraceErr(t, err)
			return
		}
		if len(tr.At) == 0 || len(tr.At) != len(tr.Size) || !slices.IsSorted(tr.At) {
			t.Fatalf("trace shape: %d arrivals, %d sizes, sorted %v", len(tr.At), len(tr.Size), slices.IsSorted(tr.At))
		}
		for _, s := range tr.Size {
			if !(s >= 0) || math.IsInf(s, 0) {
				t.Fatalf("size %v", s)
			}
		}
	})
}
