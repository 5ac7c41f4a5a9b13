package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// TestQuotaSourcesCiteAndMatchTheWorld: every quota and rate in
// sim.QuotaSources cites an AWS documentation page and a date, and its
// default is the one a world with a zero configuration enforces.
func TestQuotaSourcesCiteAndMatchTheWorld(t *testing.T) {
	s, _ := sim.New(sim.Config{})
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		t.Fatal(err)
	}
	q := w.Quotas()
	enforced := map[string]int{
		"WorldConfig.Quotas.Clusters":                       q.Clusters,
		"WorldConfig.Quotas.InstancesPerCluster":            q.InstancesPerCluster,
		"WorldConfig.Quotas.ServicesPerCluster":             q.ServicesPerCluster,
		"WorldConfig.Quotas.TasksPerService":                q.TasksPerService,
		"WorldConfig.Quotas.TasksPerRunTask":                q.TasksPerRunTask,
		"WorldConfig.Quotas.ProvisioningTasksPerCluster":    q.ProvisioningTasksPerCluster,
		"WorldConfig.Quotas.AutoScalingGroups":              q.AutoScalingGroups,
		"WorldConfig.ServiceLaunchRate":                     sim.DefaultServiceLaunchRate,
		"WorldConfig.Capacity.FargateServiceLaunchRate":     sim.DefaultFargateServiceLaunchRate,
		"WorldConfig.Capacity.LaunchBucket.Burst":           capacity.DefaultLaunchBurst,
		"WorldConfig.Capacity.LaunchBucket.RefillPerSecond": capacity.DefaultLaunchRefillPerSecond,
		"WorldConfig.APIRateLimits.RunTask":                 w.APIAvailable(capacity.RunTask),
	}
	srcs := sim.QuotaSources()
	if len(srcs) != len(enforced) {
		t.Fatalf("%d sources, %d enforced quotas", len(srcs), len(enforced))
	}
	for _, src := range srcs {
		want, ok := enforced[src.Field]
		if !ok {
			t.Errorf("%s: field %s is not one the world enforces", src.Name, src.Field)
			continue
		}
		if src.Default != want {
			t.Errorf("%s: listed default %d, the world enforces %d", src.Name, src.Default, want)
		}
		if !strings.HasPrefix(src.Source, "https://docs.aws.amazon.com/") || src.AsOf == "" {
			t.Errorf("%s: source %q as of %q, want an AWS documentation page and a date", src.Name, src.Source, src.AsOf)
		}
	}
	// The RunTask default is AWS's documented 20 a second.
	_ = s.RunFor(time.Second)
	if got := w.APIAvailable(capacity.RunTask); got != 20 {
		t.Errorf("RunTask bucket %d, want 20", got)
	}
}
