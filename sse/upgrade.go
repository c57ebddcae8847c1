package sse

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/plezi-go/plezi/httpd"
)

// Upgrade answers an EventSource request with an event stream and returns
// the stream. The response head is 200 with Content-Type
// text/event-stream, Cache-Control: no-cache, X-Accel-Buffering: no (so
// that nginx passes events on at once instead of buffering them), the
// headers of w.Header() and Options.Header, and no Content-Length: the
// body runs until the stream closes. The handler must not write to w
// afterwards.
//
// On Plezi's server (w is, or unwraps to, an httpd.Upgrader) the
// connection switches to the stream without a goroutine. On any other
// server the connection is hijacked and attached to Options.Engine, with
// a reader and a writer goroutine (the engine's portable transport); such
// a stream may open (OnOpen) before Upgrade returns. When w cannot be
// hijacked (ErrNotHijackable) or Options.Engine is nil (ErrNoEngine),
// nothing is written and the handler may still answer.
//
// A request that is not an EventSource request gets 405 (not a GET) or
// 406 (Accept lacks text/event-stream) and Upgrade returns a
// *RequestError.
func Upgrade(w http.ResponseWriter, r *http.Request, h Handler, o *Options) (*Stream, error) {
	if o == nil {
		o = &Options{}
	}
	if err := check(r.Method, r.Header.Values("Accept")); err != nil {
		if err.Status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodGet)
		}
		http.Error(w, err.Reason, err.Status)
		return nil, err
	}
	s := newStream(h, o, r.Header.Get("Last-Event-ID"))
	if u, uw := upgrader(w); u != nil {
		setHeaders(uw.Header(), o)
		s.sendRetry(o)
		if err := u.Upgrade(http.StatusOK, (*proto)(s)); err != nil {
			return nil, fmt.Errorf("sse: upgrade: %w", err)
		}
		return s, nil
	}
	if err := s.hijack(w, o); err != nil {
		return nil, err
	}
	return s, nil
}

// UpgradeCtx is Upgrade on the server's native path.
func UpgradeCtx(x *httpd.Ctx, h Handler, o *Options) (*Stream, error) {
	if o == nil {
		o = &Options{}
	}
	if err := check(string(x.Method()), headerValues(x, "Accept")); err != nil {
		x.SetStatus(err.Status)
		if err.Status == http.StatusMethodNotAllowed {
			x.SetHeader("Allow", http.MethodGet)
		}
		x.SetHeader("Content-Type", "text/plain; charset=utf-8")
		x.WriteString(err.Reason + "\n")
		return nil, err
	}
	s := newStream(h, o, string(x.Header("Last-Event-ID")))
	hdr := make(http.Header, 3+len(o.Header))
	setHeaders(hdr, o)
	for _, k := range slices.Sorted(maps.Keys(hdr)) { // a stable head
		for _, v := range hdr[k] {
			x.SetHeader(k, v)
		}
	}
	s.sendRetry(o)
	if err := x.Upgrade(http.StatusOK, (*proto)(s)); err != nil {
		return nil, fmt.Errorf("sse: upgrade: %w", err)
	}
	return s, nil
}

// headerValues returns the values of every request header line named
// name (case-insensitive) of a native request.
func headerValues(x *httpd.Ctx, name string) []string {
	var vs []string
	for _, f := range x.Request().Headers {
		if strings.EqualFold(string(f.Name), name) {
			vs = append(vs, string(f.Value))
		}
	}
	return vs
}

// upgrader finds an httpd.Upgrader in w or the writers it wraps
// (middleware exposing Unwrap, as http.ResponseController expects).
func upgrader(w http.ResponseWriter) (httpd.Upgrader, http.ResponseWriter) {
	return find[httpd.Upgrader](w)
}

// find returns the first of w and the writers it wraps that is a T.
func find[T any](w http.ResponseWriter) (T, http.ResponseWriter) {
	for {
		if t, ok := w.(T); ok {
			return t, w
		}
		uw, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			var zero T
			return zero, nil
		}
		w = uw.Unwrap()
	}
}

// setHeaders sets the stream's response headers, then Options.Header.
func setHeaders(h http.Header, o *Options) {
	h.Set("Content-Type", MediaType)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	for k, vs := range o.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
}

// sendRetry queues the retry field, the first thing after the head.
func (s *Stream) sendRetry(o *Options) {
	if o.Retry > 0 {
		s.early1(func(dst []byte) []byte { dst, _ = AppendEvent(dst, &Event{Retry: o.Retry}); return dst })
	}
}

// hijack takes the connection from a server that is not Plezi's and
// attaches it to o.Engine; the head goes out first, from OnOpen.
func (s *Stream) hijack(w http.ResponseWriter, o *Options) error {
	hj, _ := find[http.Hijacker](w)
	if hj == nil {
		return ErrNotHijackable
	}
	if o.Engine == nil {
		return ErrNoEngine
	}
	setHeaders(w.Header(), o)
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\nDate: ")
	head.WriteString(time.Now().UTC().Format(http.TimeFormat))
	head.WriteString("\r\n")
	w.Header().Write(&head) // sorted, with CR and LF in values replaced
	head.WriteString("\r\n")

	nc, brw, err := hj.Hijack()
	if err != nil {
		return fmt.Errorf("sse: hijack: %w", err)
	}
	nc.SetDeadline(time.Time{}) // the server's read/write timeouts no longer apply
	// Input the server read ahead is dropped, as OnData drops the rest.
	brw.Reader.Discard(brw.Reader.Buffered())
	s.head = head.Bytes()
	s.sendRetry(o)
	if _, err := o.Engine.Attach(nc, (*proto)(s)); err != nil {
		nc.Close()
		return fmt.Errorf("sse: attach: %w", err)
	}
	return nil
}
