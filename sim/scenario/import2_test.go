package scenario

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
)

// readJSON decodes a corpus file straight, as the oracle of its import.
func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// TestImportSubnets: the service's networkConfiguration imports with the
// subnets of describe-subnets; each subnet's capacity in the run is the
// AvailableIpAddressCount AWS printed (its other addresses reserved), and
// no subnet holds more tasks than that. A subnet no output describes is
// an assumed /24, said in the report.
func TestImportSubnets(t *testing.T) {
	im, err := ImportAWS(DirFS("testdata/aws"), ImportOptions{}, "fargate-web")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Subnets []struct {
			SubnetId                string
			AvailabilityZone        string
			AvailableIpAddressCount int
		}
	}
	readJSON(t, "testdata/aws/fargate-web/subnets.json", &doc)
	nc := im.Scenario.Services[0].NetworkConfiguration
	if nc == nil || !slices.Equal(nc.AwsvpcConfiguration.Subnets, []string{"subnet-12344321", "subnet-43211234"}) || nc.AwsvpcConfiguration.AssignPublicIp != "DISABLED" {
		t.Fatalf("networkConfiguration %+v", nc)
	}
	r, err := Run(im.Scenario, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Subnets) != len(doc.Subnets) {
		t.Fatalf("%d subnets in the report, %d described", len(r.Subnets), len(doc.Subnets))
	}
	for i, want := range doc.Subnets {
		got := r.Subnets[i]
		if got.SubnetId != want.SubnetId || got.Capacity != want.AvailableIpAddressCount || got.PeakInUse > got.Capacity || got.PeakInUse == 0 {
			t.Errorf("subnet %d: %+v; want %s with capacity %d (AvailableIpAddressCount), in use at most that", i, got, want.SubnetId, want.AvailableIpAddressCount)
		}
	}

	// Without describe-subnets: an assumed /24 per subnet, over the
	// service's zones, in the report.
	svc := []byte(`{"serviceName": "api", "cluster": "prod", "taskDefinition": "api", "desiredCount": 2, "launchType": "FARGATE",
	  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-a", "subnet-b"], "securityGroups": ["sg-1"]}}}`)
	td := []byte(`{"family": "api", "cpu": "256", "memory": "512", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
	  "containerDefinitions": [{"name": "a", "image": "a"}]}`)
	im, err = ImportAWSDocuments([]AWSDocument{{Name: "td.json", Data: td}, {Name: "svc.json", Data: svc}}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	subnets := im.Scenario.Subnets
	if len(subnets) != 2 || subnets[0].CidrBlock == subnets[1].CidrBlock || subnets[0].AvailabilityZone != sim.DefaultFargateZones[0] || subnets[1].AvailabilityZone != sim.DefaultFargateZones[1] {
		t.Errorf("assumed subnets %+v", subnets)
	}
	for _, id := range []string{"subnet-a", "subnet-b"} {
		if !slices.ContainsFunc(im.Assumed, func(a string) bool { return strings.HasPrefix(a, "subnet "+id+" (service api): not described") }) {
			t.Errorf("no assumed entry for %s: %q", id, im.Assumed)
		}
	}

	// An EC2 service's assumed subnets are in its instances' zones (the
	// Auto Scaling group of ec2-classic: us-east-1a and us-east-1b), not
	// the Fargate defaults (which have a third, us-east-1c).
	var docs []AWSDocument
	for _, f := range []string{"clusters.json", "auto-scaling-groups.json"} {
		data, err := os.ReadFile("testdata/aws/ec2-classic/" + f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, AWSDocument{Name: f, Data: data})
	}
	ec2td := []byte(`{"family": "api", "cpu": "256", "memory": "512", "networkMode": "awsvpc", "requiresCompatibilities": ["EC2"],
	  "containerDefinitions": [{"name": "a", "image": "a"}]}`)
	ec2svc := []byte(`{"serviceName": "api", "cluster": "legacy", "taskDefinition": "api", "desiredCount": 2, "launchType": "EC2",
	  "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-x", "subnet-y", "subnet-z"]}}}`)
	im, err = ImportAWSDocuments(append(docs, AWSDocument{Name: "td.json", Data: ec2td}, AWSDocument{Name: "svc.json", Data: ec2svc}), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sn := im.Scenario.Subnets; len(sn) != 3 || sn[0].AvailabilityZone != "us-east-1a" || sn[1].AvailabilityZone != "us-east-1b" || sn[2].AvailabilityZone != "us-east-1a" {
		t.Errorf("an EC2 service's assumed subnets %+v; want us-east-1a, us-east-1b, us-east-1a: its instances' zones in turn", sn)
	}

	// A typo in the new kind is an error with a suggestion.
	_, err = ImportAWSDocuments([]AWSDocument{{Name: "subnets.json", Data: []byte(`{"Subnets": [{"SubnetId": "subnet-a", "AvailabilityZone": "us-east-1a", "CidrBlock": "10.0.0.0/24", "AvailableIpAdressCount": 3}]}`)},
		{Name: "td.json", Data: td}, {Name: "svc.json", Data: svc}}, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), `(did you mean "AvailableIpAddressCount"?)`) {
		t.Errorf("a typo in describe-subnets: %v", err)
	}
}

// TestImportClassic: a service's loadBalancerName imports as a Classic
// Load Balancer with describe-load-balancers' health check and
// describe-load-balancer-attributes' connection draining (the oracle is
// the JSON itself); the Auto Scaling group no capacity provider names
// gives the cluster its instances; the run registers one instance per
// task with the load balancer.
func TestImportClassic(t *testing.T) {
	im, err := ImportAWS(DirFS("testdata/aws"), ImportOptions{}, "ec2-classic")
	if err != nil {
		t.Fatal(err)
	}
	var lbs struct {
		LoadBalancerDescriptions []struct {
			HealthCheck struct{ Interval, Timeout, HealthyThreshold, UnhealthyThreshold int }
		}
	}
	readJSON(t, "testdata/aws/ec2-classic/load-balancers.json", &lbs)
	var attrs struct {
		LoadBalancerAttributes struct{ ConnectionDraining struct{ Timeout int } }
	}
	readJSON(t, "testdata/aws/ec2-classic/catalog-clb-attributes.json", &attrs)
	want := lbs.LoadBalancerDescriptions[0].HealthCheck
	lb := im.Scenario.Services[0].LoadBalancer
	if lb == nil || lb.Type != loadbalancer.CLB || lb.HealthCheck == nil {
		t.Fatalf("load balancer %+v", lb)
	}
	hc := lb.HealthCheck
	if hc.Interval.D() != time.Duration(want.Interval)*time.Second || hc.Timeout.D() != time.Duration(want.Timeout)*time.Second ||
		hc.HealthyThreshold != want.HealthyThreshold || hc.UnhealthyThreshold != want.UnhealthyThreshold {
		t.Errorf("health check %+v; want %+v", hc, want)
	}
	if lb.DeregistrationDelay == nil || lb.DeregistrationDelay.D() != time.Duration(attrs.LoadBalancerAttributes.ConnectionDraining.Timeout)*time.Second {
		t.Errorf("deregistration delay %v; want the draining timeout %d s", lb.DeregistrationDelay, attrs.LoadBalancerAttributes.ConnectionDraining.Timeout)
	}
	s, err := Build(im.Scenario, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	b := s.built("legacy", "catalog")
	if got := len(b.lb.Instances()); got != 3 || b.svc.RunningCount() != 3 || len(s.World.Instances()) != 4 {
		t.Errorf("%d instances registered, %d tasks running, %d instances; want 3, 3, 4", got, b.svc.RunningCount(), len(s.World.Instances()))
	}
	if r.Services[0].Requests.Arrived == 0 {
		t.Error("no request went through the Classic Load Balancer")
	}

	// Not described: the CLB defaults, said in the report.
	svc := []byte(`{"serviceName": "api", "cluster": "c", "taskDefinition": "catalog:4", "desiredCount": 1, "launchType": "EC2",
	  "loadBalancers": [{"loadBalancerName": "old-clb", "containerName": "catalog", "containerPort": 8080}]}`)
	td, _ := os.ReadFile("testdata/aws/ec2-classic/task-definition.json")
	im, err = ImportAWSDocuments([]AWSDocument{{Name: "td.json", Data: td}, {Name: "svc.json", Data: svc}}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if lb := im.Scenario.Services[0].LoadBalancer; lb == nil || lb.Type != loadbalancer.CLB || lb.HealthCheck != nil ||
		!slices.ContainsFunc(im.Assumed, func(a string) bool { return strings.Contains(a, "Classic Load Balancer old-clb not described") }) {
		t.Errorf("an undescribed CLB: %+v, assumed %q", lb, im.Assumed)
	}

	// A TCP listener routes round robin; draining disabled deregisters at
	// once (ELB's documented behaviour without connection draining).
	tcp := []byte(`{"LoadBalancerDescriptions": [{"LoadBalancerName": "old-clb", "ListenerDescriptions": [{"Listener": {"Protocol": "TCP", "LoadBalancerPort": 80, "InstancePort": 80}}]}]}`)
	off := []byte(`{"LoadBalancerAttributes": {"ConnectionDraining": {"Enabled": false, "Timeout": 300}}}`)
	im, err = ImportAWSDocuments([]AWSDocument{{Name: "td.json", Data: td}, {Name: "svc.json", Data: svc}, {Name: "lb.json", Data: tcp}, {Name: "old-clb-attributes.json", Data: off}}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if lb := im.Scenario.Services[0].LoadBalancer; lb.Algorithm != loadbalancer.RoundRobin || lb.DeregistrationDelay == nil || lb.DeregistrationDelay.D() != 0 {
		t.Errorf("a TCP CLB without draining: algorithm %v, deregistration delay %v", lb.Algorithm, lb.DeregistrationDelay)
	}

	// A typo in the new kinds is an error with a suggestion.
	_, err = ImportAWSDocuments([]AWSDocument{{Name: "a.json", Data: []byte(`{"LoadBalancerAttributes": {"ConectionDraining": {"Enabled": true, "Timeout": 30}}}`)},
		{Name: "b.json", Data: []byte(`{"LoadBalancerDescriptions": [{"LoadBalancerName": "x", "HealthCheck": {"Intervall": 5}}]}`)}}, ImportOptions{})
	for _, want := range []string{`(did you mean "ConnectionDraining"?)`, `(did you mean "Interval"?)`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q: %v", want, err)
		}
	}
}

// TestImportEFS: a task definition's EFS volume and mount point import,
// with describe-file-systems' throughput mode and Standard-class size and
// describe-mount-targets' zones (the oracle is the JSON itself); every
// running task of the run holds a connection to the file system. A file
// system no output describes is assumed, in the report.
func TestImportEFS(t *testing.T) {
	im, err := ImportAWS(DirFS("testdata/aws"), ImportOptions{}, "ec2-classic")
	if err != nil {
		t.Fatal(err)
	}
	var fsDoc struct {
		FileSystems []struct {
			FileSystemId   string
			ThroughputMode string
			SizeInBytes    struct{ ValueInStandard float64 }
		}
	}
	readJSON(t, "testdata/aws/ec2-classic/file-systems.json", &fsDoc)
	var mtDoc struct {
		MountTargets []struct{ AvailabilityZoneName string }
	}
	readJSON(t, "testdata/aws/ec2-classic/mount-targets.json", &mtDoc)
	want := fsDoc.FileSystems[0]
	td := im.Scenario.TaskDefinitions[0]
	if len(td.Volumes) != 1 || td.Volumes[0].EFSVolumeConfiguration == nil || td.Volumes[0].EFSVolumeConfiguration.FileSystemID != want.FileSystemId ||
		len(td.Containers[0].MountPoints) != 1 || td.Containers[0].MountPoints[0].SourceVolume != td.Volumes[0].Name {
		t.Fatalf("volumes %+v, mount points %+v", td.Volumes, td.Containers[0].MountPoints)
	}
	s, err := Build(im.Scenario, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(); err != nil {
		t.Fatal(err)
	}
	fs := s.World.FileSystem(want.FileSystemId)
	if fs == nil {
		t.Fatalf("no file system %s in the world", want.FileSystemId)
	}
	cfg := fs.Config()
	var zones []string
	for _, mt := range mtDoc.MountTargets {
		zones = append(zones, mt.AvailabilityZoneName)
	}
	if string(cfg.ThroughputMode) != want.ThroughputMode || cfg.StoredGiB != want.SizeInBytes.ValueInStandard/(1<<30) || !slices.Equal(cfg.MountTargetZones, zones) {
		t.Errorf("file system %+v; want %s, %v GiB, zones %v", cfg, want.ThroughputMode, want.SizeInBytes.ValueInStandard/(1<<30), zones)
	}
	if running := s.built("legacy", "catalog").svc.RunningCount(); fs.Connections() != running || running == 0 {
		t.Errorf("%d connections to the file system, %d tasks running", fs.Connections(), running)
	}

	// Not described: assumed, in the report.
	data, _ := os.ReadFile("testdata/aws/ec2-classic/task-definition.json")
	svc := []byte(`{"serviceName": "api", "cluster": "c", "taskDefinition": "catalog:4", "desiredCount": 0, "launchType": "EC2"}`)
	im, err = ImportAWSDocuments([]AWSDocument{{Name: "td.json", Data: data}, {Name: "svc.json", Data: svc}}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Scenario.FileSystems) != 1 || im.Scenario.FileSystems[0].FileSystemID != want.FileSystemId ||
		!slices.ContainsFunc(im.Assumed, func(a string) bool {
			return strings.HasPrefix(a, "file system "+want.FileSystemId+" (task definition catalog): not described")
		}) {
		t.Errorf("an undescribed file system: %+v, assumed %q", im.Scenario.FileSystems, im.Assumed)
	}

	// Typos in the new kinds are errors with a suggestion.
	_, err = ImportAWSDocuments([]AWSDocument{{Name: "fs.json", Data: []byte(`{"FileSystems": [{"FileSystemId": "fs-c7a0456e", "ThroughputMod": "bursting"}]}`)},
		{Name: "mt.json", Data: []byte(`{"MountTargets": [{"FileSystemId": "fs-c7a0456e", "AvailabilityZonename": "us-east-1a"}]}`)}}, ImportOptions{})
	for _, want := range []string{`(did you mean "ThroughputMode"?)`, `(did you mean "AvailabilityZoneName"?)`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q: %v", want, err)
		}
	}
}

// TestImportPredictive: a PredictiveScaling policy of
// describe-scaling-policies imports into autoScaling.predictive with its
// mode, metric pair, target, buffer and breach behaviour (the oracle is
// the JSON itself), and the service's controller runs it. A policy with
// separate or customized metrics is an error that says what is
// simulated; a typo has a suggestion.
func TestImportPredictive(t *testing.T) {
	im, err := ImportAWS(DirFS("testdata/aws"), ImportOptions{}, "ec2-classic")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ScalingPolicies []struct {
			PolicyName                           string
			PredictiveScalingPolicyConfiguration struct {
				Mode                      string
				SchedulingBufferTime      int
				MaxCapacityBreachBehavior string
				MetricSpecifications      []struct {
					TargetValue                       float64
					PredefinedMetricPairSpecification struct{ PredefinedMetricType string }
				}
			}
		}
	}
	readJSON(t, "testdata/aws/ec2-classic/scaling-policies.json", &doc)
	want := doc.ScalingPolicies[0]
	c := want.PredictiveScalingPolicyConfiguration
	as := im.Scenario.Services[0].AutoScaling
	if as == nil || len(as.Predictive) != 1 {
		t.Fatalf("autoScaling %+v", as)
	}
	got := as.Predictive[0]
	if got.Name != want.PolicyName || got.Mode.String() != c.Mode || got.MetricPair.String() != c.MetricSpecifications[0].PredefinedMetricPairSpecification.PredefinedMetricType ||
		got.TargetValue != c.MetricSpecifications[0].TargetValue || got.SchedulingBufferTime == nil || got.SchedulingBufferTime.D() != time.Duration(c.SchedulingBufferTime)*time.Second ||
		got.MaxCapacityBreachBehavior.String() != c.MaxCapacityBreachBehavior {
		t.Errorf("predictive %+v; want %+v", got, want)
	}
	s, err := Build(im.Scenario, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.built("legacy", "catalog").svc.Scaling() == nil {
		t.Error("the service has no scaler")
	}

	base := `{"ScalingPolicies": [{"PolicyName": "p", "ServiceNamespace": "ecs", "ResourceId": "service/legacy/catalog",
	  "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "PredictiveScaling", "PredictiveScalingPolicyConfiguration": %s}]}`
	docs := func(policy string) []AWSDocument {
		var out []AWSDocument
		for _, f := range []string{"task-definition.json", "create-service.json", "clusters.json", "auto-scaling-groups.json", "load-balancers.json",
			"file-systems.json", "request-count.json", "scalable-targets.json"} {
			data, err := os.ReadFile("testdata/aws/ec2-classic/" + f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, AWSDocument{Name: f, Data: data})
		}
		return append(out, AWSDocument{Name: "policy.json", Data: []byte(fmt.Sprintf(base, policy))})
	}
	for _, tc := range []struct{ policy, want string }{
		{`{"MetricSpecifications": [{"TargetValue": 40, "PredefinedScalingMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
		   "PredefinedLoadMetricSpecification": {"PredefinedMetricType": "ECSServiceTotalCPUUtilization"}}]}`, "use PredefinedMetricPairSpecification"},
		{`{"MetricSpecifications": [{"TargetValue": 40, "PredefinedMetricPairSpecification": {"PredefinedMetricType": "ECSServiceCPUUtilisation"}}]}`, "ECSServiceCPUUtilisation"},
		{`{"MetricSpecifications": [{"TargetValue": 40, "PredefinedMetricPairSpecification": {"PredefinedMetricType": "ECSServiceCPUUtilization"}}], "SchedulingBuferTime": 60}`, `(did you mean "SchedulingBufferTime"?)`},
		{`{"MetricSpecifications": [], "Mode": "ForecastAndScale"}`, "holds 0 specifications"},
	} {
		_, err := ImportAWSDocuments(docs(tc.policy), ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v; want %q", tc.policy, err, tc.want)
		}
	}
}
