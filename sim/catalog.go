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
// specifications (docs.aws.amazon.com/ec2/latest/instancetypes); prices are
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
	{"m5.large", 2, 8192, 3, X86_64, 0.096},
	{"m5.xlarge", 4, 16384, 4, X86_64, 0.192},
	{"m5.2xlarge", 8, 32768, 4, X86_64, 0.384},
	{"m5.4xlarge", 16, 65536, 8, X86_64, 0.768},
	{"m6i.large", 2, 8192, 3, X86_64, 0.096},
	{"m6i.xlarge", 4, 16384, 4, X86_64, 0.192},
	{"m6i.2xlarge", 8, 32768, 4, X86_64, 0.384},
	{"m6i.4xlarge", 16, 65536, 8, X86_64, 0.768},
	{"m7g.medium", 1, 4096, 2, ARM64, 0.0408},
	{"m7g.large", 2, 8192, 3, ARM64, 0.0816},
	{"m7g.xlarge", 4, 16384, 4, ARM64, 0.1632},
	{"m7g.2xlarge", 8, 32768, 4, ARM64, 0.3264},
	{"c5.large", 2, 4096, 3, X86_64, 0.085},
	{"c5.xlarge", 4, 8192, 4, X86_64, 0.17},
	{"c5.2xlarge", 8, 16384, 4, X86_64, 0.34},
	{"c5.4xlarge", 16, 32768, 8, X86_64, 0.68},
	{"c6g.medium", 1, 2048, 2, ARM64, 0.034},
	{"c6g.large", 2, 4096, 3, ARM64, 0.068},
	{"c6g.xlarge", 4, 8192, 4, ARM64, 0.136},
	{"c6g.2xlarge", 8, 16384, 4, ARM64, 0.272},
	{"c7g.medium", 1, 2048, 2, ARM64, 0.0363},
	{"c7g.large", 2, 4096, 3, ARM64, 0.0725},
	{"c7g.xlarge", 4, 8192, 4, ARM64, 0.145},
	{"c7g.2xlarge", 8, 16384, 4, ARM64, 0.29},
	{"r5.large", 2, 16384, 3, X86_64, 0.126},
	{"r5.xlarge", 4, 32768, 4, X86_64, 0.252},
	{"r5.2xlarge", 8, 65536, 4, X86_64, 0.504},
	{"r6g.medium", 1, 8192, 2, ARM64, 0.0504},
	{"r6g.large", 2, 16384, 3, ARM64, 0.1008},
	{"r6g.xlarge", 4, 32768, 4, ARM64, 0.2016},
	{"r6g.2xlarge", 8, 65536, 4, ARM64, 0.4032},
	{"t3.micro", 2, 1024, 2, X86_64, 0.0104},
	{"t3.small", 2, 2048, 3, X86_64, 0.0208},
	{"t3.medium", 2, 4096, 3, X86_64, 0.0416},
	{"t3.large", 2, 8192, 3, X86_64, 0.0832},
	{"t3.xlarge", 4, 16384, 4, X86_64, 0.1664},
}
