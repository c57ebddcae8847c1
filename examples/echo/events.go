package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/sse"
)

// tickEvery is the interval between two events of /sse.
const tickEvery = 250 * time.Millisecond

// streamOptions: a client whose stream ended reconnects after 500 ms
// (browsers wait about 3 s by default).
var streamOptions = &sse.Options{Retry: 500 * time.Millisecond}

// serveSSE answers /sse with a counting event stream. With ?close=N the
// stream ends after N events, so that a browser reconnects and resumes
// with Last-Event-ID.
func serveSSE(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.ParseUint(r.URL.Query().Get("close"), 10, 64)
	sse.Upgrade(w, r, &counter{limit: limit}, streamOptions) // a refused request got its 405/406
}

// counter sends an event every tickEvery whose id (and data) count up
// from the client's Last-Event-ID + 1, so that a reconnecting
// EventSource resumes where it stopped. Its fields are touched only in
// the stream's callbacks and Defer tasks: no mutex.
type counter struct {
	last  uint64 // the last id sent
	sent  uint64 // events sent on this connection
	limit uint64 // close after that many events; 0: never
	timer *engine.Timer
}

func (c *counter) OnOpen(s *sse.Stream) {
	c.last, _ = strconv.ParseUint(s.LastEventID(), 10, 64) // anything else: start at 1
	c.timer = s.Conn().Engine().RunEvery(tickEvery, 0, func() {
		s.Defer(func() { c.tick(s) }) // fails quietly once the stream closed
	})
}

func (c *counter) tick(s *sse.Stream) {
	c.last++
	c.sent++
	id := strconv.FormatUint(c.last, 10)
	s.Send(&sse.Event{ID: id, Data: []byte("event " + id)})
	if c.sent == c.limit {
		s.Close()
	}
}

func (c *counter) OnClose(s *sse.Stream, reason error) { c.timer.Stop() }
