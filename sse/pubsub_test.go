package sse_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/sse"
)

// TestPubSub: streams subscribed on a broker receive each published
// message as an event whose id is its history id; a stream that closes
// leaves no subscription behind; a client that reconnects with
// Last-Event-ID gets exactly what it missed, in order (resume).
func TestPubSub(t *testing.T) {
	forPaths(t, paths, func(t *testing.T, p path) {
		b := &pubsub.Broker{}
		b.Engine = pubsub.NewProcess(b, &pubsub.History{Count: 100})
		subscribed := make(chan *sse.Stream, 8)
		srv := serve(t, p, setup{after: func(s *sse.Stream) {
			// Missed messages first, then live ones (a real app would
			// subscribe first and drop duplicates; nothing is published
			// concurrently here).
			if last := s.LastEventID(); last != "" {
				missed, err := b.Since(t.Context(), "news", last)
				if err != nil {
					t.Error(err)
				}
				for _, m := range missed {
					s.Deliver(m, pubsub.KindSSE)
				}
			}
			if _, err := s.Subscribe(b, pubsub.Sub{Channel: "news"}); err != nil {
				t.Error(err)
			}
			subscribed <- s
		}})
		a, c := connect(t, srv.url), connect(t, srv.url)
		recv(t, subscribed, wait)
		recv(t, subscribed, wait)
		for i := 1; i <= 3; i++ {
			if err := b.Publish("news", []byte(fmt.Sprint("live ", i))); err != nil {
				t.Fatal(err)
			}
		}
		var lastID string
		for i := 1; i <= 3; i++ {
			ea, ec := a.event(t, wait), c.event(t, wait)
			if ea.Data != fmt.Sprint("live ", i) || ea != ec || ea.LastID == "" {
				t.Fatalf("event %d: %+v and %+v", i, ea, ec)
			}
			lastID = ea.LastID
		}
		// c leaves: its subscription ends with it.
		c.resp.Body.Close()
		deadline := time.Now().Add(wait)
		for b.Stats().Subscriptions != 1 {
			if time.Now().After(deadline) {
				t.Fatalf("subscriptions after a client left: %+v", b.Stats())
			}
			time.Sleep(10 * time.Millisecond)
		}
		for i := 1; i <= 5; i++ {
			b.Publish("news", []byte(fmt.Sprint("missed ", i)))
		}
		r := connect(t, srv.url, "Last-Event-ID", lastID)
		recv(t, subscribed, wait)
		for i := 1; i <= 5; i++ {
			if e := r.event(t, wait); e.Data != fmt.Sprint("missed ", i) {
				t.Fatalf("resumed event %d: %+v", i, e)
			}
		}
		b.Publish("news", []byte("after"))
		if e := r.event(t, wait); e.Data != "after" {
			t.Fatalf("live event after resume: %+v", e)
		}
	})
}
