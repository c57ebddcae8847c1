//go:build linux || darwin || freebsd

package main

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	gws "github.com/gorilla/websocket"
)

// dial opens a WebSocket on the demo's /chat and waits for its welcome
// event (sent once the connection is subscribed).
func dial(t *testing.T, base string) *gws.Conn {
	t.Helper()
	c, _, err := (&gws.Dialer{HandshakeTimeout: 5 * time.Second}).Dial("ws"+strings.TrimPrefix(base, "http")+"/chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for the welcome: %v", err)
		}
		if m["event"] == "welcome" {
			return c
		}
	}
}

// awaitChat reads until the chat message {name, text} arrives (skipping
// the clock, welcome and presence events), within 5 s.
func awaitChat(t *testing.T, c *gws.Conn, name, text string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for %s: %s: %v", name, text, err)
		}
		if m["event"] == "chat" {
			if m["name"] != name || m["text"] != text {
				t.Fatalf("chat %v, want %s: %s", m, name, text)
			}
			return
		}
	}
}

// TestDemoChat: the demo's contract, on one process: a JSON chat
// message from one participant reaches every participant with the same
// event, name and text; a bad one gets an _error_ event.
func TestDemoChat(t *testing.T) {
	_, base := startCmd(t, build(t), "demo", "-p", "0", "-b", "127.0.0.1")
	a, b := dial(t, base), dial(t, base)
	a.WriteJSON(map[string]string{"event": "chat", "name": "N", "text": "T"})
	awaitChat(t, a, "N", "T")
	awaitChat(t, b, "N", "T")
	a.WriteJSON(map[string]string{"event": "chat", "name": "N", "text": " "})
	a.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var m map[string]any
		if err := a.ReadJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m["event"] == "_error_" {
			if m["status"] != float64(400) {
				t.Fatalf("error event %v", m)
			}
			break
		}
	}
}

// TestDemoChatRedis: two demo processes (two machines, as far as they
// know) share a redis-server with -r: a chat message sent to one
// reaches the participants of both. redis-server is required (.ci/run
// installs it).
func TestDemoChatRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server not found: install it (apt-get install redis-server; .ci/run does)")
	}
	port := freePort(t)
	srv := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	waitPort(t, port)
	url := "redis://127.0.0.1:" + strconv.Itoa(port) + "/0"
	bin := build(t)
	_, base1 := startCmd(t, bin, "demo", "-p", "0", "-b", "127.0.0.1", "-r", url)
	_, base2 := startCmd(t, bin, "-p", "0", "-b", "127.0.0.1", "-r", url)
	a, b := dial(t, base1), dial(t, base2)
	// Subscriptions reach Redis asynchronously: send until b hears one.
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		text := "T" + strconv.Itoa(i)
		a.WriteJSON(map[string]string{"event": "chat", "name": "N", "text": text})
		awaitChat(t, a, "N", text)
		b.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		var m map[string]any
		got := false
		for b.ReadJSON(&m) == nil {
			if m["event"] == "chat" && m["name"] == "N" && m["text"] == text {
				got = true
				break
			}
		}
		if got {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a chat message never crossed from one process to the other")
		}
		b.Close()
		b = dial(t, base2)
	}
	b.WriteJSON(map[string]string{"event": "chat", "name": "B", "text": "back"})
	awaitChat(t, a, "B", "back")
	awaitChat(t, b, "B", "back")
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitPort(t *testing.T, port int) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
