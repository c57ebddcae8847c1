package route

import "regexp"

// Match holds the parameters of a match: raw segment values, in order,
// the rewrite routes' first. The zero value is empty.
type Match struct {
	n        int
	rewrites int // the first rewrites parameters came from rewrite routes
	keys     [MaxParams]string
	vals     [MaxParams]string
}

// Len returns the number of parameters.
func (m *Match) Len() int { return m.n }

// At returns parameter i (0 <= i < Len).
func (m *Match) At(i int) (key, value string) { return m.keys[i], m.vals[i] }

// FromRewrite reports whether parameter i came from a rewrite route.
func (m *Match) FromRewrite(i int) bool { return i < m.rewrites }

// Get returns the value of the last parameter named key.
func (m *Match) Get(key string) (string, bool) {
	for i := m.n - 1; i >= 0; i-- {
		if m.keys[i] == key {
			return m.vals[i], true
		}
	}
	return "", false
}

func (m *Match) add(key, val string) bool {
	if m.n == MaxParams {
		return false
	}
	m.keys[m.n], m.vals[m.n] = key, val
	m.n++
	return true
}

type regexpMatcher struct{ re *regexp.Regexp }

// nextSegment returns the segment of path starting at or after i
// (skipping slashes) and the index after it; seg is "" at the end.
func nextSegment(path string, i int) (seg string, start, end int) {
	for i < len(path) && path[i] == '/' {
		i++
	}
	start = i
	for i < len(path) && path[i] != '/' {
		i++
	}
	return path[start:i], start, i
}

// match matches path against r, appending parameters to m. A rewrite
// route matches a prefix and returns the rest of the path.
func (r *Route[T]) match(path string, m *Match) (rest string, ok bool) {
	pos := 0
	for _, s := range r.segs {
		seg, start, end := nextSegment(path, pos)
		switch s.kind {
		case segLiteral:
			if seg != s.text {
				return "", false
			}
		case segParam, segOptional:
			if seg == "" {
				if s.kind == segOptional {
					return "", true // later segments are optional or a catch-all
				}
				return "", false
			}
			if !r.accepts(s, seg) || !m.add(s.text, seg) {
				return "", false
			}
		case segCatchAll:
			return "", m.add(s.text, path[start:])
		}
		pos = end
	}
	if r.rewrite {
		rest = path[pos:]
		if rest == "" {
			rest = "/"
		}
		return rest, true
	}
	seg, _, _ := nextSegment(path, pos)
	return "", seg == ""
}

// accepts checks a parameter segment against its constraints.
func (r *Route[T]) accepts(s segment, seg string) bool {
	if s.re != nil && !s.re.MatchString(seg) {
		return false
	}
	if r.extra != nil && !r.extra.re.MatchString(seg) {
		return false
	}
	return true
}

// CopyTo copies m into dst, touching only the parameters m holds.
func (m *Match) CopyTo(dst *Match) {
	dst.n, dst.rewrites = m.n, m.rewrites
	copy(dst.keys[:m.n], m.keys[:m.n])
	copy(dst.vals[:m.n], m.vals[:m.n])
}
