package httpd

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/http1"
)

// Defaults for the zero values of Server's fields.
const (
	DefaultKeepAlive     = 40 * time.Second // as Iodine
	DefaultHeaderTimeout = 10 * time.Second
	DefaultBodyTimeout   = 60 * time.Second
	DefaultBufferedBody  = 1 << 20
)

// Server serves HTTP/1.1 on an engine. Its zero value is usable once a
// handler is set; set fields before the first Listen and do not change
// them afterwards.
//
// A request goes, in order, to the static files of Public (GET and HEAD
// only, when the file exists), to Native when set, and to Handler.
type Server struct {
	// Native is the fast-path handler: no net/http allocations.
	Native func(*Ctx)

	// Handler is any net/http handler, run through the adapter.
	Handler http.Handler

	// Public is a folder of static files served before the handlers ("":
	// none).
	Public string

	// Limits bound request lines, heads and bodies (zero: http1's
	// defaults: 8 KiB request line, 32 KiB head, 128 fields, 50 MiB body).
	Limits http1.Limits

	// KeepAlive is how long an idle keep-alive connection is kept (0:
	// 40 s).
	KeepAlive time.Duration

	// HeaderTimeout bounds reading one request head once its first byte
	// arrived (slowloris; 0: 10 s).
	HeaderTimeout time.Duration

	// BodyTimeout bounds reading one request body (0: 60 s).
	BodyTimeout time.Duration

	// BufferedBody is the largest request body held in memory before the
	// handler runs; larger bodies are streamed to handlers running on
	// their own goroutine (0: 1 MiB).
	BufferedBody int

	// AccessLog receives one record per request (nil: no access log, and
	// no cost).
	AccessLog *slog.Logger

	// ErrorLog receives server errors such as recovered handler panics
	// (nil: none).
	ErrorLog *slog.Logger

	// BaseContext is the parent of every request's context (nil:
	// context.Background()).
	BaseContext context.Context

	once   sync.Once
	static http.Handler
}

func (s *Server) keepAlive() time.Duration { return orDuration(s.KeepAlive, DefaultKeepAlive) }
func (s *Server) headerTimeout() time.Duration {
	return orDuration(s.HeaderTimeout, DefaultHeaderTimeout)
}
func (s *Server) bodyTimeout() time.Duration { return orDuration(s.BodyTimeout, DefaultBodyTimeout) }

func (s *Server) bufferedBody() int {
	if s.BufferedBody > 0 {
		return s.BufferedBody
	}
	return DefaultBufferedBody
}

func (s *Server) baseContext() context.Context {
	if s.BaseContext != nil {
		return s.BaseContext
	}
	return context.Background()
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Protocol returns the engine protocol for a new connection; pass it to
// engine.Engine.Listen, or use Listen.
func (s *Server) Protocol(c *engine.Conn) engine.Protocol {
	s.init()
	hc := &conn{s: s, c: c}
	hc.rw = &responseWriter{header: make(http.Header)}
	hc.p.Limits = s.Limits
	c.SetTimeout(s.keepAlive())
	return hc
}

// Listen serves HTTP on e at a network address ("tcp", "unix", ...).
func (s *Server) Listen(e *engine.Engine, network, address string) (*engine.Listener, error) {
	s.init()
	return e.Listen(network, address, s.Protocol)
}

// ListenOn serves HTTP on e on a listener opened elsewhere (an inherited
// socket; see engine.Engine.ListenOn). Wrap it with tls.NewListener for
// HTTPS.
func (s *Server) ListenOn(e *engine.Engine, l net.Listener) (*engine.Listener, error) {
	s.init()
	return e.ListenOn(l, s.Protocol)
}

// ListenTLS serves HTTPS on e with cfg (see engine.ListenTLS).
func (s *Server) ListenTLS(e *engine.Engine, network, address string, cfg *tls.Config) (*engine.Listener, error) {
	s.init()
	return e.ListenTLS(network, address, cfg, s.Protocol)
}

func (s *Server) init() {
	s.once.Do(func() {
		if s.Public != "" {
			s.static = newStatic(s.Public)
		}
	})
}

func (s *Server) logError(msg string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Error("plezi/httpd: "+msg, args...)
	}
}
