package sim

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
)

// Architecture is a CPU architecture, as the built-in attribute
// ecs.cpu-architecture spells it.
type Architecture string

// Architectures of the catalog's instance types.
const (
	X86_64 Architecture = "x86_64"
	ARM64  Architecture = "arm64"
)

// InstanceType describes one EC2 instance type as ECS sees it.
type InstanceType struct {
	// Name is the EC2 name, e.g. "m5.large".
	Name string
	// VCPU is the number of vCPUs; the agent registers 1024 CPU units each.
	VCPU int
	// MemoryMiB is the installed memory in MiB (8 GiB = 8192), as EC2
	// advertises it. The registered memory is less; see RegisteredMemoryMiB.
	MemoryMiB int
	// MaxENIs is the instance type's network interface limit, the primary
	// ENI included. Without ENI trunking each awsvpc task takes one of the
	// others, so MaxENIs-1 awsvpc tasks fit.
	MaxENIs int
	// Arch is the CPU architecture.
	Arch Architecture
	// PricePerHour is the Linux on-demand price in us-east-1, in US dollars
	// per hour; 0 means unknown. It is for reports, never for decisions.
	PricePerHour float64
	// TrunkedTasks is how many awsvpc tasks the instance hosts with ENI
	// trunking on (WorldConfig.AWSVPCTrunking): the trunk ENI's branch
	// interfaces, from AWS's table of supported instance types
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/eni-trunking-supported-instance-types.html).
	// 0 means the type does not support trunking (the T family, for one),
	// and such an instance keeps TaskENIs.
	TrunkedTasks int
}

// RegisteredCPU is the CPU the agent registers: 1024 units per vCPU.
func (t InstanceType) RegisteredCPU() int { return t.VCPU * 1024 }

// RegisteredMemoryMiB is the memory the agent registers for tasks, in MiB.
//
// The agent registers the memory the operating system reports, which is
// less than the installed memory because of kernel and platform overhead,
// minus ECS_RESERVED_MEMORY (default 0). AWS's one documented figure is an
// m4.large with 8 GiB installed whose OS reports 8373026816 bytes, that is
// 7985 MiB ("Reserving Amazon ECS Linux container instance memory",
// docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html).
// The catalog scales that ratio to every type:
//
//	registered = floor(MemoryMiB × 7985 / 8192) − reservedMiB
//
// so an m5.large (8192 MiB) registers 7985 MiB and a t3.micro (1024 MiB) 998
// MiB. Real figures vary by AMI by a few tens of MiB; replace the catalog
// entry or set WorldConfig.ReservedMemoryMiB to match a fleet.
func (t InstanceType) RegisteredMemoryMiB(reservedMiB int) int {
	return t.MemoryMiB*7985/8192 - reservedMiB
}

// TaskENIs is how many awsvpc tasks the instance can host without ENI
// trunking: its ENI limit minus the primary interface.
func (t InstanceType) TaskENIs() int { return max(t.MaxENIs-1, 0) }

// AWSVPCTasks is how many awsvpc tasks an instance of the type hosts:
// TrunkedTasks when trunking is on and the type supports it, else
// TaskENIs. "Each Amazon ECS task that uses the awsvpc network mode
// receives its own elastic network interface", and the primary one is the
// instance's; with trunking the tasks take branch interfaces of a trunk
// ENI instead
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-eni.html).
func (t InstanceType) AWSVPCTasks(trunking bool) int {
	if trunking && t.TrunkedTasks > 0 {
		return t.TrunkedTasks
	}
	return t.TaskENIs()
}

// Catalog is a set of instance types, sorted by name. Build one with
// NewCatalog; DefaultCatalog returns the built-in one.
type Catalog struct {
	types []InstanceType
}

// NewCatalog validates the types and returns them as a catalog. Every
// problem is reported, joined.
func NewCatalog(types []InstanceType) (*Catalog, error) {
	l := fielderr.NewList(ErrConfig)
	seen := make(map[string]bool, len(types))
	for i, t := range types {
		field := fmt.Sprintf("InstanceType[%d]", i)
		if t.Name == "" {
			l.Add(field+".Name", t.Name, "is required, e.g. m5.large")
		} else if seen[t.Name] {
			l.Add(field+".Name", t.Name, "appears twice; names must be unique")
		} else if err := placement.ValidateAttributes(map[string]string{placement.AttrInstanceType: t.Name}); err != nil {
			// The name becomes the ecs.instance-type attribute.
			joinLeaf(l, ErrConfig, field+".Name", "Attributes", err)
		}
		seen[t.Name] = true
		if t.VCPU <= 0 || t.VCPU > placement.MaxInstanceCPU/1024 {
			l.Addf(field+".VCPU", t.VCPU, "must be 1 to %d", placement.MaxInstanceCPU/1024)
		}
		if t.MemoryMiB <= 0 || t.MemoryMiB > placement.MaxInstanceMemory {
			l.Addf(field+".MemoryMiB", t.MemoryMiB, "must be 1 to %d", placement.MaxInstanceMemory)
		}
		if t.MaxENIs < 1 || t.MaxENIs > placement.MaxInstanceENIs+1 {
			l.Addf(field+".MaxENIs", t.MaxENIs, "must be 1 (the primary ENI) to %d", placement.MaxInstanceENIs+1)
		}
		if t.TrunkedTasks < 0 || t.TrunkedTasks > placement.MaxInstanceENIs {
			l.Addf(field+".TrunkedTasks", t.TrunkedTasks, "must be 0 (no ENI trunking) to %d", placement.MaxInstanceENIs)
		}
		if t.Arch != X86_64 && t.Arch != ARM64 {
			l.Addf(field+".Arch", string(t.Arch), "must be %q or %q", X86_64, ARM64)
		}
		if !(t.PricePerHour >= 0) || math.IsInf(t.PricePerHour, 1) {
			l.Add(field+".PricePerHour", t.PricePerHour, "must be a finite price of at least 0")
		}
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	c := &Catalog{types: slices.Clone(types)}
	slices.SortFunc(c.types, func(a, b InstanceType) int { return cmp.Compare(a.Name, b.Name) })
	return c, nil
}

// Lookup returns the instance type called name.
func (c *Catalog) Lookup(name string) (InstanceType, bool) {
	i, ok := slices.BinarySearchFunc(c.types, name, func(t InstanceType, n string) int { return cmp.Compare(t.Name, n) })
	if !ok {
		return InstanceType{}, false
	}
	return c.types[i], true
}

// Types returns the catalog's instance types sorted by name.
func (c *Catalog) Types() []InstanceType { return slices.Clone(c.types) }

// DefaultCatalog returns the built-in catalog: sizes of the m5, m6i, m7g,
// c5, c6g, c7g, r5, r6g and t3 families.
//
// Sources: vCPU, memory and ENI limits from the EC2 instance type
// specifications (docs.aws.amazon.com/ec2/latest/instancetypes); the
// trunked task limits from ECS's table of instance types that support ENI
// trunking (June 2023 text,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/eni-trunking-supported-instance-types.html;
// the T family is not in it); prices are
// the Linux on-demand rates in us-east-1 as listed on
// aws.amazon.com/ec2/pricing/on-demand during 2024. They were taken from
// memory of that page, not re-read for this release; treat them as
// point-in-time examples and replace the catalog for cost studies.
func DefaultCatalog() *Catalog {
	c, err := NewCatalog(defaultTypes)
	if err != nil {
		panic(err) // the table below is a literal; a test keeps it valid
	}
	return c
}

var defaultTypes = []InstanceType{
	{"m5.large", 2, 8192, 3, X86_64, 0.096, 10},
	{"m5.xlarge", 4, 16384, 4, X86_64, 0.192, 20},
	{"m5.2xlarge", 8, 32768, 4, X86_64, 0.384, 40},
	{"m5.4xlarge", 16, 65536, 8, X86_64, 0.768, 60},
	{"m6i.large", 2, 8192, 3, X86_64, 0.096, 10},
	{"m6i.xlarge", 4, 16384, 4, X86_64, 0.192, 20},
	{"m6i.2xlarge", 8, 32768, 4, X86_64, 0.384, 40},
	{"m6i.4xlarge", 16, 65536, 8, X86_64, 0.768, 60},
	{"m7g.medium", 1, 4096, 2, ARM64, 0.0408, 4},
	{"m7g.large", 2, 8192, 3, ARM64, 0.0816, 10},
	{"m7g.xlarge", 4, 16384, 4, ARM64, 0.1632, 20},
	{"m7g.2xlarge", 8, 32768, 4, ARM64, 0.3264, 40},
	{"c5.large", 2, 4096, 3, X86_64, 0.085, 10},
	{"c5.xlarge", 4, 8192, 4, X86_64, 0.17, 20},
	{"c5.2xlarge", 8, 16384, 4, X86_64, 0.34, 40},
	{"c5.4xlarge", 16, 32768, 8, X86_64, 0.68, 60},
	{"c6g.medium", 1, 2048, 2, ARM64, 0.034, 4},
	{"c6g.large", 2, 4096, 3, ARM64, 0.068, 10},
	{"c6g.xlarge", 4, 8192, 4, ARM64, 0.136, 20},
	{"c6g.2xlarge", 8, 16384, 4, ARM64, 0.272, 40},
	{"c7g.medium", 1, 2048, 2, ARM64, 0.0363, 4},
	{"c7g.large", 2, 4096, 3, ARM64, 0.0725, 10},
	{"c7g.xlarge", 4, 8192, 4, ARM64, 0.145, 20},
	{"c7g.2xlarge", 8, 16384, 4, ARM64, 0.29, 40},
	{"r5.large", 2, 16384, 3, X86_64, 0.126, 10},
	{"r5.xlarge", 4, 32768, 4, X86_64, 0.252, 20},
	{"r5.2xlarge", 8, 65536, 4, X86_64, 0.504, 40},
	{"r6g.medium", 1, 8192, 2, ARM64, 0.0504, 4},
	{"r6g.large", 2, 16384, 3, ARM64, 0.1008, 10},
	{"r6g.xlarge", 4, 32768, 4, ARM64, 0.2016, 20},
	{"r6g.2xlarge", 8, 65536, 4, ARM64, 0.4032, 40},
	{"t3.micro", 2, 1024, 2, X86_64, 0.0104, 0},
	{"t3.small", 2, 2048, 3, X86_64, 0.0208, 0},
	{"t3.medium", 2, 4096, 3, X86_64, 0.0416, 0},
	{"t3.large", 2, 8192, 3, X86_64, 0.0832, 0},
	{"t3.xlarge", 4, 16384, 4, X86_64, 0.1664, 0},
}
