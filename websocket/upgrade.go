package websocket

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
)

// Upgrade answers a WebSocket upgrade request from a net/http handler and
// serves the connection with h. On this project's httpd server (its
// ResponseWriter is an httpd.Upgrader) the connection stays on its engine
// loop. On any other net/http server the connection is hijacked and
// attached to o.Engine (the portable transport); without an Engine that
// fails with ErrNoEngine and a 500 answer.
//
// A request that is not a valid upgrade is answered (400, 403, or 426
// with Sec-WebSocket-Version: 13) and Upgrade returns a *HandshakeError.
// After a nil error the handler must not use w again; the connection's
// Conn arrives in the handler's OnOpen.
func Upgrade(w http.ResponseWriter, r *http.Request, h Handler, o *Options) error {
	if h == nil {
		http.Error(w, ErrNilHandler.Error(), http.StatusInternalServerError)
		return ErrNilHandler
	}
	cfg := resolve(o)
	a, herr := cfg.checkRequest(upgradeRequest{method: r.Method, host: r.Host, values: r.Header.Values})
	if herr != nil {
		if herr.Status == http.StatusUpgradeRequired {
			w.Header().Set("Sec-WebSocket-Version", "13")
		}
		http.Error(w, herr.Reason, herr.Status)
		return herr
	}
	c := newServerConn(h, cfg, a)
	if u, ok := w.(httpd.Upgrader); ok {
		a.responseHeaders(w.Header().Set)
		return u.Upgrade(http.StatusSwitchingProtocols, (*protocol)(c))
	}
	return hijack(w, a, c, cfg)
}

// UpgradeCtx is Upgrade for the native httpd handler: the connection stays
// on its engine loop, with no goroutine and no copy.
func UpgradeCtx(x *httpd.Ctx, h Handler, o *Options) error {
	if h == nil {
		x.SetStatus(http.StatusInternalServerError)
		x.WriteString(ErrNilHandler.Error())
		return ErrNilHandler
	}
	cfg := resolve(o)
	req := x.Request()
	a, herr := cfg.checkRequest(upgradeRequest{
		method: string(req.Method),
		host:   string(req.Host),
		values: func(name string) []string {
			var out []string
			for _, hd := range req.Headers {
				if equalFold(hd.Name, name) {
					out = append(out, string(hd.Value))
				}
			}
			return out
		},
	})
	if herr != nil {
		x.SetStatus(herr.Status)
		if herr.Status == http.StatusUpgradeRequired {
			x.SetHeader("Sec-WebSocket-Version", "13")
		}
		x.SetHeader("Content-Type", "text/plain; charset=utf-8")
		x.WriteString(herr.Reason + "\n")
		return herr
	}
	c := newServerConn(h, cfg, a)
	a.responseHeaders(x.SetHeader)
	return x.Upgrade(http.StatusSwitchingProtocols, (*protocol)(c))
}

func newServerConn(h Handler, cfg *config, a *accepted) *Conn {
	c := newConn(h, cfg, true, a.subprotocol)
	if a.compressed {
		c.startDeflate(a.deflate, cfg)
	}
	return c
}

func equalFold(b []byte, s string) bool {
	return len(b) == len(s) && bytes.EqualFold(b, []byte(s))
}

// hijack takes the connection from a plain net/http server and attaches
// it to the configured engine.
func hijack(w http.ResponseWriter, a *accepted, c *Conn, cfg *config) error {
	if cfg.Engine == nil {
		http.Error(w, "websocket: no engine", http.StatusInternalServerError)
		return ErrNoEngine
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "websocket: connection cannot be hijacked", http.StatusInternalServerError)
		return errors.New("websocket: ResponseWriter is neither an httpd.Upgrader nor an http.Hijacker")
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		return err
	}
	nc.SetDeadline(time.Time{})
	head := []byte("HTTP/1.1 101 Switching Protocols\r\n")
	a.responseHeaders(func(k, v string) { head = append(head, k+": "+v+"\r\n"...) })
	head = append(head, "\r\n"...)
	if _, err := nc.Write(head); err != nil {
		nc.Close()
		return err
	}
	if _, err := cfg.Engine.Attach(withBuffered(nc, brw.Reader), (*protocol)(c)); err != nil {
		nc.Close()
		c.stopDeflate()
		return err
	}
	return nil
}

// bufferedConn is a net.Conn whose first reads return bytes a
// bufio.Reader had read ahead.
type bufferedConn struct {
	net.Conn
	buf []byte
}

// Read returns the read-ahead bytes first, then reads the connection.
func (b *bufferedConn) Read(p []byte) (int, error) {
	if len(b.buf) > 0 {
		n := copy(p, b.buf)
		b.buf = b.buf[n:]
		return n, nil
	}
	return b.Conn.Read(p)
}

// withBuffered returns nc, or nc preceded by what br holds.
func withBuffered(nc net.Conn, br *bufio.Reader) net.Conn {
	if br == nil || br.Buffered() == 0 {
		return nc
	}
	b, _ := br.Peek(br.Buffered())
	return &bufferedConn{Conn: nc, buf: bytes.Clone(b)}
}

var _ engine.Protocol = (*protocol)(nil)
