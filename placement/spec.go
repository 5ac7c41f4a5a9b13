package placement

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// ECS limits on a placement request: at most 5 strategies
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html,
// API_CreateService.html) and 10 constraints, task definition and run time
// together (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html).
const (
	// MaxConstraints is the most placement constraints a task may have,
	// counting task-definition and run-time constraints together.
	MaxConstraints = 10
	// MaxStrategies is the most strategy rules a task or service may have.
	MaxStrategies = 5
	// MaxTaskHostPorts bounds the host ports one task may reserve; an
	// instance holds at most MaxReservedPorts in total anyway.
	MaxTaskHostPorts = MaxReservedPorts
)

// ConstraintType is a placement constraint type.
type ConstraintType string

// Constraint types.
const (
	// DistinctInstance places each task of the group on a different
	// instance.
	DistinctInstance ConstraintType = "distinctInstance"
	// MemberOf keeps only instances that satisfy a cluster query expression.
	MemberOf ConstraintType = "memberOf"
	// CustomFilter keeps only instances its Filter keeps. It is not an ECS
	// constraint but this simulator's extension point for the filter stage,
	// as Custom strategies are for the rank stage: rules the query language
	// cannot say (a share of memory left free, a cap on tasks of any group,
	// an instance's own history).
	CustomFilter ConstraintType = "custom"
)

// Constraint is one placement constraint, as in the ECS API.
type Constraint struct {
	// Type is DistinctInstance, MemberOf or CustomFilter.
	Type ConstraintType
	// Expression is the cluster query for MemberOf (1 to 2000 characters);
	// it must be empty for the other types.
	Expression string
	// Filter decides a CustomFilter constraint; required for it, nil for
	// the other types.
	Filter Filter
}

// String renders the constraint as the rejection messages name it:
// "distinctInstance", "memberOf(expression)", or "custom(Go type of the
// Filter)".
func (c Constraint) String() string {
	switch c.Type {
	case MemberOf:
		return fmt.Sprintf("memberOf(%s)", c.Expression)
	case CustomFilter:
		return fmt.Sprintf("custom(%T)", c.Filter)
	}
	return string(c.Type)
}

// StrategyType is a placement strategy type.
type StrategyType string

// Strategy types.
const (
	// Binpack chooses the instance with the least of Field ("cpu" or
	// "memory") left, so fewer instances are used.
	Binpack StrategyType = "binpack"
	// Spread balances tasks of the group over the values of Field
	// ("instanceId", its synonym "host", or "attribute:<name>").
	Spread StrategyType = "spread"
	// Random chooses uniformly among the instances still tied; Field is
	// ignored.
	Random StrategyType = "random"
	// Custom ranks instances by Strategy.Scorer, smallest score first. It
	// is not an ECS strategy but this simulator's extension point, for
	// studying packing policies ECS does not offer (alignment scores,
	// dominant-resource fits, Nomad-style scoring) under the same
	// constraints, tie rules, scale-in and world. Field is ignored.
	Custom StrategyType = "custom"
)

// Strategy is one placement strategy rule, as in the ECS API.
type Strategy struct {
	// Type is Binpack, Spread, Random or Custom.
	Type StrategyType
	// Field is "cpu" or "memory" for Binpack; "instanceId", "host" or
	// "attribute:<name>" for Spread; ignored for Random and Custom.
	Field string
	// Scorer scores instances for a Custom strategy; required for Custom,
	// nil for every other type.
	Scorer Scorer
}

// Spec is the placement part of a task or service: constraints (all must
// hold) and strategies (applied in order as successive tie-breakers). A nil
// or empty Strategies means the replica scheduler's built-in AZ balancing
// (see Compile).
type Spec struct {
	// Constraints are at most MaxConstraints rules; nil means none.
	Constraints []Constraint
	// Strategies are at most MaxStrategies rules; nil means the default.
	Strategies []Strategy
}

type rankKind uint8

const (
	rankBinpackMemory rankKind = iota
	rankBinpackCPU
	rankSpreadInstance
	rankSpreadAttribute
	rankCustom
)

type rank struct {
	kind   rankKind
	attr   string // attribute name for rankSpreadAttribute
	col    int32  // its column in the bound cluster
	scorer Scorer // for rankCustom
}

type compiledConstraint struct {
	distinct bool
	expr     *Expression
	filter   Filter
	text     string

	// Cache of a static expression's value on every instance slot of the
	// bound cluster: evaluated for slots [0, upTo) at attribute generation gen.
	set     bitset
	upTo    int
	gen     uint64
	members int // set bits in set

	// For "attribute:name == v" and "attribute:name in [v, ...]": the
	// attribute and its values, so that binpack plans can search only the
	// trees of those values (eqCol is resolved when the plan binds).
	eqAttr   string
	eqValues []string
	eqCol    int32
}

// Plan is a compiled Spec: constraints parsed and validated, strategies
// reduced to a ranking. Compile once and reuse it for every placement of a
// task definition or service.
//
// A Plan caches per-cluster state (static memberOf results as bitsets,
// attribute columns); using one Plan with several clusters is correct but
// rebuilds the cache at every switch. A Plan is not safe for concurrent use.
type Plan struct {
	spec        Spec
	constraints []compiledConstraint
	ranks       []rank
	randomOnly  bool // the first strategy is random: uniform over feasible instances
	dynamic     bool // some constraint needs the tasks on each instance
	distinct    bool

	bound    *Cluster
	equality *compiledConstraint // an attribute equality constraint a binpack plan searches by value, or nil
}

// Compile validates a Spec and compiles it. Every problem is reported,
// joined; each is a *fielderr.Error naming the field (Spec.Strategies[1].Field,
// ...) and matching ErrInvalidSpec, except a memberOf expression that does
// not parse, which wraps its *ParseError and matches ErrInvalidExpression
// too.
//
// Strategies become a lexicographic ranking of feasible instances; smaller
// is better:
//
//	binpack(memory):        free memory (MiB) before placement
//	binpack(cpu):           free CPU units before placement
//	spread(instanceId):     tasks of the group on the instance
//	spread(attribute:name): tasks of the group on instances with the same
//	                        value of name (instances without it form one value)
//	random:                 ends the ranking; the remaining ties are drawn
//	                        uniformly, as every final tie is
//	custom:                 Scorer.Score of the task on the instance (NaN
//	                        counts as +Inf)
//
// An empty strategy list is the replica scheduler's built-in rule
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html): prefer the AZ with the fewest tasks of the service,
// then the instance with the fewest, that is
// [spread(attribute:ecs.availability-zone), spread(instanceId)]. For RunTask,
// where ECS documents no default, pass an explicit strategy such as random.
func Compile(s Spec) (*Plan, error) {
	l := fielderr.NewList(ErrInvalidSpec)
	p := &Plan{spec: Spec{Constraints: slices.Clone(s.Constraints), Strategies: slices.Clone(s.Strategies)}}
	if len(s.Constraints) > MaxConstraints {
		l.Addf("Spec.Constraints", len(s.Constraints), "must have at most %d constraints (ECS's limit)", MaxConstraints)
	}
	if len(s.Strategies) > MaxStrategies {
		l.Addf("Spec.Strategies", len(s.Strategies), "must have at most %d strategies (ECS's limit)", MaxStrategies)
	}
	for i, c := range s.Constraints {
		field := fmt.Sprintf("Spec.Constraints[%d]", i)
		if c.Filter != nil && c.Type != CustomFilter {
			l.Add(field+".Filter", fmt.Sprintf("%T", c.Filter), "must be nil unless Type is custom")
			continue
		}
		switch c.Type {
		case DistinctInstance:
			if c.Expression != "" {
				l.Add(field+".Expression", c.Expression, "must be empty for distinctInstance")
				continue
			}
			p.constraints = append(p.constraints, compiledConstraint{distinct: true, text: c.String()})
			p.distinct = true
		case MemberOf:
			if c.Expression == "" || len(c.Expression) > MaxExpressionLength {
				l.Addf(field+".Expression", c.Expression, "must have 1 to %d characters for memberOf (it has %d)",
					MaxExpressionLength, len(c.Expression))
				continue
			}
			e, err := ParseExpression(c.Expression)
			if err != nil {
				// The *ParseError stays reachable with errors.As and matches
				// ErrInvalidExpression as well as ErrInvalidSpec.
				l.Join(fmt.Errorf("%w: %s.Expression: %w", ErrInvalidSpec, field, err))
				continue
			}
			cc := compiledConstraint{expr: e, text: c.String()}
			if r := e.root; r.kind == nodeTerm && r.subject == subjAttribute && !r.negate && (r.op == opEq || r.op == opIn) {
				cc.eqAttr, cc.eqValues = r.attr, r.args
			}
			p.constraints = append(p.constraints, cc)
			p.dynamic = p.dynamic || e.Dynamic()
		case CustomFilter:
			if c.Filter == nil {
				l.Add(field+".Filter", nil, "is required for a custom constraint")
			}
			if c.Expression != "" {
				l.Add(field+".Expression", c.Expression, "must be empty for a custom constraint")
			}
			if c.Filter == nil || c.Expression != "" {
				continue
			}
			p.constraints = append(p.constraints, compiledConstraint{filter: c.Filter, text: c.String()})
			p.dynamic = true
		default:
			l.Add(field+".Type", string(c.Type), constraintTypeRule)
		}
	}
	ranking := true
	for i, st := range s.Strategies {
		var r rank
		field := fmt.Sprintf("Spec.Strategies[%d]", i)
		if st.Scorer != nil && st.Type != Custom {
			l.Add(field+".Scorer", fmt.Sprintf("%T", st.Scorer), "must be nil unless Type is custom")
			continue
		}
		switch st.Type {
		case Binpack:
			switch strings.ToLower(st.Field) {
			case "memory":
				r.kind = rankBinpackMemory
			case "cpu":
				r.kind = rankBinpackCPU
			default:
				l.Add(field+".Field", st.Field, "must be cpu or memory for binpack")
				continue
			}
		case Spread:
			switch {
			case st.Field == "instanceId" || st.Field == "host":
				r.kind = rankSpreadInstance
			case strings.HasPrefix(st.Field, "attribute:") && len(st.Field) > len("attribute:"):
				r.kind, r.attr = rankSpreadAttribute, st.Field[len("attribute:"):]
			default:
				l.Add(field+".Field", st.Field, "must be instanceId, host or attribute:<name> for spread")
				continue
			}
		case Random:
			if i == 0 {
				p.randomOnly = true
			}
			ranking = false
			continue
		case Custom:
			if st.Scorer == nil {
				l.Add(field+".Scorer", nil, "is required for a custom strategy")
				continue
			}
			r.kind, r.scorer = rankCustom, st.Scorer
		default:
			l.Add(field+".Type", string(st.Type), strategyTypeRule)
			continue
		}
		if ranking {
			p.ranks = append(p.ranks, r)
		}
	}
	if len(s.Strategies) == 0 {
		p.ranks = []rank{{kind: rankSpreadAttribute, attr: AttrAvailabilityZone}, {kind: rankSpreadInstance}}
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// MustCompile is Compile for specs known to be valid, such as literals in
// tests and examples; it panics on an invalid spec.
func MustCompile(s Spec) *Plan {
	p, err := Compile(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Spec returns a copy of the spec the plan was compiled from.
func (p *Plan) Spec() Spec {
	return Spec{Constraints: slices.Clone(p.spec.Constraints), Strategies: slices.Clone(p.spec.Strategies)}
}

// Expression returns the parsed expression of constraint i (in Spec order),
// or nil for distinctInstance.
func (p *Plan) Expression(i int) *Expression { return p.constraints[i].expr }

// bind prepares the plan's per-cluster state.
func (p *Plan) bind(c *Cluster) {
	if p.bound != c {
		p.bound = c
		for k := range p.ranks {
			if p.ranks[k].kind == rankSpreadAttribute {
				col := c.column(p.ranks[k].attr)
				p.ranks[k].col = col
				c.track(col)
				if k == 0 {
					c.partitionBy(col)
				}
			}
		}
		for k := range p.constraints {
			cc := &p.constraints[k]
			cc.set, cc.upTo, cc.members = cc.set[:0], 0, 0
			if cc.eqAttr != "" && len(p.ranks) > 0 && (p.ranks[0].kind == rankBinpackMemory || p.ranks[0].kind == rankBinpackCPU) {
				cc.eqCol = c.column(cc.eqAttr)
				c.partitionBy(cc.eqCol)
				if p.equality == nil {
					p.equality = cc
				}
			}
		}
	}
	n := len(c.res)
	for k := range p.constraints {
		cc := &p.constraints[k]
		if cc.expr == nil || cc.expr.dynamic {
			continue
		}
		if cc.gen != c.attrGen {
			cc.gen, cc.upTo, cc.members = c.attrGen, 0, 0
		}
		if cc.upTo == n {
			continue
		}
		cc.set = cc.set.grow(n)
		for i := cc.upTo; i < n; i++ {
			c.view.i = int32(i)
			ok := cc.expr.Match(&c.view)
			cc.set.set(int32(i), ok)
			if ok {
				cc.members++
			}
		}
		cc.upTo = n
	}
}
