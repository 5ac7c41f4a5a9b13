package scenario

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

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

	// A typo in the new kind is an error with a suggestion.
	_, err = ImportAWSDocuments([]AWSDocument{{Name: "subnets.json", Data: []byte(`{"Subnets": [{"SubnetId": "subnet-a", "AvailabilityZone": "us-east-1a", "CidrBlock": "10.0.0.0/24", "AvailableIpAdressCount": 3}]}`)},
		{Name: "td.json", Data: td}, {Name: "svc.json", Data: svc}}, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), `(did you mean "AvailableIpAddressCount"?)`) {
		t.Errorf("a typo in describe-subnets: %v", err)
	}
}
