package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ecssim/ecssim/sim/scenario"
)

const importAbout = `
Reads the JSON the AWS CLI prints for a running service (or the
--cli-input-json inputs of the calls that made it) and writes the
scenario that simulates it, on standard output or to -o. Each argument
is a file or a directory of .json files. It reads:

  aws ecs describe-task-definition (or register-task-definition input)
  aws ecs describe-services (or create-service input)
  aws ecs describe-clusters, describe-capacity-providers
  aws autoscaling describe-auto-scaling-groups
  aws application-autoscaling describe-scalable-targets,
      describe-scaling-policies, describe-scheduled-actions (or put-* input)
  aws cloudwatch describe-alarms (the alarms of step scaling policies)
  aws elbv2 describe-target-groups, describe-target-group-attributes
  aws elb describe-load-balancers, describe-load-balancer-attributes
      (Classic Load Balancers)
  aws ec2 describe-subnets (the subnets of awsvpc services)
  aws efs describe-file-systems, describe-mount-targets (EFS volumes)
  aws cloudwatch get-metric-statistics or get-metric-data (RequestCount
      Sum per period: the traffic; name the file after its service)

References resolve by ARN or name. It prints to standard error what it
assumed where AWS's output is silent (the CPU work of a request: -work)
and every AWS field the simulation does not use. A field that looks like
a typo is an error that suggests the name meant.`

func importCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("import", "[-o scenario.json] [-work d] [-duration d] [-mode m] file-or-dir ...", importAbout, errOut)
	output := fs.String("o", "", "write the scenario to this file instead of standard output")
	work := fs.Duration("work", 0, "mean CPU work of one request at one vCPU (default 20ms)")
	duration := fs.Duration("duration", 0, "how long the scenario runs (default: the traffic's span, or 24h)")
	mode := fs.String("mode", "", "traffic mode: fluid (default) or request")
	quiet := fs.Bool("q", false, "do not print the import report")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"import needs at least one file or directory of AWS CLI JSON"}
	}
	if *work < 0 || *duration < 0 {
		return usageError{"-work and -duration must not be negative"}
	}
	var docs []scenario.AWSDocument
	for _, path := range fs.Args() {
		d, err := readDocuments(path)
		if err != nil {
			return err
		}
		docs = append(docs, d...)
	}
	im, err := scenario.ImportAWSDocuments(docs, scenario.ImportOptions{Work: *work, Duration: *duration, Mode: *mode})
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(im.Scenario, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if *output != "" {
		if err := os.WriteFile(*output, data, 0o644); err != nil {
			return err
		}
	} else if _, err := out.Write(data); err != nil {
		return err
	}
	if !*quiet {
		return im.WriteReport(errOut)
	}
	return nil
}

// readDocuments reads a file, or a directory's .json files in name order,
// as the library reads any file: regular files of at most
// scenario.MaxFileSize, inside the directory.
func readDocuments(path string) ([]scenario.AWSDocument, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	dir, names := filepath.Dir(path), []string{filepath.Base(path)}
	if info.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		dir, names = path, nil
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
				names = append(names, e.Name())
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: no .json file", path)
		}
	}
	files := scenario.DirFS(dir)
	var docs []scenario.AWSDocument
	for _, name := range names {
		data, err := scenario.ReadBytes(files, name, scenario.MaxFileSize)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
		}
		docs = append(docs, scenario.AWSDocument{Name: filepath.Join(dir, name), Data: data})
	}
	return docs, nil
}
