package wsflate

import "strings"

// This file parses Sec-WebSocket-Extensions values (RFC 6455 §9.1):
//
//	extension-list  = 1#extension
//	extension       = extension-token *( ";" extension-param )
//	extension-param = token [ "=" (token | quoted-string) ]
//
// with optional whitespace around separators and empty list elements
// skipped (RFC 9110 §5.6.1). The scanner never allocates; a syntax error
// marks the element bad and skips to the next comma outside quotes.

// maxParams bounds the parameters kept per element. permessage-deflate has
// four, so an element with more has a duplicate or an unknown one and is
// refused anyway; overflow records that it happened.
const maxParams = 8

// param is one extension parameter as written.
type param struct {
	name     string
	value    string // token, or quoted-string with its quotes
	hasValue bool
}

// element is one extension of the list.
type element struct {
	name     string
	params   [maxParams]param
	n        int
	overflow bool // more than maxParams parameters
	bad      bool // syntax error
	raw      string
}

// scanner walks the elements of one header value.
type scanner struct {
	s string
	i int
}

// next parses the next non-empty element into e and reports whether there
// was one.
func (sc *scanner) next(e *element) bool {
	*e = element{}
	for {
		sc.skipOWS()
		if sc.i >= len(sc.s) {
			return false
		}
		if sc.s[sc.i] != ',' {
			break
		}
		sc.i++
	}
	start := sc.i
	if !sc.element(e) {
		e.bad = true
		sc.skipElement()
	}
	e.raw = strings.TrimRight(strings.TrimSuffix(sc.s[start:sc.i], ","), " \t")
	return true
}

// element parses name *(";" param) up to and including the next comma.
func (sc *scanner) element(e *element) bool {
	if e.name = sc.token(); e.name == "" {
		return false
	}
	for {
		sc.skipOWS()
		if sc.i >= len(sc.s) {
			return true
		}
		switch sc.s[sc.i] {
		case ',':
			sc.i++
			return true
		case ';':
			sc.i++
		default:
			return false
		}
		p, ok := sc.param()
		if !ok {
			return false
		}
		if e.n == len(e.params) {
			e.overflow = true
			continue
		}
		e.params[e.n] = p
		e.n++
	}
}

// param parses token [ "=" (token | quoted-string) ] after a ';'.
func (sc *scanner) param() (p param, ok bool) {
	sc.skipOWS()
	if p.name = sc.token(); p.name == "" {
		return p, false
	}
	sc.skipOWS()
	if sc.i >= len(sc.s) || sc.s[sc.i] != '=' {
		return p, true
	}
	sc.i++
	sc.skipOWS()
	p.hasValue = true
	if sc.i < len(sc.s) && sc.s[sc.i] == '"' {
		p.value = sc.quoted()
	} else {
		p.value = sc.token()
	}
	return p, p.value != ""
}

func (sc *scanner) skipOWS() {
	for sc.i < len(sc.s) && (sc.s[sc.i] == ' ' || sc.s[sc.i] == '\t') {
		sc.i++
	}
}

func (sc *scanner) token() string {
	start := sc.i
	for sc.i < len(sc.s) && isTchar(sc.s[sc.i]) {
		sc.i++
	}
	return sc.s[start:sc.i]
}

// quoted returns the quoted-string at sc.i with its quotes, or "" (and the
// position unchanged) when it is not terminated or holds a bad byte.
func (sc *scanner) quoted() string {
	start := sc.i
	for i := start + 1; i < len(sc.s); i++ {
		switch c := sc.s[i]; {
		case c == '"':
			sc.i = i + 1
			return sc.s[start:sc.i]
		case c == '\\':
			if i+1 >= len(sc.s) || !isQuotedPairChar(sc.s[i+1]) {
				return ""
			}
			i++
		case !isQdtext(c):
			return ""
		}
	}
	return ""
}

// skipElement moves past the next comma that is not inside a quoted string.
func (sc *scanner) skipElement() {
	inQuote := false
	for ; sc.i < len(sc.s); sc.i++ {
		switch c := sc.s[sc.i]; {
		case inQuote && c == '\\' && sc.i+1 < len(sc.s):
			sc.i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == ',':
			sc.i++
			return
		}
	}
}

// unquote returns the value of a parameter: the token itself, or the
// content of a quoted-string with quoted-pairs resolved, which RFC 6455
// §9.1 requires to be a token too.
func unquote(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return v, v != ""
	}
	v = v[1 : len(v)-1]
	if strings.IndexByte(v, '\\') >= 0 {
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			if v[i] == '\\' {
				i++
			}
			b.WriteByte(v[i])
		}
		v = b.String()
	}
	for i := 0; i < len(v); i++ {
		if !isTchar(v[i]) {
			return "", false
		}
	}
	return v, v != ""
}

// isTchar reports whether c may appear in a token (RFC 9110 §5.6.2).
func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isQdtext(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80
}

func isQuotedPairChar(c byte) bool {
	return c == '\t' || (c >= 0x20 && c <= 0x7e) || c >= 0x80
}
