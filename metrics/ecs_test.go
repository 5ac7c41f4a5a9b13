package metrics_test

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/metrics"
)

// TestWorkedExampleK: task definition with 512 CPU units set at container
// level and 1024 MiB hard memory, one task alone on a c4.large (2048 units).
func TestWorkedExampleK(t *testing.T) {
	cases := []struct {
		name             string
		usedUnits        float64
		usedMiB          float64
		taskLevelCPU     bool
		wantCPU, wantMem float64
	}{
		{"uses the whole instance", 2048, 512, false, 400, 50},
		{"light load", 128, 128, false, 25, 12.5},
		{"task-level CPU caps at 100%", 2048, 512, true, 100, 50},
	}
	for _, c := range cases {
		used := c.usedUnits
		if c.taskLevelCPU {
			used = metrics.CapTaskCPU(used, 512)
		}
		cpu, ok := metrics.ServiceCPUUtilization(used, 512, 1)
		if !ok || cpu != c.wantCPU {
			t.Errorf("%s: CPUUtilization = %v, %v; want %v", c.name, cpu, ok, c.wantCPU)
		}
		mem, ok := metrics.ServiceMemoryUtilization(c.usedMiB, 0, 1024, 1)
		if !ok || mem != c.wantMem {
			t.Errorf("%s: MemoryUtilization = %v, %v; want %v", c.name, mem, ok, c.wantMem)
		}
	}
}

// TestServiceMetricsByDefinition covers the rest of the formulas: several
// tasks, memoryReservation preferred over memory, and no datapoint without
// running tasks.
func TestServiceMetricsByDefinition(t *testing.T) {
	// 4 tasks × 256 units = 1024 reserved; 512 used → 50%.
	if v, ok := metrics.ServiceCPUUtilization(512, 256, 4); !ok || v != 50 {
		t.Errorf("CPU 512/(256×4) = %v, %v; want 50", v, ok)
	}
	// Soft limit 512 MiB wins over hard 1024: 2 tasks use 768 → 75%.
	if v, ok := metrics.ServiceMemoryUtilization(768, 512, 1024, 2); !ok || v != 75 {
		t.Errorf("memory 768/(512×2) = %v, %v; want 75", v, ok)
	}
	if _, ok := metrics.ServiceCPUUtilization(10, 256, 0); ok {
		t.Error("CPU with no running task published a value")
	}
	if _, ok := metrics.ServiceMemoryUtilization(10, 0, 0, 3); ok {
		t.Error("memory with no memory limit published a value")
	}
	if v, ok := metrics.ClusterReservation(3072, 4096); !ok || v != 75 {
		t.Errorf("reservation 3072/4096 = %v, %v; want 75", v, ok)
	}
	if v, ok := metrics.RequestCountPerTarget(900, 3); !ok || v != 300 {
		t.Errorf("RequestCountPerTarget 900/3 = %v, %v; want 300", v, ok)
	}
	if _, ok := metrics.RequestCountPerTarget(900, 0); ok {
		t.Error("RequestCountPerTarget with no targets published a value")
	}
}

// TestWorkedExampleHCapacityProviderReservation: the special cases from the
// blog and the derived M/N × 100 rows.
func TestWorkedExampleHCapacityProviderReservation(t *testing.T) {
	cases := []struct {
		m, n int
		want float64
	}{
		{0, 0, 100}, // nothing needed, nothing running: no action
		{1, 0, 200}, // tasks waiting, no instance: scale out
		{7, 0, 200},
		{2, 3, 200.0 / 3}, // 66.7: scale in to 2 at target 100
		{5, 4, 125},       // scale out to 5 at target 100
		{2, 4, 50},
		{3, 3, 100},
	}
	for _, c := range cases {
		if got := metrics.CapacityProviderReservation(c.m, c.n); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("CPR(M=%d, N=%d) = %v, want %v", c.m, c.n, got, c.want)
		}
	}
}

func TestMetricNames(t *testing.T) {
	got := []string{
		metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web").String(),
		metrics.ClusterMetric(metrics.MetricMemoryReservation, "prod").String(),
		metrics.RunningTaskCountMetric("prod", "web").String(),
		metrics.TargetGroupMetric(metrics.MetricRequestCountPerTarget, "targetgroup/web/73e2d6bc24d8a067", "app/front/50dc6c495c0c9188").String(),
		metrics.CapacityProviderReservationMetric("asg-cp", "prod").String(),
	}
	want := []string{
		"AWS/ECS/CPUUtilization{ClusterName=prod,ServiceName=web}",
		"AWS/ECS/MemoryReservation{ClusterName=prod}",
		"ECS/ContainerInsights/RunningTaskCount{ClusterName=prod,ServiceName=web}",
		"AWS/ApplicationELB/RequestCountPerTarget{LoadBalancer=app/front/50dc6c495c0c9188,TargetGroup=targetgroup/web/73e2d6bc24d8a067}",
		"AWS/ECS/ManagedScaling/CapacityProviderReservation{CapacityProviderName=asg-cp,ClusterName=prod}",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("metric names (-want +got):\n%s", d)
	}
	for _, m := range []metrics.Metric{
		metrics.ServiceMetric(metrics.MetricHTTPCodeELB5XXCount, "c", "s"),
		metrics.TargetGroupMetric(metrics.MetricTargetResponseTime, "tg", "lb"),
		metrics.TargetGroupMetric(metrics.MetricRequestCount, "tg", "lb"),
	} {
		if err := m.Validate(); err != nil {
			t.Errorf("%v: %v", m, err)
		}
	}
}
