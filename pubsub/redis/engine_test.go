package redis_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
	"github.com/redis/rueidis"
)

// TestTwoMachines: two brokers with their own engines act as two
// machines. 100 local subscribers of one channel make one Redis
// subscription; messages cross in both directions, exact and pattern.
func TestTwoMachines(t *testing.T) {
	srv := startServer(t)
	admin := srv.admin(t)
	a, ea := newEngine(t, srv.URL())
	b, _ := newEngine(t, srv.URL())

	sinks := make([]*sink, 100)
	for i := range sinks {
		sinks[i] = &sink{}
		if _, err := b.Subscribe(pubsub.Sub{Channel: "chat", Owner: sinks[i], Target: sinks[i]}); err != nil {
			t.Fatal(err)
		}
	}
	news := &sink{}
	a.Subscribe(pubsub.Sub{Pattern: "news.*", Target: news})
	waitFor(t, 2*time.Second, "one Redis subscription for 100 local ones", func() bool {
		return numsub(t, admin, "chat") == 1 && numpat(t, admin) == 1
	})
	waitFor(t, time.Second, "engine A connected", ea.Connected)

	if err := a.Publish("chat", []byte("hello from A")); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish("news.tech", []byte("hello from B")); err != nil {
		t.Fatal(err)
	}
	b.Publish("sports", []byte("nobody listens"))
	waitFor(t, 2*time.Second, "deliveries", func() bool {
		for _, s := range sinks {
			if s.count() < 1 {
				return false
			}
		}
		return news.count() == 1
	})
	time.Sleep(50 * time.Millisecond) // room for a wrong duplicate to show up
	for i, s := range sinks {
		if got := s.messages(); !reflect.DeepEqual(got, []string{"hello from A"}) {
			t.Fatalf("subscriber %d got %q", i, got)
		}
	}
	if got := news.messages(); !reflect.DeepEqual(got, []string{"hello from B"}) {
		t.Fatalf("pattern subscriber got %q", got)
	}

	// Interest goes away with the last local subscriber.
	for _, s := range sinks {
		b.UnsubscribeAll(s)
	}
	waitFor(t, 2*time.Second, "the Redis subscription to end", func() bool { return numsub(t, admin, "chat") == 0 })
}

// TestOutageResubscribe kills redis-server mid-test: publishes during the
// outage return an error; after a restart the subscriptions come back by
// themselves within 2 s and later publishes arrive.
func TestOutageResubscribe(t *testing.T) {
	srv := startServer(t)
	admin := srv.admin(t)
	b, e := newEngine(t, srv.URL())
	got := &sink{}
	b.Subscribe(pubsub.Sub{Channel: "c", Target: got})
	b.Subscribe(pubsub.Sub{Pattern: "p.*", Target: got})
	waitFor(t, 2*time.Second, "subscriptions", func() bool { return numsub(t, admin, "c") == 1 && numpat(t, admin) == 1 })
	b.Publish("c", []byte("before"))
	waitFor(t, 2*time.Second, "the first message", func() bool { return got.count() == 1 })

	srv.Kill()
	waitFor(t, 3*time.Second, "the engine to notice the outage", func() bool { return !e.Connected() })
	start := time.Now()
	err := b.Publish("c", []byte("lost"))
	if !errors.Is(err, redis.ErrUnavailable) {
		t.Fatalf("Publish during the outage = %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("failing Publish took %v", d)
	}
	// A subscription made during the outage is applied after it.
	b.Subscribe(pubsub.Sub{Channel: "late", Target: got})

	srv.Start()
	restarted := time.Now()
	admin2 := srv.admin(t)
	waitFor(t, 2*time.Second, "subscriptions back within 2 s", func() bool {
		return numsub(t, admin2, "c") == 1 && numsub(t, admin2, "late") == 1 && numpat(t, admin2) == 1
	})
	t.Logf("subscriptions restored %v after the restart", time.Since(restarted).Round(time.Millisecond))
	for _, ch := range []string{"c", "p.x", "late"} {
		if err := b.Publish(ch, []byte("after:"+ch)); err != nil {
			t.Fatalf("Publish after restart: %v", err)
		}
	}
	waitFor(t, 2*time.Second, "messages after the restart", func() bool { return got.count() == 4 })
	if got := got.messages(); !reflect.DeepEqual(got, []string{"before", "after:c", "after:p.x", "after:late"}) {
		t.Fatalf("got %q", got)
	}
}

// TestEngineChurnLeavesNothing: subscribing and unsubscribing 2,000
// channels and patterns from many owners leaves no subscription in the
// broker nor on the Redis server.
func TestEngineChurnLeavesNothing(t *testing.T) {
	srv := startServer(t)
	admin := srv.admin(t)
	b, _ := newEngine(t, srv.URL())
	for i := range 1000 {
		owner := &sink{}
		b.Subscribe(pubsub.Sub{Channel: fmt.Sprint("ch", i%50), Owner: owner, Target: owner})
		b.Subscribe(pubsub.Sub{Pattern: fmt.Sprint("p", i, "*"), Owner: owner, Target: owner})
		if i%100 == 0 {
			b.Publish(fmt.Sprint("ch", i%50), []byte("x"))
		}
		b.UnsubscribeAll(owner)
	}
	if st := b.Stats(); st != (pubsub.Stats{}) {
		t.Fatalf("broker keeps %+v", st)
	}
	waitFor(t, 3*time.Second, "no subscription left on the server", func() bool {
		chans, err := admin.Do(context.Background(), admin.B().PubsubChannels().Build()).AsStrSlice()
		return err == nil && len(chans) == 0 && numpat(t, admin) == 0
	})
}

// TestURLPasswordDB connects with a password and a database number; a
// wrong password makes Publish fail.
func TestURLPasswordDB(t *testing.T) {
	srv := startServer(t, "--requirepass", "s3cret")
	url := "redis://:s3cret@" + srv.Addr() + "/3"
	b, _ := newEngine(t, url, func(o *redis.Options) { o.History = &redis.History{} })
	got := &sink{}
	b.Subscribe(pubsub.Sub{Channel: "c", Target: got})
	waitFor(t, 2*time.Second, "delivery with a password", func() bool {
		b.Publish("c", []byte("x"))
		return got.count() > 0
	})
	admin := srv.admin(t, func(o *rueidis.ClientOption) { o.Password = "s3cret"; o.SelectDB = 3 })
	n, err := admin.Do(context.Background(), admin.B().Exists().Key(redis.DefaultKeyPrefix+"c").Build()).AsInt64()
	if err != nil || n != 1 {
		t.Fatalf("history stream in db 3: %d, %v", n, err)
	}
	bad, _ := newEngine(t, "redis://:wrong@"+srv.Addr()+"/3")
	if err := bad.Publish("c", []byte("x")); !errors.Is(err, redis.ErrUnavailable) || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestBadURL(t *testing.T) {
	var b pubsub.Broker
	if _, err := redis.New(&b, redis.Options{URL: "http://x"}); err == nil {
		t.Fatal("accepted an http URL")
	}
	if _, err := redis.New(nil, redis.Options{}); err == nil {
		t.Fatal("accepted a nil Broker")
	}
}

func TestClosedEngine(t *testing.T) {
	srv := startServer(t)
	b, e := newEngine(t, srv.URL())
	e.Close()
	e.Close()
	if err := b.Publish("c", nil); !errors.Is(err, pubsub.ErrClosed) {
		t.Fatalf("Publish after Close = %v", err)
	}
}

// TestPlainPayloadInterop: without a History the engine publishes the
// payload as it is, and delivers what other Redis clients publish as it
// is, so Iodine, redis-cli and others interoperate.
func TestPlainPayloadInterop(t *testing.T) {
	srv := startServer(t)
	admin := srv.admin(t)
	b, _ := newEngine(t, srv.URL())
	got := &sink{}
	b.Subscribe(pubsub.Sub{Channel: "interop", Target: got})
	waitFor(t, 2*time.Second, "subscribed", func() bool { return numsub(t, admin, "interop") == 1 })
	ctx := context.Background()
	if err := admin.Do(ctx, admin.B().Publish().Channel("interop").Message("from another client").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the foreign message", func() bool { return got.count() == 1 })
	if m := got.messages()[0]; m != "from another client" {
		t.Fatalf("got %q", m)
	}

	// And the other way: an outside subscriber sees our payload unchanged.
	raw := make(chan string, 1)
	outside := srv.admin(t)
	go outside.Receive(ctx, outside.B().Subscribe().Channel("out").Build(), func(m rueidis.PubSubMessage) {
		select {
		case raw <- m.Message:
		default:
		}
	})
	waitFor(t, 2*time.Second, "outside subscriber", func() bool { return numsub(t, admin, "out") == 1 })
	b.Publish("out", []byte("\x00binary\xff"))
	select {
	case m := <-raw:
		if m != "\x00binary\xff" {
			t.Fatalf("outside subscriber got %q", m)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("outside subscriber got nothing")
	}
}
