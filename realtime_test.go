package plezi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	gws "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/engine"
)

// dialWS opens a WebSocket to base+path (gorilla's client); it closes
// with the test.
func dialWS(t testing.TB, base, path string) *gws.Conn {
	t.Helper()
	d := gws.Dialer{HandshakeTimeout: 5 * time.Second}
	c, resp, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+path, nil)
	if err != nil {
		code := 0
		if resp != nil {
			code = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", path, err, code)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readWS reads one message within 5 s.
func readWS(t testing.TB, c *gws.Conn) (string, int) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	kind, p, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(p), kind
}

func sendWS(t testing.TB, c *gws.Conn, msg string) {
	t.Helper()
	if err := c.WriteMessage(gws.TextMessage, []byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

// expectWS reads one text message and compares it.
func expectWS(t testing.TB, c *gws.Conn, want string) {
	t.Helper()
	if got, kind := readWS(t, c); got != want || kind != gws.TextMessage {
		t.Fatalf("got %q (kind %d), want text %q", got, kind, want)
	}
}

// DeferCounter is the seed's defer example (seed/plezi-async-engine.md):
// four Defer tasks, each reading the count, writing, sleeping and
// incrementing it, never interleave, so the count ends at 4.
type DeferCounter struct {
	plezi.Controller
	count int
}

func (c *DeferCounter) OnMessage(data []byte) {
	c.count = 0
	for range 4 {
		c.Defer(func() {
			tmp := c.count
			c.Write(fmt.Sprintf("[%d] start", tmp))
			time.Sleep(20 * time.Millisecond) // "do stuff, maybe takes time"
			c.Write(fmt.Sprintf("[%d] finish", tmp))
			c.count = tmp + 1
		})
	}
}

// Count answers the "count" event with the count.
func (c *DeferCounter) Count(plezi.Params) any { return map[string]int{"count": c.count} }

func TestSeedDefer(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/", &DeferCounter{})
	ws := dialWS(t, serve(t, a), "/")
	sendWS(t, ws, "go")
	for i := range 4 {
		expectWS(t, ws, fmt.Sprintf("[%d] start", i))
		expectWS(t, ws, fmt.Sprintf("[%d] finish", i))
	}
	sendWS(t, ws, `{"event":"count"}`)
	expectWS(t, ws, `{"count":4}`)
}

// Talk exercises dispatch, Write's encodings and the callbacks.
type Talk struct {
	plezi.Controller
	opened bool
}

var talkLog = make(chan string, 64)

func (c *Talk) PreConnect() bool { return c.Params().Get("deny") == "" }
func (c *Talk) OnOpen() {
	c.opened = true
	talkLog <- "open " + c.Params().Get("who")
}
func (c *Talk) OnClose() { talkLog <- "close " + c.Params().Get("who") }
func (c *Talk) OnMessage(data []byte) {
	switch {
	case !c.Text():
		c.Write(append([]byte("bin:"), data...))
	case string(data) == "id":
		c.Write(c.ID())
	case string(data) == "state":
		c.Write(map[string]any{"open": c.Open(), "opened": c.opened, "ws": c.IsWebSocket(), "pending": c.Pending()})
	case string(data) == "bye":
		c.Close()
	default:
		c.Write("echo:" + string(data))
	}
}
func (c *Talk) Chat(m plezi.Params) any {
	return map[string]any{"event": "chat", "text": m.Get("text"), "who": c.Params().Get("who")}
}
func (c *Talk) Quiet(plezi.Params)       {}
func (c *Talk) Fail(plezi.Params) error  { return plezi.Error(409, "taken") }
func (c *Talk) Crash(plezi.Params) error { return fmt.Errorf("secret detail") }
func (c *Talk) Boom(plezi.Params) any    { panic("boom") }

func TestRealtimeDispatch(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/talk", &Talk{})
	base := serve(t, a)
	ws := dialWS(t, base, "/talk?who=ann")
	if got := <-talkLog; got != "open ann" {
		t.Fatalf("first callback: %q", got)
	}
	steps := []struct{ send, want string }{
		{`{"event":"chat","text":"hi"}`, `{"event":"chat","text":"hi","who":"ann"}`},
		{`{"event":"quiet","_EID_":7}`, `{"_EID_":7,"event":"_ack_"}`},
		{`{"event":"nope"}`, `{"event":"_error_","message":"unknown event","request":"nope","status":404}`},
		{`{"event":"fail"}`, `{"event":"_error_","message":"taken","request":"fail","status":409}`},
		{`{"event":"crash"}`, `{"event":"_error_","message":"internal error","request":"crash","status":500}`},
		{`{"event":"boom"}`, `{"event":"_error_","message":"internal error","request":"boom","status":500}`},
		{`not json`, `echo:not json`},
		{`{"no":"event"}`, `echo:{"no":"event"}`},
		{`{"event":"chat"} trailing`, `echo:{"event":"chat"} trailing`},
		{`state`, `{"open":true,"opened":true,"pending":0,"ws":true}`},
	}
	for _, s := range steps {
		sendWS(t, ws, s.send)
		expectWS(t, ws, s.want)
	}
	// An ack comes before the method's own answer.
	sendWS(t, ws, `{"event":"chat","text":"x","_EID_":"a1"}`)
	expectWS(t, ws, `{"_EID_":"a1","event":"_ack_"}`)
	expectWS(t, ws, `{"event":"chat","text":"x","who":"ann"}`)
	// Binary goes to OnMessage, []byte is written back as binary.
	ws.WriteMessage(gws.BinaryMessage, []byte{0, 1})
	if got, kind := readWS(t, ws); got != "bin:\x00\x01" || kind != gws.BinaryMessage {
		t.Fatalf("binary: %q kind %d", got, kind)
	}
	sendWS(t, ws, "id")
	if id, _ := readWS(t, ws); !strings.Contains(id, "-") {
		t.Fatalf("id %q", id)
	}
	sendWS(t, ws, "bye")
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := ws.ReadMessage(); !gws.IsCloseError(err, gws.CloseNormalClosure) {
		t.Fatalf("after Close: %v", err)
	}
	if got := <-talkLog; got != "close ann" {
		t.Fatalf("last callback: %q", got)
	}
}

func TestPreConnectRefuses(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/talk", &Talk{})
	base := serve(t, a)
	d := gws.Dialer{HandshakeTimeout: 5 * time.Second}
	_, resp, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+"/talk?deny=1", nil)
	if err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("refused upgrade: %v %v", err, resp)
	}
	select {
	case got := <-talkLog:
		t.Fatalf("a refused connection got a callback: %q", got)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestBadRealtimeSignature(t *testing.T) {
	err := newApp().Route("/", &badMessenger{})
	if err == nil || !strings.Contains(err.Error(), "OnMessage(data []byte)") {
		t.Fatalf("Route: %v", err)
	}
}

type badMessenger struct{ plezi.Controller }

func (c *badMessenger) OnMessage(string) {}

// Stream is an EventSource controller.
type Stream struct{ plezi.Controller }

func (c *Stream) OnSSE() { c.Write("welcome " + c.Params().Get("who")) }
func (c *Stream) Chat(m plezi.Params) any {
	return map[string]any{"event": "chat", "text": m.Get("text"), "sse": c.IsSSE()}
}

// sseClient reads an event stream.
type sseClient struct {
	t    testing.TB
	resp *http.Response
	rd   *bufio.Reader
	evs  chan sseEvent
}

type sseEvent struct{ event, data string }

func openSSE(t testing.TB, url string) *sseClient {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "text/event-stream")
	tr := &http.Transport{}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("event stream: %d", resp.StatusCode)
	}
	s := &sseClient{t: t, resp: resp, rd: bufio.NewReader(resp.Body), evs: make(chan sseEvent, 64)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(s.evs)
		var ev sseEvent
		for {
			line, err := s.rd.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "":
				if ev.data != "" || ev.event != "" {
					s.evs <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "data: "):
				ev.data += line[6:]
			case strings.HasPrefix(line, "event: "):
				ev.event = line[7:]
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close(); wg.Wait(); tr.CloseIdleConnections() })
	return s
}

func (s *sseClient) next() sseEvent {
	s.t.Helper()
	select {
	case ev, ok := <-s.evs:
		if !ok {
			s.t.Fatal("event stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		s.t.Fatal("no event within 5 s")
	}
	return sseEvent{}
}

func TestSSEAndPostFallback(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/s", &Stream{})
	base := serve(t, a)
	s := openSSE(t, base+"/s?who=bob")
	hello := s.next()
	var h struct{ ID, Token string }
	if err := json.Unmarshal([]byte(hello.data), &h); hello.event != "_plezi_" || err != nil || h.ID == "" || len(h.Token) != 32 {
		t.Fatalf("hello event %+v: %v", hello, err)
	}
	if ev := s.next(); ev.data != "welcome bob" {
		t.Fatalf("OnSSE's write: %+v", ev)
	}
	post := func(token, body string) int {
		req, _ := http.NewRequest("POST", base+"/s", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Plezi-Token", token)
		resp, err := client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(h.Token, `{"event":"chat","text":"via post","_EID_":3}`); code != 204 {
		t.Fatalf("POST: %d", code)
	}
	if ev := s.next(); ev.data != `{"_EID_":3,"event":"_ack_"}` {
		t.Fatalf("ack on the stream: %+v", ev)
	}
	if ev := s.next(); ev.data != `{"event":"chat","sse":true,"text":"via post"}` {
		t.Fatalf("answer on the stream: %+v", ev)
	}
	if code := post("../../etc", `{"event":"chat"}`); code != 400 {
		t.Fatalf("bad token: %d", code)
	}
	// Without a token, a POST is Phase 1's JSON event over HTTP.
	resp, body := do(t, client(t), "POST", base+"/s", "application/json", `{"event":"chat","text":"plain"}`)
	want(t, "POST without token", resp, body, 200, `{"event":"chat","sse":false,"text":"plain"}`)
}

// Lifecycle reports OnShutdown and subscribes on request.
type Lifecycle struct{ plezi.Controller }

func (c *Lifecycle) OnMessage(data []byte) {
	switch string(data) {
	case "sub":
		c.Subscribe("news", nil)
		c.Subscribe("news-h", func(d []byte) { c.Write("handled:" + string(d)) })
		c.Write("subscribed")
	case "unsub":
		c.Write(fmt.Sprint(c.Unsubscribe("news"), c.Unsubscribe("nothing")))
	case "pub":
		c.Publish("news", map[string]int{"n": 1})
	}
}
func (c *Lifecycle) OnShutdown() { c.Write("going down") }

// TestSubscribeAndShutdown: Subscribe with and without a handler,
// Publish, Unsubscribe, and OnShutdown's last word before the 1001 close.
func TestSubscribeAndShutdown(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/", &Lifecycle{})
	ln, err := a.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	a.EngineOf().On(engine.Started, func() { close(started) })
	done := make(chan error, 1)
	go func() { done <- a.Start() }()
	<-started
	ws := dialWS(t, "http://"+ln.Addr().String(), "/")
	sendWS(t, ws, "sub")
	expectWS(t, ws, "subscribed")
	sendWS(t, ws, "pub")
	expectWS(t, ws, `{"n":1}`)
	a.Publish("news-h", "x")
	expectWS(t, ws, "handled:x")
	sendWS(t, ws, "unsub")
	expectWS(t, ws, "true false")
	a.Publish("news", "not for me")
	a.Publish("news-h", "y")
	expectWS(t, ws, "handled:y")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go a.Shutdown(ctx)
	expectWS(t, ws, "going down")
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := ws.ReadMessage(); !gws.IsCloseError(err, gws.CloseGoingAway) {
		t.Fatalf("after shutdown: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
