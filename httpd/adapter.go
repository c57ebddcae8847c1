package httpd

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// serveHTTP runs the net/http handler for x.
func (hc *conn) serveHTTP(x *Ctx) { hc.serveHTTPWith(x, hc.s.Handler) }

// serveHTTPWith runs h for x through the adapter.
func (hc *conn) serveHTTPWith(x *Ctx, h http.Handler) {
	w, req, err := x.HTTP()
	if err != nil {
		x.res.status = 400
		x.res.close = true
		x.res.body = append(x.res.body[:0], "400 Bad Request: invalid request-target\n"...)
		return
	}
	h.ServeHTTP(w, req)
	x.endHTTP()
}

// writer returns the connection's ResponseWriter, reset for x. A
// ResponseWriter must not be used after ServeHTTP returns, so one per
// connection is enough; its header map is cleared, not reallocated.
func (hc *conn) writer(x *Ctx) *responseWriter {
	w := hc.rw
	if w == nil || x.res.async {
		return &responseWriter{x: x, header: make(http.Header)}
	}
	clear(w.header)
	*w = responseWriter{x: x, header: w.header}
	return w
}

// newRequest builds the *http.Request for x, with ctx as its context.
// The Request is assembled on the stack and copied once by WithContext
// (the only way to set its context), so it costs one allocation.
func (hc *conn) newRequest(x *Ctx, ctx context.Context) (*http.Request, error) {
	r := x.req
	// One string holds the target and every header value, and one array
	// every value slice: two allocations instead of two per field.
	size := len(r.Target)
	for _, f := range r.Headers {
		size += len(f.Value)
	}
	var sb strings.Builder
	sb.Grow(size)
	sb.Write(r.Target)
	for _, f := range r.Headers {
		sb.Write(f.Value)
	}
	all := sb.String()
	target, off := all[:len(r.Target)], len(r.Target)
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(r.Headers))
	vals := make([]string, len(r.Headers))
	host := ""
	for i, f := range r.Headers {
		vals[i] = all[off : off+len(f.Value)]
		off += len(f.Value)
		name := headerKey(f.Name)
		if name == "Host" && host == "" && string(f.Value) == string(r.Host) {
			host = vals[i] // the Host field without a copy of its own
		}
		if prev, ok := h[name]; ok {
			h[name] = append(prev, vals[i])
		} else {
			h[name] = vals[i : i+1 : i+1]
		}
	}
	proto := "HTTP/1.1"
	if r.ProtoMinor == 0 {
		proto = "HTTP/1.0"
	}
	if host == "" {
		host = string(r.Host)
	}
	req := http.Request{
		Method:        method(r.Method),
		URL:           u,
		Proto:         proto,
		ProtoMajor:    1,
		ProtoMinor:    r.ProtoMinor,
		Header:        h,
		Host:          host,
		RequestURI:    target,
		ContentLength: r.ContentLength,
		Close:         !r.KeepAlive,
		Body:          http.NoBody,
	}
	if u.Host != "" {
		req.Host = u.Host
	}
	if r.Chunked {
		req.TransferEncoding = []string{"chunked"}
		req.ContentLength = -1
	}
	if req.ContentLength < 0 && !r.Chunked {
		req.ContentLength = 0
	}
	if x.pipe != nil {
		req.Body = x.pipe
	} else if len(x.body) > 0 {
		req.Body = io.NopCloser(strings.NewReader(string(x.body)))
	}
	req.RemoteAddr = hc.remoteAddr()
	return req.WithContext(ctx), nil
}

// remoteAddr returns the peer's address as a string, computed once per
// connection.
func (hc *conn) remoteAddr() string {
	if hc.remote == "" {
		if a := hc.c.RemoteAddr(); a != nil {
			hc.remote = a.String()
		}
	}
	return hc.remote
}

// methods interns the common request methods.
var methods = map[string]string{}

func init() {
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"} {
		methods[m] = m
	}
	for _, k := range []string{"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control",
		"Connection", "Content-Length", "Content-Type", "Cookie", "Host", "If-Modified-Since", "If-None-Match",
		"Origin", "Pragma", "Range", "Referer", "Upgrade", "User-Agent", "X-Forwarded-For", "X-Requested-With",
		"Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions", "Sec-Websocket-Protocol",
		"Upgrade-Insecure-Requests", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Dnt"} {
		headerKeys[k] = k
		headerKeys[strings.ToLower(k)] = k
	}
}

// method returns the method as a string, without allocating for the
// common ones.
func method(b []byte) string {
	if m, ok := methods[string(b)]; ok { // no allocation: map index by string(b)
		return m
	}
	return string(b)
}

// headerKeys maps common header names (canonical or lower case) to their
// canonical form; it is read-only after init.
var headerKeys = map[string]string{}

// headerKey returns the canonical header key for name, without allocating
// for the common ones.
func headerKey(name []byte) string {
	if k, ok := headerKeys[string(name)]; ok {
		return k
	}
	return http.CanonicalHeaderKey(string(name))
}

// responseWriter is the http.ResponseWriter of the adapter. It implements
// http.Flusher, http.Hijacker and io.ReaderFrom.
type responseWriter struct {
	x           *Ctx
	header      http.Header
	wroteHeader bool
	hijacked    bool
	sniff       bool // no Content-Type yet: the first body bytes decide it
}

var (
	_ http.ResponseWriter = (*responseWriter)(nil)
	_ http.Flusher        = (*responseWriter)(nil)
	_ http.Hijacker       = (*responseWriter)(nil)
	_ io.ReaderFrom       = (*responseWriter)(nil)
)

func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader sets the status; 1xx codes are sent at once (as net/http
// does), others with the first body bytes.
func (w *responseWriter) WriteHeader(code int) {
	if w.wroteHeader || w.hijacked {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.informational(code)
		return
	}
	w.wroteHeader = true
	w.x.SetStatus(code)
	for k, vs := range w.header {
		for _, v := range vs {
			w.x.SetHeader(k, v)
		}
	}
	_, typed := w.header["Content-Type"] // present but nil: no sniffing, as net/http
	w.sniff = !typed && bodyAllowed(code)
}

// sniffed sets the Content-Type from the first body bytes, as net/http
// does, when the handler set none before the head was decided.
func (w *responseWriter) sniffed(p []byte) {
	if w.sniff && len(p) > 0 {
		w.sniff = false
		w.x.SetHeader("Content-Type", http.DetectContentType(p))
	}
}

// informational sends a 1xx response with the current headers.
func (w *responseWriter) informational(code int) {
	out := w.x.target()
	*out = appendStatusLine(*out, code)
	for k, vs := range w.header {
		for _, v := range vs {
			if validField(k) && validField(v) {
				*out = append(*out, k...)
				*out = append(*out, ": "...)
				*out = append(*out, v...)
				*out = append(*out, "\r\n"...)
			}
		}
	}
	*out = append(*out, "\r\n"...)
	w.x.push()
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.hijacked {
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.sniffed(p)
	return w.x.Write(p)
}

// WriteString is Write for a string (io.StringWriter), without
// converting s to a byte slice.
func (w *responseWriter) WriteString(s string) (int, error) {
	if w.hijacked {
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.sniff && len(s) > 0 {
		w.sniffed([]byte(s[:min(len(s), 512)]))
	}
	return w.x.WriteString(s)
}

// Flush sends what was written so far.
func (w *responseWriter) Flush() {
	if w.hijacked {
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.x.Flush()
}

// ReadFrom copies src into the response (io.Copy uses it). A file with a
// Content-Length set goes out with sendfile.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.sniff {
		if n, ok, err := w.sendFileFrom(src); ok {
			return n, err
		}
	}
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, err := src.Read(buf)
		if m > 0 {
			w.sniffed(buf[:m])
			if _, werr := w.x.Write(buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// commit finishes the headers if the handler wrote nothing.
func (w *responseWriter) commit() {
	if w.hijacked {
		return
	}
	if !w.wroteHeader && w.xSendfile() {
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
}
