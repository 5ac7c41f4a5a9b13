package fielderr

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var errSentinel = errors.New("pkg: invalid thing")

func TestErrorRendering(t *testing.T) {
	long := strings.Repeat("x", 200)
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{New(errSentinel, "Config.Count", -1, "must be 0 to 10"), `pkg: invalid thing: Config.Count -1: must be 0 to 10`},
		{New(errSentinel, "Name", "a b", "must be letters"), `pkg: invalid thing: Name "a b": must be letters`},
		{New(errSentinel, "Step", time.Nanosecond, "must be at least 1s"), `pkg: invalid thing: Step 1ns: must be at least 1s`},
		{New(errSentinel, "Rate", math.NaN(), "must be finite"), `pkg: invalid thing: Rate NaN: must be finite`},
		{New(errSentinel, "Rate", math.Inf(-1), "must be finite"), `pkg: invalid thing: Rate -Inf: must be finite`},
		{New(errSentinel, "Ref", nil, "is required"), `pkg: invalid thing: Ref (none): is required`},
		{New(errSentinel, "File", Omit, "must be a regular file"), `pkg: invalid thing: File: must be a regular file`},
		{New(nil, "X", 1.5, "r"), `X 1.5: r`},
		{New(errSentinel, "Name", long, "too long"), `pkg: invalid thing: Name "` + strings.Repeat("x", MaxValueLen) + `…": too long`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
		if tc.err.Err != nil && !errors.Is(tc.err, errSentinel) {
			t.Errorf("%v does not match its sentinel", tc.err)
		}
	}
}

func TestClipKeepsRunes(t *testing.T) {
	s := strings.Repeat("é", 100) // 2 bytes each
	c := Clip(s)
	if !strings.HasSuffix(c, "…") || len(c) > MaxValueLen+len("…") {
		t.Fatalf("Clip = %q (%d bytes)", c, len(c))
	}
	if strings.ContainsRune(strings.TrimSuffix(c, "…"), '\uFFFD') {
		t.Fatalf("Clip split a rune: %q", c)
	}
	if Clip("short") != "short" {
		t.Fatal("Clip changed a short string")
	}
}

func TestListJoinsEveryProblem(t *testing.T) {
	var empty List
	if empty.Err() != nil {
		t.Fatal("empty list has an error")
	}
	l := NewList(errSentinel)
	l.Add("A", 1, "must be 0")
	l.Addf("B", "x", "must be one of %d values", 3)
	l.Join(nil)
	l.Join(errors.New("other: nested"))
	if l.Len() != 3 {
		t.Fatalf("Len = %d, want 3", l.Len())
	}
	err := l.Err()
	for _, want := range []string{"A 1: must be 0", `B "x": must be one of 3 values`, "other: nested"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if !errors.Is(err, errSentinel) {
		t.Error("joined error does not match the sentinel")
	}
}

func TestPrefix(t *testing.T) {
	l := NewList(errSentinel)
	l.Add("Quota", -1, "must not be negative")
	l.Add("[2]", "", "must not be empty")
	l.Join(errors.New("plain"))
	got := Prefix("Capacity", l.Err()).Error()
	for _, want := range []string{"Capacity.Quota -1", `Capacity[2] ""`, "plain"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if Prefix("X", nil) != nil {
		t.Error("Prefix(nil) is not nil")
	}
	var fe *Error
	if !errors.As(Prefix("Capacity", New(errSentinel, "Quota", 1, "r")), &fe) || fe.Field != "Capacity.Quota" {
		t.Errorf("Prefix of a single error: %+v", fe)
	}
}
