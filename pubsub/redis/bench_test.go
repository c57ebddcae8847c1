package redis_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
)

type countTarget struct{ n *atomic.Int64 }

func (c countTarget) Defer(fn func()) error { fn(); return nil }
func (c countTarget) Deliver(m *pubsub.Message, k pubsub.Kind) error {
	c.n.Add(1)
	return nil
}

// BenchmarkRedisFanout1000: two engines (two server processes) share
// 1,000 subscribers of one channel, 500 each; one op is one Publish
// through Redis from 8 concurrent publishers, i.e. 1,000 deliveries. The
// benchmark ends when every delivery arrived.
func BenchmarkRedisFanout1000(b *testing.B) {
	srv := startServer(b)
	admin := srv.admin(b)
	var n atomic.Int64
	a, _ := newEngine(b, srv.URL())
	c, _ := newEngine(b, srv.URL())
	for i := range 1000 {
		br := a
		if i%2 == 1 {
			br = c
		}
		br.Subscribe(pubsub.Sub{Channel: "room", Target: countTarget{&n}})
	}
	waitFor(b, 2*time.Second, "both engines subscribed", func() bool { return numsub(b, admin, "room") == 2 })
	data := []byte("hello, subscribers")
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := a.Publish("room", data); err != nil {
				b.Error(err)
				return
			}
		}
	})
	want := int64(b.N) * 1000
	waitFor(b, 30*time.Second, "all deliveries", func() bool { return n.Load() >= want })
	b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkRedisChurn: subscribe/unsubscribe cycles on distinct channels
// with a Redis engine watching (the Redis commands are batched in the
// background); the benchmark ends when the server holds no subscription.
func BenchmarkRedisChurn(b *testing.B) {
	srv := startServer(b)
	admin := srv.admin(b)
	br, _ := newEngine(b, srv.URL())
	var n atomic.Int64
	t := countTarget{&n}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s, err := br.Subscribe(pubsub.Sub{Channel: "user:" + strconv.Itoa(i), Target: t})
		if err != nil {
			b.Fatal(err)
		}
		s.Unsubscribe()
		i++
	}
	waitFor(b, 10*time.Second, "no subscription left", func() bool {
		chans, err := admin.Do(context.Background(), admin.B().PubsubChannels().Build()).AsStrSlice()
		return err == nil && len(chans) == 0
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cycles/s")
}
