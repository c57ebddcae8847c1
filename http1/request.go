package http1

// Header is one header field line: the raw name (case preserved) and the
// value with leading and trailing whitespace (OWS) removed.
type Header struct {
	Name, Value []byte
}

// Request is a parsed request head. Its byte slices alias either the data
// given to Parser.Parse or memory owned by the Parser; see Parser.Request
// for how long they stay valid, and Clone for a copy that lives on.
type Request struct {
	Method     []byte // a token, e.g. GET
	Target     []byte // the request-target exactly as sent, e.g. /a?b=c
	ProtoMajor int    // always 1
	ProtoMinor int    // 0, 1, or a higher 1.x treated as 1.1

	// Headers lists every header field line in order. Trailer fields of a
	// chunked body are never added here.
	Headers []Header

	// ContentLength is the Content-Length of the body, or -1 when the
	// request has none (no body, or a chunked body).
	ContentLength int64
	// Chunked reports a body in the chunked transfer coding.
	Chunked bool
	// KeepAlive reports whether the connection may carry another request
	// after this one: HTTP/1.1 unless "Connection: close", HTTP/1.0 only
	// with "Connection: keep-alive" (and no "close").
	KeepAlive bool
	// Expect100 reports "Expect: 100-continue" in an HTTP/1.1 request
	// (RFC 9110 §10.1.1 says to ignore it in HTTP/1.0).
	Expect100 bool
	// Upgrade reports an HTTP/1.1 request with "Connection: upgrade" and a
	// non-empty Upgrade header (RFC 9110 §7.8).
	Upgrade bool
	// Host is the Host header value: nil when absent, empty (but not nil)
	// when present and empty. With an absolute-form Target, RFC 9112 §3.2.2
	// says to use the Target's authority instead.
	Host []byte
}

// Header returns the value of the first header field named name, compared
// case-insensitively; nil if there is none (an empty field gives an empty,
// non-nil slice). It does not allocate.
func (r *Request) Header(name string) []byte {
	for i := range r.Headers {
		if equalFold(r.Headers[i].Name, name) {
			return r.Headers[i].Value
		}
	}
	return nil
}

// Clone returns a deep copy of r whose slices share nothing with r, for a
// request that must outlive the data it was parsed from. It allocates; see
// Parser.Detach for an allocation-free alternative.
func (r *Request) Clone() *Request {
	size := len(r.Method) + len(r.Target) + len(r.Host)
	for _, h := range r.Headers {
		size += len(h.Name) + len(h.Value)
	}
	buf := make([]byte, 0, size)
	take := func(b []byte) []byte {
		if b == nil {
			return nil
		}
		buf = append(buf, b...)
		return buf[len(buf)-len(b) : len(buf) : len(buf)]
	}
	c := *r
	c.Method, c.Target, c.Host = take(r.Method), take(r.Target), take(r.Host)
	c.Headers = make([]Header, len(r.Headers))
	for i, h := range r.Headers {
		c.Headers[i] = Header{Name: take(h.Name), Value: take(h.Value)}
	}
	return &c
}

// equalFold reports whether b equals s under ASCII case folding.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasToken reports whether the comma-separated list v holds the element
// tok (case-insensitive, optional whitespace around elements).
func hasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		var el []byte
		el, v = nextElement(v)
		if equalFold(el, tok) {
			return true
		}
	}
	return false
}

// nextElement splits the first element off a comma-separated list and trims
// it of optional whitespace.
func nextElement(v []byte) (el, rest []byte) {
	i := 0
	for i < len(v) && v[i] != ',' {
		i++
	}
	el, rest = trimOWS(v[:i]), v[i:]
	if len(rest) > 0 {
		rest = rest[1:]
	}
	return el, rest
}

// trimOWS removes leading and trailing spaces and tabs.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
