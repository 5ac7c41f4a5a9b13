package scenario

import (
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/dist"
	"github.com/ecssim/ecssim/sim/traffic"
)

// Scenario is one experiment: the world to build, the traffic to send and
// the actions to take, in the JSON shape Parse reads. Field names follow the
// ECS and Application Auto Scaling APIs (camelCase); durations are Go
// duration strings ("90s", "5m", "24h"). A zero field means the documented
// default of the sim field it maps to.
type Scenario struct {
	// Name labels the report; optional.
	Name string `json:"name,omitempty"`
	// Seed seeds every random stream of the run; 0 is a valid seed.
	Seed uint64 `json:"seed"`
	// Start is the simulation's start instant (RFC 3339); zero means
	// sim.DefaultStart.
	Start time.Time `json:"start,omitzero"`
	// Duration is how long to run; required, at most MaxDuration.
	Duration Duration `json:"duration"`
	// ReportPeriod is the length of the report's rows, a whole number of
	// minutes dividing a day; zero means one hour.
	ReportPeriod Duration `json:"reportPeriod,omitzero"`

	// Quotas are the account's quotas; absent means AWS's defaults (or
	// the caller's Options.World.Quotas, which the file may lower).
	Quotas *Quotas `json:"quotas,omitempty"`
	// APIRateLimits are the ECS API's rate limits; absent means the
	// defaults (or the caller's Options.World.APIRateLimits).
	APIRateLimits *APIRateLimits `json:"apiRateLimits,omitempty"`

	// AWSVPCTrunking is the account setting awsvpcTrunking: instances get
	// a trunk ENI and host more awsvpc tasks (sim.InstanceType.TrunkedTasks).
	AWSVPCTrunking bool `json:"awsvpcTrunking,omitempty"`
	// Subnets are the VPC's subnets that services' networkConfiguration
	// names (sim.World.CreateSubnet).
	Subnets []Subnet `json:"subnets,omitempty"`

	// FileSystems are Amazon EFS file systems that task definitions'
	// volumes name, created first.
	FileSystems []FileSystem `json:"fileSystems,omitempty"`

	// TaskDefinitions are registered in order; two entries of one family
	// make revisions 1 and 2 ("web:1", "web:2").
	TaskDefinitions []TaskDefinition `json:"taskDefinitions"`
	// CapacityProviders are Auto Scaling group capacity providers that
	// clusters name (FARGATE and FARGATE_SPOT need no entry).
	CapacityProviders []CapacityProvider `json:"capacityProviders,omitempty"`
	// Clusters hold instances and services; at least one.
	Clusters []Cluster `json:"clusters"`
	// Services are created in order, after every cluster.
	Services []Service `json:"services"`
	// Actions happen at their offsets from the start, in order of At (in
	// file order at the same offset).
	Actions []Action `json:"actions,omitempty"`
}

// TaskDefinition maps to sim.TaskDefinitionInput.
type TaskDefinition struct {
	Family string `json:"family"`
	// CPU is the task's CPU units (1024 = 1 vCPU); MemoryMiB its memory in
	// MiB. Fargate requires both, from its size table.
	CPU       int `json:"cpu,omitempty"`
	MemoryMiB int `json:"memoryMiB,omitempty"`
	// NetworkMode is "awsvpc", "bridge" or "host"; empty means
	// bridge, as ECS does (Fargate requires awsvpc).
	NetworkMode sim.NetworkMode `json:"networkMode,omitempty"`
	// RequiresCompatibilities lists "EC2" and/or "FARGATE" (EXTERNAL,
	// which sim.LaunchType also reads, is not simulated).
	RequiresCompatibilities []sim.LaunchType `json:"requiresCompatibilities,omitempty"`
	// CPUArchitecture is "X86_64" (the default) or "ARM64".
	CPUArchitecture      sim.Architecture `json:"cpuArchitecture,omitempty"`
	PlacementConstraints []Constraint     `json:"placementConstraints,omitempty"`
	// Containers: at least one.
	Containers []Container `json:"containers"`
	// Volumes are the task's volumes; an efsVolumeConfiguration makes one
	// an Amazon EFS volume.
	Volumes []Volume `json:"volumes,omitempty"`
}

// Container maps to sim.ContainerDefinition.
type Container struct {
	Name                 string        `json:"name"`
	Image                string        `json:"image"`
	CPU                  int           `json:"cpu,omitempty"`
	MemoryMiB            int           `json:"memoryMiB,omitempty"`
	MemoryReservationMiB int           `json:"memoryReservationMiB,omitempty"`
	PortMappings         []PortMapping `json:"portMappings,omitempty"`
	// Essential defaults to true, as in ECS.
	Essential *bool `json:"essential,omitempty"`
	// StopTimeout is the SIGTERM-to-SIGKILL grace; zero means 30 s.
	StopTimeout Duration `json:"stopTimeout,omitzero"`
	// MountPoints are the volumes the container sees.
	MountPoints []MountPoint `json:"mountPoints,omitempty"`
}

// PortMapping maps to sim.PortMapping.
type PortMapping struct {
	ContainerPort int `json:"containerPort"`
	HostPort      int `json:"hostPort,omitempty"`
}

// Constraint is a placement constraint: type "distinctInstance", or
// "memberOf" with a cluster query language expression. (The type
// placement.ConstraintType also reads "custom", a filter written in Go,
// which a file cannot hold.)
type Constraint struct {
	Type       placement.ConstraintType `json:"type"`
	Expression string                   `json:"expression,omitempty"`
}

// Strategy is a placement strategy: "binpack" on "cpu" or "memory",
// "spread" on "instanceId", "host" or "attribute:<name>", or "random".
// (The type placement.StrategyType also reads "custom", a scorer written
// in Go, which a file cannot hold.)
type Strategy struct {
	Type  placement.StrategyType `json:"type"`
	Field string                 `json:"field,omitempty"`
}

// CapacityProvider is an Auto Scaling group capacity provider; it maps to
// sim.AutoScalingGroupProviderConfig.
type CapacityProvider struct {
	Name         string `json:"name"`
	InstanceType string `json:"instanceType"`
	// Zones are the group's Availability Zones; empty means the world's
	// default zones, as for a cluster's instances.
	Zones   []string `json:"zones,omitempty"`
	MinSize int      `json:"minSize"`
	MaxSize int      `json:"maxSize"`
	// DesiredCapacity is the group's size at the start.
	DesiredCapacity int  `json:"desiredCapacity"`
	Spot            bool `json:"spot,omitempty"`
	// InterruptionsPerHour is the Spot reclaim rate per instance-hour;
	// only with spot.
	InterruptionsPerHour float64 `json:"interruptionsPerHour,omitempty"`
	// ManagedScaling turns on cluster auto scaling; absent means off.
	ManagedScaling               *ManagedScaling `json:"managedScaling,omitempty"`
	ManagedTerminationProtection bool            `json:"managedTerminationProtection,omitempty"`
}

// ManagedScaling maps to capacity.ManagedScalingConfig (zero fields are
// ECS's defaults: target 100 %, steps 1 to 10,000, warm-up 300 s).
type ManagedScaling struct {
	TargetCapacity         int      `json:"targetCapacity,omitempty"`
	MinimumScalingStepSize int      `json:"minimumScalingStepSize,omitempty"`
	MaximumScalingStepSize int      `json:"maximumScalingStepSize,omitempty"`
	InstanceWarmupPeriod   Duration `json:"instanceWarmupPeriod,omitzero"`
}

// Cluster is an ECS cluster with its EC2 instances and capacity providers.
type Cluster struct {
	Name string `json:"name"`
	// Zones are the subnets' Availability Zones for Fargate tasks; empty
	// means the world's defaults.
	Zones []string `json:"zones,omitempty"`
	// Instances are launched at the start, outside any capacity provider.
	Instances []InstanceGroup `json:"instances,omitempty"`
	// CapacityProviders names providers of the scenario, or FARGATE and
	// FARGATE_SPOT.
	CapacityProviders               []string       `json:"capacityProviders,omitempty"`
	DefaultCapacityProviderStrategy []StrategyItem `json:"defaultCapacityProviderStrategy,omitempty"`
}

// InstanceGroup is Count instances of one type spread round-robin over
// Zones (empty means the catalog's default zones).
type InstanceGroup struct {
	Type  string   `json:"type"`
	Count int      `json:"count"`
	Zones []string `json:"zones,omitempty"`
}

// StrategyItem is one entry of a capacity provider strategy.
type StrategyItem struct {
	CapacityProvider string `json:"capacityProvider"`
	Base             int    `json:"base,omitempty"`
	Weight           int    `json:"weight,omitempty"`
}

// Service is an ECS service, optionally behind a load balancer with
// traffic, and optionally scaled by Application Auto Scaling.
type Service struct {
	Cluster string `json:"cluster"`
	Name    string `json:"name"`
	// TaskDefinition is "family" (latest revision) or "family:revision".
	TaskDefinition string `json:"taskDefinition"`
	DesiredCount   int    `json:"desiredCount"`
	// SchedulingStrategy is "REPLICA" (the default) or "DAEMON".
	SchedulingStrategy sim.SchedulingStrategy `json:"schedulingStrategy,omitempty"`
	// LaunchType is "EC2" or "FARGATE"; empty means the capacity provider
	// strategy, else the cluster's default, else EC2.
	LaunchType sim.LaunchType `json:"launchType,omitempty"`
	// PlatformVersion is the Fargate platform version; empty means
	// LATEST. EFS volumes need 1.4.0 or later.
	PlatformVersion          string                   `json:"platformVersion,omitempty"`
	CapacityProviderStrategy []StrategyItem           `json:"capacityProviderStrategy,omitempty"`
	PlacementStrategy        []Strategy               `json:"placementStrategy,omitempty"`
	PlacementConstraints     []Constraint             `json:"placementConstraints,omitempty"`
	DeploymentConfiguration  *DeploymentConfiguration `json:"deploymentConfiguration,omitempty"`
	HealthCheckGracePeriod   Duration                 `json:"healthCheckGracePeriod,omitzero"`
	// AvailabilityZoneRebalancing is "ENABLED" or "DISABLED"; empty means
	// ECS's default for the service (sim.AZRebalancingDefault).
	AvailabilityZoneRebalancing sim.AZRebalancing `json:"availabilityZoneRebalancing,omitempty"`

	// LoadBalancer puts the service's tasks behind a target group.
	LoadBalancer *LoadBalancer `json:"loadBalancer,omitempty"`
	// Traffic sends requests through the load balancer; it needs one.
	Traffic *Traffic `json:"traffic,omitempty"`
	// AutoScaling registers the service as a scalable target.
	AutoScaling *AutoScaling `json:"autoScaling,omitempty"`
	// NetworkConfiguration puts the service's awsvpc tasks in subnets of
	// the scenario, one address each.
	NetworkConfiguration *NetworkConfiguration `json:"networkConfiguration,omitempty"`
}

// Subnet maps to sim.SubnetConfig, with the EC2 API's field names.
type Subnet struct {
	SubnetId         string `json:"subnetId"`
	AvailabilityZone string `json:"availabilityZone"`
	// CidrBlock is e.g. "10.0.1.0/24", a /16 to a /28: 2^(32−prefix) − 5
	// addresses for network interfaces.
	CidrBlock string `json:"cidrBlock"`
	Public    bool   `json:"public,omitempty"`
	// ReservedAddresses are taken by things other than tasks.
	ReservedAddresses int `json:"reservedAddresses,omitempty"`
}

// NetworkConfiguration maps to sim.NetworkConfiguration.
type NetworkConfiguration struct {
	AwsvpcConfiguration *AwsvpcConfiguration `json:"awsvpcConfiguration"`
}

// AwsvpcConfiguration maps to sim.AwsVpcConfiguration.
type AwsvpcConfiguration struct {
	// Subnets name subnets of the scenario, 1 to 16.
	Subnets        []string `json:"subnets"`
	SecurityGroups []string `json:"securityGroups,omitempty"`
	// AssignPublicIp is "ENABLED" (Fargate only) or "DISABLED" (the
	// default).
	AssignPublicIp string `json:"assignPublicIp,omitempty"`
}

// DeploymentConfiguration maps to sim.DeploymentConfiguration.
type DeploymentConfiguration struct {
	MinimumHealthyPercent *int `json:"minimumHealthyPercent,omitempty"`
	MaximumPercent        *int `json:"maximumPercent,omitempty"`
	CircuitBreaker        *struct {
		Enable   bool `json:"enable"`
		Rollback bool `json:"rollback"`
	} `json:"deploymentCircuitBreaker,omitempty"`
}

// LoadBalancer is a target group in front of the service; it maps to
// loadbalancer.Config.
type LoadBalancer struct {
	// Type is "alb" (the default), "nlb" or "clb" (or the ELB API's
	// "application" and "network", or "classic"). A Classic Load Balancer
	// takes EC2 tasks in bridge or host mode with static host ports
	// only; its algorithm is "least_outstanding_requests" (an HTTP
	// listener, the default) or "round_robin" (a TCP listener), and
	// deregistrationDelay is its connection draining timeout.
	Type loadbalancer.Type `json:"type,omitempty"`
	// Algorithm is "round_robin", "least_outstanding_requests",
	// "weighted_random" (ALB) or "flow_hash" (NLB); empty means the type's
	// default.
	Algorithm           loadbalancer.Algorithm `json:"algorithm,omitempty"`
	HealthCheck         *HealthCheck           `json:"healthCheck,omitempty"`
	DeregistrationDelay *Duration              `json:"deregistrationDelay,omitempty"`
	SlowStart           Duration               `json:"slowStart,omitzero"`
	// Nodes is the number of load-balancer nodes requests enter through;
	// zero means one per zone of the targets (loadbalancer.Config.Nodes).
	Nodes int `json:"nodes,omitempty"`
	// SharedRoundRobin keeps one round-robin cursor for the whole target
	// group instead of one per node (loadbalancer.Config.SharedRoundRobin).
	SharedRoundRobin bool `json:"sharedRoundRobin,omitempty"`
}

// HealthCheck maps to loadbalancer.HealthCheck; zero fields are the API's
// defaults for the type.
type HealthCheck struct {
	Interval           Duration `json:"interval,omitzero"`
	Timeout            Duration `json:"timeout,omitzero"`
	HealthyThreshold   int      `json:"healthyThreshold,omitempty"`
	UnhealthyThreshold int      `json:"unhealthyThreshold,omitempty"`
}

// Traffic is the request stream through the service's load balancer; it
// maps to sim.WorkloadConfig.
type Traffic struct {
	// Mode is "request" (every request simulated, the default) or "fluid"
	// (queueing formulas per step).
	Mode sim.WorkloadMode `json:"mode,omitempty"`
	// Rate is the offered load in requests per second over time.
	Rate Rate `json:"rate"`
	// Delay holds the traffic back while the tasks start: no request
	// arrives before this offset from the scenario's start, and the rate
	// plays from its own time 0 at Delay (traffic.Delayed). Zero means
	// requests from the first instant.
	Delay Duration `json:"delay,omitzero"`
	// Work is the CPU work of one request at one vCPU.
	Work Work `json:"work"`
	// Server is the application inside each task.
	Server *Server `json:"server,omitempty"`
	// SeparateHealthEndpoint answers health checks outside the request
	// queue (see sim.WorkloadConfig).
	SeparateHealthEndpoint bool `json:"separateHealthEndpoint,omitempty"`
	// IO gives each request reads and writes on an EFS volume of its task
	// (see sim.RequestIO).
	IO *RequestIO `json:"io,omitempty"`
}

// Rate is exactly one of its fields: a request rate over time (the offset
// from the scenario's start), in requests per second.
type Rate struct {
	// Constant is a flat rate.
	Constant *float64 `json:"constant,omitempty"`
	// Diurnal is a sinusoid: mean·(1 + amplitude·cos(2π(t − peak)/period)).
	Diurnal *Diurnal `json:"diurnal,omitempty"`
	// Steps holds each point's rate until the next point.
	Steps []RatePoint `json:"steps,omitempty"`
	// Linear interpolates between points.
	Linear []RatePoint `json:"linear,omitempty"`
	// Series replays a CSV time series read from Options.Files.
	Series *SeriesFile `json:"series,omitempty"`
}

// Diurnal maps to traffic.Diurnal: Mean in requests per second, Amplitude
// the relative swing in [0, 1], Peak the offset of the highest rate;
// Period defaults to 24 h.
type Diurnal struct {
	Mean      float64  `json:"mean"`
	Amplitude float64  `json:"amplitude"`
	Period    Duration `json:"period,omitzero"`
	Peak      Duration `json:"peak,omitzero"`
}

// RatePoint is a rate from an offset on.
type RatePoint struct {
	At        Duration `json:"at"`
	PerSecond float64  `json:"perSecond"`
}

// SeriesFile is a CSV file of one value per time step (see
// traffic.ReadSeriesCSV): a rate, or a count per step when Counts is set.
// Its first row plays at Offset from the scenario's start.
type SeriesFile struct {
	File        string   `json:"file"`
	TimeColumn  string   `json:"timeColumn"`
	ValueColumn string   `json:"valueColumn"`
	Counts      bool     `json:"counts,omitempty"`
	Scale       float64  `json:"scale,omitempty"`   // zero means 1
	Speedup     float64  `json:"speedup,omitempty"` // zero means 1
	Offset      Duration `json:"offset,omitzero"`
}

// Work is a request's CPU work at one vCPU: Distribution "exponential"
// (the default), "fixed", "lognormal" or "hyperexponential" (the families
// of package sim/dist) with mean Mean and squared coefficient of variation
// SCV (for the last two; exponential has 1 and fixed 0).
type Work struct {
	Distribution dist.Kind `json:"distribution,omitempty"`
	Mean         Duration  `json:"mean"`
	SCV          float64   `json:"scv,omitempty"`
}

// dist is the work's distribution: its family with the mean and C² given
// (exponential when Distribution is unset; C² is the family's own for
// exponential and fixed).
func (w Work) dist() dist.Dist {
	mean := w.Mean.D()
	switch w.Distribution {
	case dist.KindFixed:
		return dist.Fixed(mean)
	case dist.KindLogNormal:
		return dist.LogNormalMean(mean, w.SCV)
	case dist.KindHyperExponential:
		return dist.HyperExponential(mean, w.SCV)
	}
	return dist.Exponential(mean)
}

// Server maps to traffic.ServerConfig.
type Server struct {
	// Discipline is "ps" (processor sharing) or "fcfs"; absent means ps.
	Discipline *traffic.Discipline `json:"discipline,omitempty"`
	// Concurrency is the requests served at once (0 = unlimited for ps, the
	// task's vCPUs for fcfs); QueueLimit the waiting room (0 = none).
	Concurrency int `json:"concurrency,omitempty"`
	QueueLimit  int `json:"queueLimit,omitempty"`
	// Timeout is the client's timeout; zero means none.
	Timeout Duration `json:"timeout,omitzero"`
}

// AutoScaling is a scalable target with its policies.
type AutoScaling struct {
	MinCapacity      int               `json:"minCapacity"`
	MaxCapacity      int               `json:"maxCapacity"`
	TargetTracking   []TargetTracking  `json:"targetTracking,omitempty"`
	StepScaling      []StepScaling     `json:"stepScaling,omitempty"`
	ScheduledActions []ScheduledAction `json:"scheduledActions,omitempty"`
	// Predictive are predictive scaling policies (autoscale.PredictiveScaling).
	Predictive []PredictiveScaling `json:"predictive,omitempty"`
}

// PredictiveScaling maps to autoscale.PredictiveScalingConfig with a
// predefined metric pair: "ECSServiceCPUUtilization",
// "ECSServiceMemoryUtilization" or "ALBRequestCount" (which needs the
// service's load balancer). Mode is "ForecastOnly" (the default) or
// "ForecastAndScale"; schedulingBufferTime absent means 300 s;
// maxCapacityBreachBehavior is "HonorMaxCapacity" (the default) or
// "IncreaseMaxCapacity", with maxCapacityBuffer in percent.
type PredictiveScaling struct {
	Name                      string                         `json:"name"`
	Mode                      autoscale.PredictiveMode       `json:"mode,omitempty"`
	MetricPair                autoscale.PredictiveMetricPair `json:"metricPair"`
	TargetValue               float64                        `json:"targetValue"`
	SchedulingBufferTime      *Duration                      `json:"schedulingBufferTime,omitempty"`
	MaxCapacityBreachBehavior autoscale.MaxCapacityBreach    `json:"maxCapacityBreachBehavior,omitempty"`
	MaxCapacityBuffer         int                            `json:"maxCapacityBuffer,omitempty"`
}

// TargetTracking maps to autoscale.TargetTrackingConfig with a predefined
// metric: "ECSServiceAverageCPUUtilization",
// "ECSServiceAverageMemoryUtilization" or "ALBRequestCountPerTarget" (which
// needs the service's load balancer), or a customized one.
type TargetTracking struct {
	Name string `json:"name"`
	// Metric is the predefined metric; CustomizedMetric names any other
	// metric the simulation publishes for the service. Exactly one of the
	// two is set.
	Metric           autoscale.PredefinedMetric `json:"metric,omitempty"`
	CustomizedMetric *CustomizedMetric          `json:"customizedMetric,omitempty"`
	TargetValue      float64                    `json:"targetValue"`
	ScaleOutCooldown Duration                   `json:"scaleOutCooldown,omitzero"`
	ScaleInCooldown  Duration                   `json:"scaleInCooldown,omitzero"`
	DisableScaleIn   bool                       `json:"disableScaleIn,omitempty"`
}

// StepScaling is a step scaling policy with the CloudWatch alarm that
// drives it, on one of the target tracking metrics above or a customized
// metric.
type StepScaling struct {
	Name string `json:"name"`
	// Metric is a predefined metric name, as for TargetTracking; Statistic
	// a CloudWatch statistic ("Average", "Maximum", "p99"); empty means the
	// metric's own.
	Metric    autoscale.PredefinedMetric `json:"metric,omitempty"`
	Statistic string                     `json:"statistic,omitempty"`
	// CustomizedMetric, instead of Metric and Statistic, names any other
	// metric the simulation publishes for the service, with its statistic.
	CustomizedMetric  *CustomizedMetric `json:"customizedMetric,omitempty"`
	Period            Duration          `json:"period,omitzero"`
	EvaluationPeriods int               `json:"evaluationPeriods"`
	DatapointsToAlarm int               `json:"datapointsToAlarm,omitempty"`
	Threshold         float64           `json:"threshold"`
	// ComparisonOperator is "GreaterThanThreshold",
	// "GreaterThanOrEqualToThreshold", "LessThanThreshold" or
	// "LessThanOrEqualToThreshold".
	ComparisonOperator metrics.ComparisonOperator `json:"comparisonOperator"`
	// TreatMissingData is "missing" (the default), "ignore", "breaching" or
	// "notBreaching".
	TreatMissingData metrics.MissingData `json:"treatMissingData,omitempty"`
	// AdjustmentType is "ChangeInCapacity", "PercentChangeInCapacity" or
	// "ExactCapacity".
	AdjustmentType         autoscale.AdjustmentType `json:"adjustmentType"`
	StepAdjustments        []StepAdjustment         `json:"stepAdjustments"`
	MinAdjustmentMagnitude int                      `json:"minAdjustmentMagnitude,omitempty"`
	Cooldown               *Duration                `json:"cooldown,omitempty"`
}

// StepAdjustment is one step; an absent bound is unbounded (−∞ or +∞).
type StepAdjustment struct {
	MetricIntervalLowerBound *float64 `json:"metricIntervalLowerBound,omitempty"`
	MetricIntervalUpperBound *float64 `json:"metricIntervalUpperBound,omitempty"`
	ScalingAdjustment        int      `json:"scalingAdjustment"`
}

// ScheduledAction maps to autoscale.ScheduledAction: Schedule is
// "at(...)", "rate(...)" or "cron(...)".
type ScheduledAction struct {
	Name        string `json:"name"`
	Schedule    string `json:"schedule"`
	Timezone    string `json:"timezone,omitempty"`
	MinCapacity *int   `json:"minCapacity,omitempty"`
	MaxCapacity *int   `json:"maxCapacity,omitempty"`
}

// Action is one thing done at an offset from the start: exactly one of its
// other fields.
type Action struct {
	At Duration `json:"at"`
	// UpdateService changes a service's desired count or task definition
	// (a new deployment).
	UpdateService *UpdateService `json:"updateService,omitempty"`
	// ZoneOutage takes an Availability Zone away for a while.
	ZoneOutage *ZoneOutage `json:"zoneOutage,omitempty"`
	// LaunchInstances adds EC2 instances to a cluster.
	LaunchInstances *LaunchInstances `json:"launchInstances,omitempty"`
}

// UpdateService maps to sim.ServiceUpdate.
type UpdateService struct {
	Cluster            string `json:"cluster"`
	Service            string `json:"service"`
	DesiredCount       *int   `json:"desiredCount,omitempty"`
	TaskDefinition     string `json:"taskDefinition,omitempty"`
	ForceNewDeployment bool   `json:"forceNewDeployment,omitempty"`
}

// ZoneOutage maps to sim.World.ScheduleZoneOutage.
type ZoneOutage struct {
	Zone     string   `json:"zone"`
	Duration Duration `json:"duration"`
}

// LaunchInstances launches Count instances of Type in a cluster.
type LaunchInstances struct {
	Cluster string `json:"cluster"`
	InstanceGroup
}
