package sim

import (
	"cmp"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim/capacity"
)

// Quotas are the AWS service quotas the world enforces: a call that would
// exceed one is refused with an error naming the quota, as AWS refuses it.
// They are AWS's defaults unless set: AWS lets an account raise each of
// them, and so does a simulation (up to MaxQuota, which keeps every count
// and identifier far inside the simulator's integers). A zero field means
// AWS's default; a negative one is refused.
//
// Quotas AWS does not let an account raise are constants: MaxContainers
// (containers per task definition), MaxTaskDefinitionBytes,
// MaxRevisionsPerFamily, MaxCapacityProvidersPerCluster, and
// placement.MaxAttributeLength (attribute names
// and values).
//
// Together they bound what one call can ask of the simulator: a run's
// instances, services and tasks are at most the product of the quotas
// involved, and every launch, registration and stop costs O(1) or
// O(log n) work, so no input accepted within them can stall a run.
type Quotas struct {
	// Clusters is the most clusters the world (an AWS account in one
	// Region) may have; 0 means DefaultClusters, the ECS quota "Clusters
	// per account" (adjustable;
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
	Clusters int
	// InstancesPerCluster is the most container instances a cluster may
	// have that are not INACTIVE (launching ones included, since they will
	// register); 0 means DefaultInstancesPerCluster, the ECS quota
	// "Container instances per cluster"
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
	// It also bounds an Auto Scaling group's MaxSize: a group launches
	// into one cluster.
	InstancesPerCluster int
	// ServicesPerCluster is the most services a cluster may have that are
	// not INACTIVE; 0 means DefaultServicesPerCluster, the ECS quota
	// "Services per cluster" (adjustable;
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
	ServicesPerCluster int
	// TasksPerService is the largest desired count of a service; 0 means
	// DefaultTasksPerService, the ECS quota "Tasks per service"
	// (adjustable;
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
	TasksPerService int
	// TasksPerRunTask is the most tasks one RunTask call starts; 0 means
	// DefaultTasksPerRunTask, the ECS quota "Tasks launched (count) per
	// run-task"
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
	// At most placement.MaxBatch.
	TasksPerRunTask int
	// AutoScalingGroups is the most Auto Scaling group capacity providers
	// the world may have; 0 means DefaultAutoScalingGroups, the EC2 Auto
	// Scaling quota "Auto Scaling groups per region" (adjustable;
	// https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-quotas.html).
	AutoScalingGroups int
	// ProvisioningTasksPerCluster is the most tasks of Auto Scaling group
	// capacity providers that may wait in PROVISIONING per cluster; the
	// next ones fail with the service event "was unable to place tasks in
	// your cluster because the tasks provisioning capacity limit was
	// exceeded." 0 means DefaultProvisioningTasksPerCluster, 500: the ECS
	// quota "Tasks in the PROVISIONING state per cluster" (not adjustable
	// in AWS; it was 100 at launch, then 300;
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
	// Set it to 300 to reproduce runs made before the change.
	ProvisioningTasksPerCluster int
}

// AWS's default quotas; see Quotas for their pages.
const (
	DefaultClusters            = 10_000
	DefaultInstancesPerCluster = 5_000
	DefaultServicesPerCluster  = 5_000
	DefaultTasksPerService     = 5_000
	DefaultTasksPerRunTask     = 10
	DefaultAutoScalingGroups   = 500

	DefaultProvisioningTasksPerCluster = 500
)

// MaxQuota is the largest value a configurable quota may be raised to: a
// million clusters, instances per cluster, services per cluster, tasks per
// service or Auto Scaling groups. Counts and identifiers built from them
// stay far inside the simulator's integers.
const MaxQuota = 1_000_000

// Quotas AWS does not let an account raise.
const (
	// MaxTaskDefinitionBytes is the largest task definition ECS registers,
	// 64 KiB ("Task definition size",
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html);
	// the simulator measures a TaskDefinitionInput as the JSON encoding
	// of its fields.
	MaxTaskDefinitionBytes = 64 << 10
	// MaxRevisionsPerFamily is the most revisions of one task definition
	// family ("Revisions per task definition family",
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
	MaxRevisionsPerFamily = 1_000_000
	// MaxCapacityProvidersPerCluster is the most capacity providers, FARGATE
	// and FARGATE_SPOT included, a cluster may be associated with
	// ("Capacity providers per cluster",
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
	MaxCapacityProvidersPerCluster = 20
)

// withDefaults fills the unset quotas with AWS's defaults.
func (q Quotas) withDefaults() Quotas {
	q.Clusters = cmp.Or(q.Clusters, DefaultClusters)
	q.InstancesPerCluster = cmp.Or(q.InstancesPerCluster, DefaultInstancesPerCluster)
	q.ServicesPerCluster = cmp.Or(q.ServicesPerCluster, DefaultServicesPerCluster)
	q.TasksPerService = cmp.Or(q.TasksPerService, DefaultTasksPerService)
	q.TasksPerRunTask = cmp.Or(q.TasksPerRunTask, DefaultTasksPerRunTask)
	q.AutoScalingGroups = cmp.Or(q.AutoScalingGroups, DefaultAutoScalingGroups)
	q.ProvisioningTasksPerCluster = cmp.Or(q.ProvisioningTasksPerCluster, DefaultProvisioningTasksPerCluster)
	return q
}

// validate adds to l what is wrong with q.
func (q Quotas) validate(l *fielderr.List) {
	for _, f := range []struct {
		name     string
		v, def   int
		ceiling  int
		ceilName string
	}{
		{"Clusters", q.Clusters, DefaultClusters, MaxQuota, "MaxQuota"},
		{"InstancesPerCluster", q.InstancesPerCluster, DefaultInstancesPerCluster, MaxQuota, "MaxQuota"},
		{"ServicesPerCluster", q.ServicesPerCluster, DefaultServicesPerCluster, MaxQuota, "MaxQuota"},
		{"TasksPerService", q.TasksPerService, DefaultTasksPerService, MaxQuota, "MaxQuota"},
		{"TasksPerRunTask", q.TasksPerRunTask, DefaultTasksPerRunTask, placement.MaxBatch, "placement.MaxBatch"},
		{"AutoScalingGroups", q.AutoScalingGroups, DefaultAutoScalingGroups, MaxQuota, "MaxQuota"},
		{"ProvisioningTasksPerCluster", q.ProvisioningTasksPerCluster, DefaultProvisioningTasksPerCluster, MaxQuota, "MaxQuota"},
	} {
		if f.v < 0 || f.v > f.ceiling {
			l.Addf("WorldConfig.Quotas."+f.name, f.v, "must be 0 (AWS's default %d) to %d (%s)", f.def, f.ceiling, f.ceilName)
		}
	}
}

// Quotas returns the quotas the world enforces, defaults filled in.
func (w *World) Quotas() Quotas { return w.quotas }

// QuotaSource is one AWS quota or rate the world enforces: its AWS name,
// its default here, the configuration field that changes it, whether AWS
// lets an account raise it, the page its figure comes from and when that
// page gave the figure (year-month, or year-month to year-month when it
// was read again later and had not changed).
type QuotaSource struct {
	Name       string
	Default    int
	Field      string
	Adjustable bool
	Source     string
	AsOf       string
}

const (
	ecsQuotasPage  = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html"
	fargateThrottl = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html"
)

// QuotaSources lists the quotas and rates the world enforces with their
// sources, in a fixed order: the table to check a run's limits against
// AWS's current pages.
func QuotaSources() []QuotaSource {
	return []QuotaSource{
		{"Clusters per account", DefaultClusters, "WorldConfig.Quotas.Clusters", true, ecsQuotasPage, "2022-04 to 2026-02"},
		{"Container instances per cluster", DefaultInstancesPerCluster, "WorldConfig.Quotas.InstancesPerCluster", true, ecsQuotasPage, "2022-04 to 2026-02"},
		{"Services per cluster", DefaultServicesPerCluster, "WorldConfig.Quotas.ServicesPerCluster", true, ecsQuotasPage, "2022-04 to 2026-02"},
		{"Tasks per service", DefaultTasksPerService, "WorldConfig.Quotas.TasksPerService", true, ecsQuotasPage, "2022-04 to 2026-02"},
		{"Tasks launched (count) per run-task", DefaultTasksPerRunTask, "WorldConfig.Quotas.TasksPerRunTask", false, ecsQuotasPage, "2022-04 to 2026-02"},
		{"Tasks in the PROVISIONING state per cluster", DefaultProvisioningTasksPerCluster, "WorldConfig.Quotas.ProvisioningTasksPerCluster", false, ecsQuotasPage, "2025-01 (300 in 2022-04, 100 at launch)"},
		{"Auto Scaling groups per region", DefaultAutoScalingGroups, "WorldConfig.Quotas.AutoScalingGroups", true, "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-quotas.html", "2024-01"},
		{"Tasks launched per service per minute (EC2)", DefaultServiceLaunchRate, "WorldConfig.ServiceLaunchRate", true, ecsQuotasPage, "2022-04"},
		{"Tasks launched per service per minute (Fargate)", DefaultFargateServiceLaunchRate, "WorldConfig.Capacity.FargateServiceLaunchRate", true, ecsQuotasPage, "2022-04"},
		{"Fargate task launch bucket (burst)", capacity.DefaultLaunchBurst, "WorldConfig.Capacity.LaunchBucket.Burst", true, fargateThrottl, "2022-04 to 2026-02"},
		{"Fargate task launch bucket (per second)", capacity.DefaultLaunchRefillPerSecond, "WorldConfig.Capacity.LaunchBucket.RefillPerSecond", true, fargateThrottl, "2022-04 to 2026-02"},
		{"RunTask calls per second (burst and sustained)", capacity.DefaultRunTaskLimit.Burst, "WorldConfig.APIRateLimits.RunTask", true, fargateThrottl, "2026-02"},
	}
}
