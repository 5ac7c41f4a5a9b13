package tidy

import (
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim/scenario"
)

// TestActionEvents reads each kind of scenario action as its event.
func TestActionEvents(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		rec                    scenario.ActionRecord
		kind, cluster, service string
	}{
		{scenario.ActionRecord{At: at, Action: "updateService prod/web desiredCount=4"}, KindDeployment, "prod", "web"},
		{scenario.ActionRecord{At: at, Action: "zoneOutage us-east-1a for 1h0m0s"}, KindOutage, "", ""},
		{scenario.ActionRecord{At: at, Action: "launchInstances prod 3 × m5.large"}, KindLaunch, "prod", ""},
		{scenario.ActionRecord{At: at, Action: "updateService prod/web taskDefinition=api:1", Err: "sim: incompatible"}, KindRefused, "prod", "web"},
	} {
		got := actionEvent(tc.rec)
		if got.Kind != tc.kind || got.Cluster != tc.cluster || got.Service != tc.service || !got.At.Equal(at) || got.DesiredFrom != -1 {
			t.Errorf("%q: %+v, want kind %s, %s/%s", tc.rec.Action, got, tc.kind, tc.cluster, tc.service)
		}
	}
}
