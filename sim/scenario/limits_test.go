package scenario

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/sim"
)

// limitsScenario is n Fargate services of one task and m updateService
// actions at 10 minutes, with the given top-level blocks.
func limitsScenario(n, m int, blocks string) string {
	var services, actions []string
	for i := range n {
		services = append(services, fmt.Sprintf(`{"cluster": "c", "name": "s%d", "taskDefinition": "web", "desiredCount": 1, "launchType": "FARGATE"}`, i))
	}
	for i := range m {
		actions = append(actions, fmt.Sprintf(`{"at": "10m", "updateService": {"cluster": "c", "service": "s0", "desiredCount": %d}}`, 2+i%3))
	}
	return `{"seed": 1, "start": "2024-05-01T00:00:00Z", "duration": "1h", ` + blocks + `
  "taskDefinitions": [{"family": "web", "cpu": 256, "memoryMiB": 512, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
     "containers": [{"name": "app", "image": "web:1"}]}],
  "clusters": [{"name": "c"}],
  "services": [` + strings.Join(services, ",") + `],
  "actions": [` + strings.Join(actions, ",") + `]}`
}

// TestScenarioRateLimits: a file's apiRateLimits.updateService burst of
// 5 lets 5 of 15 simultaneous updateService actions through at once and
// throttles the other 10, which the SDK's retries then get through at
// the refill of 10 a second (a token bucket of 5 tokens, full at the
// start: the actions come 10 minutes in, long after the build's calls,
// which are not throttled); with "disabled" none is throttled.
func TestScenarioRateLimits(t *testing.T) {
	for _, tc := range []struct {
		block   string
		retried int
	}{
		{`"apiRateLimits": {"updateService": {"burst": 5, "refillPerSecond": 10}},`, 10},
		{`"apiRateLimits": {"updateService": {"burst": 5}, "disabled": true},`, 0},
	} {
		sc, err := Parse([]byte(limitsScenario(2, 15, tc.block)))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Run(sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		retried := 0
		for _, a := range rep.Actions {
			if a.Err != "" {
				t.Errorf("action %s failed: %s", a.Action, a.Err)
			}
			if strings.Contains(a.Action, "attempts)") {
				retried++
			}
		}
		if len(rep.Actions) != 15 || retried != tc.retried {
			t.Errorf("%s: %d actions, %d retried; want 15 and %d", tc.block, len(rep.Actions), retried, tc.retried)
		}
	}
}

// TestScenarioQuotas: a file's quotas are the world's; a service beyond
// servicesPerCluster is refused; a quota above the caller's
// Options.World.Quotas is an error; range errors and typos come back all
// at once, under the file's names.
func TestScenarioQuotas(t *testing.T) {
	sc, err := Parse([]byte(limitsScenario(2, 0, `"quotas": {"tasksPerService": 40, "provisioningTasksPerCluster": 300},`)))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if q := s.World.Quotas(); q.TasksPerService != 40 || q.ProvisioningTasksPerCluster != 300 || q.Clusters != sim.DefaultClusters {
		t.Errorf("world quotas %+v", q)
	}

	sc, err = Parse([]byte(limitsScenario(3, 0, `"quotas": {"servicesPerCluster": 2},`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(sc, Options{}); err == nil || !strings.Contains(err.Error(), "services[2]") {
		t.Errorf("a third service with servicesPerCluster 2: %v", err)
	}

	sc, err = Parse([]byte(limitsScenario(1, 0, `"quotas": {"tasksPerService": 20},`)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(sc, Options{World: sim.WorldConfig{Quotas: sim.Quotas{TasksPerService: 10}}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "quotas.tasksPerService") || !strings.Contains(err.Error(), "at most 10") {
		t.Errorf("a file raising the caller's quota: %v", err)
	}

	_, err = Parse([]byte(limitsScenario(1, 0, `"quotas": {"tasksPerRunTask": 5001, "clustersPerAccount": -1},
	  "apiRateLimits": {"runTask": {"burst": -3}, "stopTask": {"refillPerSecond": 2000000000}},`)))
	for _, want := range []string{"quotas.tasksPerRunTask", "quotas.clustersPerAccount", "apiRateLimits.runTask.burst", "apiRateLimits.stopTask.refillPerSecond"} {
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %s: %v", want, err)
		}
	}
	_, err = Parse([]byte(limitsScenario(1, 0, `"quotas": {"tasksPerServce": 5}, "apiRateLimits": {"runTask": {"brust": 5}},`)))
	for _, want := range []string{`"tasksPerService"`, `"burst"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("typo errors lack the suggestion %s: %v", want, err)
		}
	}
}

// A file's quotas and API rate limits: a quota of 300 tasks in
// PROVISIONING per cluster (AWS's figure before it was raised to 500) and
// an UpdateService bucket of 5 calls, so that of 8 simultaneous updates
// 5 take effect at once and 3 after a retry (in the order of their
// jittered backoffs).
func Example_quotasInAFile() {
	sc, err := Parse([]byte(`{"seed": 1, "start": "2024-05-01T00:00:00Z", "duration": "1h",
  "quotas": {"provisioningTasksPerCluster": 300},
  "apiRateLimits": {"updateService": {"burst": 5, "refillPerSecond": 10}},
  "taskDefinitions": [{"family": "web", "cpu": 256, "memoryMiB": 512, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
     "containers": [{"name": "app", "image": "web:1"}]}],
  "clusters": [{"name": "c"}],
  "services": [{"cluster": "c", "name": "web", "taskDefinition": "web", "desiredCount": 1, "launchType": "FARGATE"}],
  "actions": [
    {"at": "10m", "updateService": {"cluster": "c", "service": "web", "desiredCount": 2}},
    {"at": "10m", "updateService": {"cluster": "c", "service": "web", "desiredCount": 3}},
    {"at": "10m", "updateService": {"cluster": "c", "service": "web", "desiredCount": 4}},
    {"at": "10m", "updateService": {"cluster": "c", "service": "web", "desiredCount": 5}},
    {"at": "10m", "updateService": {"cluster": "c", "service": "web", "desiredCount": 6}},
    {"at": "10m", "updateService": {"cluster": "c", "service": "web", "desiredCount": 7}},
    {"at": "10m", "updateService": {"cluster": "c", "service": "web", "desiredCount": 8}},
    {"at": "10m", "updateService": {"cluster": "c", "service": "web", "desiredCount": 9}}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := Build(sc, Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("tasks in PROVISIONING per cluster:", s.World.Quotas().ProvisioningTasksPerCluster)
	rep, err := s.Run()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range rep.Actions {
		fmt.Println(a.Action)
	}
	// Output:
	// tasks in PROVISIONING per cluster: 300
	// updateService c/web desiredCount=2
	// updateService c/web desiredCount=3
	// updateService c/web desiredCount=4
	// updateService c/web desiredCount=5
	// updateService c/web desiredCount=6
	// updateService c/web desiredCount=8 (2 attempts)
	// updateService c/web desiredCount=7 (2 attempts)
	// updateService c/web desiredCount=9 (2 attempts)
}
