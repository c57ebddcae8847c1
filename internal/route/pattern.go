package route

import (
	"regexp"
	"strings"
)

// MaxParams bounds the parameters of one match, rewrite parameters
// included.
const MaxParams = 8

type segKind uint8

const (
	segLiteral segKind = iota
	segParam
	segOptional
	segCatchAll
)

// segment is one parsed pattern segment.
type segment struct {
	kind segKind
	text string         // the literal, or the parameter's name
	re   *regexp.Regexp // the constraint, or nil
}

// Options says how a pattern is read.
type Options struct {
	// AutoID appends "(:id)" unless the pattern has an id parameter or
	// ends with a catch-all.
	AutoID bool

	// Rewrite makes a rewrite route: one required parameter, stripped
	// from the front of the path when it matches.
	Rewrite bool

	// Match, when set, is a further constraint on a rewrite route's
	// parameter, used as given (MatchString: anchor it if needed).
	Match *regexp.Regexp
}

// parse reads a pattern into segments.
func parse(pattern string, o Options) ([]segment, error) {
	var segs []segment
	for _, s := range strings.Split(pattern, "/") {
		if s == "" {
			continue
		}
		sg, err := parseSegment(s)
		if err != nil {
			return nil, &PatternError{Pattern: pattern, Reason: err.Error()}
		}
		segs = append(segs, sg)
	}
	if o.AutoID && !o.Rewrite && wantsID(segs) {
		segs = append(segs, segment{kind: segOptional, text: "id"})
	}
	if reason := check(segs, o.Rewrite); reason != "" {
		return nil, &PatternError{Pattern: pattern, Reason: reason}
	}
	return segs, nil
}

// wantsID reports whether AutoID adds "(:id)" to segs.
func wantsID(segs []segment) bool {
	for _, s := range segs {
		if s.kind != segLiteral && s.text == "id" {
			return false
		}
	}
	return len(segs) == 0 || segs[len(segs)-1].kind != segCatchAll
}

// check enforces the grammar's ordering rules and the bounds.
func check(segs []segment, rewrite bool) string {
	params, optional := 0, false
	seen := map[string]bool{}
	for i, s := range segs {
		if s.kind == segLiteral {
			if optional {
				return "a literal segment follows an optional parameter"
			}
			continue
		}
		params++
		if seen[s.text] {
			return "parameter " + quote(s.text) + " appears twice"
		}
		seen[s.text] = true
		switch s.kind {
		case segParam:
			if optional {
				return "a required parameter follows an optional one"
			}
		case segOptional:
			optional = true
		case segCatchAll:
			if i != len(segs)-1 {
				return "a catch-all must be the last segment"
			}
		}
	}
	if rewrite && (params != 1 || optional || segs[len(segs)-1].kind == segCatchAll) {
		return "a rewrite route needs exactly one required parameter"
	}
	if params > MaxParams {
		return "more than MaxParams parameters"
	}
	return ""
}

// parseSegment reads one non-empty segment.
func parseSegment(s string) (segment, error) {
	switch {
	case s[0] == '*':
		name := s[1:]
		if name == "" {
			name = "*"
		} else if !validName(name) {
			return segment{}, errf("bad catch-all name " + quote(name))
		}
		return segment{kind: segCatchAll, text: name}, nil
	case s[0] == ':':
		return parseParam(s[1:], segParam)
	case strings.HasPrefix(s, "(:") && strings.HasSuffix(s, ")"):
		return parseParam(s[2:len(s)-1], segOptional)
	case strings.ContainsAny(s, "(){}"):
		return segment{}, errf("bad segment " + quote(s))
	}
	return segment{kind: segLiteral, text: s}, nil
}

// parseParam reads "name" or "name{regexp}".
func parseParam(s string, kind segKind) (segment, error) {
	name, expr, hasRe := s, "", false
	if i := strings.IndexByte(s, '{'); i >= 0 {
		if !strings.HasSuffix(s, "}") {
			return segment{}, errf("unclosed constraint in " + quote(s))
		}
		name, expr, hasRe = s[:i], s[i+1:len(s)-1], true
	}
	if !validName(name) {
		return segment{}, errf("bad parameter name " + quote(name))
	}
	sg := segment{kind: kind, text: name}
	if hasRe {
		re, err := Constraint(expr)
		if err != nil {
			return segment{}, err
		}
		sg.re = re
	}
	return sg, nil
}

// Constraint compiles a segment constraint: the whole segment must match
// expr.
func Constraint(expr string) (*regexp.Regexp, error) {
	if expr == "" {
		return nil, errf("empty constraint")
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, errf("bad constraint: " + err.Error())
	}
	return re, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

type reasonError string

func (e reasonError) Error() string { return string(e) }

func errf(s string) error { return reasonError(s) }
