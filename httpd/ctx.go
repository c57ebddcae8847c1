package httpd

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/http1"
)

// Ctx is one request and its response on the native fast path. It is
// valid only until the handler returns (its byte slices alias the
// connection's buffers); it is not safe for concurrent use.
type Ctx struct {
	hc   *conn
	req  *http1.Request
	body []byte    // buffered body
	pipe *bodyPipe // streamed body (async handlers)
	res  response
	std  std // the net/http view, when HTTP built it
}

// response is the state of the answer being written.
type response struct {
	status   int
	hdr      []byte // header lines set by the handler
	body     []byte // buffered body
	headSent bool   // the head went out: the body streams chunked
	chunked  bool
	close    bool
	length   int64 // Content-Length set by the handler; -1: none
	async    bool  // written from a handler goroutine: straight to the Conn
	hijacked bool  // the handler took the connection over
	fileSent bool  // the body went out with SendFile
}

func (x *Ctx) reset(hc *conn, req *http1.Request) {
	x.hc, x.req, x.body, x.pipe = hc, req, nil, nil
	hdr, body := x.res.hdr[:0], x.res.body[:0]
	x.res = response{status: 200, hdr: hdr, body: body, length: -1}
	if !req.KeepAlive {
		x.res.close = true
	}
}

// Method returns the request method.
func (x *Ctx) Method() []byte { return x.req.Method }

// Target returns the request-target as sent (path and query).
func (x *Ctx) Target() []byte { return x.req.Target }

// Path returns the target's path (before any '?').
func (x *Ctx) Path() []byte {
	if i := bytes.IndexByte(x.req.Target, '?'); i >= 0 {
		return x.req.Target[:i]
	}
	return x.req.Target
}

// Query returns the target's query (after '?'), or nil.
func (x *Ctx) Query() []byte {
	if i := bytes.IndexByte(x.req.Target, '?'); i >= 0 {
		return x.req.Target[i+1:]
	}
	return nil
}

// Header returns the first request header named name (case-insensitive).
func (x *Ctx) Header(name string) []byte { return x.req.Header(name) }

// Request returns the parsed request head.
func (x *Ctx) Request() *http1.Request { return x.req }

// Body returns a reader of the request body.
func (x *Ctx) Body() io.Reader {
	if x.pipe != nil {
		return x.pipe
	}
	return bytes.NewReader(x.body)
}

// BodyBytes returns a buffered request body (nil when it streams).
func (x *Ctx) BodyBytes() []byte { return x.body }

// Conn returns the engine connection (for upgrades).
func (x *Ctx) Conn() *engine.Conn { return x.hc.c }

// SetStatus sets the response status (default 200).
func (x *Ctx) SetStatus(code int) { x.res.status = code }

// SetHeader adds a response header line. Names and values with CR, LF or
// NUL are dropped (header injection); Content-Length is honoured as the
// body's length; Connection: close closes after the response, and
// Connection: upgrade is written (other Connection values are the
// server's to decide and are dropped).
func (x *Ctx) SetHeader(name, value string) {
	if !validField(name) || !validField(value) || x.res.headSent {
		return
	}
	switch {
	case equalFoldStr(name, "Content-Length"):
		if n, err := strconv.ParseInt(value, 10, 64); err == nil && n >= 0 {
			x.res.length = n
		}
		return
	case equalFoldStr(name, "Connection"):
		if equalFoldStr(value, "close") {
			x.res.close = true
			return
		}
		if !equalFoldStr(value, "upgrade") {
			return // keep-alive is the server's business
		}
		// "Connection: Upgrade" goes out: a 101 needs it.
	case equalFoldStr(name, "Date"), equalFoldStr(name, "Transfer-Encoding"):
		return // the server writes these
	}
	x.res.hdr = append(x.res.hdr, name...)
	x.res.hdr = append(x.res.hdr, ": "...)
	x.res.hdr = append(x.res.hdr, value...)
	x.res.hdr = append(x.res.hdr, "\r\n"...)
}

// Write appends to the response body (buffered until the handler returns,
// or sent as a chunk after Flush).
func (x *Ctx) Write(p []byte) (int, error) {
	if x.res.headSent {
		return len(p), x.sendChunk(p)
	}
	x.res.body = append(x.res.body, p...)
	return len(p), nil
}

// WriteString is Write for a string.
func (x *Ctx) WriteString(s string) (int, error) {
	if x.res.headSent {
		return len(s), x.sendChunk([]byte(s))
	}
	x.res.body = append(x.res.body, s...)
	return len(s), nil
}

// Flush sends the head and the body written so far; what follows streams
// (chunked, unless a Content-Length was set).
func (x *Ctx) Flush() error {
	if !x.res.headSent {
		x.sendHead(true)
		body := x.res.body
		x.res.body = x.res.body[:0]
		if err := x.sendChunk(body); err != nil {
			return err
		}
	}
	return x.push()
}

// isHead reports a HEAD request.
func (x *Ctx) isHead() bool { return string(x.req.Method) == http.MethodHead }

// sendHead writes the status line and headers; streaming chooses chunked
// framing when no length is known.
func (x *Ctx) sendHead(streaming bool) {
	r := &x.res
	r.headSent = true
	out := x.target()
	*out = appendStatusLine(*out, r.status)
	*out = append(*out, dates.line(time.Now())...)
	*out = append(*out, r.hdr...)
	switch {
	case !bodyAllowed(r.status):
	case r.length >= 0:
		*out = append(*out, "Content-Length: "...)
		*out = appendInt(*out, int(r.length))
		*out = append(*out, "\r\n"...)
	case streaming:
		r.chunked = true
		*out = append(*out, "Transfer-Encoding: chunked\r\n"...)
	default:
		*out = append(*out, "Content-Length: "...)
		*out = appendInt(*out, len(r.body))
		*out = append(*out, "\r\n"...)
	}
	if r.close {
		*out = append(*out, "Connection: close\r\n"...)
	}
	*out = append(*out, "\r\n"...)
}

// sendChunk writes body bytes after the head.
func (x *Ctx) sendChunk(p []byte) error {
	if len(p) == 0 || x.isHead() || !bodyAllowed(x.res.status) {
		return nil
	}
	out := x.target()
	if x.res.chunked {
		*out = appendHex(*out, len(p))
		*out = append(*out, "\r\n"...)
		*out = append(*out, p...)
		*out = append(*out, "\r\n"...)
	} else {
		*out = append(*out, p...)
	}
	if x.res.async {
		return x.push()
	}
	return nil
}

// finish completes the response after the handler returned.
func (x *Ctx) finish() {
	if x.res.hijacked || x.res.fileSent {
		return
	}
	if !x.res.headSent {
		x.sendHead(false)
		if !x.isHead() && bodyAllowed(x.res.status) {
			out := x.target()
			*out = append(*out, x.res.body...)
		}
	} else if x.res.chunked && !x.isHead() {
		out := x.target()
		*out = append(*out, "0\r\n\r\n"...)
	}
	if x.res.close && !x.res.async {
		x.hc.closing = true // async: resume reads res.close instead
	}
	if cap(x.res.body) > 64<<10 {
		x.res.body = nil
	}
}

// target is where response bytes go: the batch buffer on the connection's
// callbacks, the async buffer from a handler goroutine.
func (x *Ctx) target() *[]byte {
	if x.res.async {
		return &x.hc.asyncOut
	}
	return &x.hc.out
}

// push writes what target holds now.
func (x *Ctx) push() error {
	out := x.target()
	if len(*out) == 0 {
		return nil
	}
	_, err := x.hc.c.Write(*out)
	*out = (*out)[:0]
	return err
}

var errHeadSent = errors.New("httpd: response head already sent")

// contentTypeOf returns the Content-Type for a file name by extension.
func contentTypeOf(name string) string {
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func validField(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 {
			return false
		}
	}
	return s != ""
}

func equalFoldStr(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

func appendHex(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 16) }

func appendStatusText(b []byte, status int, msg string) []byte {
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(status)...)
	if msg != "" {
		b = append(b, ": "...)
		b = append(b, msg...)
	}
	return append(b, '\n')
}
