package scenario

import (
	"strings"
	"testing"
	"time"
)

// TestAWSSpellings: a task definition and a service in the ECS API's
// spelling (containerDefinitions, serviceName, string cpu and memory,
// memory and memoryReservation, stopTimeout and *Seconds as numbers of
// seconds) parse to the same scenario as the scenario's own spelling.
func TestAWSSpellings(t *testing.T) {
	aws := `{
  "duration": "1h",
  "taskDefinitions": [{"family": "web", "cpu": "1 vCPU", "memory": "2 GB", "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "containerDefinitions": [{"name": "app", "image": "web:1", "cpu": "512", "memory": 1024, "memoryReservation": 512, "stopTimeout": 45}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "serviceName": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "FARGATE",
    "healthCheckGracePeriodSeconds": 90, "loadBalancer": {"deregistrationDelaySeconds": 30, "slowStartSeconds": 60}}]
}`
	own := `{
  "duration": "1h",
  "taskDefinitions": [{"family": "web", "cpu": 1024, "memoryMiB": 2048, "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "containers": [{"name": "app", "image": "web:1", "cpu": 512, "memoryMiB": 1024, "memoryReservationMiB": 512, "stopTimeout": "45s"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web", "desiredCount": 2, "launchType": "FARGATE",
    "healthCheckGracePeriod": "90s", "loadBalancer": {"deregistrationDelay": "30s", "slowStart": "1m"}}]
}`
	a, b := must(Parse([]byte(aws))), must(Parse([]byte(own)))
	if ra, rb := must(Run(a, Options{})), must(Run(b, Options{})); ra.TraceHash != rb.TraceHash {
		t.Errorf("AWS spelling ran trace %x, the scenario's %x", ra.TraceHash, rb.TraceHash)
	}
	if a.Services[0].HealthCheckGracePeriod.D() != 90*time.Second || a.TaskDefinitions[0].Containers[0].StopTimeout.D() != 45*time.Second ||
		a.TaskDefinitions[0].CPU != 1024 || a.TaskDefinitions[0].MemoryMiB != 2048 || a.Services[0].Name != "web" {
		t.Errorf("read %+v %+v", a.TaskDefinitions[0], a.Services[0])
	}
}

// TestDidYouMean: a key no field reads is an error that names the field
// it most likely meant; an AWS spelling and the scenario's of one field
// together are a repeated field.
func TestDidYouMean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`"desiredCont": 2`, `unknown field "desiredCont" (did you mean "desiredCount"?)`},
		{`"DesiredCount": 2`, `unknown field "DesiredCount" (did you mean "desiredCount"?)`},
		{`"healthCheckGracePeriodSecs": 2`, `unknown field "healthCheckGracePeriodSecs" (did you mean "healthCheckGracePeriodSeconds"?)`},
		{`"servicName": "x"`, `unknown field "servicName" (did you mean "serviceName"?)`},
		{`"name": "x", "serviceName": "y"`, `field "serviceName" appears twice (as "name")`},
		{`"healthCheckGracePeriodSeconds": "90s"`, `services[0].healthCheckGracePeriod: expected a number of seconds, got the string "90s"`},
		{`"frobnication": 1`, `unknown field "frobnication"`},
	} {
		in := strings.Replace(minimal, `"desiredCount": 2`, c.in, 1)
		if !strings.Contains(c.in, "desiredCount") && !strings.Contains(c.in, "DesiredCount") && !strings.Contains(c.in, "desiredCont") {
			in = strings.Replace(minimal, `"desiredCount": 2`, `"desiredCount": 2, `+c.in, 1)
		}
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %s", c.in, err, c.want)
		}
		if strings.HasSuffix(c.want, `"frobnication"`) && strings.Contains(err.Error(), "did you mean") {
			t.Errorf("%s: suggests a field far from it: %v", c.in, err)
		}
	}
}
