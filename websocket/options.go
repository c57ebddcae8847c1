package websocket

import (
	"crypto/tls"
	"net/http"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// Defaults for the zero values of Options.
const (
	// DefaultMaxMessage is the largest message accepted when
	// Options.MaxMessage is 0: 250 KiB, as Iodine.
	DefaultMaxMessage = 250 << 10
	// DefaultPingInterval is how long a connection may stay idle before
	// a ping when Options.PingInterval is 0 (Iodine's 40 s).
	DefaultPingInterval = 40 * time.Second
	// DefaultPongTimeout is how long a ping waits for any answer when
	// Options.PongTimeout is 0.
	DefaultPongTimeout = 20 * time.Second
	// DefaultCloseTimeout is how long Close waits for the peer's close
	// frame when Options.CloseTimeout is 0.
	DefaultCloseTimeout = 5 * time.Second
	// DefaultHandshakeTimeout bounds Dial's handshake when
	// Options.HandshakeTimeout is 0 and the context has no deadline.
	DefaultHandshakeTimeout = 10 * time.Second
)

// Options configure the server side (Upgrade, UpgradeCtx) and the client
// side (Dial). The zero value (or a nil *Options) works: 250 KiB
// messages, a ping after 40 s of silence, permessage-deflate when the peer
// offers it, same-origin requests only. Options are copied: the caller's
// value is never modified.
type Options struct {
	// Engine runs connections that do not come from this project's httpd
	// server: those hijacked from a plain net/http server, and those made
	// by Dial. With a nil Engine these paths fail with ErrNoEngine (there
	// is no hidden package-level engine to leak).
	Engine *engine.Engine

	// MaxMessage is the largest message (after decompression) accepted;
	// a larger one closes the connection with 1009. 0 means
	// DefaultMaxMessage.
	MaxMessage int

	// PingInterval is how long a connection may stay idle (nothing read
	// or written) before a ping is sent. 0 means DefaultPingInterval; a
	// negative value disables pings (and the idle timeout).
	PingInterval time.Duration

	// PongTimeout is how long, after a ping, the peer has to send
	// anything (a pong or any frame). A silent peer is dropped: the TCP
	// connection is closed without a close frame and OnClose reports
	// 1006. 0 means DefaultPongTimeout.
	PongTimeout time.Duration

	// CloseTimeout is how long Close waits for the peer's close frame
	// before it closes the TCP connection. 0 means DefaultCloseTimeout.
	CloseTimeout time.Duration

	// Subprotocols lists the subprotocols, by preference on a server
	// (the first one the client offered is chosen) and as offered by
	// Dial (the server's choice must be one of them).
	Subprotocols []string

	// AllowedOrigins lists the Origin hosts (host or host:port, compared
	// without case; "*" allows all) a server accepts besides its own
	// Host. Ignored when CheckOrigin is set.
	AllowedOrigins []string

	// CheckOrigin decides whether a request's Origin header (origin, ""
	// when absent) is accepted for the request's Host. nil means: Origin
	// absent, its host equal to Host, or listed in AllowedOrigins.
	// Refused requests are answered 403.
	CheckOrigin func(origin, host string) bool

	// DisableCompression turns permessage-deflate off: a server ignores
	// offers, Dial makes none.
	DisableCompression bool

	// CompressionLevel is the flate level (0: flate.BestSpeed).
	CompressionLevel int

	// CompressionThreshold is the message size below which messages go
	// uncompressed. 0 means 128 bytes; negative compresses everything.
	CompressionThreshold int

	// ContextTakeover keeps the server's compression window across
	// messages (better ratio, about 1.2 MiB per connection). Off by
	// default: the server answers server_no_context_takeover, and a
	// broadcast Message is compressed once for all connections.
	ContextTakeover bool

	// ClientNoContextTakeover asks the client to compress each message
	// on its own, so the server keeps no 32 KiB window per connection.
	ClientNoContextTakeover bool

	// Header holds extra request headers for Dial (Origin, cookies,
	// authorization).
	Header http.Header

	// TLSConfig is Dial's TLS configuration for wss:// URLs (nil: the
	// defaults, with ServerName from the URL).
	TLSConfig *tls.Config

	// HandshakeTimeout bounds Dial's connect and handshake when its
	// context has no deadline. 0 means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
}

// config is a copy of Options with the defaults filled in.
type config struct{ Options }

func resolve(o *Options) *config {
	c := &config{}
	if o != nil {
		c.Options = *o
	}
	if c.MaxMessage <= 0 {
		c.MaxMessage = DefaultMaxMessage
	}
	if c.PingInterval == 0 {
		c.PingInterval = DefaultPingInterval
	}
	if c.PongTimeout <= 0 {
		c.PongTimeout = DefaultPongTimeout
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = DefaultCloseTimeout
	}
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	return c
}
