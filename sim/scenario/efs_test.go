package scenario

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
)

// efsScenario is a content service on Fargate reading from a Bursting
// file system with a little data and few credits, mount targets in two
// zones of three, and a zone outage.
const efsScenario = `{
  "seed": 3,
  "duration": "3h",
  "fileSystems": [{"fileSystemId": "fs-0123456789abcdef0", "throughputMode": "bursting", "sizeInGiB": 100,
                   "startCreditsTiB": 0.01,
                   "mountTargets": [{"availabilityZoneName": "us-east-1a"}, {"availabilityZoneName": "us-east-1b"}]}],
  "taskDefinitions": [
    {"family": "content", "cpu": 512, "memoryMiB": 1024, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
     "containers": [{"name": "app", "image": "content:1",
                     "mountPoints": [{"sourceVolume": "media", "containerPath": "/srv/media", "readOnly": true}]}],
     "volumes": [{"name": "media", "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0",
                  "transitEncryption": "ENABLED", "authorizationConfig": {"iam": "ENABLED"}}}]}
  ],
  "clusters": [{"name": "prod", "zones": ["us-east-1a", "us-east-1b"]}],
  "services": [{
    "cluster": "prod", "name": "content", "taskDefinition": "content", "desiredCount": 4,
    "launchType": "FARGATE", "platformVersion": "1.4.0",
    "loadBalancer": {"healthCheck": {"interval": "10s"}},
    "traffic": {"rate": {"constant": 20}, "work": {"mean": "5ms"}, "server": {"timeout": "10s"},
                "io": {"volume": "media", "meanReadBytes": 3145728}}
  }],
  "actions": [{"at": "1h", "zoneOutage": {"zone": "us-east-1a", "duration": "30m"}}]
}`

// TestScenarioEFS builds and runs a scenario with a file system, an EFS
// volume and I/O traffic: the world has the file system, the tasks mount
// it, requests are served and conserved through the zone outage, the
// file system's metrics are in the store, and its storage is billed.
func TestScenarioEFS(t *testing.T) {
	sc, err := Parse([]byte(efsScenario))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	fs := s.World.FileSystem("fs-0123456789abcdef0")
	if fs == nil || fs.Config().ThroughputMode != sim.Bursting || fs.PeakConnections() < 4 {
		t.Fatalf("file system %+v", fs)
	}
	c := rep.Services[0].Requests
	if c.Served == 0 || c.Arrived != c.Served+c.NoTarget+c.Rejected+c.TimedOut+c.Aborted+c.InFlight {
		t.Errorf("requests %+v", c)
	}
	if _, ok := s.Metrics.Statistic(metrics.FileSystemMetric(metrics.MetricClientConnections, "fs-0123456789abcdef0"),
		metrics.Maximum, time.Minute, rep.End); !ok {
		t.Error("no ClientConnections datapoint in the last minute")
	}
	bill := s.World.Cost()
	if len(bill.ByFileSystem) != 1 || bill.ByFileSystem[0].Cost <= 0 || rep.Cost < bill.ByFileSystem[0].Cost {
		t.Errorf("file system cost %+v, report cost %v", bill.ByFileSystem, rep.Cost)
	}
}

// TestScenarioEFSErrors: the volume fields' problems reach the scenario's
// error with the field path of the task definition, all at once.
func TestScenarioEFSErrors(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     []string
	}{
		{`"transitEncryption": "ENABLED", `, ``, []string{"taskDefinitions[0]", "TransitEncryption"}},
		{`"sizeInGiB": 100`, `"sizeInGiB": -1`, []string{"fileSystems[0]", "StoredGiB"}},
		{`"platformVersion": "1.4.0"`, `"platformVersion": "1.3.0"`, []string{"services[0]", "PlatformVersion"}},
	} {
		sc, err := Parse([]byte(strings.Replace(efsScenario, c.from, c.to, 1)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Build(sc, Options{})
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("Build with %s = %v, want ErrInvalid", c.to, err)
		}
		for _, want := range c.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error does not mention %s:\n%v", want, err)
			}
		}
	}
}
