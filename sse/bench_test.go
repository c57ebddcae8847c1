package sse_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/sse"
)

func BenchmarkAppendEvent(b *testing.B) {
	cases := []struct {
		name string
		ev   sse.Event
	}{
		{"small", sse.Event{ID: "12345", Event: "update", Data: []byte(`{"price":42.5,"sym":"PLZ"}`)}},
		{"multiline", sse.Event{ID: "9", Data: []byte("line one\nline two\r\nline three\nline four\nline five")}},
		{"1KiB", sse.Event{ID: "1", Data: make([]byte, 1024), Retry: time.Second}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 2048)
			b.SetBytes(int64(len(tc.ev.Data)))
			for b.Loop() {
				var err error
				buf, err = sse.AppendEvent(buf[:0], &tc.ev)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPrepare(b *testing.B) {
	ev := &sse.Event{ID: "12345", Event: "update", Data: []byte(`{"price":42.5,"sym":"PLZ"}`)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sse.Prepare(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAppendEventAllocs keeps the encoder allocation-free.
func TestAppendEventAllocs(t *testing.T) {
	ev := &sse.Event{ID: "1", Event: "e", Data: []byte("a\nb\r\nc"), Retry: time.Second}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf, _ = sse.AppendEvent(buf[:0], ev) }); n != 0 {
		t.Fatalf("AppendEvent: %v allocations", n)
	}
}

// BenchmarkStreamSend: Send on an open stream over loopback (native path,
// poller transport), the client draining.
func BenchmarkStreamSend(b *testing.B) {
	opened := make(chan *sse.Stream, 1)
	e := &engine.Engine{Loops: 1, IgnoreSignals: true}
	hs := &httpd.Server{Native: func(x *httpd.Ctx) {
		s, err := sse.UpgradeCtx(x, nil, nil)
		if err == nil {
			opened <- s
		}
	}}
	ln, err := hs.Listen(e, "tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go e.Start()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Stop(ctx)
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	nc.Write([]byte(streamReq))
	drained := make(chan struct{})
	go func() { io.Copy(io.Discard, nc); close(drained) }()
	defer func() { nc.Close(); <-drained }()
	s := <-opened
	ev := &sse.Event{ID: "12345", Event: "update", Data: []byte(`{"price":42.5,"sym":"PLZ"}`)}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Send(ev); err != nil {
			b.Fatal(err)
		}
		if s.Pending() > 1<<20 {
			for s.Pending() > 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}
}
