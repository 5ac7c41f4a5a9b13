package scenario_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ecssim/ecssim/sim/scenario"
)

// A scenario from a string: parse it, run it, read the report.
func Example() {
	sc, err := scenario.Read(strings.NewReader(`{
	  "duration": "2h",
	  "taskDefinitions": [{"family": "api", "cpu": 1024, "memoryMiB": 2048, "networkMode": "awsvpc",
	    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "api:1"}]}],
	  "clusters": [{"name": "prod"}],
	  "services": [{"cluster": "prod", "name": "api", "taskDefinition": "api", "desiredCount": 4,
	    "launchType": "FARGATE", "loadBalancer": {},
	    "traffic": {"mode": "fluid", "rate": {"constant": 100}, "work": {"mean": "20ms"}}}],
	  "actions": [{"at": "1h", "updateService": {"cluster": "prod", "service": "api", "desiredCount": 8}}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	report, err := scenario.Run(sc, scenario.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, row := range report.Rows {
		fmt.Printf("%s  %d tasks  %.0f req/s  CPU %.1f %%\n", row.Start.Format("15:04"), row.Running, row.RequestsPerSecond, row.CPUPercent)
	}
	// 100 requests/s × 20 ms is 2 vCPUs of work: half of 4 tasks of 1 vCPU,
	// a quarter of 8 (a little less while the first tasks start and the
	// four new ones join). Each row's counts are at its end.

	// Output:
	// 00:00  4 tasks  100 req/s  CPU 49.2 %
	// 01:00  8 tasks  100 req/s  CPU 25.1 %
}

// Every problem of a file at once, each naming its field.
func ExampleParse_errors() {
	_, err := scenario.Parse([]byte(`{
	  "duration": "90m",
	  "taskDefinitions": [{"family": "web", "containers": [{"name": "app", "image": "web:1"}]}],
	  "clusters": [{"name": "prod"}],
	  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web:3", "desiredCount": 2, "launchType": "LAMBDA"}],
	  "actions": [{"at": "2h", "zoneOutage": {"zone": "us-east-1a", "duration": "30m"}}]
	}`))
	fmt.Println(errors.Is(err, scenario.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true
	// scenario: invalid: services[0].taskDefinition "web:3": revision must be 1 to 1 (family "web" has 1)
	// scenario: invalid: services[0].launchType "LAMBDA": must be one of EC2, FARGATE, EXTERNAL
	// scenario: invalid: actions[0].at 2h0m0s: must be within the scenario's duration (1h30m0s)
}

// A scenario file and the files it names, read from its directory: only
// regular files inside it, through links that stay inside it.
func ExampleReadFile() {
	dir := scenario.DirFS("testdata")
	sc, err := scenario.ReadFile(dir, "web.json", 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sc.Name, sc.Duration)
	_, err = scenario.ReadFile(dir, "../go.mod", 0)
	fmt.Println(errors.Is(err, scenario.ErrFile))
	// Output:
	// web on Fargate, CPU target tracking, a deployment and a zone outage 12h0m0s
	// true
}
