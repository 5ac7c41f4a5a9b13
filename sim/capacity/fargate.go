package capacity

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ecssim/ecssim/internal/fielderr"
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
	// ARM64 is Graviton; Linux only, the same sizes as Linux/x86 (Fargate's
	// size table, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html, is per OS, not per architecture).
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

// MarshalText writes "LINUX" or "WINDOWS".
func (o OperatingSystem) MarshalText() ([]byte, error) {
	if o > Windows {
		return nil, invalid("OperatingSystem", int(o), "must be LINUX or WINDOWS")
	}
	return []byte(o.String()), nil
}

// UnmarshalText reads runtimePlatform.operatingSystemFamily as the task
// definition API spells it: "LINUX", or a Windows family
// ("WINDOWS_SERVER_2022_FULL", "WINDOWS_SERVER_2019_CORE", …; any
// "WINDOWS_SERVER_" name, since sizing and pricing do not tell them apart),
// or "WINDOWS".
func (o *OperatingSystem) UnmarshalText(text []byte) error {
	switch s := string(text); {
	case s == "LINUX":
		*o = Linux
	case s == "WINDOWS" || strings.HasPrefix(s, "WINDOWS_SERVER_") && len(s) > len("WINDOWS_SERVER_"):
		*o = Windows
	default:
		return invalid("OperatingSystem", s, "must be LINUX or a WINDOWS_SERVER_* family (or WINDOWS)")
	}
	return nil
}

// MarshalText writes "X86_64" or "ARM64", as runtimePlatform.cpuArchitecture
// spells them.
func (a Architecture) MarshalText() ([]byte, error) {
	if a > ARM64 {
		return nil, invalid("Architecture", int(a), "must be X86_64 or ARM64")
	}
	return []byte(a.String()), nil
}

// UnmarshalText reads "X86_64" or "ARM64".
func (a *Architecture) UnmarshalText(text []byte) error {
	switch string(text) {
	case "X86_64":
		*a = X86_64
	case "ARM64":
		*a = ARM64
	default:
		return invalid("Architecture", string(text), "must be one of X86_64, ARM64")
	}
	return nil
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

// fargateSizes is Fargate's task size table
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html)
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
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html),
// in GiB.
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
	return fielderr.New(ErrInvalidTaskSize, field, value, rule)
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
// values, e.g. "capacity: invalid Fargate task size: cpu 384: Fargate offers
// 256, 512, 1024, 2048, 4096, 8192, 16384" or "capacity: invalid Fargate
// task size: memory 1000: with cpu 1024 it must be one of 2048, 3072, ...,
// 8192 MiB".
func ValidateFargateSize(cpu, memoryMiB int) error {
	row, ok := fargateRow(cpu)
	if !ok {
		cpus := make([]int, len(fargateSizes))
		for i, s := range fargateSizes {
			cpus[i] = s.CPU
		}
		return sizeError("cpu", cpu, "Fargate offers "+joinInts(cpus))
	}
	if !row.allows(memoryMiB) {
		return sizeError("memory", memoryMiB, fmt.Sprintf("with cpu %d it must be one of %s MiB", cpu, joinInts(row.Memory())))
	}
	return nil
}

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
