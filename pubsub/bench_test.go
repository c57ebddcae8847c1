package pubsub_test

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
)

// countTarget is the cheapest Target: it counts deliveries and bytes, as
// a connection whose WriteShared queues a slice.
type countTarget struct {
	n, bytes atomic.Int64
}

func (c *countTarget) Defer(fn func()) error { fn(); return nil }
func (c *countTarget) Deliver(m *pubsub.Message, k pubsub.Kind) error {
	c.n.Add(1)
	c.bytes.Add(int64(len(m.Encoded(k))))
	return nil
}

// BenchmarkPublish1000 publishes to one channel with 1,000 subscribers
// (process engine): one op is one Publish, i.e. 1,000 deliveries.
func BenchmarkPublish1000(b *testing.B) {
	var br pubsub.Broker
	ts := make([]*countTarget, 1000)
	for i := range ts {
		ts[i] = &countTarget{}
		mustSub(b, &br, pubsub.Sub{Channel: "room", Target: ts[i]})
	}
	data := []byte("hello, subscribers")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		br.Publish("room", data)
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "deliveries/s")
	if ts[999].n.Load() == 0 {
		b.Fatal("nothing delivered")
	}
}

// BenchmarkPublish1000Parallel is BenchmarkPublish1000 with publishers on
// every CPU.
func BenchmarkPublish1000Parallel(b *testing.B) {
	var br pubsub.Broker
	for range 1000 {
		mustSub(b, &br, pubsub.Sub{Channel: "room", Target: &countTarget{}})
	}
	data := []byte("hello, subscribers")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			br.Publish("room", data)
		}
	})
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "deliveries/s")
}

// Benchmark10kChannels: 10,000 channels with one subscriber each; one op
// publishes to one of them.
func Benchmark10kChannels(b *testing.B) {
	var br pubsub.Broker
	names := make([]string, 10000)
	for i := range names {
		names[i] = fmt.Sprintf("user:%d", i)
		mustSub(b, &br, pubsub.Sub{Channel: names[i], Target: &countTarget{}})
	}
	data := []byte("x")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		br.Publish(names[i%len(names)], data)
		i++
	}
}

// BenchmarkPublishWith100Patterns: publishing to a channel when 100
// patterns (none matching) are subscribed: the cost of pattern matching.
func BenchmarkPublishWith100Patterns(b *testing.B) {
	var br pubsub.Broker
	for i := range 100 {
		mustSub(b, &br, pubsub.Sub{Pattern: fmt.Sprintf("room:%d:*", i), Target: &countTarget{}})
	}
	data := []byte("x")
	b.ReportAllocs()
	for b.Loop() {
		br.Publish("lobby:chat", data)
	}
}

// BenchmarkSubscribeUnsubscribe: subscribe/unsubscribe churn, 10,000
// channels, one op is a subscribe plus an unsubscribe.
func BenchmarkSubscribeUnsubscribe(b *testing.B) {
	var br pubsub.Broker
	names := make([]string, 10000)
	for i := range names {
		names[i] = fmt.Sprintf("user:%d", i)
		mustSub(b, &br, pubsub.Sub{Channel: names[i], Target: &countTarget{}})
	}
	t := &countTarget{}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s, _ := br.Subscribe(pubsub.Sub{Channel: names[i%len(names)], Owner: t, Target: t})
		s.Unsubscribe()
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cycles/s")
}

func BenchmarkMatch(b *testing.B) {
	cases := []struct{ p, s string }{
		{"news.*", "news.art.figurative"},
		{"user:*:inbox", "user:1234567:inbox"},
		{"h[ae]llo?world", "hallo-world"},
		{"*a*b*c*d", "xxxxaxxxxbxxxxcxxxxdxxxxe"},
	}
	for _, c := range cases {
		b.Run(c.p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pubsub.Match(c.p, c.s)
			}
		})
	}
}

// BenchmarkEngineFanout1000 publishes to 1,000 real loopback connections
// of an engine (ConnTarget, one 20-byte frame shared by all): one op is
// one Publish, i.e. 1,000 deliveries written to sockets. The clients
// (goroutines in this process, sharing the CPUs) read everything before
// the benchmark ends.
func BenchmarkEngineFanout1000(b *testing.B) {
	var br pubsub.Broker
	proto := &roomProto{b: &br, closed: make(chan error, 1000)}
	addr := startEngineB(b, proto)
	const conns = 1000
	frame := len("T:") + 18
	readers := make([]net.Conn, conns)
	for i := range readers {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		io.ReadFull(c, make([]byte, 1))
		readers[i] = c
	}
	data := []byte("hello, subscribers")
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	want := int64(frame) * int64(b.N)
	for _, c := range readers {
		wg.Go(func() {
			c.SetReadDeadline(time.Now().Add(60 * time.Second))
			io.Copy(io.Discard, io.LimitReader(c, want))
		})
	}
	for b.Loop() {
		br.Publish("room", data)
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)*conns/b.Elapsed().Seconds(), "deliveries/s")
}
