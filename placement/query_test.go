package placement

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeView is a hand-built instance for expression tests.
type fakeView struct {
	attrs   map[string]string
	id      string
	regAt   time.Time
	running int
	groups  []string
}

func (v *fakeView) Attribute(n string) (string, bool) { s, ok := v.attrs[n]; return s, ok }
func (v *fakeView) EC2InstanceID() string             { return v.id }
func (v *fakeView) RegisteredAt() time.Time           { return v.regAt }
func (v *fakeView) RunningTasksCount() int            { return v.running }
func (v *fakeView) TaskGroups() []string              { return v.groups }

var small = &fakeView{
	attrs: map[string]string{"ecs.instance-type": "t2.small", "ecs.availability-zone": "us-east-1a",
		"ecs.os-type": "linux", "rack": "7"},
	id: "i-abcd1234", regAt: time.Date(2018, 6, 18, 22, 28, 28, 0, time.UTC), running: 1,
	groups: []string{"service:production"},
}

var large = &fakeView{
	attrs: map[string]string{"ecs.instance-type": "g2.2xlarge", "ecs.availability-zone": "us-east-1d",
		"rack": "12"},
	id: "i-wxyx7890", regAt: time.Date(2018, 2, 12, 0, 0, 0, 0, time.UTC), running: 0,
	groups: []string{"database"},
}

// TestExpressionMatch checks the documented examples of the cluster query
// language (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html)
// and every operator, on two instances whose
// expected results follow from the ECS definitions.
func TestExpressionMatch(t *testing.T) {
	tests := []struct {
		expr         string
		small, large bool
	}{
		// Documented examples.
		{"attribute:ecs.instance-type == t2.small", true, false},
		{"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true, false},
		{"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", false, false},
		{"attribute:ecs.instance-type =~ g2.* or attribute:ecs.availability-zone != us-east-1d", true, true},
		{"task:group == service:production", true, false},
		{"not(task:group == database)", true, false},
		{"runningTasksCount == 1", true, false},
		{"registeredAt < 2018-02-13", false, true},
		{"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true, true},
		// Word and symbol spellings of every operator.
		{"attribute:ecs.instance-type equals t2.small", true, false},
		{"attribute:ecs.instance-type not_equals t2.small", false, true},
		{"attribute:rack > 8", false, true}, // integers compare numerically: 7 < 8 < 12
		{"attribute:rack greater_than 8", false, true},
		{"attribute:rack >= 7", true, true},
		{"attribute:rack greater_than_equal 12", false, true},
		{"attribute:rack < 12", true, false},
		{"attribute:rack less_than 7", false, false},
		{"attribute:rack <= 7", true, false},
		{"attribute:rack less_than_equal 12", true, true},
		{"attribute:ecs.instance-type > h", true, false}, // strings compare lexically: "g2..." < "h" < "t2..."
		{"attribute:ecs.instance-type < h", false, true},
		{"attribute:ecs.os-type exists", true, false},
		{"attribute:ecs.os-type !exists", false, true},
		{"attribute:ecs.os-type not_exists", false, true},
		{"attribute:ecs.os-type not exists", false, true},
		{"attribute:ecs.instance-type not in [t2.small, t2.micro]", false, true},
		{"attribute:ecs.instance-type !in [t2.small]", false, true},
		{"attribute:ecs.instance-type not_in [g2.2xlarge]", true, false},
		{"attribute:ecs.instance-type matches 't2\\.(small|micro)'", true, false},
		{"attribute:ecs.instance-type !~ t2.*", false, true},
		{"attribute:ecs.instance-type not_matches t2.*", false, true},
		{"attribute:ecs.instance-type =~ small", false, false}, // the regexp must match the whole value
		// Missing attributes: positive forms fail, negated forms hold.
		{"attribute:missing == x", false, false},
		{"attribute:missing != x", true, true},
		{"attribute:missing > 1", false, false},
		{"attribute:missing not in [x]", true, true},
		// Subjects.
		{"ec2InstanceId == i-abcd1234", true, false},
		{"ec2InstanceId != i-abcd1234", false, true},
		{"ec2InstanceId =~ 'i-[a-d]+1234'", true, false},
		{"registeredAt >= 2018-06-18T22:28:28+00:00", true, false},
		{"registeredAt == 2018-06-18T22:28:28Z", true, false},
		{"registeredAt > 2018-06-18T22:28:27", true, false},
		{"registeredAt <= 2018-02-12", false, true},
		{"runningTasksCount > 0", true, false},
		{"runningTasksCount in [0, 5]", false, true},
		{"runningTasksCount != 0", true, false},
		{"task:group != database", true, false},
		{"task:group in [database, other]", false, true},
		{"task:group =~ service:.*", true, false},
		{"task:group !~ service:.*", false, true},
		// Compound forms and precedence: not > and > or.
		{"attribute:rack == 7 || attribute:rack == 12 && attribute:ecs.os-type exists", true, false},
		{"(attribute:rack == 7 || attribute:rack == 12) && attribute:ecs.os-type exists", true, false},
		{"(attribute:rack == 7 or attribute:rack == 12) and not attribute:ecs.os-type exists", false, true},
		{"! (attribute:rack == 7)", false, true},
		{"not not attribute:rack == 7", true, false},
		{"attribute:rack==7&&runningTasksCount>0", true, false},
		{`ec2InstanceId == "i-abcd1234"`, true, false},
	}
	for _, tt := range tests {
		e, err := ParseExpression(tt.expr)
		if err != nil {
			t.Errorf("ParseExpression(%q): %v", tt.expr, err)
			continue
		}
		got := [2]bool{e.Match(small), e.Match(large)}
		if diff := cmp.Diff([2]bool{tt.small, tt.large}, got); diff != "" {
			t.Errorf("%q (small, large) mismatch (-want +got):\n%s", tt.expr, diff)
		}
	}
}

// TestExpressionDynamic checks which expressions depend on running tasks.
func TestExpressionDynamic(t *testing.T) {
	for expr, want := range map[string]bool{
		"attribute:a == b":                          false,
		"registeredAt > 2020-01-01":                 false,
		"attribute:a == b or runningTasksCount < 2": true,
		"not task:group == x":                       true,
	} {
		e, err := ParseExpression(expr)
		if err != nil {
			t.Fatal(err)
		}
		if e.Dynamic() != want {
			t.Errorf("%q: Dynamic() = %v, want %v", expr, e.Dynamic(), want)
		}
	}
}

// TestParseErrors checks that errors name the offset and what was expected.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr     string
		offset   int
		expected string // substring of ParseError.Expected
	}{
		{"", 0, "a subject"},
		{"attribute:x", 11, "an operator"},
		{"attribute:x ==", 14, "a value"},
		{"attribute:x == a b", 17, "and, or, or end of expression"},
		{"attribute:x in a", 15, `"[" to open the value list`},
		{"attribute:x in [a b]", 18, `"," or "]"`},
		{"attribute:x in [a,", 18, "a value"},
		{"(attribute:x == a", 17, `")"`},
		{"attribute:x == 'a", 15, "a closing quote"},
		{"agentVersion < 1.14.5", 0, "a subject"},
		{"attribute: == a", 0, "an attribute name"},
		{"ec2InstanceId > i-1", 14, "one of ==, !=, in, not in, =~, !~"},
		{"runningTasksCount =~ 1", 18, "one of ==, !=, >, >=, <, <=, in, not in"},
		{"runningTasksCount == many", 21, "an integer task count"},
		{"registeredAt > yesterday", 15, "a time"},
		{"attribute:x =~ '('", 15, "a valid regular expression"},
		{"attribute:x = a", 12, "an operator"},
		{"attribute:x ! a", 14, `"exists" or "in"`},
		{"attribute:x == a and", 20, "a subject"},
		{strings.Repeat("(", 100) + "attribute:x exists" + strings.Repeat(")", 100), 65, "nesting"},
	}
	for _, tt := range tests {
		_, err := ParseExpression(tt.expr)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseExpression(%q) = %v, want a *ParseError", tt.expr, err)
			continue
		}
		if !errors.Is(err, ErrInvalidExpression) {
			t.Errorf("%q: error does not match ErrInvalidExpression", tt.expr)
		}
		if pe.Offset != tt.offset || !strings.Contains(pe.Expected, tt.expected) {
			t.Errorf("ParseExpression(%q): offset %d expected %q; want offset %d expected ~%q (%v)",
				tt.expr, pe.Offset, pe.Expected, tt.offset, tt.expected, err)
		}
	}
}

// FuzzParseExpression checks that the parser never panics, that every error
// is a *ParseError with an offset inside the input, and that an accepted
// expression evaluates without panicking.
func FuzzParseExpression(f *testing.F) {
	for _, seed := range []string{
		"attribute:ecs.instance-type == t2.small",
		"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
		"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
		"task:group == service:production",
		"not(task:group == database)",
		"runningTasksCount == 1",
		"registeredAt < 2018-02-13",
		"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
		"(attribute:a exists || attribute:b !exists) && !(attribute:c not in [x, \"y\"])",
		"attribute:x =~ '('", "((((", "'", "[,]", "attribute:x !", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseExpression(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseExpression(%q) returned %T, want *ParseError", s, err)
			}
			if pe.Offset < 0 || pe.Offset > len(s) {
				t.Fatalf("ParseExpression(%q): offset %d outside [0, %d]", s, pe.Offset, len(s))
			}
			return
		}
		e.Match(small)
		e.Match(large)
	})
}
