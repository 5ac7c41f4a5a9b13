package sweep

import (
	"errors"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string // a fragment of the error, "" for none
	}{
		{"0/3", Shard{0, 3}, ""},
		{"2/3", Shard{2, 3}, ""},
		{"0/1", Whole, ""},
		{"3/3", Shard{}, "Shard.Index 3: must be 0 to Count-1"},
		{"-1/3", Shard{}, "Shard.Index -1"},
		{"1/0", Shard{}, "Shard.Count 0: must be at least 1"},
		{"a/b", Shard{}, `shard index "a": must be a whole number`},
		{"2", Shard{}, `shard "2": must be "i/n"`},
	} {
		got, err := ParseShard(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseShard(%q) error %v, want one containing %q", tc.in, err, tc.err)
		}
		if err == nil && got.String() != tc.in {
			t.Errorf("Shard %v prints %q, want %q", got, got.String(), tc.in)
		}
	}
	if _, err := ParseShard("x/0"); err == nil || !strings.Contains(err.Error(), "shard index") {
		t.Errorf("every problem at once: %v", err)
	}
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestShardFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		count int
		want  Shard
		ok    bool
		err   string
	}{
		{"no array job", map[string]string{"HOME": "/root"}, 3, Shard{}, false, ""},
		{"Kubernetes Indexed Job", map[string]string{EnvKubernetesIndex: "2"}, 3, Shard{2, 3}, true, ""},
		{"AWS Batch array job", map[string]string{EnvBatchIndex: "4", EnvBatchSize: "10"}, 0, Shard{4, 10}, true, ""},
		{"AWS Batch ignores count", map[string]string{EnvBatchIndex: "0", EnvBatchSize: "2"}, 7, Shard{0, 2}, true, ""},
		{"Kubernetes without a count", map[string]string{EnvKubernetesIndex: "0"}, 0, Shard{}, false, "Shard.Count 0"},
		{"index past the count", map[string]string{EnvKubernetesIndex: "3"}, 3, Shard{}, false, "Shard.Index 3"},
		{"Batch without its size", map[string]string{EnvBatchIndex: "1"}, 0, Shard{}, false, EnvBatchSize + " (none): must be set"},
		{"not a number", map[string]string{EnvBatchIndex: "one", EnvBatchSize: "x"}, 0, Shard{}, false, ` "one": must be a whole number` + "\nsweep: invalid options: " + EnvBatchSize + ` "x"`},
		{"both schedulers", map[string]string{EnvBatchIndex: "1", EnvKubernetesIndex: "1"}, 3, Shard{}, false, "must not be set with"},
	} {
		got, ok, err := ShardFromEnv(env(tc.env), tc.count)
		if tc.err != "" {
			if err == nil || !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || ok != tc.ok || got != tc.want {
			t.Errorf("%s: got %v, %v, %v; want %v, %v", tc.name, got, ok, err, tc.want, tc.ok)
		}
	}
}
