package capacity

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The size table of https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html,
// written out in GB as the documentation gives it (1 GB = 1024 MiB), independently of fargateSizes.
func documentedMemoryGB(cpu int) []float64 {
	span := func(lo, hi, step float64) []float64 {
		var out []float64
		for g := lo; g <= hi; g += step {
			out = append(out, g)
		}
		return out
	}
	switch cpu {
	case 256:
		return []float64{0.5, 1, 2}
	case 512:
		return span(1, 4, 1)
	case 1024:
		return span(2, 8, 1)
	case 2048:
		return span(4, 16, 1)
	case 4096:
		return span(8, 30, 1)
	case 8192:
		return span(16, 60, 4)
	case 16384:
		return span(32, 120, 8)
	}
	return nil
}

func TestFargateSizesMatchDocumentedTable(t *testing.T) {
	var cpus []int
	for _, s := range FargateSizes() {
		cpus = append(cpus, s.CPU)
		var want []int
		for _, g := range documentedMemoryGB(s.CPU) {
			want = append(want, int(g*1024))
		}
		if diff := cmp.Diff(want, s.Memory()); diff != "" {
			t.Errorf("cpu %d memory (-documented +table):\n%s", s.CPU, diff)
		}
	}
	if diff := cmp.Diff([]int{256, 512, 1024, 2048, 4096, 8192, 16384}, cpus); diff != "" {
		t.Errorf("cpu sizes (-documented +table):\n%s", diff)
	}
}

func TestValidateFargateSizeEveryCombination(t *testing.T) {
	// Every documented pair is valid; every other memory in 256 MiB steps up
	// to 128 GiB, and every other CPU, is not.
	valid := map[[2]int]bool{}
	for _, cpu := range []int{256, 512, 1024, 2048, 4096, 8192, 16384} {
		for _, g := range documentedMemoryGB(cpu) {
			valid[[2]int{cpu, int(g * 1024)}] = true
		}
	}
	for cpu := 128; cpu <= 16384+128; cpu += 128 {
		for mem := 256; mem <= 128*1024; mem += 256 {
			err := ValidateFargateSize(cpu, mem)
			if want := valid[[2]int{cpu, mem}]; want != (err == nil) {
				t.Fatalf("ValidateFargateSize(%d, %d) = %v, want valid=%v", cpu, mem, err, want)
			}
			if err != nil && !errors.Is(err, ErrInvalidTaskSize) {
				t.Fatalf("error %v does not match ErrInvalidTaskSize", err)
			}
		}
	}
}

func TestValidateFargateSizeMessages(t *testing.T) {
	tests := []struct {
		name      string
		cpu, mem  int
		wantError string
	}{
		{"unknown cpu", 384, 1024, "capacity: invalid Fargate task size: cpu 384: Fargate offers 256, 512, 1024, 2048, 4096, 8192, 16384"},
		{"memory off the 1 GB steps", 1024, 1000, "capacity: invalid Fargate task size: memory 1000: with cpu 1024 it must be one of 2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB"},
		{"quarter vCPU lists 512", 256, 4096, "capacity: invalid Fargate task size: memory 4096: with cpu 256 it must be one of 512, 1024, 2048 MiB"},
		{"8 vCPU needs 4 GB steps", 8192, 17408, "capacity: invalid Fargate task size: memory 17408: with cpu 8192 it must be one of 16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateFargateSize(tt.cpu, tt.mem)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.wantError, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFargateTaskSizeValidate(t *testing.T) {
	tests := []struct {
		name  string
		size  FargateTaskSize
		wants []string // substrings, one per expected problem
	}{
		{"linux x86 default storage", FargateTaskSize{CPU: 256, MemoryMiB: 512}, nil},
		{"arm 16 vCPU with 200 GiB", FargateTaskSize{CPU: 16384, MemoryMiB: 122880, Arch: ARM64, EphemeralStorageGiB: 200}, nil},
		{"windows 1 vCPU", FargateTaskSize{CPU: 1024, MemoryMiB: 2048, OS: Windows}, nil},
		{"windows below 1 vCPU", FargateTaskSize{CPU: 512, MemoryMiB: 1024, OS: Windows}, []string{"OS WINDOWS:"}},
		{"windows 8 vCPU", FargateTaskSize{CPU: 8192, MemoryMiB: 16384, OS: Windows}, []string{"OS WINDOWS:"}},
		{"windows on arm", FargateTaskSize{CPU: 1024, MemoryMiB: 2048, OS: Windows, Arch: ARM64}, []string{"Arch ARM64:"}},
		{"storage 20 explicit", FargateTaskSize{CPU: 256, MemoryMiB: 512, EphemeralStorageGiB: 20}, []string{"EphemeralStorageGiB 20:"}},
		{"storage 201", FargateTaskSize{CPU: 256, MemoryMiB: 512, EphemeralStorageGiB: 201}, []string{"EphemeralStorageGiB 201:"}},
		{"everything wrong at once", FargateTaskSize{CPU: 300, MemoryMiB: 1, EphemeralStorageGiB: 5, Arch: 9}, []string{"cpu 300", "Arch Architecture(9):", "EphemeralStorageGiB 5:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.size.Validate()
			if len(tt.wants) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrInvalidTaskSize) {
				t.Fatalf("error %v, want one matching ErrInvalidTaskSize", err)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if got := strings.Count(err.Error(), "\n") + 1; got != len(tt.wants) {
				t.Errorf("%d problems reported, want %d: %v", got, len(tt.wants), err)
			}
		})
	}
	if got := (FargateTaskSize{}).StorageGiB(); got != 20 {
		t.Errorf("default storage = %d GiB, want 20", got)
	}
}
