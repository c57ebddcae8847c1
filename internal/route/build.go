package route

import "strings"

// Build returns the path of r for the parameters get gives, the inverse
// of a match: values are used as they are (encode them first). A required
// parameter must be present; optional ones are written up to the first
// absent or empty one; a catch-all is written as given. It fails with a
// *BuildError when a value is missing, contains '/' (outside a catch-all)
// or breaks a constraint.
func (r *Route[T]) Build(get func(name string) (string, bool)) (string, error) {
	var b strings.Builder
	for _, s := range r.segs {
		if s.kind == segLiteral {
			b.WriteByte('/')
			b.WriteString(s.text)
			continue
		}
		v, ok := get(s.text)
		if s.kind == segCatchAll {
			if ok && v != "" {
				b.WriteByte('/')
				b.WriteString(v)
			}
			break
		}
		if !ok || v == "" {
			if s.kind == segOptional {
				break
			}
			return "", &BuildError{Pattern: r.pattern, Param: s.text, Reason: "is missing"}
		}
		if reason := r.refuse(s, v); reason != "" {
			return "", &BuildError{Pattern: r.pattern, Param: s.text, Reason: reason}
		}
		b.WriteByte('/')
		b.WriteString(v)
	}
	if b.Len() == 0 {
		return "/", nil
	}
	return b.String(), nil
}

// refuse says why v cannot be the value of parameter s ("" when it can).
func (r *Route[T]) refuse(s segment, v string) string {
	if strings.IndexByte(v, '/') >= 0 {
		return "contains '/'"
	}
	if !r.accepts(s, v) {
		return "breaks its constraint"
	}
	return ""
}
