package scenario_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/sim/scenario"
)

// A directory of AWS CLI output (describe-services, the task definition,
// the target group, the scaling policy, a day of RequestCount) to a
// scenario, run.
func ExampleImportAWS() {
	im, err := scenario.ImportAWS(scenario.DirFS("testdata/aws"), scenario.ImportOptions{Work: 20 * time.Millisecond}, "fargate-web")
	if err != nil {
		fmt.Println(err)
		return
	}
	svc := im.Scenario.Services[0]
	tt := svc.AutoScaling.TargetTracking[0]
	fmt.Printf("%s/%s: %s, %d tasks, %s at %.0f %%\n", svc.Cluster, svc.Name, svc.TaskDefinition,
		svc.DesiredCount, tt.Metric, tt.TargetValue)
	fmt.Println("not used:", im.Ignored[0], "...")
	r, err := scenario.Run(im.Scenario, scenario.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := r.Services[0]
	fmt.Printf("%d requests, %d to %d tasks, p99 %v, $%.2f\n", s.Requests.Arrived, s.MinDesired, s.MaxDesired, s.P99.Round(time.Millisecond), s.Cost)
	// Output:
	// production/web-app: webserver:1, 4 tasks, ECSServiceAverageCPUUtilization at 75 %
	// not used: fargate-web/clusters.json: clusters[0].activeServicesCount ...
	// 12960000 requests, 4 to 13 tasks, p99 617ms, $5.08
}

// Where a rule error's field is in the file, for an editor.
func ExampleLocate() {
	file := []byte(`{
  "duration": "1h",
  "services": [{"cluster": "prod", "name": "web",
    "desiredCount": -1}]
}`)
	line, col, ok := scenario.Locate(file, "services[0].desiredCount")
	fmt.Println(line, col, ok)
	// Output:
	// 4 21 true
}
