package main

import (
	"bytes"
	"image/png"
	"math"
	"testing"

	"github.com/ecssim/ecssim/chart"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/tidy"
)

// TestRecordedDay: recording the fluid day changes no event, gives one
// row per hour whose traffic, cost and scaling activities are the hourly
// table's and the summary's, one scaling event per activity, and a chart
// that decodes.
func TestRecordedDay(t *testing.T) {
	opt := DefaultOptions
	opt.Mode = sim.FluidMode
	plain, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Record = true
	r, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	if r.Events != plain.Events || len(r.Periods) != 24 {
		t.Fatalf("recorded: %d engine events and %d rows; without recording %d events", r.Events, len(r.Periods), plain.Events)
	}
	acts, scaling := 0, 0
	for i, p := range r.Periods {
		row := plain.Rows[i]
		if !p.Start.Equal(row.Start) || p.RequestsPerSecond != row.RequestsPerSecond || p.P99 != row.P99 ||
			p.Errors5xx != row.Errors5xx || math.Abs(p.CostUSD-row.Cost) > 1e-9 {
			t.Errorf("hour %d: recorded %+v, table %+v", i, p, row)
		}
		acts += p.ScalingActivities
	}
	for _, e := range r.EventRows {
		if e.Kind == tidy.KindScaling {
			scaling++
		}
	}
	// The warm-up's activities come before the first row.
	warm := 0
	for _, d := range plain.Decisions {
		if d.At.Before(r.Periods[0].Start) {
			warm++
		}
	}
	if acts+warm != plain.Activities || scaling != plain.Activities {
		t.Errorf("%d activities in rows + %d in the warm-up, %d scaling events; the run made %d", acts, warm, scaling, plain.Activities)
	}
	var buf bytes.Buffer
	if err := chart.Run(&buf, chart.PNG, r.Periods, r.EventRows, chart.Options{Location: edt}); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Fatal(err)
	}
}
