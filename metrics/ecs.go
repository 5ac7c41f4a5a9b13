package metrics

// Namespaces of the metrics ECS, Container Insights, Application Load
// Balancers and ECS managed scaling publish.
const (
	NamespaceECS               = "AWS/ECS"
	NamespaceContainerInsights = "ECS/ContainerInsights"
	NamespaceApplicationELB    = "AWS/ApplicationELB"
	NamespaceECSManagedScaling = "AWS/ECS/ManagedScaling"
	// NamespaceELB is the Classic Load Balancer's
	// (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-cloudwatch-metrics.html).
	NamespaceELB = "AWS/ELB"
)

// Dimension names of those metrics.
const (
	DimensionClusterName      = "ClusterName"
	DimensionServiceName      = "ServiceName"
	DimensionTargetGroup      = "TargetGroup"          // "targetgroup/<name>/<id>"
	DimensionLoadBalancer     = "LoadBalancer"         // "app/<name>/<id>"
	DimensionCapacityProvider = "CapacityProviderName" // managed scaling
	DimensionLoadBalancerName = "LoadBalancerName"     // a Classic Load Balancer's name (AWS/ELB)
)

// Metric names, with their namespace, unit and dimensions.
const (
	MetricCPUUtilization              = "CPUUtilization"              // AWS/ECS, percent; service or cluster
	MetricMemoryUtilization           = "MemoryUtilization"           // AWS/ECS, percent; service or cluster
	MetricCPUReservation              = "CPUReservation"              // AWS/ECS, percent; cluster (EC2 only)
	MetricMemoryReservation           = "MemoryReservation"           // AWS/ECS, percent; cluster (EC2 only)
	MetricRunningTaskCount            = "RunningTaskCount"            // ECS/ContainerInsights, count; service
	MetricRequestCount                = "RequestCount"                // AWS/ApplicationELB, count; read with Sum
	MetricRequestCountPerTarget       = "RequestCountPerTarget"       // AWS/ApplicationELB, count; only Sum is valid
	MetricTargetResponseTime          = "TargetResponseTime"          // AWS/ApplicationELB, seconds
	MetricHTTPCodeELB5XXCount         = "HTTPCode_ELB_5XX_Count"      // AWS/ApplicationELB, count; read with Sum
	MetricCapacityProviderReservation = "CapacityProviderReservation" // AWS/ECS/ManagedScaling, percent

	// Classic Load Balancer metrics (AWS/ELB, per LoadBalancerName);
	// RequestCount is shared with the ALB's.
	MetricLatency            = "Latency"              // AWS/ELB, seconds from the request leaving the LB to the response starting
	MetricHTTPCodeBackend5XX = "HTTPCode_Backend_5XX" // AWS/ELB, count of 5xx from the instances; read with Sum
	MetricHTTPCodeELB5XX     = "HTTPCode_ELB_5XX"     // AWS/ELB, count of 5xx the load balancer generated; read with Sum
	MetricHealthyHostCount   = "HealthyHostCount"     // AWS/ELB, count of healthy instances
)

// ClassicLoadBalancerMetric is the AWS/ELB metric name of one Classic Load
// Balancer, dimension LoadBalancerName.
func ClassicLoadBalancerMetric(name, loadBalancer string) Metric {
	return Metric{Namespace: NamespaceELB, Name: name, Dimensions: []Dimension{{DimensionLoadBalancerName, loadBalancer}}}
}

// ServiceDimensions identifies an ECS service: ClusterName and ServiceName.
func ServiceDimensions(cluster, service string) []Dimension {
	return []Dimension{{DimensionClusterName, cluster}, {DimensionServiceName, service}}
}

// ClusterDimensions identifies an ECS cluster: ClusterName.
func ClusterDimensions(cluster string) []Dimension {
	return []Dimension{{DimensionClusterName, cluster}}
}

// TargetGroupDimensions identifies an ALB target group: LoadBalancer
// ("app/<name>/<id>") and TargetGroup ("targetgroup/<name>/<id>").
func TargetGroupDimensions(targetGroup, loadBalancer string) []Dimension {
	return []Dimension{{DimensionLoadBalancer, loadBalancer}, {DimensionTargetGroup, targetGroup}}
}

// CapacityProviderDimensions identifies an ECS capacity provider:
// CapacityProviderName and ClusterName.
func CapacityProviderDimensions(capacityProvider, cluster string) []Dimension {
	return []Dimension{{DimensionCapacityProvider, capacityProvider}, {DimensionClusterName, cluster}}
}

// ServiceMetric is the AWS/ECS metric name of one service, e.g.
// ServiceMetric(MetricCPUUtilization, "prod", "web").
func ServiceMetric(name, cluster, service string) Metric {
	return Metric{Namespace: NamespaceECS, Name: name, Dimensions: ServiceDimensions(cluster, service)}
}

// ClusterMetric is the AWS/ECS metric name of one cluster.
func ClusterMetric(name, cluster string) Metric {
	return Metric{Namespace: NamespaceECS, Name: name, Dimensions: ClusterDimensions(cluster)}
}

// RunningTaskCountMetric is Container Insights' RunningTaskCount of a
// service.
func RunningTaskCountMetric(cluster, service string) Metric {
	return Metric{Namespace: NamespaceContainerInsights, Name: MetricRunningTaskCount, Dimensions: ServiceDimensions(cluster, service)}
}

// TargetGroupMetric is the AWS/ApplicationELB metric name of one target
// group behind one load balancer.
func TargetGroupMetric(name, targetGroup, loadBalancer string) Metric {
	return Metric{Namespace: NamespaceApplicationELB, Name: name, Dimensions: TargetGroupDimensions(targetGroup, loadBalancer)}
}

// CapacityProviderReservationMetric is the managed-scaling metric of one
// capacity provider.
func CapacityProviderReservationMetric(capacityProvider, cluster string) Metric {
	return Metric{Namespace: NamespaceECSManagedScaling, Name: MetricCapacityProviderReservation, Dimensions: CapacityProviderDimensions(capacityProvider, cluster)}
}

// ServiceCPUUtilization is a service's CPUUtilization in percent
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html):
//
//	CPUUtilization = 100 × usedUnits / (taskDefCPUUnits × tasks)
//
// usedUnits is the CPU the service's tasks used, in CPU units (1024 = 1
// vCPU). It can exceed 100 % when the task definition sets CPU only at
// container level, since a container may then use idle CPU of its instance;
// with task-level CPU, cap each task's use with CapTaskCPU first. It
// returns false when tasks or taskDefCPUUnits is not positive: ECS publishes
// nothing for a service with no running task.
func ServiceCPUUtilization(usedUnits float64, taskDefCPUUnits, tasks int) (float64, bool) {
	if tasks <= 0 || taskDefCPUUnits <= 0 {
		return 0, false
	}
	return 100 * usedUnits / (float64(taskDefCPUUnits) * float64(tasks)), true
}

// CapTaskCPU is the CPU a task can use when its task definition sets CPU at
// task level: the hard limit taskCPUUnits caps it, so its utilization never
// exceeds 100 %.
func CapTaskCPU(usedUnits float64, taskCPUUnits int) float64 {
	return min(usedUnits, float64(taskCPUUnits))
}

// ServiceMemoryUtilization is a service's MemoryUtilization in percent:
//
//	MemoryUtilization = 100 × usedMiB / (perTaskMiB × tasks)
//
// where perTaskMiB is the task definition's memoryReservation (soft limit)
// if set (> 0), else its memory (hard limit). It returns false when tasks or
// the per-task memory is not positive.
func ServiceMemoryUtilization(usedMiB float64, memoryReservationMiB, memoryMiB, tasks int) (float64, bool) {
	perTask := memoryMiB
	if memoryReservationMiB > 0 {
		perTask = memoryReservationMiB
	}
	if tasks <= 0 || perTask <= 0 {
		return 0, false
	}
	return 100 * usedMiB / (float64(perTask) * float64(tasks)), true
}

// ClusterReservation is a cluster's CPUReservation or MemoryReservation in
// percent:
//
//	Reservation = 100 × reserved / registered
//
// reserved is what the cluster's tasks reserve and registered what its
// ACTIVE and DRAINING container instances register, both in CPU units or
// both in MiB. It returns false when nothing is registered.
func ClusterReservation(reserved, registered int) (float64, bool) {
	if registered <= 0 {
		return 0, false
	}
	return 100 * float64(reserved) / float64(registered), true
}

// RequestCountPerTarget is the ALB's average requests per target over a
// period:
//
//	RequestCountPerTarget = requests / targets
//
// CloudWatch reads it with the Sum statistic, which "represents the
// average". Whether the divisor counts healthy or all registered targets is
// not documented; the caller chooses. It returns false for no targets.
func RequestCountPerTarget(requests float64, targets int) (float64, bool) {
	if targets <= 0 {
		return 0, false
	}
	return requests / float64(targets), true
}

// CapacityProviderReservation is ECS managed scaling's metric, in percent
// (https://aws.amazon.com/blogs/containers/deep-dive-on-amazon-ecs-cluster-auto-scaling/):
//
//	CPR = 100 × M / N
//
// with N the instances running in the Auto Scaling group and M the
// instances ECS estimates the running and provisioning tasks need, and two
// special cases: M = 0, N = 0 → 100 (nothing to do); M > 0, N = 0 → 200
// (scale out from zero). Negative counts are treated as 0.
func CapacityProviderReservation(needed, running int) float64 {
	needed, running = max(needed, 0), max(running, 0)
	switch {
	case running == 0 && needed == 0:
		return 100
	case running == 0:
		return 200
	}
	return 100 * float64(needed) / float64(running)
}
