package websocket_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi/websocket"
)

// inbox is a client handler that hands copies of messages and the close
// to channels.
type inbox struct {
	msgs   chan []byte
	closed chan [2]any
}

func newInbox() *inbox {
	return &inbox{msgs: make(chan []byte, 64), closed: make(chan [2]any, 1)}
}

func (b *inbox) OnMessage(c *websocket.Conn, data []byte, text bool) {
	b.msgs <- bytes.Clone(data)
}

func (b *inbox) OnClose(c *websocket.Conn, code int, reason string) {
	b.closed <- [2]any{code, reason}
}

func recv[T any](t testing.TB, ch <-chan T, d time.Duration) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(d):
		var zero T
		t.Fatalf("timed out after %v", d)
		return zero
	}
}

// gorillaEcho is a gorilla server that echoes, with compression if the
// client offers it.
func gorillaEcho(t *testing.T) string {
	up := gorilla.Upgrader{EnableCompression: true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		ws.SetReadLimit(32 << 20)
		for {
			typ, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			ws.EnableWriteCompression(len(msg) > 64)
			if ws.WriteMessage(typ, msg) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// coderEcho is a coder/websocket server echoing in the given mode.
func coderEcho(t *testing.T, cm coder.CompressionMode) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := coder.Accept(w, r, &coder.AcceptOptions{CompressionMode: cm})
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ws.SetReadLimit(32 << 20)
		ctx := r.Context()
		for {
			typ, msg, err := ws.Read(ctx)
			if err != nil {
				return
			}
			if ws.Write(ctx, typ, msg) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func TestDialPeers(t *testing.T) {
	servers := map[string]func(t *testing.T) string{
		"gorilla":           gorillaEcho,
		"coder-none":        func(t *testing.T) string { return coderEcho(t, coder.CompressionDisabled) },
		"coder-takeover":    func(t *testing.T) string { return coderEcho(t, coder.CompressionContextTakeover) },
		"coder-no-takeover": func(t *testing.T) string { return coderEcho(t, coder.CompressionNoContextTakeover) },
	}
	for name, start := range servers {
		for _, compress := range []bool{true, false} {
			t.Run(name+map[bool]string{true: "/deflate", false: "/plain"}[compress], func(t *testing.T) {
				e := startEngine(t, modes[0])
				b := newInbox()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				c, resp, err := websocket.Dial(ctx, start(t), b, &websocket.Options{Engine: e, DisableCompression: !compress, MaxMessage: 17 << 20})
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				if resp.StatusCode != 101 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				if name != "coder-none" && c.Compressed() != compress {
					t.Fatalf("compressed = %v", c.Compressed())
				}
				for _, n := range sizes {
					msg := payload(n, true)
					if err := c.WriteText(msg); err != nil {
						t.Fatal(err)
					}
					if got := recv(t, b.msgs, 20*time.Second); !bytes.Equal(got, msg) {
						t.Fatalf("%d bytes: got %d bytes back", n, len(got))
					}
				}
				if err := c.Close(websocket.CloseNormal, "done"); err != nil {
					t.Fatal(err)
				}
				cl := recv(t, b.closed, 5*time.Second)
				if cl[0] != websocket.CloseNormal {
					t.Fatalf("OnClose got %v", cl)
				}
			})
		}
	}
}

// TestDialRefused: a server that answers 200, a wrong accept key, or an
// unoffered subprotocol makes Dial fail with a *HandshakeError.
func TestDialRefused(t *testing.T) {
	e := startEngine(t, modes[0])
	cases := map[string]http.HandlerFunc{
		"not 101": func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") },
		"bad accept": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Upgrade", "websocket")
			w.Header().Set("Connection", "Upgrade")
			w.Header().Set("Sec-WebSocket-Accept", "nope")
			w.WriteHeader(101)
		},
		"subprotocol": func(w http.ResponseWriter, r *http.Request) {
			up := gorilla.Upgrader{Subprotocols: []string{"other"}}
			r.Header.Set("Sec-WebSocket-Protocol", "other")
			if ws, err := up.Upgrade(w, r, nil); err == nil {
				ws.Close()
			}
		},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			_, _, err := websocket.Dial(context.Background(), srv.URL, newInbox(), &websocket.Options{Engine: e, Subprotocols: []string{"chat"}})
			var he *websocket.HandshakeError
			if !errors.As(err, &he) || !errors.Is(err, websocket.ErrBadHandshake) {
				t.Fatalf("got %v, want a HandshakeError", err)
			}
		})
	}
	if _, _, err := websocket.Dial(context.Background(), "ws://x", newInbox(), nil); !errors.Is(err, websocket.ErrNoEngine) {
		t.Fatalf("nil engine: %v", err)
	}
}

// TestDialOurServer: our client against our server, subprotocol chosen by
// the server's preference, on each transport mode.
func TestDialOurServer(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		for _, kind := range kinds {
			t.Run(kind, func(t *testing.T) { dialOurServer(t, m, kind) })
		}
	})
}

func dialOurServer(t *testing.T, m mode, kind string) {
	{
		url := serveWS(t, m, kind, echo, &websocket.Options{Subprotocols: []string{"v2", "v1"}})
		e := startEngine(t, m)
		b := newInbox()
		c, _, err := websocket.Dial(context.Background(), url, b, &websocket.Options{Engine: e, Subprotocols: []string{"v1", "v2"}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Subprotocol() != "v2" {
			t.Fatalf("subprotocol %q", c.Subprotocol())
		}
		for i := 0; i < 100; i++ {
			c.WriteText([]byte(strings.Repeat("x", i*10)))
		}
		for i := 0; i < 100; i++ {
			if got := recv(t, b.msgs, 5*time.Second); len(got) != i*10 {
				t.Fatalf("message %d: %d bytes", i, len(got))
			}
		}
		c.Close(websocket.CloseNormal, "")
		if cl := recv(t, b.closed, 5*time.Second); cl[0] != websocket.CloseNormal {
			t.Fatalf("close %v", cl)
		}
	}
}
