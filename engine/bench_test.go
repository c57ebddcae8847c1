package engine_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
)

// BenchmarkEchoRoundTrip measures one 64-byte round trip through the
// engine over loopback; allocs/op counts the engine's allocations on the
// hot path (the client's net.Conn does not allocate per call).
func BenchmarkEchoRoundTrip(b *testing.B) {
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			e := newEngine(m)
			addr := listen(b, e, echo)
			start(b, e)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			msg := make([]byte, 64)
			buf := make([]byte, 64)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Write(msg)
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunAfter measures scheduling a timer and stopping it.
func BenchmarkRunAfter(b *testing.B) {
	e := newEngine(modes[0])
	start(b, e)
	fn := func() {}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.RunAfter(time.Hour, fn).Stop()
	}
}

// BenchmarkDefer measures queueing and running a Defer task.
func BenchmarkDefer(b *testing.B) {
	for _, m := range []mode{modes[0], modes[1]} {
		b.Run(m.name, func(b *testing.B) {
			e := newEngine(m)
			conns := make(chan *engine.Conn, 1)
			addr := listen(b, e, func(c *engine.Conn) engine.Protocol {
				conns <- c
				return echo(c)
			})
			start(b, e)
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			defer nc.Close()
			c := <-conns
			done := make(chan struct{}, 1)
			fn := func() { done <- struct{}{} }
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Defer(fn)
				<-done
			}
		})
	}
}
