package scenario_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/sim/scenario"
)

// webScenario reads testdata/web.json (a Fargate service behind an ALB,
// scaled by CPU target tracking at 50 %) with its policy's metric
// replaced by the JSON text metric.
func webScenario(t *testing.T, metric string) *scenario.Scenario {
	t.Helper()
	data, err := os.ReadFile("testdata/web.json")
	if err != nil {
		t.Fatal(err)
	}
	const predefined = `"metric": "ECSServiceAverageCPUUtilization"`
	if !bytes.Contains(data, []byte(predefined)) {
		t.Fatal("testdata/web.json no longer tracks ECSServiceAverageCPUUtilization")
	}
	sc, err := scenario.Parse(bytes.Replace(data, []byte(predefined), []byte(metric), 1))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func reportText(t *testing.T, sc *scenario.Scenario) (string, uint64) {
	t.Helper()
	r, err := scenario.Run(sc, scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String(), r.TraceHash
}

// TestCustomizedMetricSameAsPredefined: Application Auto Scaling defines
// the predefined ECSServiceAverageCPUUtilization as the average of AWS/ECS
// CPUUtilization with the service's ClusterName and ServiceName
// (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredefinedMetricSpecification.html),
// so target tracking on that metric named as a customized one, with its
// dimensions left out or given, runs the same simulation: the same trace
// hash and the same report.
func TestCustomizedMetricSameAsPredefined(t *testing.T) {
	want, wantHash := reportText(t, webScenario(t, `"metric": "ECSServiceAverageCPUUtilization"`))
	for _, custom := range []string{
		`"customizedMetric": {"namespace": "AWS/ECS", "metricName": "CPUUtilization", "statistic": "Average"}`,
		`"customizedMetric": {"namespace": "AWS/ECS", "metricName": "CPUUtilization", "statistic": "Average",
		  "dimensions": [{"name": "ServiceName", "value": "web"}, {"name": "ClusterName", "value": "prod"}]}`,
	} {
		got, hash := reportText(t, webScenario(t, custom))
		if hash != wantHash || got != want {
			t.Errorf("%s: trace %016x, want %016x (the predefined metric's); report:\n%s\nwant:\n%s", custom, hash, wantHash, got, want)
		}
	}
}

// TestCustomizedMetricTracksLatency: a policy tracking the ALB's
// TargetResponseTime scales the service on latency: a lower target
// latency keeps more tasks running than a higher one, and both runs differ
// from the CPU policy's.
func TestCustomizedMetricTracksLatency(t *testing.T) {
	running := func(target string) (float64, string) {
		sc := webScenario(t, `"customizedMetric": {"namespace": "AWS/ApplicationELB", "metricName": "TargetResponseTime", "statistic": "Average"}`)
		sc.Services[0].AutoScaling.TargetTracking[0].TargetValue = map[string]float64{"tight": 0.055, "loose": 0.2}[target]
		r, err := scenario.Run(sc, scenario.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_ = r.WriteText(&b)
		return r.Services[0].MeanTasks, b.String()
	}
	tight, tr := running("tight")
	t.Logf("mean tasks: %.1f at a 55 ms target", tight)
	loose, lr := running("loose")
	t.Logf("mean tasks: %.1f at a 200 ms target", loose)
	if tight <= loose {
		t.Fatalf("mean tasks %.1f with a 55 ms latency target, %.1f with 200 ms: a tighter target must hold more tasks\n%s\n%s", tight, loose, tr, lr)
	}
}

// TestCustomizedMetricErrors: every problem of customized metrics is
// reported at once, each naming its field, value and rule.
func TestCustomizedMetricErrors(t *testing.T) {
	sc := webScenario(t, `"metric": "ECSServiceAverageCPUUtilization"`)
	as := sc.Services[0].AutoScaling
	predefined := as.TargetTracking[0].Metric
	as.TargetTracking[0].Metric = 0
	as.TargetTracking[0].CustomizedMetric = &scenario.CustomizedMetric{Namespace: "AWS/EC2", MetricName: "CPUUtilization", Statistic: "p99"}
	as.TargetTracking = append(as.TargetTracking,
		scenario.TargetTracking{Name: "both", Metric: predefined, TargetValue: 1,
			CustomizedMetric: &scenario.CustomizedMetric{Namespace: "AWS/ECS", MetricName: "CPUUtilization", Statistic: "Average"}},
		scenario.TargetTracking{Name: "dims", TargetValue: 1,
			CustomizedMetric: &scenario.CustomizedMetric{Namespace: "AWS/ECS", MetricName: "CPUUtilisation", Statistic: "Sum",
				Dimensions: []scenario.MetricDimension{{Name: "ClusterName", Value: "staging"}, {Name: "InstanceId", Value: "i-1"}}}},
		scenario.TargetTracking{Name: "clb", TargetValue: 1,
			CustomizedMetric: &scenario.CustomizedMetric{Namespace: "AWS/ELB", MetricName: "Latency", Statistic: "Average"}},
	)
	as.StepScaling = append(as.StepScaling, scenario.StepScaling{Name: "step", Statistic: "Maximum", EvaluationPeriods: 1,
		CustomizedMetric: &scenario.CustomizedMetric{Namespace: "AWS/ApplicationELB", MetricName: "TargetResponseTime", Statistic: "p101"}})
	_, err := scenario.Run(sc, scenario.Options{})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		`targetTracking[0].customizedMetric.namespace "AWS/EC2": must be a namespace`,
		`targetTracking[0].customizedMetric.statistic "p99": must be one of Average`,
		`targetTracking[1].customizedMetric "{…}": must not be set with metric "ECSServiceAverageCPUUtilization"`,
		`targetTracking[2].customizedMetric.metricName "CPUUtilisation": must be one of the metrics`,
		`targetTracking[2].customizedMetric.dimensions[0].value "staging": must be the service's cluster "prod"`,
		`targetTracking[2].customizedMetric.dimensions "ClusterName,InstanceId": must be ClusterName and ServiceName`,
		`targetTracking[3].customizedMetric.namespace "AWS/ELB": needs the service's loadBalancer to be a clb`,
		`stepScaling[0].statistic "Maximum": must not be set with customizedMetric`,
		`stepScaling[0].customizedMetric.statistic "p101": must be a CloudWatch statistic`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if !errors.Is(err, scenario.ErrInvalid) {
		t.Errorf("error is not ErrInvalid: %v", err)
	}
}

// fargateWebDocuments reads the fargate-web import corpus with its scaling
// policies replaced by policies.
func fargateWebDocuments(t *testing.T, policies string) []scenario.AWSDocument {
	t.Helper()
	entries, err := os.ReadDir("testdata/aws/fargate-web")
	if err != nil {
		t.Fatal(err)
	}
	var docs []scenario.AWSDocument
	for _, e := range entries {
		data, err := os.ReadFile("testdata/aws/fargate-web/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "scaling-policies.json" {
			data = []byte(policies)
		}
		docs = append(docs, scenario.AWSDocument{Name: e.Name(), Data: data})
	}
	return docs
}

// TestImportCustomizedMetric: a target tracking policy on a customized
// metric (CustomizedMetricSpecification, as describe-scaling-policies
// prints it) imports as a customizedMetric and runs; metric math is
// refused with a message that says so.
func TestImportCustomizedMetric(t *testing.T) {
	const policy = `{"ScalingPolicies": [{"PolicyName": "latency", "ServiceNamespace": "ecs",
	  "ResourceId": "service/production/web-app", "ScalableDimension": "ecs:service:DesiredCount",
	  "PolicyType": "TargetTrackingScaling",
	  "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 0.25, %s}}]}`
	single := `"CustomizedMetricSpecification": {"MetricName": "TargetResponseTime", "Namespace": "AWS/ApplicationELB",
	  "Dimensions": [{"Name": "LoadBalancer", "Value": "app/web-alb/50dc6c495c0c9188"}, {"Name": "TargetGroup", "Value": "targetgroup/web-tg/73e2d6bc24d8a067"}],
	  "Statistic": "Average", "Unit": "Seconds"}`
	im, err := scenario.ImportAWSDocuments(fargateWebDocuments(t, strings.Replace(policy, "%s", single, 1)), scenario.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tt := im.Scenario.Services[0].AutoScaling.TargetTracking
	if len(tt) != 1 || tt[0].CustomizedMetric == nil || tt[0].CustomizedMetric.MetricName != "TargetResponseTime" ||
		tt[0].CustomizedMetric.Statistic != "Average" || len(tt[0].CustomizedMetric.Dimensions) != 2 {
		t.Fatalf("imported target tracking %+v", tt)
	}
	if _, err := scenario.Run(im.Scenario, scenario.Options{}); err != nil {
		t.Fatalf("the imported scenario does not run: %v", err)
	}
	math := `"CustomizedMetricSpecification": {"Metrics": [{"Id": "m1", "Expression": "a / b"}]}`
	_, err = scenario.ImportAWSDocuments(fargateWebDocuments(t, strings.Replace(policy, "%s", math, 1)), scenario.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "CustomizedMetricSpecification.Metrics: metric math is not simulated") {
		t.Fatalf("metric math: %v", err)
	}
}
