package pubsub

// maxMatchNesting bounds the recursion of Match, as Redis does ("protection
// against abusive patterns"): a pattern needing deeper nesting matches
// nothing.
const maxMatchNesting = 1000

// Match reports whether s matches the glob pattern, with the semantics of
// Redis's stringmatchlen (case-sensitive), the matcher behind PSUBSCRIBE:
//
//   - '*' matches any run of bytes, including none;
//   - '?' matches any one byte;
//   - "[abc]" matches one of the listed bytes, "[^abc]" one byte not listed,
//     "[a-z]" a range (reversed ranges such as "[z-a]" work too), and "\]"
//     or "\-" inside brackets a literal; an unterminated '[' class ends at
//     the end of the pattern;
//   - '\' escapes the next byte outside brackets (a trailing '\' is a
//     literal backslash);
//   - every other byte matches itself.
//
// Matching is on bytes, not runes, like Redis. As in Redis, the empty
// string matches only the empty pattern (not even "*"). Byte values in bracket
// ranges compare as signed chars, as Redis does on x86 and arm64 Linux
// builds. Patterns needing more than 1000 nested '*' expansions match
// nothing, again as Redis does.
func Match(pattern, s string) bool {
	skip := false
	return match(pattern, s, &skip, 0)
}

// match is stringmatchlen's loop. skip is set when a '*' found no match
// for the rest of the pattern anywhere in the rest of the string: earlier
// '*'s then cannot help either, which keeps the cost polynomial.
func match(p, s string, skip *bool, nesting int) bool {
	if nesting > maxMatchNesting {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if match(p[1:], s, skip, nesting+1) {
					return true
				}
				if *skip {
					return false
				}
				s = s[1:]
			}
			*skip = true
			return false
		case '?':
			s = s[1:]
		case '[':
			var ok bool
			if p, ok = matchClass(p[1:], s[0]); !ok {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if p[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// matchClass matches c against the bracket class starting at p (just after
// '['). It returns the pattern positioned on the class's last byte (the
// ']', or the pattern's last byte when the class is unterminated), as
// stringmatchlen leaves it, and whether c matched.
func matchClass(p string, c byte) (string, bool) {
	not := len(p) > 0 && p[0] == '^'
	if not {
		p = p[1:]
	}
	found := false
	for {
		switch {
		case len(p) == 0:
			// Unterminated class: the pattern ends with it.
			return unterminated, found != not
		case p[0] == '\\' && len(p) >= 2:
			p = p[1:]
			if p[0] == c {
				found = true
			}
		case p[0] == ']':
			return p, found != not
		case len(p) >= 3 && p[1] == '-':
			lo, hi := int8(p[0]), int8(p[2])
			if lo > hi {
				lo, hi = hi, lo
			}
			if int8(c) >= lo && int8(c) <= hi {
				found = true
			}
			p = p[2:]
		default:
			if p[0] == c {
				found = true
			}
		}
		p = p[1:]
	}
}

// unterminated is what matchClass returns for a class that runs to the end
// of the pattern: one byte that the caller steps over, leaving the pattern
// empty (stringmatchlen steps back one byte and then forward again).
const unterminated = "]"
