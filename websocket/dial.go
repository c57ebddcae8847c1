package websocket

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/plezi-go/plezi/internal/wsflate"
)

// Dial opens a client connection to a ws:// or wss:// URL (http:// and
// https:// are accepted too) and serves it with h on o.Engine, which must
// be running (nil: ErrNoEngine). It connects with net.Dialer (tls.Dialer
// for wss), sends the opening handshake with o.Header, o.Subprotocols and
// a permessage-deflate offer (unless o.DisableCompression), validates the
// answer, then attaches the connection to the engine (the portable
// transport). ctx bounds the connect and the handshake (or, without a
// deadline, o.HandshakeTimeout); it does not bound the connection after.
//
// The returned response is the server's 101 answer, or its refusal along
// with a *HandshakeError (the body of a refusal is not read).
func Dial(ctx context.Context, rawURL string, h Handler, o *Options) (*Conn, *http.Response, error) {
	cfg := resolve(o)
	if cfg.Engine == nil {
		return nil, nil, ErrNoEngine
	}
	if h == nil {
		return nil, nil, ErrNilHandler
	}
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.HandshakeTimeout)
		defer cancel()
	}
	nc, err := dialNet(ctx, u, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("websocket: dial %s: %w", u.Host, err)
	}
	c, resp, err := clientHandshake(ctx, nc, u, h, cfg)
	if err != nil {
		nc.Close()
		return nil, resp, err
	}
	return c, resp, nil
}

// parseURL checks the scheme and adds the default port.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("websocket: %w", err)
	}
	switch u.Scheme {
	case "ws", "http":
		u.Scheme = "ws"
	case "wss", "https":
		u.Scheme = "wss"
	default:
		return nil, fmt.Errorf("websocket: unsupported URL scheme %q", u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("websocket: URL %q has no host", raw)
	}
	return u, nil
}

func dialNet(ctx context.Context, u *url.URL, cfg *config) (net.Conn, error) {
	addr := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "wss" {
			port = "443"
		}
		addr = net.JoinHostPort(u.Hostname(), port)
	}
	if u.Scheme == "ws" {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	tc := cfg.TLSConfig.Clone()
	if tc == nil {
		tc = &tls.Config{}
	}
	if tc.ServerName == "" {
		tc.ServerName = u.Hostname()
	}
	tc.NextProtos = nil // WebSocket runs over HTTP/1.1
	d := tls.Dialer{Config: tc}
	return d.DialContext(ctx, "tcp", addr)
}

// clientHandshake sends the request, checks the answer and attaches the
// connection to the engine.
func clientHandshake(ctx context.Context, nc net.Conn, u *url.URL, h Handler, cfg *config) (*Conn, *http.Response, error) {
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	key := newKey()
	if _, err := nc.Write(requestHead(u, key, cfg)); err != nil {
		return nil, nil, fmt.Errorf("websocket: handshake: %w", err)
	}
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet, URL: u})
	if err != nil {
		return nil, nil, fmt.Errorf("websocket: handshake: %w", err)
	}
	c, herr := cfg.checkResponse(resp, key)
	if herr != nil {
		return nil, resp, herr
	}
	if !stop() || nc.SetDeadline(time.Time{}) != nil {
		c.stopDeflate()
		return nil, resp, fmt.Errorf("websocket: handshake: %w", ctx.Err())
	}
	c.h = h
	ec, err := cfg.Engine.Attach(withBuffered(nc, br), (*protocol)(c))
	if err != nil {
		c.stopDeflate()
		return nil, resp, err
	}
	c.ec.CompareAndSwap(nil, ec)
	return c, resp, nil
}

func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// requestHead writes the opening handshake request.
func requestHead(u *url.URL, key string, cfg *config) []byte {
	var b strings.Builder
	path := u.RequestURI()
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\n", path, u.Host)
	b.WriteString("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
	b.WriteString("Sec-WebSocket-Key: " + key + "\r\n")
	if len(cfg.Subprotocols) > 0 {
		b.WriteString("Sec-WebSocket-Protocol: " + strings.Join(cfg.Subprotocols, ", ") + "\r\n")
	}
	if !cfg.DisableCompression {
		b.WriteString("Sec-WebSocket-Extensions: " + wsflate.Offer(cfg.flateConfig()) + "\r\n")
	}
	for k, vs := range cfg.Header {
		if !validHeaderField(k) {
			continue
		}
		for _, v := range vs {
			if validHeaderField(v) {
				b.WriteString(k + ": " + v + "\r\n")
			}
		}
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

func validHeaderField(s string) bool { return !strings.ContainsAny(s, "\r\n\x00") }

// checkResponse validates the server's answer (RFC 6455 section 4.1) and
// returns the client Conn it describes (without handler yet).
func (cfg *config) checkResponse(resp *http.Response, key string) (*Conn, *HandshakeError) {
	bad := func(reason string) *HandshakeError { return &HandshakeError{Status: resp.StatusCode, Reason: reason} }
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, bad("status is not 101")
	}
	if !hasToken(resp.Header.Values("Upgrade"), "websocket") || !hasToken(resp.Header.Values("Connection"), "upgrade") {
		return nil, bad("missing Upgrade: websocket or Connection: Upgrade")
	}
	if resp.Header.Get("Sec-WebSocket-Accept") != acceptKey(key) {
		return nil, bad("wrong Sec-WebSocket-Accept")
	}
	sub := resp.Header.Get("Sec-WebSocket-Protocol")
	if sub != "" && !slices.Contains(cfg.Subprotocols, sub) {
		return nil, bad("subprotocol " + sub + " was not offered")
	}
	c := newConn(nil, cfg, false, sub)
	ext := resp.Header.Values("Sec-WebSocket-Extensions")
	if len(ext) == 0 {
		return c, nil
	}
	if cfg.DisableCompression {
		return nil, bad("extensions answered but none offered")
	}
	p, ok, err := wsflate.Accept(ext, cfg.flateConfig())
	if err != nil {
		return nil, bad(err.Error())
	}
	if ok {
		c.startDeflate(p, cfg)
	}
	return c, nil
}
