package scenario

import (
	"fmt"
	"strings"
	"testing"
)

// TestThrottledActionsRetriedLikeTheSDK: 60 updateService actions at one
// instant exceed UpdateService's burst (sim/capacity's
// DefaultUpdateServiceLimit, 50); the first 50 take effect at once and the
// other 10 are throttled and retried with the SDK's backoff, so every
// action is recorded as taking effect, those 10 with more than one
// attempt. The 80 services of the
// starting state are built without throttling (the account as it stands,
// beyond CreateService's burst of 50).
func TestThrottledActionsRetriedLikeTheSDK(t *testing.T) {
	var services, actions []string
	for i := range 80 {
		services = append(services, fmt.Sprintf(`{"cluster": "c", "name": "s%d", "taskDefinition": "web", "desiredCount": 1, "launchType": "FARGATE"}`, i))
	}
	for i := range 60 {
		actions = append(actions, fmt.Sprintf(`{"at": "10m", "updateService": {"cluster": "c", "service": "s0", "desiredCount": %d}}`, 2+i%3))
	}
	src := `{"seed": 1, "start": "2024-05-01T00:00:00Z", "duration": "1h",
  "taskDefinitions": [{"family": "web", "cpu": 256, "memoryMiB": 512, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
     "containers": [{"name": "app", "image": "web:1"}]}],
  "clusters": [{"name": "c"}],
  "services": [` + strings.Join(services, ",") + `],
  "actions": [` + strings.Join(actions, ",") + `]}`
	sc, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Actions) != 60 {
		t.Fatalf("%d actions recorded, want 60", len(rep.Actions))
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
	if retried != 10 {
		t.Errorf("%d actions needed retries, want 10 (60 − the burst of 50)", retried)
	}
}
