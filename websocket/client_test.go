package websocket_test

import (
	"bufio"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi/websocket"
	"net/http/httptest"
)

// rawServer accepts one connection, answers the handshake, then runs f
// on the connection (server frames written by hand).
func rawServer(t *testing.T, f func(c net.Conn, br *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		h := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
			base64.StdEncoding.EncodeToString(h[:]) + "\r\n\r\n"))
		f(c, br)
	}()
	return "ws://" + ln.Addr().String() + "/"
}

// TestClientRejectsMaskedFrames: a masked server frame makes our client
// fail the connection with a masked close 1002; an unmasked text frame
// sent in the same write as the 101 is delivered.
func TestClientRejectsMaskedFrames(t *testing.T) {
	e := startEngine(t, modes[0])
	got := make(chan []byte, 1)
	url := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		c.Write(append([]byte{0x81, 2, 'h', 'i'}, frame(true, 0, 1, []byte("masked"))...))
		var hdr [2]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return
		}
		if hdr[1]&0x80 == 0 {
			t.Error("client close frame not masked")
		}
		n := int(hdr[1] & 0x7f)
		b := make([]byte, 4+n)
		if _, err := io.ReadFull(br, b); err != nil {
			return
		}
		for i := 0; i < n; i++ {
			b[4+i] ^= b[i&3]
		}
		got <- b[4:]
	})
	b := newInbox()
	_, _, err := websocket.Dial(context.Background(), url, b, &websocket.Options{Engine: e})
	if err != nil {
		t.Fatal(err)
	}
	if m := recv(t, b.msgs, 5*time.Second); string(m) != "hi" {
		t.Fatalf("first message %q", m)
	}
	if p := recv(t, got, 5*time.Second); len(p) < 2 || int(p[0])<<8|int(p[1]) != 1002 {
		t.Fatalf("client close payload %q, want 1002", p)
	}
	if cl := recv(t, b.closed, 5*time.Second); cl[0] != 1002 {
		t.Fatalf("OnClose %v", cl)
	}
}

// TestDialTLS: wss:// through tls.Dialer to a gorilla server over TLS.
func TestDialTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&gorilla.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		typ, m, err := ws.ReadMessage()
		if err == nil {
			ws.WriteMessage(typ, m)
		}
		ws.ReadMessage()
	}))
	defer srv.Close()
	e := startEngine(t, modes[0])
	tc := srv.Client().Transport.(*http.Transport).TLSClientConfig
	b := newInbox()
	c, _, err := websocket.Dial(context.Background(), "wss"+strings.TrimPrefix(srv.URL, "https"), b, &websocket.Options{Engine: e, TLSConfig: tc})
	if err != nil {
		t.Fatal(err)
	}
	c.WriteText([]byte("over tls"))
	if m := recv(t, b.msgs, 5*time.Second); string(m) != "over tls" {
		t.Fatalf("got %q", m)
	}
	c.Close(websocket.CloseNormal, "")
	recv(t, b.closed, 5*time.Second)
	// Without the test CA the certificate is refused.
	_, _, err = websocket.Dial(context.Background(), "wss"+strings.TrimPrefix(srv.URL, "https"), b, &websocket.Options{Engine: e, TLSConfig: &tls.Config{}})
	if err == nil {
		t.Fatal("untrusted certificate accepted")
	}
}

// TestDialTimeout: a server that never answers the handshake makes Dial
// fail when its context ends.
func TestDialTimeout(t *testing.T) {
	e := startEngine(t, modes[0])
	url := rawServerSilent(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := websocket.Dial(ctx, url, newInbox(), &websocket.Options{Engine: e})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("got %v after %v", err, time.Since(start))
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a timeout, got %v", err)
	}
}

func rawServerSilent(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	return "ws://" + ln.Addr().String() + "/"
}

// TestBadArguments: Dial and the upgrades refuse what they cannot use.
func TestBadArguments(t *testing.T) {
	e := startEngine(t, modes[0])
	for _, u := range []string{"ftp://x/", "ws://", "::"} {
		if _, _, err := websocket.Dial(context.Background(), u, newInbox(), &websocket.Options{Engine: e}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	if _, _, err := websocket.Dial(context.Background(), "ws://127.0.0.1:1/", nil, &websocket.Options{Engine: e}); err == nil {
		t.Error("nil handler accepted")
	}
}

// TestClientAnswersPing: our client answers a server's ping with a masked
// pong carrying the same payload.
func TestClientAnswersPing(t *testing.T) {
	e := startEngine(t, modes[0])
	pong := make(chan []byte, 1)
	url := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		c.Write([]byte{0x89, 3, 'a', 'b', 'c'})
		var hdr [6]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil || hdr[0] != 0x8A || hdr[1] != 0x80|3 {
			t.Errorf("pong header %x %v", hdr[:2], err)
			return
		}
		p := make([]byte, 3)
		io.ReadFull(br, p)
		for i := range p {
			p[i] ^= hdr[2+i]
		}
		pong <- p
	})
	c, _, err := websocket.Dial(context.Background(), url, newInbox(), &websocket.Options{Engine: e})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(websocket.CloseNormal, "")
	if p := recv(t, pong, 5*time.Second); string(p) != "abc" {
		t.Fatalf("pong payload %q", p)
	}
}
