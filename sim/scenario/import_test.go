package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/internal/golden"
)

// requestSums reads the request counts of a directory's traffic series
// straight from the JSON (get-metric-statistics' Datapoints[].Sum or
// get-metric-data's Values), by file: the oracle of the imported traffic.
func requestSums(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		var doc struct {
			Datapoints        []struct{ Sum float64 }
			MetricDataResults []struct{ Values []float64 }
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, d := range doc.Datapoints {
			sum += d.Sum
		}
		for _, r := range doc.MetricDataResults {
			for _, v := range r.Values {
				sum += v
			}
		}
		if sum > 0 {
			out[filepath.Base(f)] = sum
		}
	}
	return out
}

// TestImportCorpus: every directory of testdata/aws (AWS CLI output
// written by hand from AWS's documented examples; SOURCES.md gives each
// file's source) imports in one call and runs; the requests the run
// offers are the datapoints' sums (each series to its service, the count
// per period spread over it); no request meets a service before its tasks
// run; and the imported scenario with its import report is the checked-in
// testdata/aws/<dir>.import (rewrite with -update).
func TestImportCorpus(t *testing.T) {
	dirs, err := os.ReadDir("testdata/aws")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		t.Run(d.Name(), func(t *testing.T) {
			im, err := ImportAWS(DirFS("testdata/aws"), ImportOptions{}, d.Name())
			if err != nil {
				t.Fatal(err)
			}
			r, err := Run(im.Scenario, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sums := requestSums(t, filepath.Join("testdata/aws", d.Name()))
			var offered, arrived float64
			for _, s := range sums {
				offered += s
			}
			for _, s := range r.Services {
				arrived += float64(s.Requests.Arrived)
			}
			for _, row := range r.Rows {
				if row.Start.Equal(r.Start) && row.Errors5xx != 0 {
					t.Errorf("%s: 5xx in the first period: the traffic came before the tasks", row.Service)
				}
			}
			if math.Abs(arrived-offered) > float64(len(sums)) {
				t.Errorf("the run offered %.0f requests; the datapoints sum to %.0f", arrived, offered)
			}
			var buf bytes.Buffer
			if err := im.WriteReport(&buf); err != nil {
				t.Fatal(err)
			}
			buf.WriteString("\n")
			scenarioJSON, err := json.MarshalIndent(im.Scenario, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(scenarioJSON)
			buf.WriteString("\n")
			golden.Check(t, filepath.Join("testdata/aws", d.Name()+".import"), buf.Bytes())
		})
	}
	if n < 5 {
		t.Errorf("%d corpus directories, want the five cases", n)
	}
}

// TestImportListsIgnoredFields: the fields the simulation does not use
// are listed, each where it is, not dropped: an execution role, a log
// configuration, a target group attribute the simulation has no use for.
func TestImportListsIgnoredFields(t *testing.T) {
	im, err := ImportAWS(DirFS("testdata/aws"), ImportOptions{}, "fargate-web")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"fargate-web/task-definition.json: executionRoleArn",
		"fargate-web/task-definition.json: containerDefinitions[0].logConfiguration",
		"fargate-web/subnets.json: Subnets[0].VpcId",
		"fargate-web/target-group-attributes.json: Attributes[0] stickiness.enabled",
	} {
		found := false
		for _, i := range im.Ignored {
			found = found || i == want
		}
		if !found {
			t.Errorf("ignored fields lack %q", want)
		}
	}
	newer, err := ImportAWSDocuments([]AWSDocument{{Name: "td.json", Data: []byte(`{"family": "w", "cpu": "256", "memory": "512",
	  "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "quantumEntanglementMode": "ON",
	  "containerDefinitions": [{"name": "a", "image": "a"}]}`)}, {Name: "svc.json", Data: []byte(`{"serviceName": "w", "taskDefinition": "w", "desiredCount": 1, "launchType": "FARGATE"}`)}}, ImportOptions{})
	if err != nil || !slices.Contains(newer.Ignored, "td.json: quantumEntanglementMode (not known to ecssim)") {
		t.Errorf("a field newer than the list: %v, ignored %q", err, newer.Ignored)
	}
	svc := im.Scenario.Services[0]
	if svc.LoadBalancer.DeregistrationDelay.D().Seconds() != 300 || svc.HealthCheckGracePeriod.D().Seconds() != 60 ||
		!svc.DeploymentConfiguration.CircuitBreaker.Rollback || im.Scenario.TaskDefinitions[0].CPU != 512 {
		t.Errorf("imported %+v", svc)
	}
}

// TestImportErrors: a typo is an error with a suggestion, a file of no
// kind the import reads says what it found, a reference to nothing
// imported says which call to add; every problem at once.
func TestImportErrors(t *testing.T) {
	td, err := os.ReadFile("testdata/aws/fargate-web/task-definition.json")
	if err != nil {
		t.Fatal(err)
	}
	typo := bytes.Replace(td, []byte(`"requiresCompatibilities"`), []byte(`"requiresCompatibilites"`), 1)
	svc := []byte(`{"serviceName": "api", "cluster": "prod", "taskDefinition": "api:7", "desiredCount": 1}`)
	_, err = ImportAWSDocuments([]AWSDocument{
		{Name: "td.json", Data: typo},
		{Name: "odd.json", Data: []byte(`{"Reservations": []}`)},
		{Name: "typo.json", Data: []byte(`{"Servces": []}`)},
		{Name: "svc.json", Data: svc},
	}, ImportOptions{})
	if !errors.Is(err, ErrImport) {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{
		`td.json: requiresCompatibilites: unknown field "requiresCompatibilites" (did you mean "requiresCompatibilities"?)`,
		`odd.json: not an AWS CLI output this import reads (its keys: Reservations)`,
		`typo.json: not an AWS CLI output this import reads (its keys: Servces) (did you mean "services"?)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
	_, err = ImportAWSDocuments([]AWSDocument{{Name: "services.json", Data: []byte(`{"services": [], "failures": [{"arn": "arn:aws:ecs:us-east-1:123456789012:service/prod/api", "reason": "MISSING"}]}`)}}, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), `services.json: AWS reports failures: {"arn"`) {
		t.Errorf("a describe call's failures: %v", err)
	}
	_, err = ImportAWSDocuments([]AWSDocument{{Name: "td.json", Data: td}, {Name: "svc.json", Data: svc}}, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), `svc.json: taskDefinition: "api:7" is not among the imported task definitions (add aws ecs describe-task-definition --task-definition api:7)`) {
		t.Errorf("a missing task definition: %v", err)
	}
}

// FuzzImportAWS: any two documents either import, to a scenario that
// parses and builds (ImportAWSDocuments checks both), or return an error
// matching ErrImport, ErrInvalid or ErrSyntax; never a panic.
func FuzzImportAWS(f *testing.F) {
	files, _ := filepath.Glob("testdata/aws/*/*.json")
	var docs [][]byte
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			docs = append(docs, data)
		}
	}
	for i := range docs {
		f.Add(docs[i], docs[(i+1)%len(docs)])
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		im, err := ImportAWSDocuments([]AWSDocument{{Name: "a.json", Data: a}, {Name: "b-service.json", Data: b}}, ImportOptions{})
		if err != nil {
			if !errors.Is(err, ErrImport) && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v matches none of ErrImport, ErrInvalid, ErrSyntax", err)
			}
			return
		}
		if im.Scenario == nil || im.Scenario.Validate() != nil {
			t.Fatalf("an import without error gave %+v", im.Scenario)
		}
	})
}
