package scenario

import (
	"encoding/json"
	"reflect"
)

// The AWS documents ImportAWS reads, in the shapes of the AWS CLI's JSON
// (output of the describe-* calls, or --cli-input-json input of the
// register-*, create-* and put-* calls). Each type holds the fields the
// simulation uses; awsIgnored lists, per type, the fields AWS documents
// that it does not use, which the import report lists. Field names and
// shapes are those of the API references:
//
//   - ECS: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskDefinition.html,
//     API_ContainerDefinition.html, API_Service.html, API_CreateService.html,
//     API_Cluster.html, API_CapacityProvider.html
//   - EC2: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html
//   - Amazon EFS: https://docs.aws.amazon.com/efs/latest/ug/API_FileSystemDescription.html,
//     API_MountTargetDescription.html; ECS volumes:
//     https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html
//   - EC2 Auto Scaling: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingGroup.html
//   - Application Auto Scaling: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_ScalableTarget.html,
//     API_ScalingPolicy.html, API_ScheduledAction.html,
//     API_PredictiveScalingPolicyConfiguration.html
//   - CloudWatch: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html,
//     API_GetMetricStatistics.html, API_GetMetricData.html
//   - Elastic Load Balancing: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroup.html,
//     API_TargetGroupAttribute.html; Classic:
//     https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_LoadBalancerDescription.html,
//     API_LoadBalancerAttributes.html

// ECS: describe-task-definition, register-task-definition.

type awsDescribeTaskDefinition struct {
	TaskDefinition *awsTaskDefinition `json:"taskDefinition"`
}

type awsTaskDefinition struct {
	Family                  string               `json:"family"`
	TaskDefinitionArn       string               `json:"taskDefinitionArn"`
	Revision                int                  `json:"revision"`
	CPU                     json.RawMessage      `json:"cpu"`
	Memory                  json.RawMessage      `json:"memory"`
	NetworkMode             string               `json:"networkMode"`
	RequiresCompatibilities []string             `json:"requiresCompatibilities"`
	RuntimePlatform         *awsRuntimePlatform  `json:"runtimePlatform"`
	PlacementConstraints    []awsConstraint      `json:"placementConstraints"`
	ContainerDefinitions    []awsContainer       `json:"containerDefinitions"`
	EphemeralStorage        *awsEphemeralStorage `json:"ephemeralStorage"`
	Volumes                 []awsVolume          `json:"volumes"`
}

type awsVolume struct {
	Name                   string        `json:"name"`
	EfsVolumeConfiguration *awsEFSVolume `json:"efsVolumeConfiguration"`
}

type awsEFSVolume struct {
	FileSystemID          string                  `json:"fileSystemId"`
	RootDirectory         string                  `json:"rootDirectory"`
	TransitEncryption     string                  `json:"transitEncryption"`
	TransitEncryptionPort int                     `json:"transitEncryptionPort"`
	AuthorizationConfig   *awsEFSAuthorizationCfg `json:"authorizationConfig"`
}

type awsEFSAuthorizationCfg struct {
	AccessPointID string `json:"accessPointId"`
	IAM           string `json:"iam"`
}

type awsMountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly"`
}

type awsRuntimePlatform struct {
	CPUArchitecture string `json:"cpuArchitecture"`
}

type awsEphemeralStorage struct {
	SizeInGiB int `json:"sizeInGiB"`
}

type awsContainer struct {
	Name              string           `json:"name"`
	Image             string           `json:"image"`
	CPU               int              `json:"cpu"`
	Memory            int              `json:"memory"`
	MemoryReservation int              `json:"memoryReservation"`
	PortMappings      []awsPortMapping `json:"portMappings"`
	Essential         *bool            `json:"essential"`
	StopTimeout       *int             `json:"stopTimeout"`
	MountPoints       []awsMountPoint  `json:"mountPoints"`
}

type awsPortMapping struct {
	ContainerPort int `json:"containerPort"`
	HostPort      int `json:"hostPort"`
}

type awsConstraint struct {
	Type       string `json:"type"`
	Expression string `json:"expression"`
}

// ECS: describe-services, create-service.

type awsDescribeServices struct {
	Services []awsService    `json:"services"`
	Failures json.RawMessage `json:"failures"`
}

type awsCreateServiceOutput struct {
	Service *awsService `json:"service"`
}

type awsService struct {
	ServiceName                   string                      `json:"serviceName"`
	ServiceArn                    string                      `json:"serviceArn"`
	Cluster                       string                      `json:"cluster"`
	ClusterArn                    string                      `json:"clusterArn"`
	TaskDefinition                string                      `json:"taskDefinition"`
	DesiredCount                  *int                        `json:"desiredCount"`
	LaunchType                    string                      `json:"launchType"`
	CapacityProviderStrategy      []awsStrategyItem           `json:"capacityProviderStrategy"`
	PlacementStrategy             []awsPlacementStrategy      `json:"placementStrategy"`
	PlacementConstraints          []awsConstraint             `json:"placementConstraints"`
	DeploymentConfiguration       *awsDeploymentConfiguration `json:"deploymentConfiguration"`
	HealthCheckGracePeriodSeconds *int                        `json:"healthCheckGracePeriodSeconds"`
	SchedulingStrategy            string                      `json:"schedulingStrategy"`
	AvailabilityZoneRebalancing   string                      `json:"availabilityZoneRebalancing"`
	LoadBalancers                 []awsServiceLoadBalancer    `json:"loadBalancers"`
	NetworkConfiguration          *awsNetworkConfiguration    `json:"networkConfiguration"`
	PlatformVersion               string                      `json:"platformVersion"`
}

type awsNetworkConfiguration struct {
	AwsvpcConfiguration *awsAwsvpcConfiguration `json:"awsvpcConfiguration"`
}

type awsAwsvpcConfiguration struct {
	Subnets        []string `json:"subnets"`
	SecurityGroups []string `json:"securityGroups"`
	AssignPublicIp string   `json:"assignPublicIp"`
}

type awsStrategyItem struct {
	CapacityProvider string `json:"capacityProvider"`
	Weight           int    `json:"weight"`
	Base             int    `json:"base"`
}

type awsPlacementStrategy struct {
	Type  string `json:"type"`
	Field string `json:"field"`
}

type awsDeploymentConfiguration struct {
	MaximumPercent           *int               `json:"maximumPercent"`
	MinimumHealthyPercent    *int               `json:"minimumHealthyPercent"`
	DeploymentCircuitBreaker *awsCircuitBreaker `json:"deploymentCircuitBreaker"`
}

type awsCircuitBreaker struct {
	Enable   bool `json:"enable"`
	Rollback bool `json:"rollback"`
}

type awsServiceLoadBalancer struct {
	TargetGroupArn   string `json:"targetGroupArn"`
	LoadBalancerName string `json:"loadBalancerName"`
}

// ECS: describe-clusters, describe-capacity-providers.

type awsDescribeClusters struct {
	Clusters []awsCluster    `json:"clusters"`
	Failures json.RawMessage `json:"failures"`
}

type awsCluster struct {
	ClusterName                     string            `json:"clusterName"`
	ClusterArn                      string            `json:"clusterArn"`
	CapacityProviders               []string          `json:"capacityProviders"`
	DefaultCapacityProviderStrategy []awsStrategyItem `json:"defaultCapacityProviderStrategy"`
}

type awsDescribeCapacityProviders struct {
	CapacityProviders []awsCapacityProvider `json:"capacityProviders"`
	Failures          json.RawMessage       `json:"failures"`
	NextToken         json.RawMessage       `json:"nextToken"`
}

type awsCapacityProvider struct {
	Name                     string          `json:"name"`
	CapacityProviderArn      string          `json:"capacityProviderArn"`
	AutoScalingGroupProvider *awsASGProvider `json:"autoScalingGroupProvider"`
}

type awsASGProvider struct {
	AutoScalingGroupArn          string             `json:"autoScalingGroupArn"`
	ManagedScaling               *awsManagedScaling `json:"managedScaling"`
	ManagedTerminationProtection string             `json:"managedTerminationProtection"`
}

type awsManagedScaling struct {
	Status                 string `json:"status"`
	TargetCapacity         int    `json:"targetCapacity"`
	MinimumScalingStepSize int    `json:"minimumScalingStepSize"`
	MaximumScalingStepSize int    `json:"maximumScalingStepSize"`
	InstanceWarmupPeriod   *int   `json:"instanceWarmupPeriod"`
}

// EC2 Auto Scaling: describe-auto-scaling-groups.

type awsDescribeASGs struct {
	AutoScalingGroups []awsASG        `json:"AutoScalingGroups"`
	NextToken         json.RawMessage `json:"NextToken"`
}

type awsASG struct {
	AutoScalingGroupName string             `json:"AutoScalingGroupName"`
	AutoScalingGroupARN  string             `json:"AutoScalingGroupARN"`
	MinSize              int                `json:"MinSize"`
	MaxSize              int                `json:"MaxSize"`
	DesiredCapacity      int                `json:"DesiredCapacity"`
	AvailabilityZones    []string           `json:"AvailabilityZones"`
	MixedInstancesPolicy *awsMixedInstances `json:"MixedInstancesPolicy"`
	Instances            []awsASGInstance   `json:"Instances"`
}

type awsMixedInstances struct {
	LaunchTemplate        *awsMixedLaunchTemplate   `json:"LaunchTemplate"`
	InstancesDistribution *awsInstancesDistribution `json:"InstancesDistribution"`
}

type awsMixedLaunchTemplate struct {
	Overrides []awsOverride `json:"Overrides"`
}

type awsOverride struct {
	InstanceType string `json:"InstanceType"`
}

type awsInstancesDistribution struct {
	OnDemandBaseCapacity                *int `json:"OnDemandBaseCapacity"`
	OnDemandPercentageAboveBaseCapacity *int `json:"OnDemandPercentageAboveBaseCapacity"`
}

type awsASGInstance struct {
	InstanceType     string `json:"InstanceType"`
	AvailabilityZone string `json:"AvailabilityZone"`
}

// Application Auto Scaling: describe-scalable-targets,
// describe-scaling-policies, describe-scheduled-actions, and the
// register-scalable-target, put-scaling-policy and put-scheduled-action
// inputs.

type awsDescribeScalableTargets struct {
	ScalableTargets []awsScalableTarget `json:"ScalableTargets"`
	NextToken       json.RawMessage     `json:"NextToken"`
}

type awsScalableTarget struct {
	ServiceNamespace  string `json:"ServiceNamespace"`
	ResourceID        string `json:"ResourceId"`
	ScalableDimension string `json:"ScalableDimension"`
	MinCapacity       *int   `json:"MinCapacity"`
	MaxCapacity       *int   `json:"MaxCapacity"`
}

type awsDescribeScalingPolicies struct {
	ScalingPolicies []awsScalingPolicy `json:"ScalingPolicies"`
	NextToken       json.RawMessage    `json:"NextToken"`
}

type awsScalingPolicy struct {
	PolicyName                               string                   `json:"PolicyName"`
	PolicyARN                                string                   `json:"PolicyARN"`
	ServiceNamespace                         string                   `json:"ServiceNamespace"`
	ResourceID                               string                   `json:"ResourceId"`
	ScalableDimension                        string                   `json:"ScalableDimension"`
	PolicyType                               string                   `json:"PolicyType"`
	TargetTrackingScalingPolicyConfiguration *awsTargetTrackingConfig `json:"TargetTrackingScalingPolicyConfiguration"`
	StepScalingPolicyConfiguration           *awsStepScalingConfig    `json:"StepScalingPolicyConfiguration"`
	PredictiveScalingPolicyConfiguration     *awsPredictiveConfig     `json:"PredictiveScalingPolicyConfiguration"`
	Alarms                                   []awsAlarmRef            `json:"Alarms"`
}

type awsTargetTrackingConfig struct {
	TargetValue                   float64              `json:"TargetValue"`
	PredefinedMetricSpecification *awsPredefinedMetric `json:"PredefinedMetricSpecification"`
	CustomizedMetricSpecification *awsCustomizedMetric `json:"CustomizedMetricSpecification"`
	ScaleOutCooldown              *int                 `json:"ScaleOutCooldown"`
	ScaleInCooldown               *int                 `json:"ScaleInCooldown"`
	DisableScaleIn                bool                 `json:"DisableScaleIn"`
}

type awsPredictiveConfig struct {
	MetricSpecifications      []awsPredictiveMetricSpec `json:"MetricSpecifications"`
	Mode                      string                    `json:"Mode"`
	SchedulingBufferTime      *int                      `json:"SchedulingBufferTime"`
	MaxCapacityBreachBehavior string                    `json:"MaxCapacityBreachBehavior"`
	MaxCapacityBuffer         *int                      `json:"MaxCapacityBuffer"`
}

type awsPredictiveMetricSpec struct {
	TargetValue                       float64              `json:"TargetValue"`
	PredefinedMetricPairSpecification *awsPredefinedMetric `json:"PredefinedMetricPairSpecification"`
	// Separate scaling and load metrics, predefined or customized, are
	// not simulated: their presence is an error that says so.
	PredefinedScalingMetricSpecification  json.RawMessage `json:"PredefinedScalingMetricSpecification"`
	PredefinedLoadMetricSpecification     json.RawMessage `json:"PredefinedLoadMetricSpecification"`
	CustomizedScalingMetricSpecification  json.RawMessage `json:"CustomizedScalingMetricSpecification"`
	CustomizedLoadMetricSpecification     json.RawMessage `json:"CustomizedLoadMetricSpecification"`
	CustomizedCapacityMetricSpecification json.RawMessage `json:"CustomizedCapacityMetricSpecification"`
}

type awsPredefinedMetric struct {
	PredefinedMetricType string `json:"PredefinedMetricType"`
}

type awsStepScalingConfig struct {
	AdjustmentType         string              `json:"AdjustmentType"`
	StepAdjustments        []awsStepAdjustment `json:"StepAdjustments"`
	MinAdjustmentMagnitude int                 `json:"MinAdjustmentMagnitude"`
	Cooldown               *int                `json:"Cooldown"`
}

type awsStepAdjustment struct {
	MetricIntervalLowerBound *float64 `json:"MetricIntervalLowerBound"`
	MetricIntervalUpperBound *float64 `json:"MetricIntervalUpperBound"`
	ScalingAdjustment        int      `json:"ScalingAdjustment"`
}

type awsAlarmRef struct {
	AlarmName string `json:"AlarmName"`
	AlarmARN  string `json:"AlarmARN"`
}

type awsDescribeScheduledActions struct {
	ScheduledActions []awsScheduledAction `json:"ScheduledActions"`
	NextToken        json.RawMessage      `json:"NextToken"`
}

type awsScheduledAction struct {
	ScheduledActionName  string                   `json:"ScheduledActionName"`
	ServiceNamespace     string                   `json:"ServiceNamespace"`
	ResourceID           string                   `json:"ResourceId"`
	ScalableDimension    string                   `json:"ScalableDimension"`
	Schedule             string                   `json:"Schedule"`
	Timezone             string                   `json:"Timezone"`
	ScalableTargetAction *awsScalableTargetAction `json:"ScalableTargetAction"`
}

type awsScalableTargetAction struct {
	MinCapacity *int `json:"MinCapacity"`
	MaxCapacity *int `json:"MaxCapacity"`
}

// CloudWatch: describe-alarms (the alarms of step scaling policies),
// get-metric-statistics and get-metric-data (the traffic).

type awsDescribeAlarms struct {
	MetricAlarms    []awsAlarm      `json:"MetricAlarms"`
	CompositeAlarms json.RawMessage `json:"CompositeAlarms"`
	NextToken       json.RawMessage `json:"NextToken"`
}

type awsAlarm struct {
	AlarmName          string         `json:"AlarmName"`
	AlarmArn           string         `json:"AlarmArn"`
	AlarmActions       []string       `json:"AlarmActions"`
	MetricName         string         `json:"MetricName"`
	Namespace          string         `json:"Namespace"`
	Statistic          string         `json:"Statistic"`
	ExtendedStatistic  string         `json:"ExtendedStatistic"`
	Dimensions         []awsDimension `json:"Dimensions"`
	Period             int            `json:"Period"`
	EvaluationPeriods  int            `json:"EvaluationPeriods"`
	DatapointsToAlarm  int            `json:"DatapointsToAlarm"`
	Threshold          float64        `json:"Threshold"`
	ComparisonOperator string         `json:"ComparisonOperator"`
	TreatMissingData   string         `json:"TreatMissingData"`
}

// awsCustomizedMetric is Application Auto Scaling's
// CustomizedMetricSpecification: one metric, or metric math (Metrics).
type awsCustomizedMetric struct {
	MetricName string          `json:"MetricName"`
	Namespace  string          `json:"Namespace"`
	Dimensions []awsDimension  `json:"Dimensions"`
	Statistic  string          `json:"Statistic"`
	Unit       string          `json:"Unit"`
	Metrics    json.RawMessage `json:"Metrics"`
}

type awsDimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type awsMetricStatistics struct {
	Label      string         `json:"Label"`
	Datapoints []awsDatapoint `json:"Datapoints"`
}

type awsDatapoint struct {
	Timestamp string   `json:"Timestamp"`
	Sum       *float64 `json:"Sum"`
}

type awsMetricData struct {
	MetricDataResults []awsMetricDataResult `json:"MetricDataResults"`
	NextToken         json.RawMessage       `json:"NextToken"`
	Messages          json.RawMessage       `json:"Messages"`
}

type awsMetricDataResult struct {
	ID         string    `json:"Id"`
	Label      string    `json:"Label"`
	Timestamps []string  `json:"Timestamps"`
	Values     []float64 `json:"Values"`
	StatusCode string    `json:"StatusCode"`
}

// Elastic Load Balancing v2: describe-target-groups,
// describe-target-group-attributes.

type awsDescribeTargetGroups struct {
	TargetGroups []awsTargetGroup `json:"TargetGroups"`
	NextMarker   json.RawMessage  `json:"NextMarker"`
}

type awsTargetGroup struct {
	TargetGroupArn             string `json:"TargetGroupArn"`
	TargetGroupName            string `json:"TargetGroupName"`
	Protocol                   string `json:"Protocol"`
	HealthCheckIntervalSeconds int    `json:"HealthCheckIntervalSeconds"`
	HealthCheckTimeoutSeconds  int    `json:"HealthCheckTimeoutSeconds"`
	HealthyThresholdCount      int    `json:"HealthyThresholdCount"`
	UnhealthyThresholdCount    int    `json:"UnhealthyThresholdCount"`
}

type awsTargetGroupAttributes struct {
	Attributes []awsAttribute `json:"Attributes"`
}

type awsAttribute struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// EC2: describe-subnets.

type awsDescribeSubnets struct {
	Subnets   []awsSubnet     `json:"Subnets"`
	NextToken json.RawMessage `json:"NextToken"`
}

type awsSubnet struct {
	SubnetID                string `json:"SubnetId"`
	AvailabilityZone        string `json:"AvailabilityZone"`
	CidrBlock               string `json:"CidrBlock"`
	MapPublicIPOnLaunch     bool   `json:"MapPublicIpOnLaunch"`
	AvailableIPAddressCount *int   `json:"AvailableIpAddressCount"`
}

// Elastic Load Balancing (Classic): describe-load-balancers,
// describe-load-balancer-attributes.

type awsDescribeLoadBalancers struct {
	LoadBalancerDescriptions []awsCLB        `json:"LoadBalancerDescriptions"`
	NextMarker               json.RawMessage `json:"NextMarker"`
}

type awsCLB struct {
	LoadBalancerName     string                `json:"LoadBalancerName"`
	ListenerDescriptions []awsCLBListenerEntry `json:"ListenerDescriptions"`
	HealthCheck          *awsCLBHealthCheck    `json:"HealthCheck"`
}

type awsCLBListenerEntry struct {
	Listener *awsCLBListener `json:"Listener"`
}

type awsCLBListener struct {
	Protocol string `json:"Protocol"`
}

type awsCLBHealthCheck struct {
	Interval           int `json:"Interval"`
	Timeout            int `json:"Timeout"`
	HealthyThreshold   int `json:"HealthyThreshold"`
	UnhealthyThreshold int `json:"UnhealthyThreshold"`
}

type awsDescribeCLBAttributes struct {
	LoadBalancerAttributes *awsCLBAttributes `json:"LoadBalancerAttributes"`
}

type awsCLBAttributes struct {
	ConnectionDraining *awsCLBDraining `json:"ConnectionDraining"`
}

type awsCLBDraining struct {
	Enabled bool `json:"Enabled"`
	Timeout *int `json:"Timeout"`
}

// Amazon EFS: describe-file-systems, describe-mount-targets.

type awsDescribeFileSystems struct {
	FileSystems []awsFileSystem `json:"FileSystems"`
	Marker      json.RawMessage `json:"Marker"`
	NextMarker  json.RawMessage `json:"NextMarker"`
}

type awsFileSystem struct {
	FileSystemID                 string          `json:"FileSystemId"`
	ThroughputMode               string          `json:"ThroughputMode"`
	ProvisionedThroughputInMibps *float64        `json:"ProvisionedThroughputInMibps"`
	SizeInBytes                  *awsEFSSizeInfo `json:"SizeInBytes"`
}

type awsEFSSizeInfo struct {
	Value           float64  `json:"Value"`
	ValueInStandard *float64 `json:"ValueInStandard"`
}

type awsDescribeMountTargets struct {
	MountTargets []awsMountTarget `json:"MountTargets"`
	Marker       json.RawMessage  `json:"Marker"`
	NextMarker   json.RawMessage  `json:"NextMarker"`
}

type awsMountTarget struct {
	FileSystemID         string `json:"FileSystemId"`
	AvailabilityZoneName string `json:"AvailabilityZoneName"`
}

// awsIgnored lists, per type, the fields the API documents that the
// simulation does not use: the import accepts them and lists them in its
// report. A key neither used nor listed here is a typo when it is close
// to one that is (an error with a suggestion), otherwise a field newer
// than this list, also listed in the report.
var awsIgnored = map[reflect.Type][]string{
	reflect.TypeFor[awsDescribeTaskDefinition](): {"tags"},
	reflect.TypeFor[awsTaskDefinition](): {"taskRoleArn", "executionRoleArn", "status", "requiresAttributes", "compatibilities",
		"inferenceAccelerators", "pidMode", "ipcMode", "proxyConfiguration", "registeredAt", "deregisteredAt",
		"registeredBy", "enableFaultInjection", "tags"},
	reflect.TypeFor[awsRuntimePlatform](): {"operatingSystemFamily"},
	reflect.TypeFor[awsContainer](): {"repositoryCredentials", "links", "environment", "environmentFiles", "volumesFrom",
		"linuxParameters", "secrets", "dependsOn", "startTimeout", "hostname", "user", "workingDirectory",
		"disableNetworking", "privileged", "readonlyRootFilesystem", "dnsServers", "dnsSearchDomains", "extraHosts",
		"dockerSecurityOptions", "interactive", "pseudoTerminal", "dockerLabels", "ulimits", "logConfiguration",
		"healthCheck", "systemControls", "resourceRequirements", "firelensConfiguration", "credentialSpecs",
		"entryPoint", "command", "restartPolicy", "versionConsistency"},
	reflect.TypeFor[awsPortMapping](): {"protocol", "name", "appProtocol", "containerPortRange"},
	reflect.TypeFor[awsService](): {"status", "runningCount", "pendingCount", "platformFamily", "taskSets", "deployments",
		"roleArn", "role", "events", "createdAt", "createdBy", "serviceRegistries", "deploymentController",
		"tags", "enableECSManagedTags", "propagateTags", "enableExecuteCommand", "clientToken", "serviceConnectConfiguration",
		"volumeConfigurations", "vpcLatticeConfigurations", "currentServiceDeployment", "currentServiceRevisions",
		"resourceManagementType"},
	reflect.TypeFor[awsDeploymentConfiguration](): {"alarms", "strategy", "bakeTimeInMinutes", "lifecycleHooks", "linearConfiguration", "canaryConfiguration"},
	reflect.TypeFor[awsServiceLoadBalancer]():     {"containerName", "containerPort"},
	reflect.TypeFor[awsCluster](): {"configuration", "status", "registeredContainerInstancesCount", "runningTasksCount", "pendingTasksCount",
		"activeServicesCount", "statistics", "tags", "settings", "attachments", "attachmentsStatus", "serviceConnectDefaults"},
	reflect.TypeFor[awsCapacityProvider](): {"status", "updateStatus", "updateStatusReason", "tags", "type", "cluster", "managedInstancesProvider"},
	reflect.TypeFor[awsASGProvider]():      {"managedDraining"},
	reflect.TypeFor[awsASG](): {"LaunchConfigurationName", "LaunchTemplate", "PredictedCapacity", "DefaultCooldown", "LoadBalancerNames",
		"TargetGroupARNs", "HealthCheckType", "HealthCheckGracePeriod", "CreatedTime", "SuspendedProcesses", "PlacementGroup",
		"VPCZoneIdentifier", "EnabledMetrics", "Status", "Tags", "TerminationPolicies", "NewInstancesProtectedFromScaleIn",
		"ServiceLinkedRoleARN", "MaxInstanceLifetime", "CapacityRebalance", "WarmPoolConfiguration", "WarmPoolSize", "Context",
		"DesiredCapacityType", "DefaultInstanceWarmup", "TrafficSources", "InstanceMaintenancePolicy",
		"AvailabilityZoneDistribution", "AvailabilityZoneImpairmentPolicy", "CapacityReservationSpecification"},
	reflect.TypeFor[awsMixedLaunchTemplate]():   {"LaunchTemplateSpecification"},
	reflect.TypeFor[awsOverride]():              {"WeightedCapacity", "LaunchTemplateSpecification", "InstanceRequirements"},
	reflect.TypeFor[awsInstancesDistribution](): {"OnDemandAllocationStrategy", "SpotAllocationStrategy", "SpotInstancePools", "SpotMaxPrice"},
	reflect.TypeFor[awsASGInstance](): {"InstanceId", "LifecycleState", "HealthStatus", "LaunchConfigurationName", "LaunchTemplate",
		"ProtectedFromScaleIn", "WeightedCapacity"},
	reflect.TypeFor[awsScalableTarget]():    {"RoleARN", "CreationTime", "SuspendedState", "ScalableTargetARN", "PredictedCapacity", "Tags"},
	reflect.TypeFor[awsScalingPolicy]():     {"CreationTime"},
	reflect.TypeFor[awsPredefinedMetric]():  {"ResourceLabel"},
	reflect.TypeFor[awsStepScalingConfig](): {"MetricAggregationType"},
	reflect.TypeFor[awsScheduledAction]():   {"ScheduledActionARN", "StartTime", "EndTime", "CreationTime"},
	reflect.TypeFor[awsAlarm](): {"AlarmDescription", "AlarmConfigurationUpdatedTimestamp", "ActionsEnabled", "OKActions",
		"InsufficientDataActions", "StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp", "Unit",
		"EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId", "EvaluationState", "StateTransitionedTimestamp"},
	reflect.TypeFor[awsDatapoint]():        {"SampleCount", "Average", "Minimum", "Maximum", "Unit", "ExtendedStatistics"},
	reflect.TypeFor[awsMetricDataResult](): {"Messages"},
	reflect.TypeFor[awsSubnet](): {"AvailabilityZoneId", "DefaultForAz", "MapCustomerOwnedIpOnLaunch", "CustomerOwnedIpv4Pool", "State",
		"VpcId", "OwnerId", "AssignIpv6AddressOnCreation", "Ipv6CidrBlockAssociationSet", "Tags", "SubnetArn", "OutpostArn",
		"EnableDns64", "Ipv6Native", "PrivateDnsNameOptionsOnLaunch", "EnableLniAtDeviceIndex", "BlockPublicAccessStates", "Type"},
	reflect.TypeFor[awsCLB](): {"DNSName", "CanonicalHostedZoneName", "CanonicalHostedZoneNameID", "Policies", "BackendServerDescriptions",
		"AvailabilityZones", "Subnets", "VPCId", "Instances", "SourceSecurityGroup", "SecurityGroups", "CreatedTime", "Scheme"},
	reflect.TypeFor[awsCLBListenerEntry](): {"PolicyNames"},
	reflect.TypeFor[awsCLBListener]():      {"LoadBalancerPort", "InstanceProtocol", "InstancePort", "SSLCertificateId"},
	reflect.TypeFor[awsCLBHealthCheck]():   {"Target"},
	reflect.TypeFor[awsCLBAttributes]():    {"CrossZoneLoadBalancing", "AccessLog", "ConnectionSettings", "AdditionalAttributes"},
	reflect.TypeFor[awsVolume]():           {"host", "dockerVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration", "configuredAtLaunch"},
	reflect.TypeFor[awsFileSystem](): {"OwnerId", "CreationToken", "FileSystemArn", "CreationTime", "LifeCycleState", "Name",
		"NumberOfMountTargets", "PerformanceMode", "Encrypted", "KmsKeyId", "Tags", "AvailabilityZoneName", "AvailabilityZoneId",
		"FileSystemProtection"},
	reflect.TypeFor[awsEFSSizeInfo](): {"Timestamp", "ValueInIA", "ValueInArchive"},
	reflect.TypeFor[awsMountTarget](): {"OwnerId", "MountTargetId", "SubnetId", "LifeCycleState", "IpAddress", "Ipv6Address",
		"NetworkInterfaceId", "AvailabilityZoneId", "VpcId"},
	reflect.TypeFor[awsTargetGroup](): {"Port", "VpcId", "HealthCheckProtocol", "HealthCheckPort", "HealthCheckEnabled", "HealthCheckPath",
		"Matcher", "LoadBalancerArns", "TargetType", "ProtocolVersion", "IpAddressType"},
}
