package capacity

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// OperatingSystem is the task definition's runtimePlatform.operatingSystemFamily
// as far as Fargate sizing and pricing care.
type OperatingSystem uint8

// Operating system families. The zero value is Linux, the common case.
const (
	// Linux is every LINUX family; all seven Fargate CPU sizes.
	Linux OperatingSystem = iota
	// Windows is every WINDOWS_SERVER_* family; only 1, 2 and 4 vCPU, x86
	// only, and not on Fargate Spot.
	Windows
)

// String returns "LINUX" or "WINDOWS".
func (o OperatingSystem) String() string {
	switch o {
	case Linux:
		return "LINUX"
	case Windows:
		return "WINDOWS"
	}
	return "OperatingSystem(" + strconv.Itoa(int(o)) + ")"
}

// Architecture is runtimePlatform.cpuArchitecture.
type Architecture uint8

// CPU architectures. The zero value is X86_64.
const (
	// X86_64 is Intel/AMD; every size, Linux and Windows.
	X86_64 Architecture = iota
	// ARM64 is Graviton; Linux only, the same sizes as Linux/x86 (the size
	// table of aws-behaviour.md §4.1 is per OS, not per architecture).
	ARM64
)

// String returns "X86_64" or "ARM64".
func (a Architecture) String() string {
	switch a {
	case X86_64:
		return "X86_64"
	case ARM64:
		return "ARM64"
	}
	return "Architecture(" + strconv.Itoa(int(a)) + ")"
}

// FargateCPUSize is one row of the Fargate task size table: a task-level CPU
// value and the memory values allowed with it.
type FargateCPUSize struct {
	// CPU is the task CPU in CPU units (1024 = 1 vCPU).
	CPU int
	// MinMemoryMiB, MaxMemoryMiB and StepMiB give the allowed memory
	// values MinMemoryMiB, MinMemoryMiB+StepMiB, ..., MaxMemoryMiB; the
	// 0.25 vCPU row is irregular and lists Extra instead.
	MinMemoryMiB, MaxMemoryMiB, StepMiB int
	// Extra lists memory values outside the arithmetic series (the 512 MiB
	// of 0.25 vCPU); nil for regular rows.
	Extra []int
	// Windows reports whether Windows tasks may use this CPU size.
	Windows bool
}

// Memory returns every memory value allowed with this CPU size, ascending,
// in MiB.
func (s FargateCPUSize) Memory() []int {
	out := append([]int(nil), s.Extra...)
	for m := s.MinMemoryMiB; m <= s.MaxMemoryMiB; m += s.StepMiB {
		out = append(out, m)
	}
	return out
}

func (s FargateCPUSize) allows(memoryMiB int) bool {
	for _, m := range s.Extra {
		if m == memoryMiB {
			return true
		}
	}
	return memoryMiB >= s.MinMemoryMiB && memoryMiB <= s.MaxMemoryMiB &&
		(memoryMiB-s.MinMemoryMiB)%s.StepMiB == 0
}

// fargateSizes is the task size table of aws-behaviour.md §4.1
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html).
// 1 GB in the table is 1024 MiB.
var fargateSizes = []FargateCPUSize{
	{CPU: 256, Extra: []int{512}, MinMemoryMiB: 1024, MaxMemoryMiB: 2048, StepMiB: 1024},
	{CPU: 512, MinMemoryMiB: 1024, MaxMemoryMiB: 4096, StepMiB: 1024},
	{CPU: 1024, MinMemoryMiB: 2048, MaxMemoryMiB: 8192, StepMiB: 1024, Windows: true},
	{CPU: 2048, MinMemoryMiB: 4096, MaxMemoryMiB: 16384, StepMiB: 1024, Windows: true},
	{CPU: 4096, MinMemoryMiB: 8192, MaxMemoryMiB: 30720, StepMiB: 1024, Windows: true},
	{CPU: 8192, MinMemoryMiB: 16384, MaxMemoryMiB: 61440, StepMiB: 4096},
	{CPU: 16384, MinMemoryMiB: 32768, MaxMemoryMiB: 122880, StepMiB: 8192},
}

// FargateSizes returns a copy of the Fargate task size table, ascending by
// CPU.
func FargateSizes() []FargateCPUSize {
	out := make([]FargateCPUSize, len(fargateSizes))
	for i, s := range fargateSizes {
		s.Extra = append([]int(nil), s.Extra...)
		out[i] = s
	}
	return out
}

// Ephemeral storage limits of Fargate platform version 1.4.0 and later
// (aws-behaviour.md §4.2), in GiB.
const (
	// DefaultEphemeralStorageGiB is the storage every Fargate task gets
	// without an ephemeralStorage setting, and the amount included in the
	// price.
	DefaultEphemeralStorageGiB = 20
	// MinEphemeralStorageGiB is the smallest explicit ephemeralStorage
	// sizeInGiB.
	MinEphemeralStorageGiB = 21
	// MaxEphemeralStorageGiB is the largest ephemeralStorage sizeInGiB.
	MaxEphemeralStorageGiB = 200
)

// FargateTaskSize is the task-level size of a Fargate task definition.
type FargateTaskSize struct {
	// CPU is the task CPU in CPU units (1024 = 1 vCPU); required, one of
	// 256, 512, 1024, 2048, 4096, 8192, 16384.
	CPU int
	// MemoryMiB is the task memory in MiB; required, one of the values the
	// CPU size allows (FargateCPUSize.Memory).
	MemoryMiB int
	// OS is the operating system family; zero is Linux.
	OS OperatingSystem
	// Arch is the CPU architecture; zero is X86_64. ARM64 needs Linux.
	Arch Architecture
	// EphemeralStorageGiB is the ephemeral storage in GiB; zero means the
	// default 20 GiB, otherwise 21–200.
	EphemeralStorageGiB int
}

// StorageGiB returns the ephemeral storage the task gets, in GiB: the
// configured size, or 20 when unset.
func (s FargateTaskSize) StorageGiB() int {
	if s.EphemeralStorageGiB == 0 {
		return DefaultEphemeralStorageGiB
	}
	return s.EphemeralStorageGiB
}

// Validate reports every way the size breaks Fargate's rules, joined. The
// errors match ErrInvalidTaskSize.
func (s FargateTaskSize) Validate() error {
	var errs []error
	if err := ValidateFargateSize(s.CPU, s.MemoryMiB); err != nil {
		errs = append(errs, err)
	}
	switch s.OS {
	case Linux:
	case Windows:
		if row, ok := fargateRow(s.CPU); ok && !row.Windows {
			errs = append(errs, sizeError("OS", s.OS, "Windows on Fargate supports cpu 1024, 2048 and 4096 only"))
		}
		if s.Arch != X86_64 {
			errs = append(errs, sizeError("Arch", s.Arch, "Windows on Fargate runs on X86_64 only"))
		}
	default:
		errs = append(errs, sizeError("OS", s.OS, "must be Linux or Windows"))
	}
	if s.Arch != X86_64 && s.Arch != ARM64 {
		errs = append(errs, sizeError("Arch", s.Arch, "must be X86_64 or ARM64"))
	}
	if g := s.EphemeralStorageGiB; g != 0 && (g < MinEphemeralStorageGiB || g > MaxEphemeralStorageGiB) {
		errs = append(errs, sizeError("EphemeralStorageGiB", g, "must be 0 (default 20 GiB) or 21–200"))
	}
	return errors.Join(errs...)
}

func sizeError(field string, value any, rule string) error {
	return &fieldError{sentinel: ErrInvalidTaskSize, field: field, value: value, rule: rule}
}

func fargateRow(cpu int) (FargateCPUSize, bool) {
	for _, s := range fargateSizes {
		if s.CPU == cpu {
			return s, true
		}
	}
	return FargateCPUSize{}, false
}

// ValidateFargateSize reports whether Fargate offers a task of cpu CPU units
// and memoryMiB MiB. The error (matching ErrInvalidTaskSize) lists the valid
// values, e.g. "capacity: Fargate does not support cpu 384; valid values are
// 256, 512, 1024, 2048, 4096, 8192, 16384" or "capacity: with cpu 1024,
// memory must be one of 2048, 3072, ..., 8192 MiB; got 1000".
func ValidateFargateSize(cpu, memoryMiB int) error {
	row, ok := fargateRow(cpu)
	if !ok {
		cpus := make([]int, len(fargateSizes))
		for i, s := range fargateSizes {
			cpus[i] = s.CPU
		}
		return &sizeListError{msg: fmt.Sprintf("Fargate does not support cpu %d; valid values are %s", cpu, joinInts(cpus))}
	}
	if !row.allows(memoryMiB) {
		return &sizeListError{msg: fmt.Sprintf("with cpu %d, memory must be one of %s MiB; got %d", cpu, joinInts(row.Memory()), memoryMiB)}
	}
	return nil
}

// sizeListError is ValidateFargateSize's error; it matches
// ErrInvalidTaskSize.
type sizeListError struct{ msg string }

func (e *sizeListError) Error() string { return "capacity: " + e.msg }
func (e *sizeListError) Unwrap() error { return ErrInvalidTaskSize }

func joinInts(xs []int) string {
	var b strings.Builder
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(x))
	}
	return b.String()
}
