package httpd_test

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/plezi-go/plezi/httpd"
)

// TestHijackGorilla: gorilla/websocket's Upgrader hijacks the connection
// through the adapter and runs its blocking read loop in the handler.
func TestHijackGorilla(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		up := websocket.Upgrader{}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer ws.Close()
			for {
				kind, msg, err := ws.ReadMessage()
				if err != nil {
					return
				}
				if err := ws.WriteMessage(kind, append([]byte("echo:"), msg...)); err != nil {
					return
				}
			}
		})
		base := serve(t, m, &httpd.Server{Handler: h})
		d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
		ws, _, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		for _, msg := range []string{"one", "two", strings.Repeat("big", 100000)} {
			if err := ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
				t.Fatal(err)
			}
			_, got, err := ws.ReadMessage()
			if err != nil || string(got) != "echo:"+msg {
				t.Fatalf("got %d bytes, %v", len(got), err)
			}
		}
	})
}

// TestHijackRaw: a handler hijacks a plain request and speaks its own
// protocol; bytes pipelined after the request reach it.
func TestHijackRaw(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		go func() {
			defer conn.Close()
			rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nraw:")
			rw.Flush()
			line, _ := rw.ReadString('\n')
			rw.WriteString(strings.ToUpper(line))
			rw.Flush()
		}()
	})
	base := serve(t, modes[0], &httpd.Server{Handler: h})
	out := raw(t, base, "GET / HTTP/1.1\r\nHost: x\r\n\r\nhello\n")
	if !strings.HasSuffix(out, "raw:HELLO\n") {
		t.Fatalf("got %q", out)
	}
	_ = bufio.NewReader
}
