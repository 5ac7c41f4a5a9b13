package scenario

import (
	"strings"
	"testing"
)

// TestLocate: a field path leads to the line and column of its value
// (counted here in the text), through AWS spellings; a field left out
// leads to the object that lacks it.
func TestLocate(t *testing.T) {
	in := `{
  "duration": "1h",
  "taskDefinitions": [{"family": "web", "containerDefinitions": [{"name": "a"}, {"name": "b", "image": 7}]}],
  "services": [{"cluster": "prod"}, {"cluster": "x",
     "desiredCount": -1}]
}`
	lines := strings.Split(in, "\n")
	at := func(line int, token string) [2]int {
		return [2]int{line, strings.Index(lines[line-1], token) + 1}
	}
	for _, c := range []struct {
		field string
		want  [2]int
	}{
		{"duration", at(2, `"1h"`)},
		{"services[1].desiredCount", at(5, `-1`)},
		{"taskDefinitions[0].containers[1].image", at(3, `7}`)},
		{"services[0].name", at(4, `{"cluster": "prod"}`)},
		{"services[1]", at(4, `{"cluster": "x"`)},
	} {
		line, col, ok := Locate([]byte(in), c.field)
		if !ok || [2]int{line, col} != c.want {
			t.Errorf("%s: line %d, column %d (%v); want %v", c.field, line, col, ok, c.want)
		}
	}
	if _, _, ok := Locate([]byte(`[1]`), "services[0]"); ok {
		t.Error("a path in no part of the file was located")
	}
}
