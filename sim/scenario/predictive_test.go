package scenario

import (
	"strings"
	"testing"
	"time"
)

// predictiveScenario is a Fargate service with diurnal fluid traffic,
// CPU target tracking and a ForecastAndScale predictive policy, for two
// and a half days.
const predictiveScenario = `{
  "seed": 3, "start": "2024-05-06T00:00:00Z", "duration": "60h",
  "taskDefinitions": [{"family": "web", "cpu": 1024, "memoryMiB": 2048, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
     "containers": [{"name": "app", "image": "web:1"}]}],
  "clusters": [{"name": "c"}],
  "services": [{"cluster": "c", "name": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "FARGATE",
     "loadBalancer": {},
     "traffic": {"mode": "fluid", "rate": {"diurnal": {"mean": 60, "amplitude": 0.8, "peak": "14h"}}, "work": {"mean": "100ms"}},
     "autoScaling": {"minCapacity": 1, "maxCapacity": 40,
       "targetTracking": [{"name": "cpu60", "metric": "ECSServiceAverageCPUUtilization", "targetValue": 60}],
       "predictive": [{"name": "forecast", "mode": "ForecastAndScale", "metricPair": "ECSServiceCPUUtilization", "targetValue": 60}]}}]
}`

// TestPredictiveFromAFile: a scenario file's predictive policy is built
// and acts: no predictive decision before the first forecast (24 h of
// data, at the next 6-hour refresh), scale-outs by it afterwards, always
// at 5 minutes before an hour (the default SchedulingBufferTime).
func TestPredictiveFromAFile(t *testing.T) {
	sc, err := Parse([]byte(predictiveScenario))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := Build(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Run(); err != nil {
		t.Fatal(err)
	}
	start := sim.Sim.Start()
	n := 0
	for _, d := range sim.Scaling("c", "web").Decisions() {
		if !strings.HasPrefix(d.Reason, "predictive scaling forecast") {
			continue
		}
		n++
		if d.At.Sub(start) < 24*time.Hour {
			t.Errorf("a predictive decision at %v, before 24 h of data: %s", d.At, d)
		}
		if d.To <= d.From {
			t.Errorf("predictive scaling scaled in: %s", d)
		}
		if m := d.At.Minute(); m != 55 {
			t.Errorf("predictive decision at minute %d, want :55 (300 s before the hour): %s", m, d)
		}
	}
	if n == 0 {
		t.Fatal("no decision by the predictive policy")
	}
}

// TestPredictiveFileErrors: a file's predictive policy with a bad mode,
// no metric pair, an ALB pair without an ALB and too long a buffer is
// refused, every problem named.
func TestPredictiveFileErrors(t *testing.T) {
	bad := strings.Replace(predictiveScenario,
		`"predictive": [{"name": "forecast", "mode": "ForecastAndScale", "metricPair": "ECSServiceCPUUtilization", "targetValue": 60}]`,
		`"predictive": [{"name": "", "mode": "ForecastAndScale", "targetValue": 60, "schedulingBufferTime": "2h"}]`, 1)
	_, err := Parse([]byte(bad))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"predictive[0].name", "predictive[0].metricPair", "predictive[0].schedulingBufferTime"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
	if _, err := Parse([]byte(strings.Replace(predictiveScenario, `"mode": "ForecastAndScale"`, `"mode": "Scale"`, 1))); err == nil || !strings.Contains(err.Error(), "ForecastOnly or ForecastAndScale") {
		t.Errorf("bad mode: %v", err)
	}
}
