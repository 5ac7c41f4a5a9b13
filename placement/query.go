package placement

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MaxExpressionLength is the ECS limit on a memberOf expression, in bytes.
const MaxExpressionLength = 2000

// maxNesting bounds parentheses and not-chains so that a hostile expression
// cannot exhaust the stack; 2000 characters of "(" would otherwise recurse
// 2000 deep.
const maxNesting = 64

// InstanceView is what a cluster query expression can see of one container
// instance. The engine and the reference implementation both provide one.
type InstanceView interface {
	// Attribute returns the value of the named attribute (built-in, such as
	// "ecs.availability-zone", or custom) and whether the instance has it.
	Attribute(name string) (value string, ok bool)
	// EC2InstanceID returns the instance's EC2 ID, e.g. "i-0abc".
	EC2InstanceID() string
	// RegisteredAt returns when the instance registered with the cluster.
	RegisteredAt() time.Time
	// RunningTasksCount returns the number of tasks placed on the instance.
	RunningTasksCount() int
	// TaskGroups returns the names of the task groups that have at least one
	// task on the instance, in any order.
	TaskGroups() []string
}

// Expression is a parsed cluster query language expression, the argument of
// a memberOf constraint. It is immutable and safe to share.
//
// Semantics chosen where ECS documents none (UNCONFIRMED in the reference):
//   - a missing attribute fails ==, in, =~, exists and the orderings, and so
//     satisfies !=, not in, !~ and !exists (each negated operator is exactly
//     the negation of its positive form);
//   - task:group == g holds on an instance that runs at least one task of
//     group g; task:group != g is its negation (runs none);
//   - =~ uses Go RE2 syntax (ECS documents Java syntax) and must match the
//     whole value, like Java's String.matches;
//   - attribute orderings compare as integers when both sides are integers
//     and as strings otherwise.
type Expression struct {
	source  string
	root    *exprNode
	dynamic bool
}

type nodeKind uint8

const (
	nodeAnd nodeKind = iota
	nodeOr
	nodeNot
	nodeTerm
)

type subjectKind uint8

const (
	subjAttribute subjectKind = iota
	subjEC2InstanceID
	subjRegisteredAt
	subjRunningTasksCount
	subjTaskGroup
)

type baseOp uint8

const (
	opEq baseOp = iota
	opIn
	opMatch
	opExists
	opGT
	opGE
	opLT
	opLE
)

type exprNode struct {
	kind        nodeKind
	left, right *exprNode

	subject subjectKind
	attr    string // attribute name for subjAttribute
	op      baseOp
	negate  bool
	args    []string       // ==, in: the values; orderings: one value
	re      *regexp.Regexp // =~
	ints    []int64        // runningTasksCount arguments
	times   []int64        // registeredAt arguments, Unix nanoseconds
}

// ParseExpression parses a cluster query language expression such as
// "attribute:ecs.instance-type =~ t3.* and attribute:ecs.availability-zone != us-east-1d".
//
// Grammar (keywords are case-sensitive, as in ECS):
//
//	expr    = and { ("or" | "||") and }
//	and     = unary { ("and" | "&&") unary }
//	unary   = ("not" | "!") unary | "(" expr ")" | subject operator [argument]
//	subject = "attribute:" name | "ec2InstanceId" | "registeredAt" | "runningTasksCount" | "task:group"
//	operator= "==" | "equals" | "!=" | "not_equals" | ">" | "greater_than" | ">=" | "greater_than_equal"
//	        | "<" | "less_than" | "<=" | "less_than_equal" | "exists" | "!exists" | "not_exists" | "not exists"
//	        | "in" | "!in" | "not_in" | "not in" | "=~" | "matches" | "!~" | "not_matches"
//	argument= value | "[" value { "," value } "]"
//	value   = bare word | 'single quoted' | "double quoted"
//
// Errors are *ParseError values naming the offset and what was expected.
// The ECS subjects agentConnected and agentVersion are rejected because the
// simulation does not model the container agent.
func ParseExpression(s string) (*Expression, error) {
	p := parser{src: s}
	p.next()
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("and, or, or end of expression")
	}
	return &Expression{source: s, root: root, dynamic: isDynamic(root)}, nil
}

// String returns the expression as written.
func (e *Expression) String() string { return e.source }

// Dynamic reports whether the expression depends on the tasks running on an
// instance (runningTasksCount or task:group), so that its value can change
// with every placement rather than only when instances change.
func (e *Expression) Dynamic() bool { return e.dynamic }

// Match reports whether the instance satisfies the expression.
func (e *Expression) Match(v InstanceView) bool { return e.root.eval(v) }

func isDynamic(n *exprNode) bool {
	if n == nil {
		return false
	}
	if n.kind == nodeTerm {
		return n.subject == subjRunningTasksCount || n.subject == subjTaskGroup
	}
	return isDynamic(n.left) || isDynamic(n.right)
}

func (n *exprNode) eval(v InstanceView) bool {
	switch n.kind {
	case nodeAnd:
		return n.left.eval(v) && n.right.eval(v)
	case nodeOr:
		return n.left.eval(v) || n.right.eval(v)
	case nodeNot:
		return !n.left.eval(v)
	}
	return n.evalTerm(v) != n.negate
}

// evalTerm evaluates the positive form of a simple expression.
func (n *exprNode) evalTerm(v InstanceView) bool {
	switch n.subject {
	case subjAttribute:
		val, ok := v.Attribute(n.attr)
		if !ok {
			return false
		}
		return n.matchString(val)
	case subjEC2InstanceID:
		return n.matchString(v.EC2InstanceID())
	case subjRegisteredAt:
		return compareOrdered(v.RegisteredAt().UnixNano(), n.op, n.times)
	case subjRunningTasksCount:
		return compareOrdered(int64(v.RunningTasksCount()), n.op, n.ints)
	case subjTaskGroup:
		for _, g := range v.TaskGroups() {
			if n.matchString(g) {
				return true
			}
		}
	}
	return false
}

func (n *exprNode) matchString(val string) bool {
	switch n.op {
	case opEq, opIn:
		for _, a := range n.args {
			if a == val {
				return true
			}
		}
		return false
	case opMatch:
		return n.re.MatchString(val)
	case opExists:
		return true
	}
	// Orderings on attributes.
	c := compareValues(val, n.args[0])
	switch n.op {
	case opGT:
		return c > 0
	case opGE:
		return c >= 0
	case opLT:
		return c < 0
	default:
		return c <= 0
	}
}

// compareValues compares two attribute values: as integers when both are
// integers, otherwise as strings.
func compareValues(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

func compareOrdered(x int64, op baseOp, args []int64) bool {
	switch op {
	case opEq, opIn:
		for _, a := range args {
			if x == a {
				return true
			}
		}
		return false
	case opGT:
		return x > args[0]
	case opGE:
		return x >= args[0]
	case opLT:
		return x < args[0]
	case opLE:
		return x <= args[0]
	}
	return false
}

// ---- lexer ----

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokWord
	tokQuoted
	tokPunct // ( ) [ ] ,
	tokOp    // == != >= <= > < =~ !~ && || !
	tokBad
)

type token struct {
	kind tokKind
	text string
	off  int
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokQuoted:
		return fmt.Sprintf("quoted value %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

func isOpChar(c byte) bool {
	return c == '=' || c == '!' || c == '<' || c == '>' || c == '&' || c == '|' || c == '~'
}

func isPunct(c byte) bool {
	return c == '(' || c == ')' || c == '[' || c == ']' || c == ','
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

type parser struct {
	src string
	pos int
	tok token
}

func (p *parser) next() {
	s := p.src
	for p.pos < len(s) && isSpace(s[p.pos]) {
		p.pos++
	}
	start := p.pos
	if start >= len(s) {
		p.tok = token{kind: tokEOF, off: start}
		return
	}
	c := s[start]
	switch {
	case isPunct(c):
		p.pos++
		p.tok = token{kind: tokPunct, text: s[start:p.pos], off: start}
	case c == '\'' || c == '"':
		end := strings.IndexByte(s[start+1:], c)
		if end < 0 {
			p.pos = len(s)
			p.tok = token{kind: tokBad, text: s[start:], off: start}
			return
		}
		p.pos = start + 1 + end + 1
		p.tok = token{kind: tokQuoted, text: s[start+1 : start+1+end], off: start}
	case isOpChar(c):
		two := ""
		if start+1 < len(s) {
			two = s[start : start+2]
		}
		switch two {
		case "==", "!=", ">=", "<=", "=~", "!~", "&&", "||":
			p.pos += 2
			p.tok = token{kind: tokOp, text: two, off: start}
			return
		}
		switch c {
		case '>', '<', '!':
			p.pos++
			p.tok = token{kind: tokOp, text: s[start:p.pos], off: start}
		default:
			p.pos++
			p.tok = token{kind: tokBad, text: s[start:p.pos], off: start}
		}
	default:
		for p.pos < len(s) && !isSpace(s[p.pos]) && !isPunct(s[p.pos]) && !isOpChar(s[p.pos]) &&
			s[p.pos] != '\'' && s[p.pos] != '"' {
			p.pos++
		}
		p.tok = token{kind: tokWord, text: s[start:p.pos], off: start}
	}
}

func (p *parser) errorf(expected string) error {
	return &ParseError{Expression: p.src, Offset: p.tok.off, Expected: expected, Found: p.tok.describe()}
}

func (p *parser) isWord(w string) bool { return p.tok.kind == tokWord && p.tok.text == w }

func (p *parser) parseOr(depth int) (*exprNode, error) {
	left, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for (p.tok.kind == tokOp && p.tok.text == "||") || p.isWord("or") {
		p.next()
		right, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		left = &exprNode{kind: nodeOr, left: left, right: right}
	}
	return left, nil
}

func (p *parser) parseAnd(depth int) (*exprNode, error) {
	left, err := p.parseUnary(depth)
	if err != nil {
		return nil, err
	}
	for (p.tok.kind == tokOp && p.tok.text == "&&") || p.isWord("and") {
		p.next()
		right, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		left = &exprNode{kind: nodeAnd, left: left, right: right}
	}
	return left, nil
}

func (p *parser) parseUnary(depth int) (*exprNode, error) {
	if depth > maxNesting {
		return nil, p.errorf(fmt.Sprintf("nesting at most %d deep", maxNesting))
	}
	switch {
	case (p.tok.kind == tokOp && p.tok.text == "!") || p.isWord("not"):
		p.next()
		inner, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &exprNode{kind: nodeNot, left: inner}, nil
	case p.tok.kind == tokPunct && p.tok.text == "(":
		p.next()
		inner, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokPunct || p.tok.text != ")" {
			return nil, p.errorf(`")", and, or or`)
		}
		p.next()
		return inner, nil
	}
	return p.parseTerm()
}

const subjectsExpected = "a subject (attribute:<name>, ec2InstanceId, registeredAt, runningTasksCount, task:group), not, or \"(\""

func (p *parser) parseTerm() (*exprNode, error) {
	if p.tok.kind != tokWord {
		return nil, p.errorf(subjectsExpected)
	}
	n := &exprNode{kind: nodeTerm}
	w := p.tok.text
	switch {
	case strings.HasPrefix(w, "attribute:"):
		n.subject, n.attr = subjAttribute, w[len("attribute:"):]
		if n.attr == "" || len(n.attr) > 128 {
			return nil, p.errorf("an attribute name of 1 to 128 characters after attribute:")
		}
	case w == "ec2InstanceId":
		n.subject = subjEC2InstanceID
	case w == "registeredAt":
		n.subject = subjRegisteredAt
	case w == "runningTasksCount":
		n.subject = subjRunningTasksCount
	case w == "task:group":
		n.subject = subjTaskGroup
	default:
		return nil, p.errorf(subjectsExpected)
	}
	p.next()
	opOff := p.tok.off
	if err := p.parseOperator(n); err != nil {
		return nil, err
	}
	if !operatorAllowed(n.subject, n.op) {
		return nil, &ParseError{Expression: p.src, Offset: opOff, Expected: allowedOps(n.subject),
			Found: fmt.Sprintf("%q", strings.TrimSpace(p.src[opOff:p.tok.off]))}
	}
	if n.op == opExists {
		return n, nil
	}
	argOff := p.tok.off
	args, err := p.parseArgs(n.op == opIn)
	if err != nil {
		return nil, err
	}
	n.args = args
	return n, p.convertArgs(n, argOff)
}

func operatorAllowed(s subjectKind, op baseOp) bool {
	switch s {
	case subjAttribute:
		return true
	case subjEC2InstanceID, subjTaskGroup:
		return op == opEq || op == opIn || op == opMatch
	default: // registeredAt, runningTasksCount
		return op != opMatch && op != opExists
	}
}

func allowedOps(s subjectKind) string {
	switch s {
	case subjEC2InstanceID, subjTaskGroup:
		return "one of ==, !=, in, not in, =~, !~ for this subject"
	default:
		return "one of ==, !=, >, >=, <, <=, in, not in for this subject"
	}
}

const operatorsExpected = "an operator (==, !=, >, >=, <, <=, exists, !exists, in, not in, =~, !~)"

// operator is what an operator spelling means: the comparison and whether
// it is negated.
type operator struct {
	op     baseOp
	negate bool
}

// symbolOps and wordOps are the two spellings of the cluster query
// language's operators (symbols, and the words the ECS documentation also
// accepts). "!" and "not" are prefixes, handled by parseOperator.
var (
	symbolOps = map[string]operator{
		"==": {opEq, false}, "!=": {opEq, true},
		">": {opGT, false}, ">=": {opGE, false}, "<": {opLT, false}, "<=": {opLE, false},
		"=~": {opMatch, false}, "!~": {opMatch, true},
	}
	wordOps = map[string]operator{
		"equals": {opEq, false}, "not_equals": {opEq, true},
		"greater_than": {opGT, false}, "greater_than_equal": {opGE, false},
		"less_than": {opLT, false}, "less_than_equal": {opLE, false},
		"exists": {opExists, false}, "not_exists": {opExists, true},
		"in": {opIn, false}, "not_in": {opIn, true},
		"matches": {opMatch, false}, "not_matches": {opMatch, true},
	}
)

func (p *parser) parseOperator(n *exprNode) error {
	t := p.tok
	var table map[string]operator
	switch t.kind {
	case tokOp:
		table = symbolOps
	case tokWord:
		table = wordOps
	default:
		return p.errorf(operatorsExpected)
	}
	if o, ok := table[t.text]; ok {
		n.op, n.negate = o.op, o.negate
		p.next()
		return nil
	}
	if (t.kind == tokOp && t.text == "!") || (t.kind == tokWord && t.text == "not") {
		// A negating prefix: "!exists", "! in", "not exists", "not in".
		p.next()
		switch {
		case p.isWord("exists"):
			n.op, n.negate = opExists, true
		case p.isWord("in"):
			n.op, n.negate = opIn, true
		default:
			return p.errorf(`"exists" or "in" after "` + t.text + `"`)
		}
		p.next()
		return nil
	}
	return p.errorf(operatorsExpected)
}

func (p *parser) parseValue() (string, error) {
	if p.tok.kind != tokWord && p.tok.kind != tokQuoted {
		if p.tok.kind == tokBad && (p.tok.text[0] == '\'' || p.tok.text[0] == '"') {
			return "", p.errorf("a closing quote")
		}
		return "", p.errorf("a value")
	}
	v := p.tok.text
	p.next()
	return v, nil
}

func (p *parser) parseArgs(list bool) ([]string, error) {
	if !list {
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		return []string{v}, nil
	}
	if p.tok.kind != tokPunct || p.tok.text != "[" {
		return nil, p.errorf(`"[" to open the value list`)
	}
	p.next()
	var vals []string
	for {
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
		if p.tok.kind == tokPunct && p.tok.text == "," {
			p.next()
			continue
		}
		if p.tok.kind == tokPunct && p.tok.text == "]" {
			p.next()
			return vals, nil
		}
		return nil, p.errorf(`"," or "]"`)
	}
}

// registeredAt layouts accepted by ECS; values without a zone are UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"}

func (p *parser) convertArgs(n *exprNode, off int) error {
	bad := func(expected, found string) error {
		return &ParseError{Expression: p.src, Offset: off, Expected: expected, Found: fmt.Sprintf("%q", found)}
	}
	switch {
	case n.op == opMatch:
		re, err := regexp.Compile("^(?:" + n.args[0] + ")$")
		if err != nil {
			return bad("a valid regular expression ("+err.Error()+")", n.args[0])
		}
		n.re = re
	case n.subject == subjRunningTasksCount:
		for _, a := range n.args {
			v, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return bad("an integer task count", a)
			}
			n.ints = append(n.ints, v)
		}
	case n.subject == subjRegisteredAt:
		for _, a := range n.args {
			var t time.Time
			var err error
			for _, layout := range timeLayouts {
				if t, err = time.Parse(layout, a); err == nil {
					break
				}
			}
			if err != nil {
				return bad("a time such as 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z, 2018-06-18T22:28:28 or 2018-06-18", a)
			}
			n.times = append(n.times, t.UnixNano())
		}
	}
	return nil
}
