package placement

import (
	"strconv"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// MaxAttributeLength is the most characters an attribute name or value may
// have. ECS's rules for container instance attributes
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Attribute.html):
// a name has 1 to 128 characters, each a letter, a digit, or one of
// - _ / \ . ; a value has 1 to 128 characters, each a letter, a digit, a
// space, or one of - _ . @ / \ : , and neither starts nor ends with a space.
const MaxAttributeLength = 128

// ValidateAttributes checks custom attributes as ECS's PutAttributes does:
// every name and value against ECS's character and length rules (see
// MaxAttributeLength). Every problem is reported, joined; each is a
// *fielderr.Error naming Attributes (for a bad name) or Attributes["name"]
// (for a bad value) and matching ErrInvalidInstance. Callers that accept
// attributes long before they register an instance (a simulated launch,
// a scenario file) call it up front, so that a bad attribute is refused
// when it is given rather than when the instance boots.
func ValidateAttributes(attrs map[string]string) error {
	l := fielderr.NewList(ErrInvalidInstance)
	for _, name := range sortedKeys(attrs) {
		checkAttribute(l, "Attributes", name, attrs[name], false)
	}
	return l.Err()
}

// checkAttribute adds to l what is wrong with one attribute; field names
// the map. With deleting, an empty value is allowed (SetAttribute's
// removal).
func checkAttribute(l *fielderr.List, field, name, value string, deleting bool) {
	if rule := attributeNameRule(name); rule != "" {
		l.Add(field, name, rule)
	}
	if deleting && value == "" {
		return
	}
	if rule := attributeValueRule(value); rule != "" {
		l.Add(field+"["+strconv.Quote(fielderr.Clip(name))+"]", value, rule)
	}
}

const (
	nameRule  = `attribute name must have 1 to 128 characters, each a letter, a digit, or one of - _ / \ .`
	valueRule = `attribute value must have 1 to 128 characters, each a letter, a digit, a space, or one of - _ . @ / \ :`
)

func attributeNameRule(name string) string {
	if len(name) == 0 || len(name) > MaxAttributeLength {
		return nameRule
	}
	for k := 0; k < len(name); k++ {
		if b := name[k]; !isAlnum(b) && b != '-' && b != '_' && b != '/' && b != '\\' && b != '.' {
			return nameRule
		}
	}
	return ""
}

func attributeValueRule(v string) string {
	if len(v) == 0 || len(v) > MaxAttributeLength {
		return valueRule
	}
	for k := 0; k < len(v); k++ {
		if b := v[k]; !isAlnum(b) && b != ' ' && b != '-' && b != '_' && b != '.' && b != '@' && b != '/' && b != '\\' && b != ':' {
			return valueRule
		}
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return "attribute value must not start or end with a space"
	}
	return ""
}

// isAlnum reports an ASCII letter or digit; ECS's rules name no other
// alphabet, and an attribute is compared byte by byte in expressions.
func isAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}
