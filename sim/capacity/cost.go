package capacity

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Rate is an hourly Fargate price.
type Rate struct {
	// PerVCPUHour is dollars per vCPU per hour.
	PerVCPUHour float64
	// PerGBHour is dollars per GB of memory per hour (1 GB = 1024 MiB, as
	// the task size table counts it).
	PerGBHour float64
}

// Prices are the price list a cost report uses: data with a region and a
// date, which the user replaces with their own.
type Prices struct {
	// Region is the AWS Region the prices are for, e.g. "us-east-1".
	Region string
	// Date is when the prices were read, "YYYY-MM-DD" or as precise as
	// known; informational.
	Date string
	// Source says where the prices come from; informational.
	Source string
	// FargateLinuxX86, FargateLinuxARM and FargateWindows are the
	// On-Demand Fargate rates per operating system and architecture.
	FargateLinuxX86, FargateLinuxARM, FargateWindows Rate
	// FargateWindowsLicensePerVCPUHour is the Windows OS licence fee added
	// per vCPU-hour, dollars.
	FargateWindowsLicensePerVCPUHour float64
	// FargateStoragePerGBHour is dollars per GB-hour of ephemeral storage
	// above the 20 GB included.
	FargateStoragePerGBHour float64
	// FargateSpotDiscount is the fraction Fargate Spot takes off the
	// On-Demand vCPU and memory rates, in [0, 1).
	FargateSpotDiscount float64
	// EC2SpotDiscount is the fraction an EC2 Spot instance costs less than
	// its On-Demand price, in [0, 1).
	EC2SpotDiscount float64
	// EFSStandardPerGBMonth is dollars per GB-month of Amazon EFS
	// Standard storage; zero bills no storage.
	EFSStandardPerGBMonth float64
	// EFSElasticReadPerGB and EFSElasticWritePerGB are dollars per GB
	// read and written in Elastic throughput mode.
	EFSElasticReadPerGB, EFSElasticWritePerGB float64
	// EFSProvisionedPerMiBpsMonth is dollars per MiB/s-month of
	// Provisioned throughput above the baseline the storage includes.
	EFSProvisionedPerMiBpsMonth float64
}

// HoursPerMonth converts monthly prices to hourly ones: the 730-hour
// month of the AWS Pricing Calculator (365 days · 24 h / 12).
const HoursPerMonth = 730

// USEast1Prices returns the us-east-1 Fargate price list
// (https://aws.amazon.com/fargate/pricing/ as reproduced at
// https://www.vantage.sh/blog/fargate-pricing): Linux/x86 $0.04048 per
// vCPU-hour and $0.004445 per GB-hour, Linux/ARM $0.03238 and $0.00356,
// Windows $0.09148 and $0.01005 plus $0.046 per vCPU-hour of licence,
// ephemeral storage above 20 GB $0.000111 per GB-hour.
//
// The two Spot discounts are planning assumptions, not published prices:
// Fargate Spot is advertised as "up to 70%" below On-Demand and its price
// floats (the commonly quoted ≈ $0.0124 per vCPU-hour is 69% off), so 0.70
// is used; EC2 Spot is advertised as "up to 90%" and varies by instance
// type, zone and time, so 0.70 is used as a middle-of-the-road figure.
// Replace both with your own averages.
//
// Amazon EFS (us-east-1): Standard storage $0.30 per GB-month
// (https://aws.amazon.com/efs/pricing/); Elastic throughput $0.03 per GB
// read and $0.06 per GB written, and Provisioned throughput $6.00 per
// MB/s-month, as third-party summaries of that page quote them
// (https://www.vantage.sh/blog/amazon-efs-pricing). Bursting throughput
// has no charge of its own.
func USEast1Prices() Prices {
	return Prices{
		Region:                           "us-east-1",
		Date:                             "2025",
		Source:                           "aws.amazon.com/fargate/pricing as reproduced at vantage.sh/blog/fargate-pricing",
		FargateLinuxX86:                  Rate{PerVCPUHour: 0.04048, PerGBHour: 0.004445},
		FargateLinuxARM:                  Rate{PerVCPUHour: 0.03238, PerGBHour: 0.00356},
		FargateWindows:                   Rate{PerVCPUHour: 0.09148, PerGBHour: 0.01005},
		FargateWindowsLicensePerVCPUHour: 0.046,
		FargateStoragePerGBHour:          0.000111,
		FargateSpotDiscount:              0.70,
		EC2SpotDiscount:                  0.70,
		EFSStandardPerGBMonth:            0.30,
		EFSElasticReadPerGB:              0.03,
		EFSElasticWritePerGB:             0.06,
		EFSProvisionedPerMiBpsMonth:      6.00,
	}
}

// Validate reports every field that breaks a rule, joined.
func (p Prices) Validate() error {
	var errs []error
	nonNeg := func(field string, v float64) {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			errs = append(errs, invalid("Prices."+field, v, "must be a finite number ≥ 0"))
		}
	}
	nonNeg("FargateLinuxX86.PerVCPUHour", p.FargateLinuxX86.PerVCPUHour)
	nonNeg("FargateLinuxX86.PerGBHour", p.FargateLinuxX86.PerGBHour)
	nonNeg("FargateLinuxARM.PerVCPUHour", p.FargateLinuxARM.PerVCPUHour)
	nonNeg("FargateLinuxARM.PerGBHour", p.FargateLinuxARM.PerGBHour)
	nonNeg("FargateWindows.PerVCPUHour", p.FargateWindows.PerVCPUHour)
	nonNeg("FargateWindows.PerGBHour", p.FargateWindows.PerGBHour)
	nonNeg("FargateWindowsLicensePerVCPUHour", p.FargateWindowsLicensePerVCPUHour)
	nonNeg("FargateStoragePerGBHour", p.FargateStoragePerGBHour)
	nonNeg("EFSStandardPerGBMonth", p.EFSStandardPerGBMonth)
	nonNeg("EFSElasticReadPerGB", p.EFSElasticReadPerGB)
	nonNeg("EFSElasticWritePerGB", p.EFSElasticWritePerGB)
	nonNeg("EFSProvisionedPerMiBpsMonth", p.EFSProvisionedPerMiBpsMonth)
	for _, f := range []struct {
		name string
		v    float64
	}{{"FargateSpotDiscount", p.FargateSpotDiscount}, {"EC2SpotDiscount", p.EC2SpotDiscount}} {
		if !(f.v >= 0 && f.v < 1) {
			errs = append(errs, invalid("Prices."+f.name, f.v, "must be in [0, 1)"))
		}
	}
	return errors.Join(errs...)
}

// BilledSeconds returns the seconds AWS bills for a run of d: rounded up to
// the next whole second, with a minimum of 60 seconds. Both Fargate (from
// the start of the image pull until the task terminates) and Linux EC2
// instances are billed this way. A run of zero or negative length bills
// nothing: a task that never began pulling its image costs nothing.
func BilledSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	s := int64(d / time.Second) // rounded up below, without adding to d (which could wrap)
	if d%time.Second != 0 {
		s++
	}
	return max(s, 60)
}

// FargateHourlyRate returns the dollars per hour of a Fargate task of the
// given size:
//
//	rate = vCPU × PerVCPUHour + GB × PerGBHour            (× (1 − FargateSpotDiscount) on Spot)
//	     + vCPU × FargateWindowsLicensePerVCPUHour        (Windows)
//	     + max(0, storageGB − 20) × FargateStoragePerGBHour
//
// with vCPU = CPU / 1024 and GB = MemoryMiB / 1024.
func (p Prices) FargateHourlyRate(size FargateTaskSize, spot bool) float64 {
	r := p.FargateLinuxX86
	switch {
	case size.OS == Windows:
		r = p.FargateWindows
	case size.Arch == ARM64:
		r = p.FargateLinuxARM
	}
	vcpu := float64(size.CPU) / 1024
	gb := float64(size.MemoryMiB) / 1024
	rate := vcpu*r.PerVCPUHour + gb*r.PerGBHour
	if spot {
		rate *= 1 - p.FargateSpotDiscount
	}
	if size.OS == Windows {
		rate += vcpu * p.FargateWindowsLicensePerVCPUHour
	}
	if extra := size.StorageGiB() - DefaultEphemeralStorageGiB; extra > 0 {
		rate += float64(extra) * p.FargateStoragePerGBHour
	}
	return rate
}

// FargateTaskCost returns the dollars billed for a Fargate task of the given
// size that ran for d: FargateHourlyRate × BilledSeconds(d) / 3600.
func (p Prices) FargateTaskCost(size FargateTaskSize, spot bool, d time.Duration) float64 {
	return p.FargateHourlyRate(size, spot) * float64(BilledSeconds(d)) / 3600
}

// EC2HourlyRate returns the dollars per hour of an instance whose On-Demand
// price is onDemandPerHour: that price, or (1 − EC2SpotDiscount) of it on
// Spot.
func (p Prices) EC2HourlyRate(onDemandPerHour float64, spot bool) float64 {
	if spot {
		return onDemandPerHour * (1 - p.EC2SpotDiscount)
	}
	return onDemandPerHour
}

// EC2InstanceCost returns the dollars billed for an instance that ran for
// d: EC2HourlyRate × BilledSeconds(d) / 3600.
func (p Prices) EC2InstanceCost(onDemandPerHour float64, spot bool, d time.Duration) float64 {
	return p.EC2HourlyRate(onDemandPerHour, spot) * float64(BilledSeconds(d)) / 3600
}

// FargateUsage describes a Fargate task for the accumulator.
type FargateUsage struct {
	// Service, Provider and Cluster are the report keys; Provider is
	// normally FARGATE or FARGATE_SPOT. Empty strings are valid keys.
	Service, Provider, Cluster string
	// Size is the task size; it must be a valid Fargate size.
	Size FargateTaskSize
	// Spot reports whether the task runs on Fargate Spot.
	Spot bool
}

// InstanceUsage describes an EC2 container instance for the accumulator.
type InstanceUsage struct {
	// Provider and Cluster are the report keys.
	Provider, Cluster string
	// OnDemandPerHour is the instance type's On-Demand price, dollars per
	// hour (from the instance catalog).
	OnDemandPerHour float64
	// Spot reports whether the instance is a Spot instance.
	Spot bool
	// CPU and MemoryMiB are the registered resources (CPU units, MiB); both
	// must be positive. They split the instance's cost among its tasks.
	CPU, MemoryMiB int
}

// EC2TaskUsage describes a task on an EC2 container instance for the
// accumulator.
type EC2TaskUsage struct {
	// Service is the report key.
	Service string
	// InstanceID is the id the instance was started with.
	InstanceID string
	// CPU and MemoryMiB are the task's reservations (CPU units, MiB).
	CPU, MemoryMiB int
}

type meterKind uint8

const (
	fargateMeter meterKind = iota
	instanceMeter
	ec2TaskMeter
	fileSystemMeter
)

type meter struct {
	kind  meterKind
	start time.Duration
	// service, provider, cluster are the keys this meter reports under.
	service, provider, cluster string
	// ratePerHour is the billed rate (Fargate task, instance) or the task's
	// share of its instance's rate (EC2 task).
	ratePerHour float64
	// instance is the id of an EC2 task's instance; id is the meter's own
	// id and pos its index in the instance's tasks (EC2 task meters).
	instance, id string
	pos          int
	inst         *meter // the instance's meter, for an EC2 task
	// instance meters: CPU, memory, the share cost of tasks already
	// stopped, and the tasks still open on it (unordered: a stopped task
	// is swapped with the last, so that a stop costs O(1)).
	cpu, mem   int
	sharesPaid float64
	tasks      []*meter
}

// Accumulator adds up what a simulation costs, per service, per capacity
// provider and per cluster, and how much of the EC2 cost is idle; and
// what its Amazon EFS file systems cost, per file system.
//
// Fargate tasks are billed per second with a one-minute minimum. EC2
// instances are billed per second with a 60-second minimum, the whole cost
// to their provider and cluster. An EC2 task is charged to its service a
// share of its instance's rate for the time it holds its reservation,
//
//	share = (taskCPU / instanceCPU + taskMemory / instanceMemory) / 2,
//
// the mean of its CPU and memory shares, without rounding or minimum (it is
// a split of the instance's bill, not a bill). Whatever part of an
// instance's cost no task's share covers is idle capacity, reported per
// provider and cluster. File systems are billed continuously at their
// hourly rate (storage and provisioned throughput, no minimum) plus their
// per-GB charges (Charge), and belong to no service or cluster. So
// Σ services + Σ idle = Σ clusters = Total − Σ file systems.
//
// Times are time.Duration since the start of the simulation. Reports sum in
// sorted key order, so the same events give bit-identical figures.
type Accumulator struct {
	prices Prices
	open   map[string]*meter
	// closed totals, in dollars
	service, provider, cluster map[string]float64
	providerIdle, clusterIdle  map[string]float64
	fileSystem                 map[string]float64
	total                      float64
}

// NewAccumulator returns an empty accumulator using prices, or the price
// list's errors.
func NewAccumulator(prices Prices) (*Accumulator, error) {
	if err := prices.Validate(); err != nil {
		return nil, err
	}
	return &Accumulator{
		prices:       prices,
		open:         map[string]*meter{},
		service:      map[string]float64{},
		provider:     map[string]float64{},
		cluster:      map[string]float64{},
		providerIdle: map[string]float64{},
		clusterIdle:  map[string]float64{},
		fileSystem:   map[string]float64{},
	}, nil
}

// FileSystemUsage is what an Amazon EFS file system is billed for by the
// hour.
type FileSystemUsage struct {
	// StoredGB is the Standard storage, GB, billed at
	// Prices.EFSStandardPerGBMonth.
	StoredGB float64
	// ProvisionedAboveBaselineMiBps is the Provisioned throughput above
	// the baseline the storage includes, MiB/s, billed at
	// Prices.EFSProvisionedPerMiBpsMonth; 0 outside Provisioned mode.
	ProvisionedAboveBaselineMiBps float64
}

// StartFileSystem starts billing file system id (its report key) at now.
func (a *Accumulator) StartFileSystem(id string, u FileSystemUsage, now time.Duration) error {
	var errs []error
	if !(u.StoredGB >= 0) || math.IsInf(u.StoredGB, 0) {
		errs = append(errs, invalid("FileSystemUsage.StoredGB", u.StoredGB, "must be a finite number ≥ 0"))
	}
	if !(u.ProvisionedAboveBaselineMiBps >= 0) || math.IsInf(u.ProvisionedAboveBaselineMiBps, 0) {
		errs = append(errs, invalid("FileSystemUsage.ProvisionedAboveBaselineMiBps", u.ProvisionedAboveBaselineMiBps, "must be a finite number ≥ 0"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	perMonth := u.StoredGB*a.prices.EFSStandardPerGBMonth + u.ProvisionedAboveBaselineMiBps*a.prices.EFSProvisionedPerMiBpsMonth
	if err := a.add(id, &meter{kind: fileSystemMeter, start: now, id: id, ratePerHour: perMonth / HoursPerMonth}); err != nil {
		return err
	}
	a.fileSystem[id] += 0 // listed from the start
	return nil
}

// ChargeFileSystem adds the charges of GB read and written in Elastic
// throughput mode to file system id.
func (a *Accumulator) ChargeFileSystem(id string, readGB, writtenGB float64) error {
	if m, ok := a.open[id]; !ok || m.kind != fileSystemMeter {
		return fmt.Errorf("%w: file system %q is not open", ErrUnknownID, id)
	}
	if !(readGB >= 0 && writtenGB >= 0) || math.IsInf(readGB+writtenGB, 0) {
		return invalid("ChargeFileSystem(readGB, writtenGB)", [2]float64{readGB, writtenGB}, "must be finite numbers ≥ 0")
	}
	c := readGB*a.prices.EFSElasticReadPerGB + writtenGB*a.prices.EFSElasticWritePerGB
	a.fileSystem[id] += c
	a.total += c
	return nil
}

func (a *Accumulator) add(id string, m *meter) error {
	if _, dup := a.open[id]; dup {
		return fmt.Errorf("%w: %q is already open", ErrUnknownID, id)
	}
	a.open[id] = m
	return nil
}

// StartFargateTask starts billing a Fargate task at now (the start of its
// image pull).
func (a *Accumulator) StartFargateTask(id string, u FargateUsage, now time.Duration) error {
	if err := u.Size.Validate(); err != nil {
		return err
	}
	if u.Spot && u.Size.OS == Windows {
		return sizeError("FargateUsage.Spot", true, "Fargate Spot does not support Windows")
	}
	return a.add(id, &meter{kind: fargateMeter, start: now, service: u.Service, provider: u.Provider, cluster: u.Cluster,
		ratePerHour: a.prices.FargateHourlyRate(u.Size, u.Spot)})
}

// StartInstance starts billing an EC2 instance at now (its launch).
func (a *Accumulator) StartInstance(id string, u InstanceUsage, now time.Duration) error {
	var errs []error
	if u.CPU <= 0 {
		errs = append(errs, invalid("InstanceUsage.CPU", u.CPU, "must be > 0"))
	}
	if u.MemoryMiB <= 0 {
		errs = append(errs, invalid("InstanceUsage.MemoryMiB", u.MemoryMiB, "must be > 0"))
	}
	if !(u.OnDemandPerHour >= 0) || math.IsInf(u.OnDemandPerHour, 0) {
		errs = append(errs, invalid("InstanceUsage.OnDemandPerHour", u.OnDemandPerHour, "must be a finite number ≥ 0"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return a.add(id, &meter{kind: instanceMeter, start: now, provider: u.Provider, cluster: u.Cluster,
		ratePerHour: a.prices.EC2HourlyRate(u.OnDemandPerHour, u.Spot), cpu: u.CPU, mem: u.MemoryMiB})
}

// StartEC2Task starts charging a task's share of its instance at now.
func (a *Accumulator) StartEC2Task(id string, u EC2TaskUsage, now time.Duration) error {
	inst, ok := a.open[u.InstanceID]
	if !ok || inst.kind != instanceMeter {
		return fmt.Errorf("%w: instance %q is not open", ErrUnknownID, u.InstanceID)
	}
	if u.CPU < 0 || u.MemoryMiB < 0 {
		return invalid("EC2TaskUsage.CPU/MemoryMiB", [2]int{u.CPU, u.MemoryMiB}, "must be ≥ 0")
	}
	share := (float64(u.CPU)/float64(inst.cpu) + float64(u.MemoryMiB)/float64(inst.mem)) / 2
	m := &meter{kind: ec2TaskMeter, start: now, service: u.Service, provider: inst.provider, cluster: inst.cluster,
		ratePerHour: share * inst.ratePerHour, instance: u.InstanceID, id: id, pos: len(inst.tasks), inst: inst}
	if err := a.add(id, m); err != nil {
		return err
	}
	inst.tasks = append(inst.tasks, m)
	return nil
}

// cost returns what an open meter has cost by now.
func (m *meter) cost(now time.Duration) float64 {
	d := now - m.start
	if m.kind == ec2TaskMeter || m.kind == fileSystemMeter {
		if d <= 0 {
			return 0
		}
		return m.ratePerHour * d.Hours()
	}
	return m.ratePerHour * float64(BilledSeconds(d)) / 3600
}

// Stop stops billing id (a Fargate task, an EC2 task or an instance) at
// now. Stopping an instance first stops the tasks still on it.
func (a *Accumulator) Stop(id string, now time.Duration) error {
	m, ok := a.open[id]
	if !ok {
		return fmt.Errorf("%w: %q is not open", ErrUnknownID, id)
	}
	switch m.kind {
	case fargateMeter:
		c := m.cost(now)
		a.service[m.service] += c
		a.provider[m.provider] += c
		a.cluster[m.cluster] += c
		a.total += c
	case ec2TaskMeter:
		c := m.cost(now)
		a.service[m.service] += c
		inst := m.inst
		inst.sharesPaid += c
		last := inst.tasks[len(inst.tasks)-1]
		inst.tasks[m.pos], last.pos = last, m.pos
		inst.tasks[len(inst.tasks)-1] = nil
		inst.tasks = inst.tasks[:len(inst.tasks)-1]
	case fileSystemMeter:
		c := m.cost(now)
		a.fileSystem[m.id] += c
		a.total += c
	case instanceMeter:
		for len(m.tasks) > 0 {
			if err := a.Stop(m.tasks[len(m.tasks)-1].id, now); err != nil {
				return err
			}
		}
		c := m.cost(now)
		idle := c - m.sharesPaid
		a.provider[m.provider] += c
		a.cluster[m.cluster] += c
		a.providerIdle[m.provider] += idle
		a.clusterIdle[m.cluster] += idle
		a.total += c
	}
	delete(a.open, id)
	return nil
}

// CostLine is one key's cost in a Report, dollars.
type CostLine struct {
	// Key is the service, provider or cluster name.
	Key string
	// Cost is everything billed to the key so far.
	Cost float64
	// Idle is the part of Cost that pays for EC2 capacity no task
	// reserved; zero for services and Fargate providers.
	Idle float64
}

// Report is a cost breakdown at one instant, every slice sorted by key.
type Report struct {
	// Total is everything billed, dollars.
	Total float64
	// ByService, ByProvider and ByCluster break Total down, less what
	// file systems cost.
	ByService, ByProvider, ByCluster []CostLine
	// ByFileSystem is what each Amazon EFS file system cost (storage,
	// throughput), keyed by file system ID; nil without file systems.
	ByFileSystem []CostLine
}

// Report returns the costs billed up to now: stopped usage as billed, and
// running usage as if it stopped at now.
func (a *Accumulator) Report(now time.Duration) Report {
	service := cloneMap(a.service)
	provider := cloneMap(a.provider)
	cluster := cloneMap(a.cluster)
	providerIdle := cloneMap(a.providerIdle)
	clusterIdle := cloneMap(a.clusterIdle)
	fileSystem := cloneMap(a.fileSystem)
	total := a.total
	ids := make([]string, 0, len(a.open))
	for id := range a.open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	shares := map[string]float64{}
	for _, id := range ids {
		m := a.open[id]
		if m.kind == ec2TaskMeter {
			c := m.cost(now)
			service[m.service] += c
			shares[m.instance] += c
		}
	}
	for _, id := range ids {
		m := a.open[id]
		switch m.kind {
		case fargateMeter:
			c := m.cost(now)
			service[m.service] += c
			provider[m.provider] += c
			cluster[m.cluster] += c
			total += c
		case instanceMeter:
			c := m.cost(now)
			idle := c - m.sharesPaid - shares[id]
			provider[m.provider] += c
			cluster[m.cluster] += c
			providerIdle[m.provider] += idle
			clusterIdle[m.cluster] += idle
			total += c
		case fileSystemMeter:
			c := m.cost(now)
			fileSystem[m.id] += c
			total += c
		}
	}
	r := Report{
		Total:      total,
		ByService:  lines(service, nil),
		ByProvider: lines(provider, providerIdle),
		ByCluster:  lines(cluster, clusterIdle),
	}
	if len(fileSystem) > 0 {
		r.ByFileSystem = lines(fileSystem, nil)
	}
	return r
}

func cloneMap(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func lines(cost, idle map[string]float64) []CostLine {
	out := make([]CostLine, 0, len(cost))
	for k, v := range cost {
		out = append(out, CostLine{Key: k, Cost: v, Idle: idle[k]})
	}
	slices.SortFunc(out, func(a, b CostLine) int {
		switch {
		case a.Key < b.Key:
			return -1
		case a.Key > b.Key:
			return 1
		}
		return 0
	})
	return out
}
