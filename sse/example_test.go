package sse_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/sse"
)

func ExampleAppendEvent() {
	b, err := sse.AppendEvent(nil, &sse.Event{
		ID:    "42",
		Event: "update",
		Data:  []byte("first line\nsecond line"),
		Retry: 3 * time.Second,
	})
	fmt.Printf("%q %v\n", b, err)
	_, err = sse.AppendEvent(nil, &sse.Event{ID: "bad\nid"})
	fmt.Println(err)
	// Output:
	// "id: 42\nevent: update\nretry: 3000\ndata: first line\ndata: second line\n\n" <nil>
	// sse: invalid event id: contains CR or LF
}

func ExamplePrepare() {
	m, _ := sse.Prepare(&sse.Event{Event: "news", Data: []byte("encoded once")})
	var streams []*sse.Stream // the subscribers
	for _, s := range streams {
		s.SendPrepared(m) // the same bytes queued on every stream
	}
	fmt.Printf("%q\n", m.Bytes())
	// Output: "event: news\ndata: encoded once\n\n"
}

// clock sends the time every second from its stream's own Defer tasks.
type clock struct{ stop *engine.Timer }

func (c *clock) OnOpen(s *sse.Stream) {
	e := s.Conn().Engine()
	c.stop = e.RunEvery(time.Second, 0, func() {
		s.Send(&sse.Event{Event: "tick", Data: []byte(time.Now().Format(time.TimeOnly))})
	})
}

func (c *clock) OnClose(s *sse.Stream, reason error) { c.stop.Stop() }

// An event stream on Plezi's server, with any http.Handler.
func ExampleUpgrade() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /clock", func(w http.ResponseWriter, r *http.Request) {
		s, err := sse.Upgrade(w, r, &clock{}, nil)
		if err != nil {
			return // 405 or 406 was written
		}
		s.Send(&sse.Event{Data: []byte("resuming after " + s.LastEventID())})
	})
	e := &engine.Engine{}
	(&httpd.Server{Handler: mux}).Listen(e, "tcp", ":3000")
	// e.Start() serves until SIGINT/SIGTERM.
}

// An event stream on the server's native path.
func ExampleUpgradeCtx() {
	s := &httpd.Server{Native: func(x *httpd.Ctx) {
		if string(x.Path()) != "/events" {
			x.SetStatus(404)
			return
		}
		st, err := sse.UpgradeCtx(x, nil, &sse.Options{KeepAlive: 30 * time.Second})
		if err == nil {
			st.Send(&sse.Event{ID: "1", Data: []byte("hello")})
		}
	}}
	_ = s // s.Listen(e, "tcp", ":3000"); e.Start()
}

// On a plain net/http server the stream needs an engine to run on.
func ExampleUpgrade_netHTTP() {
	e := &engine.Engine{}
	// go e.Start()
	http.HandleFunc("/events", func(w http.ResponseWriter, r *http.Request) {
		s, err := sse.Upgrade(w, r, nil, &sse.Options{Engine: e})
		if err != nil {
			return
		}
		s.Send(&sse.Event{Data: []byte("hello from net/http")})
	})
}
