package autoscale

import (
	"math"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// BenchmarkForecast is one forecast from AWS's full look-back, 14 days of
// hourly load (daily and weekly pattern, trend, noise-free), 48 hours
// ahead: the default SeasonalForecaster (a 336 × 25 least-squares fit)
// against the seasonal-naive lastDay of the tests as the baseline. A
// policy forecasts every 6 hours, so either cost is negligible per
// simulated day; the benchmark says how negligible.
func BenchmarkForecast(b *testing.B) {
	h := make([]float64, 14*24)
	for i := range h {
		t := float64(i)
		h[i] = 100 + 0.05*t + 30*math.Sin(2*math.Pi*t/24) + 15*math.Sin(2*math.Pi*t/168)
	}
	for _, c := range []struct {
		name string
		f    Forecaster
	}{{"seasonal", SeasonalForecaster{}}, {"naive", lastDay{}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				sinkForecast = c.f.Forecast(h, 48)
			}
		})
	}
}

var sinkForecast []float64

// BenchmarkPredictiveRefresh is one refresh of a predictive policy on the
// CPU metric pair from a metrics store holding 14 days of per-minute
// samples: 336 hourly reads of two series, then the forecast.
func BenchmarkPredictiveRefresh(b *testing.B) {
	st, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewPredictiveScaling(PredictiveScalingConfig{Name: "p", ResourceID: webID, TargetValue: 60,
		MetricPair: PredictiveECSServiceCPUUtilization, Mode: ForecastAndScale})
	if err != nil {
		b.Fatal(err)
	}
	p.Propose(Input{Now: t0, Metrics: st}) // asks the store to retain 14 days
	tasks := metrics.RunningTaskCountMetric("prod", "web")
	for k := range 14 * 24 * 60 {
		at := t0.Add(minutes(k))
		_ = st.Put(cpu, at, 60+20*math.Sin(2*math.Pi*float64(k)/1440))
		_ = st.Put(tasks, at, 10)
	}
	now := t0.Add(14 * 24 * time.Hour)
	b.ReportAllocs()
	for range b.N {
		p.refresh(now, st)
	}
	if len(p.Forecast()) != 48 {
		b.Fatal("no forecast")
	}
}
