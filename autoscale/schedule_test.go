package autoscale

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func utc(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

// nextN returns the first n runs strictly after `after`.
func nextN(t *testing.T, s Schedule, after time.Time, n int) []time.Time {
	t.Helper()
	var out []time.Time
	for range n {
		next, ok := s.Next(after)
		if !ok {
			break
		}
		if !next.After(after) {
			t.Fatalf("%s: Next(%v) = %v, not after it", s, after, next)
		}
		out = append(out, next.UTC())
		after = next
	}
	return out
}

func mustParse(t *testing.T, expr string, loc *time.Location) Schedule {
	t.Helper()
	s, err := ParseSchedule(expr, loc)
	if err != nil {
		t.Fatalf("ParseSchedule(%q): %v", expr, err)
	}
	return s
}

// TestWorkedExampleDCron checks the cron and rate expressions of the
// scheduled scaling guide
// (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scheduled-scaling.html)
// against calendar facts: 2021-01-30 was a Saturday.
func TestWorkedExampleDCron(t *testing.T) {
	tests := []struct {
		expr  string
		after time.Time
		want  []time.Time
	}{
		{ // 18:00 UTC Monday to Friday: the weekend is skipped.
			expr: "cron(0 18 ? * MON-FRI *)", after: utc(2021, 1, 29, 18, 0),
			want: []time.Time{utc(2021, 2, 1, 18, 0), utc(2021, 2, 2, 18, 0), utc(2021, 2, 3, 18, 0), utc(2021, 2, 4, 18, 0), utc(2021, 2, 5, 18, 0), utc(2021, 2, 8, 18, 0)},
		},
		{ // every 5 minutes from 08:00 to 17:55 on weekdays.
			expr: "cron(0/5 8-17 ? * MON-FRI *)", after: utc(2021, 1, 29, 17, 50),
			want: []time.Time{utc(2021, 1, 29, 17, 55), utc(2021, 2, 1, 8, 0), utc(2021, 2, 1, 8, 5), utc(2021, 2, 1, 8, 10)},
		},
		{ // names are case-insensitive and equal to numbers: 2-6 is MON-FRI.
			expr: "cron(0 18 ? * 2-6 *)", after: utc(2021, 1, 29, 18, 0),
			want: []time.Time{utc(2021, 2, 1, 18, 0), utc(2021, 2, 2, 18, 0)},
		},
	}
	for _, tc := range tests {
		got := nextN(t, mustParse(t, tc.expr, nil), tc.after, len(tc.want))
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s after %v (-want +got):\n%s", tc.expr, tc.after, diff)
		}
	}
	// A weekday holds exactly 10 hours × 12 runs of the 5-minute schedule.
	s := mustParse(t, "cron(0/5 8-17 ? * MON-FRI *)", nil)
	count := 0
	for at, ok := s.Next(utc(2021, 2, 1, 0, 0)); ok && at.Before(utc(2021, 2, 2, 0, 0)); at, ok = s.Next(at) {
		count++
	}
	if count != 120 {
		t.Errorf("runs on Monday 2021-02-01 = %d, want 120", count)
	}
}

func TestCronSpecialCharacters(t *testing.T) {
	tests := []struct {
		name  string
		expr  string
		tz    string
		after time.Time
		want  []time.Time
	}{
		{"L is the last day, leap year", "cron(0 0 L * ? *)", "", utc(2024, 2, 1, 0, 0),
			[]time.Time{utc(2024, 2, 29, 0, 0), utc(2024, 3, 31, 0, 0), utc(2024, 4, 30, 0, 0)}},
		{"L in a common year", "cron(0 0 L 2 ? *)", "", utc(2023, 1, 1, 0, 0),
			[]time.Time{utc(2023, 2, 28, 0, 0), utc(2024, 2, 29, 0, 0)}},
		// 2025-08-31 is a Sunday: the last weekday is Friday the 29th.
		{"LW", "cron(0 12 LW 8 ? 2025)", "", utc(2025, 1, 1, 0, 0),
			[]time.Time{utc(2025, 8, 29, 12, 0)}},
		// 2025-03-15 is a Saturday → Friday 14th; 2025-06-15 a Sunday → Monday 16th.
		{"15W", "cron(0 9 15W 3,6 ? 2025)", "", utc(2025, 1, 1, 0, 0),
			[]time.Time{utc(2025, 3, 14, 9, 0), utc(2025, 6, 16, 9, 0)}},
		// 2025-02-01 is a Saturday: 1W stays in February, Monday the 3rd.
		{"1W never leaves the month", "cron(0 9 1W 2 ? 2025)", "", utc(2025, 1, 1, 0, 0),
			[]time.Time{utc(2025, 2, 3, 9, 0)}},
		// 2025-02-28 is a Friday.
		{"6L is the last Friday", "cron(0 9 ? 2 6L 2025)", "", utc(2025, 1, 1, 0, 0),
			[]time.Time{utc(2025, 2, 28, 9, 0)}},
		{"2#1 is the first Monday", "cron(0 9 ? FEB,MAR MON#1 2025)", "", utc(2025, 1, 1, 0, 0),
			[]time.Time{utc(2025, 2, 3, 9, 0), utc(2025, 3, 3, 9, 0)}},
		{"L alone in Day-of-week is Saturday", "cron(0 9 ? 2 L 2025)", "", utc(2025, 2, 1, 9, 0),
			[]time.Time{utc(2025, 2, 8, 9, 0), utc(2025, 2, 15, 9, 0)}},
		{"lists, ranges and steps", "cron(15,45 0-4/2 1 1 ? 2030)", "", utc(2029, 6, 1, 0, 0),
			[]time.Time{utc(2030, 1, 1, 0, 15), utc(2030, 1, 1, 0, 45), utc(2030, 1, 1, 2, 15), utc(2030, 1, 1, 2, 45), utc(2030, 1, 1, 4, 15), utc(2030, 1, 1, 4, 45)}},
		{"year list ends", "cron(0 0 1 1 ? 2030)", "", utc(2029, 1, 1, 0, 0),
			[]time.Time{utc(2030, 1, 1, 0, 0)}},
		{"February 30th never comes", "cron(0 0 30 2 ? *)", "", utc(2025, 1, 1, 0, 0), nil},
		// 09:00 New York is 14:00 UTC in winter (EST) and 13:00 UTC in summer (EDT).
		{"time zone follows DST", "cron(0 9 ? * FRI *)", "America/New_York", utc(2025, 3, 1, 0, 0),
			[]time.Time{utc(2025, 3, 7, 14, 0), utc(2025, 3, 14, 13, 0)}},
		// 2025-03-09 02:30 does not exist in New York: that day is skipped.
		{"a wall-clock time skipped by DST does not fire", "cron(30 2 * * ? *)", "America/New_York", utc(2025, 3, 8, 7, 30),
			[]time.Time{utc(2025, 3, 10, 6, 30)}},
		// 2025-11-02 01:30 happens twice in New York; it fires once.
		{"a repeated wall-clock time fires once", "cron(30 1 * * ? *)", "America/New_York", utc(2025, 11, 1, 5, 30),
			[]time.Time{utc(2025, 11, 2, 5, 30), utc(2025, 11, 3, 6, 30)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc, err := LoadTimezone(tc.tz)
			if err != nil {
				t.Fatal(err)
			}
			got := nextN(t, mustParse(t, tc.expr, loc), tc.after, max(len(tc.want), 1))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s after %v (-want +got):\n%s", tc.expr, tc.after, diff)
			}
		})
	}
}

func TestRateAndAt(t *testing.T) {
	r := mustParse(t, "rate(5 hours)", nil).(Rate)
	r.Anchor = utc(2021, 1, 30, 12, 0)
	want := []time.Time{utc(2021, 1, 30, 12, 0), utc(2021, 1, 30, 17, 0), utc(2021, 1, 30, 22, 0), utc(2021, 1, 31, 3, 0)}
	if diff := cmp.Diff(want, nextN(t, r, utc(2021, 1, 1, 0, 0), 4)); diff != "" {
		t.Errorf("rate(5 hours) from 2021-01-30T12:00 (-want +got):\n%s", diff)
	}
	for expr, every := range map[string]time.Duration{"rate(1 minute)": time.Minute, "rate(90 minutes)": 90 * time.Minute, "rate(2 days)": 48 * time.Hour, "rate(1 hour)": time.Hour} {
		if got := mustParse(t, expr, nil).(Rate); got.Every != every || got.String() != expr {
			t.Errorf("%s parsed to %v (%s), want %v", expr, got.Every, got, every)
		}
	}
	ny, err := LoadTimezone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := mustParse(t, "at(2025-07-04T09:00:00)", ny)
	if got, ok := at.Next(utc(2025, 1, 1, 0, 0)); !ok || !got.Equal(utc(2025, 7, 4, 13, 0)) {
		t.Errorf("at() in New York = %v, %v; want 2025-07-04 13:00 UTC", got, ok)
	}
	if _, ok := at.Next(utc(2025, 7, 4, 13, 0)); ok {
		t.Error("at() fired twice")
	}
}

func TestParseScheduleErrors(t *testing.T) {
	tests := []struct {
		expr    string
		pos     int
		message string
	}{
		{"every 5 minutes", 1, "expected at(...), rate(...) or cron(...)"},
		{"cron(0 18 ? * MON-FRI", 22, `expected a closing ")"`},
		{"cron(0 18 ? * MON-FRI)", 22, "expected 6 fields"},
		{"cron(0 18 * * MON-FRI *)", 15, "one of the two must be"},
		{"cron(0 18 ? * ? *)", 15, "both"},
		{"cron(60 * * * ? *)", 6, "Minutes value 60 is out of range; expected 0-59"},
		{"cron(0 24 * * ? *)", 8, "Hours value 24"},
		{"cron(0 0 ? * FOO *)", 14, "expected a number or a name (SUN-SAT) in Day-of-week"},
		{"cron(0 0 ? JANUARY * *)", 12, "expected a number or a name (JAN-DEC) in Month"},
		{"cron(0 0 ? * MON#6 *)", 18, "expected an occurrence 1-5"},
		{"cron(0 0 ? * 2/2 *)", 15, "Day-of-week does not accept \"/\""},
		{"cron(0 0 1 * ? 1969)", 16, "Year value 1969"},
		{"cron(0 ? 1 * ? *)", 8, "Hours does not accept \"?\""},
		{"cron(0 0 1,,2 * ? *)", 12, "empty list item"},
		{"cron(0 0 5-1 * ? *)", 10, "runs backwards"},
		{"cron(0/0 * * * ? *)", 8, "expected a positive step"},
		{"cron(0 0 1L * ? *)", 11, `unexpected 'L'`},
		{"rate(0 minutes)", 6, "expected a positive integer"},
		{"rate(5 weeks)", 8, "expected minute, minutes, hour, hours, day or days"},
		{"rate(5)", 6, "expected \"<positive integer> <unit>\""},
		{"at(2021-13-01T00:00:00)", 4, "expected a date and time yyyy-mm-ddThh:mm:ss"},
		{"at(2021-01-01T00:00:00))", 23, `unexpected ')'`},
	}
	for _, tc := range tests {
		_, err := ParseSchedule(tc.expr, nil)
		var se *ScheduleError
		if !errors.As(err, &se) || !errors.Is(err, ErrInvalidSchedule) {
			t.Errorf("ParseSchedule(%q) error = %v, want a *ScheduleError matching ErrInvalidSchedule", tc.expr, err)
			continue
		}
		if se.Pos != tc.pos || !strings.Contains(se.Msg, tc.message) {
			t.Errorf("ParseSchedule(%q) = position %d %q, want position %d containing %q", tc.expr, se.Pos, se.Msg, tc.pos, tc.message)
		}
	}
}

func TestLoadTimezone(t *testing.T) {
	if loc, err := LoadTimezone(""); err != nil || loc != time.UTC {
		t.Errorf(`LoadTimezone("") = %v, %v; want UTC`, loc, err)
	}
	if _, err := LoadTimezone("Etc/GMT+9"); err != nil {
		t.Errorf("LoadTimezone(Etc/GMT+9): %v", err)
	}
	_, err := LoadTimezone("Mars/Olympus_Mons")
	if !errors.Is(err, ErrUnknownTimeZone) || !strings.Contains(err.Error(), `"Mars/Olympus_Mons"`) {
		t.Errorf("LoadTimezone(Mars/Olympus_Mons) error = %v, want ErrUnknownTimeZone naming the zone", err)
	}
}

var scheduleSeeds = []string{
	"cron(0 18 ? * MON-FRI *)", "cron(0/5 8-17 ? * MON-FRI *)", "cron(0 0 L * ? *)", "cron(0 12 LW 8 ? 2025)",
	"cron(0 9 15W * ? *)", "cron(0 9 ? * 6L *)", "cron(0 9 ? * MON#1 *)", "cron(*/7 */3 */4 */5 ? */9)",
	"cron(0 0 30 2 ? *)", "rate(5 hours)", "rate(1 minute)", "rate(9223372036 minutes)", "at(2021-01-30T12:00:00)",
	"cron(", "rate(", "at(", "cron()", "cron(0 0 ? * 7#5 2199)", "cron(59 23 31 12 ? 2199)", "cron(0 0 1W-3 * ? *)",
	"cron(0 0 ? * L,1L,2#2 *)", "cron(0,,1 * * * ? *)", "rate(-1 minutes)", "rate(+1 minutes)",
}

// TestParseScheduleSeedCorpus runs the fuzz seeds in every normal test run.
func TestParseScheduleSeedCorpus(t *testing.T) {
	for _, s := range scheduleSeeds {
		checkScheduleInvariants(t, s)
	}
}

// checkScheduleInvariants parses expr and checks what must hold for any
// input: no panic, errors name a position inside the expression, and a
// parsed schedule's runs strictly increase.
func checkScheduleInvariants(t *testing.T, expr string) {
	s, err := ParseSchedule(expr, nil)
	if err != nil {
		var se *ScheduleError
		if !errors.As(err, &se) {
			t.Fatalf("ParseSchedule(%q) error %v is not a *ScheduleError", expr, err)
		}
		if se.Pos < 1 || se.Pos > len(expr)+1 || se.Msg == "" {
			t.Fatalf("ParseSchedule(%q) error position %d outside 1..%d or empty message", expr, se.Pos, len(expr)+1)
		}
		return
	}
	if s.String() == "" {
		t.Fatalf("ParseSchedule(%q).String() is empty", expr)
	}
	after := utc(2024, 12, 31, 23, 59)
	for range 3 {
		next, ok := s.Next(after)
		if !ok {
			break
		}
		if !next.After(after) {
			t.Fatalf("%s: Next(%v) = %v is not after it", expr, after, next)
		}
		after = next
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range scheduleSeeds {
		f.Add(s)
	}
	f.Fuzz(checkScheduleInvariants)
}
