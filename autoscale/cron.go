package autoscale

import (
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Cron is a parsed cron(Minutes Hours Day-of-month Month Day-of-week Year)
// expression with AWS's syntax:
//
//	field         values              wildcards
//	Minutes       0-59                , - * /
//	Hours         0-23                , - * /
//	Day-of-month  1-31                , - * ? / L W
//	Month         1-12 or JAN-DEC     , - * /
//	Day-of-week   1-7 or SUN-SAT      , - * ? L #
//	Year          1970-2199           , - * /
//
// Exactly one of Day-of-month and Day-of-week is "?". In Day-of-month, "L" is
// the last day of the month, "LW" its last weekday and "15W" the weekday
// nearest the 15th (never leaving the month). In Day-of-week, 1 is Sunday,
// "L" alone is Saturday (the last day of the week), "6L" the month's last
// Friday and "2#1" its first Monday. "a/s" means a, a+s, ... up to the field's
// maximum; ranges must not wrap ("FRI-MON" is rejected).
//
// Times are wall-clock times in the action's time zone: a time that a
// daylight-saving jump skips does not fire that day, and a time that repeats
// fires once.
type Cron struct {
	expr    string
	loc     *time.Location
	minutes uint64 // bit m set: minute m
	hours   uint64 // bit h set: hour h
	months  uint64 // bit m set: month m (1..12)
	years   [4]uint64

	domAny, dowAny bool // the field is "*"; the other is "?"
	domQuestion    bool // Day-of-month is "?": only Day-of-week decides
	dom            uint64
	domLast        bool
	domLastWeekday bool
	domNearest     uint64 // bit d: the weekday nearest day d ("dW")
	dow            uint64 // bit w (1..7, 1 = Sunday)
	dowLast        uint64 // bit w: last such weekday of the month ("wL")
	dowNth         [8]uint8
}

// String returns the expression as given.
func (c *Cron) String() string { return c.expr }

// Location returns the time zone the expression reads its wall clock in.
func (c *Cron) Location() *time.Location { return c.loc }

// cronField describes one of the six fields.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	cronFields = [6]cronField{
		{name: "Minutes", min: 0, max: 59},
		{name: "Hours", min: 0, max: 23},
		{name: "Day-of-month", min: 1, max: 31},
		{name: "Month", min: 1, max: 12, names: monthNames},
		{name: "Day-of-week", min: 1, max: 7, names: dayNames},
		{name: "Year", min: cronMinYear, max: cronMaxYear},
	}
)

const (
	fieldMinutes = iota
	fieldHours
	fieldDayOfMonth
	fieldMonth
	fieldDayOfWeek
	fieldYear
)

// parseCron parses the six space-separated fields of body, which starts at
// byte offset off of the whole expression.
func (p *exprParser) parseCron(body string, off int) (*Cron, error) {
	type span struct {
		text string
		off  int
	}
	var fields []span
	for i := 0; i < len(body); {
		if body[i] == ' ' {
			i++
			continue
		}
		j := i
		for j < len(body) && body[j] != ' ' {
			j++
		}
		fields = append(fields, span{body[i:j], off + i})
		i = j
	}
	if len(fields) != 6 {
		at := off + len(body)
		if len(fields) > 6 {
			at = fields[6].off
		}
		return nil, p.errorf(at, "expected 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found %d", len(fields))
	}
	c := &Cron{}
	domText, dowText := fields[fieldDayOfMonth].text, fields[fieldDayOfWeek].text
	switch {
	case domText == "?" && dowText == "?":
		return nil, p.errorf(fields[fieldDayOfWeek].off, "Day-of-month and Day-of-week are both \"?\"; exactly one must be")
	case domText != "?" && dowText != "?":
		return nil, p.errorf(fields[fieldDayOfWeek].off, "expected \"?\" in Day-of-week (or in Day-of-month): one of the two must be \"?\"")
	}
	for i, f := range fields {
		if err := p.parseCronField(c, i, f.text, f.off); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// parseCronField parses one comma-separated field into c.
func (p *exprParser) parseCronField(c *Cron, field int, text string, off int) error {
	spec := cronFields[field]
	if text == "?" {
		if field != fieldDayOfMonth && field != fieldDayOfWeek {
			return p.errorf(off, "%s does not accept \"?\"; expected a value, range, list or \"*\"", spec.name)
		}
		if field == fieldDayOfMonth {
			c.domQuestion = true
		}
		return nil
	}
	if text == "*" {
		switch field {
		case fieldDayOfMonth:
			c.domAny = true
		case fieldDayOfWeek:
			c.dowAny = true
		}
	}
	for _, item := range strings.Split(text, ",") {
		if err := p.parseCronItem(c, field, item, off); err != nil {
			return err
		}
		off += len(item) + 1
	}
	return nil
}

// parseCronItem parses one list item: a value, a range, a step, "*" or one
// of the special forms L, LW, nW, nL, n#k.
func (p *exprParser) parseCronItem(c *Cron, field int, item string, off int) error {
	spec := cronFields[field]
	if item == "" {
		return p.errorf(off, "expected a value in %s, found an empty list item", spec.name)
	}
	switch field {
	case fieldDayOfMonth:
		switch {
		case item == "L":
			c.domLast = true
			return nil
		case item == "LW":
			c.domLastWeekday = true
			return nil
		case strings.HasSuffix(item, "W"):
			d, err := p.cronValue(spec, item[:len(item)-1], off)
			if err != nil {
				return err
			}
			c.domNearest |= 1 << d
			return nil
		}
	case fieldDayOfWeek:
		switch {
		case item == "L":
			c.dow |= 1 << 7
			return nil
		case strings.HasSuffix(item, "L"):
			w, err := p.cronValue(spec, item[:len(item)-1], off)
			if err != nil {
				return err
			}
			c.dowLast |= 1 << w
			return nil
		case strings.Contains(item, "#"):
			ws, ks, _ := strings.Cut(item, "#")
			w, err := p.cronValue(spec, ws, off)
			if err != nil {
				return err
			}
			k, err := strconv.Atoi(ks)
			if err != nil || k < 1 || k > 5 || ks[0] == '+' {
				return p.errorf(off+len(ws)+1, "expected an occurrence 1-5 after \"#\", found %q", ks)
			}
			c.dowNth[w] |= 1 << k
			return nil
		}
	}
	if strings.ContainsAny(item, "LW#?*") && item != "*" && !strings.HasPrefix(item, "*/") {
		i := strings.IndexAny(item, "LW#?*")
		return p.errorf(off+i, "unexpected %q in %s; expected a value, range a-b, step a/s or \"*\"", item[i], spec.name)
	}
	lo, hi := spec.min, spec.max
	rangeText, stepText, hasStep := strings.Cut(item, "/")
	if hasStep && field == fieldDayOfWeek {
		return p.errorf(off+len(rangeText), "Day-of-week does not accept \"/\"; expected a value, range, list, L or #")
	}
	step := 1
	if hasStep {
		s, err := strconv.Atoi(stepText)
		if err != nil || s < 1 || stepText[0] == '+' {
			return p.errorf(off+len(rangeText)+1, "expected a positive step after \"/\", found %q", stepText)
		}
		step = min(s, spec.max-spec.min+1)
	}
	if rangeText != "*" {
		a, b, isRange := strings.Cut(rangeText, "-")
		var err error
		if lo, err = p.cronValue(spec, a, off); err != nil {
			return err
		}
		switch {
		case isRange:
			if hi, err = p.cronValue(spec, b, off+len(a)+1); err != nil {
				return err
			}
			if hi < lo {
				return p.errorf(off, "range %s-%s in %s runs backwards; expected start ≤ end", a, b, spec.name)
			}
		case !hasStep:
			hi = lo
		}
	}
	for v := lo; v <= hi; v += step {
		c.set(field, v)
	}
	return nil
}

// cronValue parses a number or, for Month and Day-of-week, a three-letter
// name, and checks it against the field's range.
func (p *exprParser) cronValue(spec cronField, text string, off int) (int, error) {
	for i, name := range spec.names {
		if strings.EqualFold(text, name) {
			return spec.min + i, nil
		}
	}
	v, err := strconv.Atoi(text)
	if err != nil || text == "" || text[0] == '+' || text[0] == '-' {
		want := "a number"
		if spec.names != nil {
			want = "a number or a name (" + spec.names[0] + "-" + spec.names[len(spec.names)-1] + ")"
		}
		return 0, p.errorf(off, "expected %s in %s, found %q", want, spec.name, text)
	}
	if v < spec.min || v > spec.max {
		return 0, p.errorf(off, "%s value %d is out of range; expected %d-%d", spec.name, v, spec.min, spec.max)
	}
	return v, nil
}

func (c *Cron) set(field, v int) {
	switch field {
	case fieldMinutes:
		c.minutes |= 1 << v
	case fieldHours:
		c.hours |= 1 << v
	case fieldDayOfMonth:
		c.dom |= 1 << v
	case fieldMonth:
		c.months |= 1 << v
	case fieldDayOfWeek:
		c.dow |= 1 << v
	case fieldYear:
		y := v - cronMinYear
		c.years[y/64] |= 1 << (y % 64)
	}
}

func (c *Cron) hasYear(y int) bool {
	if y < cronMinYear || y > cronMaxYear {
		return false
	}
	i := y - cronMinYear
	return c.years[i/64]&(1<<(i%64)) != 0
}

// Next returns the first matching wall-clock minute strictly after `after`.
// It walks years, months and days that match and looks inside a day only
// when the day matches, so even an expression that never fires (Feb 30)
// costs at most a few hundred thousand cheap checks.
func (c *Cron) Next(after time.Time) (time.Time, bool) {
	local := after.In(c.loc)
	startDay := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	for y := max(local.Year(), cronMinYear); y <= cronMaxYear; y++ {
		if !c.hasYear(y) {
			continue
		}
		for m := 1; m <= 12; m++ {
			if c.months&(1<<m) == 0 {
				continue
			}
			last := daysIn(y, time.Month(m))
			if time.Date(y, time.Month(m), last, 0, 0, 0, 0, time.UTC).Before(startDay) {
				continue
			}
			for d := 1; d <= last; d++ {
				day := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
				if day.Before(startDay) || !c.dayMatches(y, time.Month(m), d, last) {
					continue
				}
				if t, ok := c.nextInDay(y, time.Month(m), d, after); ok {
					return t, true
				}
			}
		}
	}
	return time.Time{}, false
}

// nextInDay returns the first matching minute of a matching day that exists
// on the wall clock and is after `after`.
func (c *Cron) nextInDay(y int, m time.Month, d int, after time.Time) (time.Time, bool) {
	for hs := c.hours; hs != 0; hs &= hs - 1 {
		h := bits.TrailingZeros64(hs)
		for ms := c.minutes; ms != 0; ms &= ms - 1 {
			mi := bits.TrailingZeros64(ms)
			t := time.Date(y, m, d, h, mi, 0, 0, c.loc)
			if t.Hour() != h || t.Minute() != mi || t.Day() != d {
				continue // skipped by a daylight-saving jump
			}
			if t.After(after) {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// dayMatches applies Day-of-month or Day-of-week, whichever is not "?".
func (c *Cron) dayMatches(y int, m time.Month, d, last int) bool {
	if c.domQuestion {
		if c.dowAny {
			return true
		}
		wd := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1
		return c.dow&(1<<wd) != 0 ||
			(c.dowLast&(1<<wd) != 0 && d+7 > last) ||
			c.dowNth[wd]&(1<<((d-1)/7+1)) != 0
	}
	if c.domAny || c.dom&(1<<d) != 0 || (c.domLast && d == last) {
		return true
	}
	if c.domLastWeekday && d == nearestWeekday(y, m, last, last) {
		return true
	}
	for ns := c.domNearest; ns != 0; ns &= ns - 1 {
		if n := bits.TrailingZeros64(ns); n <= last && d == nearestWeekday(y, m, n, last) {
			return true
		}
	}
	return false
}

// nearestWeekday returns the Monday-to-Friday day of month nearest day n,
// staying inside the month (Quartz's and AWS's "nW").
func nearestWeekday(y int, m time.Month, n, last int) int {
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3 // Monday the 3rd
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2 // Friday
		}
		return n + 1
	}
	return n
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
