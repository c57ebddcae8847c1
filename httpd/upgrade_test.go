package httpd_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
)

// shouter is a line protocol an upgraded connection switches to: it
// answers every input upper-cased and closes on "bye".
type shouter struct{ opened bool }

func (s *shouter) OnOpen(c *engine.Conn) { s.opened = true }
func (s *shouter) OnData(c *engine.Conn, p []byte) {
	if !s.opened {
		c.WriteString("data before OnOpen!")
	}
	c.Write(bytes.ToUpper(p))
	if bytes.HasSuffix(p, []byte("bye\n")) {
		c.Close()
	}
}

// upgradeReq is an upgrade request followed, in the same write, by bytes
// of the new protocol: they must reach it, after its OnOpen.
const upgradeReq = "GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: shout\r\n\r\nhello bye\n"

const wantUpgrade = "HTTP/1.1 101 Switching Protocols\r\n"

func checkUpgraded(t *testing.T, out string) {
	t.Helper()
	if !strings.HasPrefix(out, wantUpgrade) {
		t.Fatalf("response %q, want a 101", out)
	}
	if strings.Contains(out, "Content-Length") || strings.Contains(out, "chunked") {
		t.Fatalf("upgrade response has body framing: %q", out)
	}
	if !strings.Contains(out, "Upgrade: shout\r\n") || !strings.Contains(out, "Connection: Upgrade\r\n") {
		t.Fatalf("headers set before Upgrade missing: %q", out)
	}
	if !strings.HasSuffix(out, "\r\n\r\nHELLO BYE\n") {
		t.Fatalf("got %q, want the head then HELLO BYE", out)
	}
}

func TestUpgradeNative(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		s := &httpd.Server{Native: func(x *httpd.Ctx) {
			x.SetHeader("Upgrade", "shout")
			x.SetHeader("Connection", "Upgrade")
			if err := x.Upgrade(101, &shouter{}); err != nil {
				t.Error(err)
			}
		}}
		base := serve(t, m, s)
		checkUpgraded(t, raw(t, base, upgradeReq))
	})
}

func TestUpgradeAdapter(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, ok := w.(httpd.Upgrader)
			if !ok {
				t.Error("ResponseWriter is not an httpd.Upgrader")
				return
			}
			w.Header().Set("Upgrade", "shout")
			w.Header().Set("Connection", "Upgrade")
			if err := u.Upgrade(101, &shouter{}); err != nil {
				t.Error(err)
			}
			if _, err := w.Write([]byte("late")); err == nil {
				t.Error("Write after Upgrade succeeded")
			}
		})
		base := serve(t, m, &httpd.Server{Handler: h})
		checkUpgraded(t, raw(t, base, upgradeReq))
	})
}

// TestUpgradePipelined: a response to an earlier pipelined request goes
// out before the upgrade head, and a plain GET (an event stream's shape)
// can upgrade too, with status 200.
func TestUpgradePipelined(t *testing.T) {
	s := &httpd.Server{Native: func(x *httpd.Ctx) {
		if string(x.Path()) == "/first" {
			x.WriteString("first")
			return
		}
		x.SetHeader("Content-Type", "text/event-stream")
		if err := x.Upgrade(200, &shouter{}); err != nil {
			t.Error(err)
		}
		if err := x.Upgrade(200, &shouter{}); err == nil {
			t.Error("second Upgrade succeeded")
		}
	}}
	base := serve(t, modes[0], s)
	out := raw(t, base, "GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /events HTTP/1.1\r\nHost: x\r\n\r\nbye\n")
	i := strings.Index(out, "first")
	j := strings.Index(out, "HTTP/1.1 200 OK\r\nDate")
	k := strings.LastIndex(out, "HTTP/1.1 200 OK\r\n")
	if i < 0 || j < 0 || k <= i || !strings.HasSuffix(out, "text/event-stream\r\n\r\nBYE\n") {
		t.Fatalf("got %q", out)
	}
}

// TestAdapterWriteString: io.WriteString goes through the ResponseWriter's
// WriteString (sniffing the Content-Type like Write) and is refused after
// an Upgrade.
func TestAdapterWriteString(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(io.StringWriter); !ok {
			t.Error("ResponseWriter is not an io.StringWriter")
		}
		io.WriteString(w, "<html><body>hi</body></html>")
	})
	base := serve(t, modes[0], &httpd.Server{Handler: h})
	resp, body := get(t, client(t), base+"/")
	if body != "<html><body>hi</body></html>" || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("got %q with Content-Type %q", body, resp.Header.Get("Content-Type"))
	}
}
