package loadbalancer

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// TestDefaultConfig holds the defaults to the AWS API reference
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html,
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html).
func TestDefaultConfig(t *testing.T) {
	alb := Config{
		Type: ALB, Algorithm: RoundRobin,
		HealthCheck: HealthCheck{
			Interval: 30 * time.Second, Timeout: 5 * time.Second,
			HealthyThreshold: 5, UnhealthyThreshold: 2, InitialHealthyThreshold: 5,
		},
		DeregistrationDelay: 300 * time.Second, CrossZone: CrossZoneOn, MinimumHealthyTargets: 1,
	}
	nlb := alb
	nlb.Type, nlb.Algorithm, nlb.CrossZone = NLB, FlowHash, CrossZoneOff
	nlb.HealthCheck.Timeout = 10 * time.Second
	if diff := cmp.Diff(alb, DefaultConfig(ALB)); diff != "" {
		t.Errorf("ALB defaults (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(nlb, DefaultConfig(NLB)); diff != "" {
		t.Errorf("NLB defaults (-want +got):\n%s", diff)
	}
	g := mustNew(t, Config{})
	if diff := cmp.Diff(alb, g.Config()); diff != "" {
		t.Errorf("zero Config in New (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings, one per expected error
	}{
		{name: "zero is valid", cfg: Config{}},
		{name: "nlb zero is valid", cfg: Config{Type: NLB}},
		{name: "slow start at bounds", cfg: Config{SlowStart: 30 * time.Second}},
		{name: "zero delay", cfg: Config{DeregistrationDelay: NoDeregistrationDelay}},
		{name: "interval too short", cfg: Config{HealthCheck: HealthCheck{Interval: 4 * time.Second, Timeout: 2 * time.Second}},
			want: []string{"HealthCheck.Interval 4s"}},
		{name: "fractional interval", cfg: Config{HealthCheck: HealthCheck{Interval: 7500 * time.Millisecond}},
			want: []string{"HealthCheck.Interval 7.5s: must be a whole number of seconds"}},
		{name: "timeout not below interval", cfg: Config{HealthCheck: HealthCheck{Interval: 5 * time.Second}},
			want: []string{"HealthCheck.Timeout 5s: must be less than HealthCheck.Interval (5s)"}},
		{name: "thresholds out of range", cfg: Config{HealthCheck: HealthCheck{HealthyThreshold: 11, UnhealthyThreshold: 1, InitialHealthyThreshold: 12}},
			want: []string{"HealthCheck.HealthyThreshold 11", "HealthCheck.UnhealthyThreshold 1", "HealthCheck.InitialHealthyThreshold 12"}},
		{name: "delay too long", cfg: Config{DeregistrationDelay: 3601 * time.Second},
			want: []string{"DeregistrationDelay 1h0m1s"}},
		{name: "slow start too short", cfg: Config{SlowStart: 29 * time.Second},
			want: []string{"SlowStart 29s"}},
		{name: "slow start with least outstanding requests", cfg: Config{Algorithm: LeastOutstandingRequests, SlowStart: time.Minute},
			want: []string{"SlowStart 1m0s: AWS refuses slow start with least_outstanding_requests"}},
		{name: "slow start with weighted random", cfg: Config{Algorithm: WeightedRandom, SlowStart: time.Minute},
			want: []string{"SlowStart 1m0s: AWS refuses slow start with weighted_random"}},
		{name: "nlb with round robin and slow start", cfg: Config{Type: NLB, Algorithm: RoundRobin, SlowStart: time.Minute},
			want: []string{"Algorithm round_robin: an NLB routes by flow hash only", "SlowStart 1m0s: an NLB has no slow start"}},
		{name: "alb with flow hash", cfg: Config{Algorithm: FlowHash},
			want: []string{"Algorithm flow_hash"}},
		{name: "unknown enums", cfg: Config{Type: 7, Algorithm: 9, CrossZone: 5, MinimumHealthyTargets: -1},
			want: []string{"Type Type(7)", "Algorithm Algorithm(9)", "CrossZone 5", "MinimumHealthyTargets -1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error %v does not match ErrInvalidConfig", err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Errorf("got %d errors, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if _, nerr := New(tc.cfg); !errors.Is(nerr, ErrInvalidConfig) {
				t.Errorf("New accepted an invalid config")
			}
		})
	}
}
