// Package scenario reads experiments written as JSON files and runs them:
// the clusters, instances and capacity providers, the Amazon EFS file
// systems, the task definitions (with their EFS volumes and mount points),
// the services with their load balancers, traffic (with its I/O on EFS)
// and Application Auto Scaling,
// and the actions to take at given times (deployments, scale changes, zone
// outages, new instances). It is for the experiments a capacity planner
// wants to write down, share and sweep without writing Go; anything a file
// cannot say (a custom placement scorer, a policy of your own, an
// observer) is one step away through Build, which returns the live
// sim.Sim and sim.World before anything has run.
//
// A minimal file, one Fargate service of two tasks for an hour:
//
//	{
//	  "duration": "1h",
//	  "taskDefinitions": [{"family": "web", "cpu": 256, "memoryMiB": 512,
//	    "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
//	    "containers": [{"name": "app", "image": "web:1"}]}],
//	  "clusters": [{"name": "prod"}],
//	  "services": [{"cluster": "prod", "name": "web", "taskDefinition": "web",
//	    "desiredCount": 2, "launchType": "FARGATE"}]
//	}
//
// Field names follow the ECS and Application Auto Scaling APIs, each
// documented on the Go type it decodes into (Scenario and below), with
// its unit and what its absence means. A task definition or service
// pasted from the ECS API may keep the API's spellings where they mean
// the same: containerDefinitions, serviceName, memory (in MiB), cpu and
// memory as strings ("1 vCPU", "2 GB"), a number of seconds in a
// container's stopTimeout or in any duration field spelled with a
// "Seconds" suffix (healthCheckGracePeriodSeconds). Any other key is an
// error that suggests the field meant ("did you mean"). ImportAWS reads
// the AWS CLI's own output whole. Durations are Go duration strings
// ("90s", "5m", "24h"); times are RFC 3339. Enumerated fields are read by
// the module's own types, in their AWS spellings where AWS has one: the
// launch type, network mode, CPU architecture, scheduling strategy,
// Availability Zone rebalancing and traffic mode (package sim), placement
// strategy and constraint types (package placement), predefined metrics
// and adjustment types (package autoscale), the alarm's comparison
// operator and missing-data treatment (package metrics), the load
// balancer's type and algorithm (package loadbalancer), the server's
// discipline (traffic.Discipline) and the work's distribution (dist.Kind).
// An empty name is the field's default, as if it were absent. The
// testdata directory holds fuller examples: a Fargate service with CPU
// target tracking, a deployment and a zone outage; an EC2 capacity
// provider with managed scaling, step scaling and a schedule; awsvpc
// services in small subnets (subnets, networkConfiguration,
// awsvpcTrunking), whose report lists each subnet's addresses; an EC2
// service behind a Classic Load Balancer ("type": "clb");
// examples/scenario replays a NASA trace from a CSV file.
//
// # Errors
//
// Parse checks a file in three passes and reports what each finds the way
// a compiler would. The shape pass walks the JSON along the Scenario type
// and reports every unknown or repeated field, value of the wrong kind and
// unparsable duration at once, each a *SyntaxError with line, column and
// field path ("line 12, column 7: services[0].desiredCount: expected a
// whole number, got the string \"two\""); it skips such a value and goes
// on, and stops only where the JSON itself does not decode. A name that an enumerated
// field's type does not know is not such a stop: it is reported with the
// valid names its type lists, in its place among everything Validate
// finds. Validate then checks names, enumerated values (a name a field
// requires; the EXTERNAL launch type and custom placement, which the
// types know but a file cannot run), references between parts and
// ranges, returning every problem at once, each a *FieldError naming the
// field, the value and the rule. Build hands each part to the simulator,
// whose own rules (Fargate sizes, container limits, the cluster query
// language) come back wrapped with the field path, again all at once. Parse is fuzzed (FuzzParse):
// any input is either a scenario that builds and runs or an error of these
// kinds, never a panic.
//
// # Running
//
// Simulation.Run runs to the scenario's end, minute by minute, and returns
// a Report: per service the final and extreme desired counts, the task
// counters, the scaling activities, the requests with their latency
// quantiles and the cost; one Row per service and report period; and the
// outcome of every action. An action the simulator refuses when its time
// comes (a deployment to a task definition the service cannot run, say) is
// an entry of the report, not an error: like an unplaceable task, it is
// something that happened in the experiment.
//
// A Report written as JSON has the file's camelCase keys, a unit in the
// name of each figure that has one (p99Ms, costUsd) and durations as
// strings, and reads back to the same Report (ecssim merge).
//
// # Experiments in Go
//
// Sweep runs a file once per combination of the values it varies (each a
// path, as an Override names it, and its values), with a few seeds each,
// and Arm.Service returns a service's figures (cost, 5xx share, p50 and
// p99, mean and largest task count, scaling activities) as means with
// their 95 % intervals: ExampleSweep asks "0.5 or 1 vCPU, target 50 % or
// 70 %: cost and p99 over a day" in under forty lines. A policy or scorer
// of your own goes on a file-defined world between Build and Run
// (Simulation.Service returns the live sim.Service); the report counts
// its scaling activities like any.
//
// # AWS's own JSON
//
// ImportAWS (and the ecssim import command) reads the AWS CLI's JSON for a
// running service, describe-services, describe-task-definition, the
// cluster and capacity providers, the Auto Scaling group, the scalable
// target with its policies and scheduled actions, the target group with
// its attributes and a RequestCount series, the subnets, a Classic Load
// Balancer with its attributes, the EFS file systems with their mount
// targets, and writes the scenario that simulates it, listing in its
// report every AWS field it did not use and what it assumed. testdata/aws
// holds six such directories with their sources.
//
// A file's top-level quotas and apiRateLimits blocks set the account's
// quotas (Service Quotas' names: tasksPerService,
// provisioningTasksPerCluster, ...) and the ECS API's token buckets
// (runTask, updateService, ... with burst and refillPerSecond).
//
// # Files
//
// A scenario reads the files it names (a traffic series) from
// Options.Files. DirFS(dir) confines them to the scenario's directory:
// names are relative paths without "..", and a symbolic link is followed
// only if it stays inside the directory (a link to /etc/passwd or
// /dev/zero is refused). Build reads only regular files, refusing a
// device, a named pipe or a directory before opening it, and at most
// Options.MaxFileBytes (DefaultMaxFileBytes, 64 MiB) of each; an error
// about a file names it and never quotes the content of a file it
// refused. ReadFile reads a scenario file the same way (at most
// MaxFileSize, 16 MiB).
//
// The same file and seed give the same Report and trace hash. The build
// calls the sim API in a fixed order (task definitions, capacity
// providers, clusters, services), so a scenario and the same world built
// by hand in Go run the same events; TestScenarioMatchesHandBuiltWorld
// holds the package to that.
package scenario
