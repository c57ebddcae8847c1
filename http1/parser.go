package http1

import (
	"bytes"
	"encoding/binary"
	"net/netip"
)

// Event says what a call to Parser.Parse produced.
type Event uint8

// The events of Parser.Parse.
const (
	// EventNeedMore: all the data was consumed and nothing is complete;
	// call Parse again when more bytes arrive.
	EventNeedMore Event = iota
	// EventHead: the request head is complete; Parser.Request is valid.
	EventHead
	// EventBody: Parser.Body holds the next piece of decoded body.
	EventBody
	// EventDone: the request, body and trailers included, is complete. The
	// next call starts on the next (pipelined) request.
	EventDone
)

// String returns the event's name.
func (e Event) String() string {
	switch e {
	case EventNeedMore:
		return "NeedMore"
	case EventHead:
		return "Head"
	case EventBody:
		return "Body"
	case EventDone:
		return "Done"
	}
	return "Event(?)"
}

type state uint8

const (
	stHead      state = iota // reading the head
	stBody                   // reading a Content-Length body
	stChunkSize              // reading a chunk-size line
	stChunkData              // reading chunk data
	stChunkCR                // expecting the CR after chunk data
	stChunkLF                // expecting the LF after chunk data
	stTrailer                // reading trailer field lines
	stDone                   // message complete; the next call reports it
	stClosed                 // the last request had KeepAlive false
	stFailed                 // an error was returned; see Parser.err
)

// keepBuf is the largest buffer capacity a Parser keeps between requests.
const keepBuf = 4 << 10

// Parser is an incremental, sans-IO HTTP/1.1 request parser. The zero value
// is ready to use; see the package documentation for the calling protocol.
// A Parser is not safe for concurrent use.
type Parser struct {
	// Limits bounds what the parser accepts; the zero value means defaults.
	Limits Limits
	// AllowMissingHost accepts HTTP/1.1 requests without a Host header,
	// which RFC 9112 §3.2 says a server MUST reject with 400.
	AllowMissingHost bool

	state state
	began bool   // per-message state is initialized
	err   *Error // the error, once state is stFailed
	lim   Limits // Limits resolved when the request began

	req  Request
	body []byte // the piece reported by the last EventBody
	m    msg    // the rest of the per-message state

	hbuf []byte // head bytes kept across calls (or detached)
	lbuf []byte // a chunk-size or trailer line split across calls
}

// msg is the parser's per-message state, zeroed when a request begins.
type msg struct {
	head      []byte // the complete head, for Detach
	headOff   int    // head bytes consumed in earlier calls, not in hbuf
	lineStart int    // offset in hbuf of the current, incomplete line
	gotLine   bool   // the request line was parsed

	nHost, nCL int
	cl         int64
	te         bool // a Transfer-Encoding field was seen
	teChunked  bool // "chunked" was its last coding so far
	teOther    bool // another coding came before chunked
	teBad      bool // something followed chunked
	connClose  bool
	connKeep   bool
	connUpg    bool
	upgrade    bool // a non-empty Upgrade header
	expect100  bool

	remaining int64 // bytes left in the Content-Length body or chunk
	total     int64 // decoded chunked body bytes so far
	extBytes  int   // chunk extension bytes so far
	trBytes   int   // trailer section bytes so far
	trFields  int   // trailer field lines so far
}

// Parse consumes bytes from data and reports what happened; see the package
// documentation for the loop that drives it. It returns the number of bytes
// consumed (all of them with EventNeedMore) and at most one event. After an
// error the parser stays failed and returns the same error until Reset.
func (p *Parser) Parse(data []byte) (n int, ev Event, err error) {
	p.body = nil
	switch p.state {
	case stHead:
		return p.parseHead(data)
	case stBody:
		return p.parseBody(data)
	case stDone:
		p.endMessage()
		return 0, EventDone, nil
	case stClosed:
		// Allow the stray CRLF some clients send after a body.
		for _, c := range data {
			if c != '\r' && c != '\n' {
				return p.fail(errAfterClose)
			}
		}
		return len(data), EventNeedMore, nil
	case stFailed:
		return 0, EventNeedMore, p.err
	}
	return p.parseChunked(data)
}

// Request returns the current request. It is complete once Parse returned
// EventHead, and stays valid until the next request begins (the first call
// after EventDone that is given bytes), as long as the bytes given to Parse
// stay unchanged: its slices may point into them. Call Detach (or
// Request.Clone) before reusing those bytes.
func (p *Parser) Request() *Request { return &p.req }

// Body returns the body piece reported by the Parse call that just returned
// EventBody, decoded (no chunk framing), and nil after any other event. It
// is a sub-slice of the data given to that call: data[n-len(Body()):n].
func (p *Parser) Body() []byte { return p.body }

// Detach copies the current request head into memory owned by the parser,
// so that Request stays valid after the caller reuses the bytes given to
// Parse, until the next request begins. Calling it again, or
// when the head is already owned, does nothing. It does not allocate once
// the parser's buffer has grown to the size of the heads it sees.
func (p *Parser) Detach() {
	h := p.m.head
	if h == nil || len(p.hbuf) > 0 && &h[0] == &p.hbuf[0] {
		return
	}
	nb := append(p.hbuf[:0], h...)
	p.rebase(cap(h), nb, 0)
	p.hbuf, p.m.head = nb, nb
}

// Reset makes the parser ready for a new connection, keeping its limits
// and buffers.
func (p *Parser) Reset() {
	p.state, p.err, p.body = stHead, nil, nil
	p.began = false
}

func (p *Parser) fail(e *Error) (int, Event, error) {
	p.state, p.err = stFailed, e
	return 0, EventNeedMore, e
}

// begin initializes the per-message state for a new request.
func (p *Parser) begin() {
	p.lim = p.Limits.resolve()
	hs := p.req.Headers
	clear(hs)
	if hs == nil {
		hs = make([]Header, 0, 16)
	}
	p.req = Request{Headers: hs[:0]}
	p.m = msg{}
	p.body = nil
	p.hbuf = shrink(p.hbuf)
	p.lbuf = shrink(p.lbuf)
	p.began = true
}

func shrink(b []byte) []byte {
	if cap(b) > keepBuf {
		return nil
	}
	return b[:0]
}

// endMessage is called when EventDone is returned.
func (p *Parser) endMessage() {
	p.began = false
	p.state = stHead
	if !p.req.KeepAlive {
		p.state = stClosed
	}
}

// parseHead reads head lines. Lines are processed as soon as they are
// complete, in order, with the same code whether they sit in the caller's
// data or in hbuf, so a head split anywhere parses (and fails) the same.
func (p *Parser) parseHead(data []byte) (int, Event, error) {
	if len(data) == 0 {
		return 0, EventNeedMore, nil // keep the last request readable
	}
	if !p.began {
		p.begin()
	}
	if len(p.hbuf) > 0 {
		return p.parseHeadBuffered(data)
	}
	pos := 0
	for {
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			break
		}
		end := pos + i + 1
		done, e := p.headLine(data, pos, end)
		if e != nil {
			return p.fail(e)
		}
		pos = end
		if done {
			p.m.head = data[:end]
			return p.headDone(end)
		}
	}
	if e := p.lineError(p.m.headOff+pos, data[pos:], false, 0); e != nil {
		return p.fail(e)
	}
	// Keep the head so far. Before the request line only the partial
	// line matters: earlier lines were empty and are just counted.
	keep := 0
	if !p.m.gotLine {
		keep = pos
	}
	p.m.headOff += keep
	p.hbuf = append(p.hbuf[:0], data[keep:]...)
	p.rebase(cap(data), p.hbuf, keep)
	p.m.lineStart = pos - keep
	return len(data), EventNeedMore, nil
}

// parseHeadBuffered continues a head kept in hbuf, one line at a time.
// It keeps at most one byte more than MaxHeaderBytes: enough to see the
// limit exceeded, and whatever fails earlier in the line.
func (p *Parser) parseHeadBuffered(data []byte) (int, Event, error) {
	pos := 0
	for {
		kept := len(p.hbuf)
		seg, complete := data[pos:], false
		if i := bytes.IndexByte(seg, '\n'); i >= 0 {
			seg, complete = seg[:i+1], true
		}
		if room := p.lim.MaxHeaderBytes + 1 - p.m.headOff - kept; len(seg) > room {
			seg, complete = seg[:room], false
		}
		p.appendHead(seg)
		pos += len(seg)
		start := p.m.lineStart
		if !complete {
			if e := p.lineError(p.m.headOff+start, p.hbuf[start:], false, kept-start); e != nil {
				return p.fail(e)
			}
			return len(data), EventNeedMore, nil
		}
		p.m.lineStart = len(p.hbuf)
		done, e := p.headLine(p.hbuf, start, len(p.hbuf))
		if e != nil {
			return p.fail(e)
		}
		if done {
			p.m.head = p.hbuf
			return p.headDone(pos)
		}
	}
}

// lineError applies the checks that a head line's bytes decide as they
// arrive, and returns the violation that comes first in the byte stream
// (at equal offsets, a limit wins): the request line limit, the head size
// limit, folding, and a bare CR. b is the line so far without its LF, s the
// head offset of its first byte, and complete tells whether the LF follows.
// Bytes before b[from] were checked by an earlier call. For a complete line
// within the limits a bare CR is left to headLine: content checks refuse it.
// Judging by stream offset makes a head fail the same however it is split.
func (p *Parser) lineError(s int, b []byte, complete bool, from int) *Error {
	at, err := len(b)+1, (*Error)(nil)                   // offset in b of the first violation
	if !p.m.gotLine && len(b) > p.lim.MaxRequestLine+1 { // +1: the CR
		at, err = p.lim.MaxRequestLine+1, errRequestLineLen
	}
	if h := p.lim.MaxHeaderBytes - s; h < at && (h < len(b) || complete && h == len(b)) {
		at, err = h, errHeadTooLarge // the byte at head offset MaxHeaderBytes arrived
	}
	if p.m.gotLine && len(b) > 0 && (b[0] == ' ' || b[0] == '\t') && at > 0 {
		return errObsFold // obs-fold, or whitespace after the start line
	}
	if complete && err == nil {
		return nil
	}
	// A CR at offset i is bare once byte i+1 arrives (and is not the LF).
	if lo, hi := max(from-1, 0), min(at, len(b))-1; lo < hi && bytes.IndexByte(b[lo:hi], '\r') >= 0 {
		return errBareCR
	}
	return err
}

// appendHead appends b to hbuf, moving the request's slices if hbuf grows.
func (p *Parser) appendHead(b []byte) {
	if need := len(p.hbuf) + len(b); need > cap(p.hbuf) {
		nb := make([]byte, len(p.hbuf), max(need, 2*cap(p.hbuf), 512))
		copy(nb, p.hbuf)
		p.rebase(cap(p.hbuf), nb, 0)
		p.hbuf = nb
	}
	p.hbuf = append(p.hbuf, b...)
}

// rebase moves the request's slices from an old buffer of capacity oldCap
// to nb, where the old buffer's byte shift+i is nb's byte i. Every slice
// was cut from the old buffer without a capacity limit, so its offset there
// is oldCap-cap(s).
func (p *Parser) rebase(oldCap int, nb []byte, shift int) {
	mv := func(s []byte) []byte {
		if s == nil {
			return nil
		}
		off := oldCap - cap(s) - shift
		return nb[off : off+len(s)]
	}
	r := &p.req
	r.Method, r.Target, r.Host = mv(r.Method), mv(r.Target), mv(r.Host)
	for i := range r.Headers {
		h := &r.Headers[i]
		h.Name, h.Value = mv(h.Name), mv(h.Value)
	}
}

// headLine processes the complete line base[s:e] (base[e-1] is the LF).
// It reports whether the line ended the head.
func (p *Parser) headLine(base []byte, s, e int) (bool, *Error) {
	raw := base[s : e-1]
	if err := p.lineError(p.m.headOff+s, raw, true, 0); err != nil {
		return false, err
	}
	done, err := p.lineContent(raw)
	// Every content check refuses a CR, so look for a bare one only when
	// something failed: the happy path pays nothing for it.
	if err != nil && len(raw) > 1 && bytes.IndexByte(raw[:len(raw)-1], '\r') >= 0 {
		err = errBareCR
	}
	return done, err
}

// lineContent processes a line without its LF.
func (p *Parser) lineContent(raw []byte) (bool, *Error) {
	if len(raw) == 0 || raw[len(raw)-1] != '\r' {
		return false, errBareLF
	}
	line := raw[:len(raw)-1]
	switch {
	case !p.m.gotLine && len(line) == 0:
		return false, nil // RFC 9112 §2.2: ignore empty lines before a request
	case !p.m.gotLine:
		p.m.gotLine = true
		return false, p.requestLine(line)
	case len(line) == 0:
		return true, p.finishHead()
	}
	return false, p.fieldLine(line)
}

// requestLine parses method SP request-target SP HTTP-version.
func (p *Parser) requestLine(line []byte) *Error {
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return errRequestLine
	}
	method, rest := line[:sp], line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp < 0 {
		return errRequestLine
	}
	target, version := rest[:sp], rest[sp+1:]
	if !isToken(method) {
		return errMethod
	}
	if len(version) != 8 || string(version[:5]) != "HTTP/" ||
		!isDigit(version[5]) || version[6] != '.' || !isDigit(version[7]) {
		return errVersionSyntax
	}
	if version[5] != '1' {
		return errVersion
	}
	if !validTarget(method, target) {
		return errTarget
	}
	r := &p.req
	r.Method, r.Target = method, target
	r.ProtoMajor, r.ProtoMinor = 1, int(version[7]-'0')
	return nil
}

// fieldLine parses and records one header field line.
func (p *Parser) fieldLine(line []byte) *Error {
	name, value, e := splitField(line)
	if e != nil {
		return e
	}
	if len(p.req.Headers) >= p.lim.MaxHeaders {
		return errTooManyHeaders
	}
	p.req.Headers = append(p.req.Headers, Header{Name: name, Value: value})
	return p.noteField(name, value)
}

// splitField splits a field line into its name and trimmed value,
// validating both (RFC 9112 §5, RFC 9110 §5.5).
func splitField(line []byte) (name, value []byte, e *Error) {
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, errObsFold // obs-fold, or whitespace after the start line
	}
	i := 0
	for i < len(line) && tokenTab[line[i]] {
		i++
	}
	switch {
	case i == len(line):
		return nil, nil, errNoColon
	case line[i] == ' ' || line[i] == '\t':
		return nil, nil, errSpaceBeforeColon
	case line[i] != ':' || i == 0:
		return nil, nil, errFieldName
	}
	value = line[i+1:]
	if !validValue(value) {
		return nil, nil, errFieldValue
	}
	return line[:i], trimOWS(value), nil
}

// validValue reports whether every byte of v is in valueTab. It tests eight
// bytes at a time: a word without bytes below 0x20 or equal to 0x7f needs no
// closer look (the rare HTAB takes the byte-wise path).
func validValue(v []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := binary.LittleEndian.Uint64(v[i:])
		y := x ^ 0x7f*ones
		if (x-0x20*ones)&^x&highs|(y-ones)&^y&highs == 0 {
			continue
		}
		for _, c := range v[i : i+8] {
			if !valueTab[c] {
				return false
			}
		}
	}
	for _, c := range v[i:] {
		if !valueTab[c] {
			return false
		}
	}
	return true
}

// noteField records what the head's meaning depends on.
func (p *Parser) noteField(name, value []byte) *Error {
	m := &p.m
	switch len(name) {
	case 4:
		if equalFold(name, "host") {
			return p.noteHost(value)
		}
	case 6:
		if equalFold(name, "expect") {
			m.expect100 = m.expect100 || hasToken(value, "100-continue")
		}
	case 7:
		if equalFold(name, "upgrade") {
			m.upgrade = m.upgrade || len(value) > 0
		}
	case 10:
		if equalFold(name, "connection") {
			m.connClose = m.connClose || hasToken(value, "close")
			m.connKeep = m.connKeep || hasToken(value, "keep-alive")
			m.connUpg = m.connUpg || hasToken(value, "upgrade")
		}
	case 14:
		if equalFold(name, "content-length") {
			return p.noteContentLength(value)
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			p.noteTransferEncoding(value)
		}
	}
	return nil
}

func (p *Parser) noteHost(value []byte) *Error {
	if p.m.nHost++; p.m.nHost > 1 {
		return errDupHost
	}
	for _, c := range value {
		if !hostTab[c] {
			return errHost
		}
	}
	p.req.Host = value
	return nil
}

// noteContentLength accepts exactly one Content-Length of 1*DIGIT.
func (p *Parser) noteContentLength(value []byte) *Error {
	if p.m.nCL++; p.m.nCL > 1 {
		return errDupCL
	}
	if len(value) == 0 {
		return errContentLength
	}
	var n int64
	for _, c := range value {
		if !isDigit(c) {
			return errContentLength
		}
		d := int64(c - '0')
		if n > (1<<63-1-d)/10 {
			return errContentLength // overflow
		}
		n = n*10 + d
	}
	p.m.cl = n
	return nil
}

// noteTransferEncoding folds one Transfer-Encoding line into the coding
// list seen so far (several lines form one list, RFC 9110 §5.3).
func (p *Parser) noteTransferEncoding(v []byte) {
	m := &p.m
	m.te = true
	for len(v) > 0 {
		var el []byte
		el, v = nextElement(v)
		if len(el) == 0 {
			continue // empty list elements are ignored (RFC 9110 §5.6.1)
		}
		if m.teChunked {
			m.teBad = true // something after chunked, or chunked twice
		}
		m.teChunked = equalFold(el, "chunked")
		m.teOther = m.teOther || !m.teChunked
	}
}

// finishHead checks the complete head and derives the body framing.
func (p *Parser) finishHead() *Error {
	m, r := &p.m, &p.req
	if m.nHost == 0 && r.ProtoMinor >= 1 && !p.AllowMissingHost {
		return errMissingHost
	}
	r.ContentLength = -1
	if m.nCL > 0 {
		r.ContentLength = m.cl
	}
	if e := p.checkTransferEncoding(); e != nil {
		return e
	}
	if string(r.Method) == "CONNECT" && (r.Chunked || r.ContentLength > 0) {
		return errConnectBody
	}
	if r.ContentLength > p.lim.MaxBody {
		return errBodyTooLarge
	}
	http11 := r.ProtoMinor >= 1
	r.KeepAlive = !m.connClose && (http11 || m.connKeep)
	r.Upgrade = http11 && m.connUpg && m.upgrade
	r.Expect100 = http11 && m.expect100
	return nil
}

// checkTransferEncoding applies RFC 9112 §6.1 and §6.3 to a request with a
// Transfer-Encoding header, and sets Chunked.
func (p *Parser) checkTransferEncoding() *Error {
	m := &p.m
	switch {
	case !m.te:
		return nil
	case p.req.ProtoMinor == 0:
		return errTEInHTTP10
	case m.nCL > 0:
		return errCLAndTE
	case m.teBad || !m.teChunked:
		return errTENotChunked
	case m.teOther:
		return errTEUnsupported
	}
	p.req.Chunked = true
	return nil
}

// headDone reports EventHead and selects how the body is read.
func (p *Parser) headDone(n int) (int, Event, error) {
	r := &p.req
	switch {
	case r.Chunked:
		p.state = stChunkSize
	case r.ContentLength > 0:
		p.state, p.m.remaining = stBody, r.ContentLength
	default:
		p.state = stDone
	}
	return n, EventHead, nil
}

// validTarget checks the request-target against the form its method
// calls for (RFC 9112 §3.2).
func validTarget(method, t []byte) bool {
	if len(t) == 0 {
		return false
	}
	if string(method) == "CONNECT" {
		return validHostPort(t, true)
	}
	switch t[0] {
	case '/':
		return validPathQuery(t)
	case '*':
		return len(t) == 1 && string(method) == "OPTIONS"
	}
	return validAbsolute(t)
}

// validPathQuery checks an origin-form target (or the rest of an absolute
// one): visible ASCII, with well-formed percent-escapes before the query.
func validPathQuery(t []byte) bool {
	query := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c <= ' ' || c >= 0x7f:
			return false
		case c == '?':
			query = true
		case c == '%' && !query:
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return false
			}
		}
	}
	return true
}

// validAbsolute checks an absolute-form target: scheme ":" and, when an
// authority follows "//", a non-empty host with an optional port.
func validAbsolute(t []byte) bool {
	i := 0
	for i < len(t) && (isAlpha(t[i]) || i > 0 && (isDigit(t[i]) || t[i] == '+' || t[i] == '-' || t[i] == '.')) {
		i++
	}
	if i == 0 || i == len(t) || t[i] != ':' {
		return false
	}
	rest := t[i+1:]
	if !bytes.HasPrefix(rest, []byte("//")) {
		return validPathQuery(rest)
	}
	rest = rest[2:]
	end := bytes.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	auth := rest[:end]
	if at := bytes.LastIndexByte(auth, '@'); at >= 0 {
		if !validUserinfo(auth[:at]) {
			return false
		}
		auth = auth[at+1:]
	}
	return validHostPort(auth, false) && validPathQuery(rest[end:])
}

func validUserinfo(u []byte) bool {
	for i := 0; i < len(u); i++ {
		switch c := u[i]; {
		case c == '%':
			if i+2 >= len(u) || !isHex(u[i+1]) || !isHex(u[i+2]) {
				return false
			}
		case !regNameTab[c] && c != ':':
			return false
		}
	}
	return true
}

// validHostPort checks host [":" port] (port required if needPort), where
// host is a non-empty reg-name or a bracketed IPv6 address.
func validHostPort(a []byte, needPort bool) bool {
	host, port := a, []byte(nil)
	if i := bytes.LastIndexByte(a, ':'); i >= 0 && bytes.IndexByte(a[i:], ']') < 0 {
		host, port = a[:i], a[i+1:]
		for _, c := range port {
			if !isDigit(c) {
				return false
			}
		}
	}
	if needPort && len(port) == 0 {
		return false
	}
	if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		ip, err := netip.ParseAddr(string(host[1 : len(host)-1]))
		return err == nil && ip.Is6() && ip.Zone() == ""
	}
	for _, c := range host {
		if !regNameTab[c] {
			return false
		}
	}
	return len(host) > 0
}

func isToken(b []byte) bool {
	for _, c := range b {
		if !tokenTab[c] {
			return false
		}
	}
	return len(b) > 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return 'a' <= lower(c) && lower(c) <= 'z' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= lower(c) && lower(c) <= 'f' }

// Byte classes.
var (
	// tokenTab: tchar (RFC 9110 §5.6.2).
	tokenTab = byteSet("!#$%&'*+-.^_`|~", true)
	// valueTab: field-vchar, SP and HTAB (RFC 9110 §5.5); obs-text allowed.
	valueTab = valueSet()
	// hostTab: the bytes net/http accepts in a Host header
	// (golang.org/x/net/http/httpguts.ValidHostHeader).
	hostTab = byteSet("!$%&'()*+,-.:;=[]_~", true)
	// regNameTab: unreserved and sub-delims (RFC 3986 reg-name, no
	// percent-escapes).
	regNameTab = byteSet("-._~!$&'()*+,;=", true)
)

// byteSet returns a table of the bytes in extra, plus ASCII letters and
// digits if alnum.
func byteSet(extra string, alnum bool) (t [256]bool) {
	for i := 0; i < len(extra); i++ {
		t[extra[i]] = true
	}
	for c := 0; alnum && c < 256; c++ {
		t[c] = t[c] || isDigit(byte(c)) || isAlpha(byte(c))
	}
	return t
}

func valueSet() (t [256]bool) {
	for c := range t {
		t[c] = c == '\t' || c >= ' ' && c != 0x7f
	}
	return t
}
