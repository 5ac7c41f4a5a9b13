package scenario

import (
	"fmt"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// Quotas are the account's ECS and EC2 Auto Scaling quotas, named after
// the Service Quotas console's names
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html,
// https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-quotas.html);
// they map to sim.Quotas. A zero field is AWS's default (sim.Default*),
// or the caller's Options.World.Quotas when it set one. A quota the
// caller set is a ceiling the file may lower, not raise: it is how a
// program that runs files it did not write bounds what they may ask for.
type Quotas struct {
	// ClustersPerAccount is "Clusters per account".
	ClustersPerAccount int `json:"clustersPerAccount,omitempty"`
	// ContainerInstancesPerCluster is "Container instances per cluster".
	ContainerInstancesPerCluster int `json:"containerInstancesPerCluster,omitempty"`
	// ServicesPerCluster is "Services per cluster".
	ServicesPerCluster int `json:"servicesPerCluster,omitempty"`
	// TasksPerService is "Tasks per service".
	TasksPerService int `json:"tasksPerService,omitempty"`
	// TasksPerRunTask is "Tasks launched (count) per run-task", at most
	// placement.MaxBatch.
	TasksPerRunTask int `json:"tasksPerRunTask,omitempty"`
	// AutoScalingGroupsPerRegion is EC2 Auto Scaling's "Auto Scaling
	// groups per region".
	AutoScalingGroupsPerRegion int `json:"autoScalingGroupsPerRegion,omitempty"`
	// ProvisioningTasksPerCluster is "Tasks in the PROVISIONING state per
	// cluster" (500; 300 reproduces runs made before AWS raised it).
	ProvisioningTasksPerCluster int `json:"provisioningTasksPerCluster,omitempty"`
}

// APIRateLimits are the ECS API's token buckets for the calls the
// scenario's actions and the services' scheduler make
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html);
// they map to capacity.APIRateLimits. An absent call or a zero field is
// the caller's Options.World.APIRateLimits, else the default
// (capacity.Default*Limit).
type APIRateLimits struct {
	RunTask       *APIRateLimit `json:"runTask,omitempty"`
	StartTask     *APIRateLimit `json:"startTask,omitempty"`
	StopTask      *APIRateLimit `json:"stopTask,omitempty"`
	CreateService *APIRateLimit `json:"createService,omitempty"`
	UpdateService *APIRateLimit `json:"updateService,omitempty"`
	// Disabled turns throttling off: every call is accepted.
	Disabled bool `json:"disabled,omitempty"`
}

// APIRateLimit is one call's bucket: its burst capacity in calls and its
// sustained refill in calls per second, each 0 (the default) to
// MaxAPIRate.
type APIRateLimit struct {
	Burst           int `json:"burst,omitempty"`
	RefillPerSecond int `json:"refillPerSecond,omitempty"`
}

// MaxAPIRate is the largest burst or refill a file may give a call, as
// capacity.APIRateLimits allows.
const MaxAPIRate = 1_000_000_000

// quotaFields pairs each file quota with the sim.Quotas field it sets,
// its default and its ceiling.
func (q *Quotas) fields(w *sim.Quotas) []quotaField {
	return []quotaField{
		{"clustersPerAccount", q.ClustersPerAccount, &w.Clusters, sim.DefaultClusters, sim.MaxQuota},
		{"containerInstancesPerCluster", q.ContainerInstancesPerCluster, &w.InstancesPerCluster, sim.DefaultInstancesPerCluster, sim.MaxQuota},
		{"servicesPerCluster", q.ServicesPerCluster, &w.ServicesPerCluster, sim.DefaultServicesPerCluster, sim.MaxQuota},
		{"tasksPerService", q.TasksPerService, &w.TasksPerService, sim.DefaultTasksPerService, sim.MaxQuota},
		{"tasksPerRunTask", q.TasksPerRunTask, &w.TasksPerRunTask, sim.DefaultTasksPerRunTask, placement.MaxBatch},
		{"autoScalingGroupsPerRegion", q.AutoScalingGroupsPerRegion, &w.AutoScalingGroups, sim.DefaultAutoScalingGroups, sim.MaxQuota},
		{"provisioningTasksPerCluster", q.ProvisioningTasksPerCluster, &w.ProvisioningTasksPerCluster, sim.DefaultProvisioningTasksPerCluster, sim.MaxQuota},
	}
}

type quotaField struct {
	name         string
	file         int
	world        *int
	def, ceiling int
}

func (l *APIRateLimits) calls(w *capacity.APIRateLimits) []apiField {
	return []apiField{
		{"runTask", l.RunTask, &w.RunTask, capacity.DefaultRunTaskLimit},
		{"startTask", l.StartTask, &w.StartTask, capacity.DefaultStartTaskLimit},
		{"stopTask", l.StopTask, &w.StopTask, capacity.DefaultStopTaskLimit},
		{"createService", l.CreateService, &w.CreateService, capacity.DefaultCreateServiceLimit},
		{"updateService", l.UpdateService, &w.UpdateService, capacity.DefaultUpdateServiceLimit},
	}
}

type apiField struct {
	name  string
	file  *APIRateLimit
	world *capacity.APIRateLimit
	def   capacity.APIRateLimit
}

// limits checks the quotas and rate limits of a file: each within its
// range.
func (v *validator) limits(sc *Scenario) {
	if q := sc.Quotas; q != nil {
		for _, f := range q.fields(&sim.Quotas{}) {
			if f.file < 0 || f.file > f.ceiling {
				v.add("quotas."+f.name, f.file, "must be 0 (AWS's default %d) to %d", f.def, f.ceiling)
			}
		}
	}
	if l := sc.APIRateLimits; l != nil {
		for _, c := range l.calls(&capacity.APIRateLimits{}) {
			if c.file == nil {
				continue
			}
			if c.file.Burst < 0 || c.file.Burst > MaxAPIRate {
				v.add("apiRateLimits."+c.name+".burst", c.file.Burst, "must be 0 (the default %d) to %d", c.def.Burst, MaxAPIRate)
			}
			if c.file.RefillPerSecond < 0 || c.file.RefillPerSecond > MaxAPIRate {
				v.add("apiRateLimits."+c.name+".refillPerSecond", c.file.RefillPerSecond, "must be 0 (the default %d) to %d", c.def.RefillPerSecond, MaxAPIRate)
			}
		}
	}
}

// worldConfig is the caller's world configuration with the file's quotas
// and rate limits: a file quota above one the caller set is an error.
func (sc *Scenario) worldConfig(world sim.WorldConfig) (sim.WorldConfig, error) {
	l := fielderr.NewList(ErrInvalid)
	if q := sc.Quotas; q != nil {
		for _, f := range q.fields(&world.Quotas) {
			switch {
			case f.file == 0:
			case *f.world != 0 && f.file > *f.world:
				l.Add("quotas."+f.name, f.file, fmt.Sprintf("must be at most %d, the caller's Options.World quota", *f.world))
			default:
				*f.world = f.file
			}
		}
	}
	if r := sc.APIRateLimits; r != nil {
		for _, c := range r.calls(&world.APIRateLimits) {
			if c.file == nil {
				continue
			}
			if c.file.Burst != 0 {
				c.world.Burst = c.file.Burst
			}
			if c.file.RefillPerSecond != 0 {
				c.world.RefillPerSecond = c.file.RefillPerSecond
			}
		}
		world.APIRateLimits.Disabled = world.APIRateLimits.Disabled || r.Disabled
	}
	return world, l.Err()
}
