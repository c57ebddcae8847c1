package pubsub_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/internal/enginetest"
	"github.com/plezi-go/plezi/pubsub"
)

// roomProto subscribes each connection to "room" when it opens and ends
// its subscriptions when it closes: the binding websocket and sse will
// use.
type roomProto struct {
	b      *pubsub.Broker
	closed chan error
}

func (p *roomProto) OnData(*engine.Conn, []byte) {}
func (p *roomProto) OnOpen(c *engine.Conn) {
	if _, err := p.b.Subscribe(pubsub.Sub{Channel: "room", Owner: c, Target: pubsub.ConnTarget{C: c}}); err != nil {
		panic(err)
	}
	c.Write([]byte("+"))
}
func (p *roomProto) OnClose(c *engine.Conn, reason error) {
	p.b.UnsubscribeAll(c)
	p.closed <- reason
}

func startEngineB(t testing.TB, proto engine.Protocol) string { return startEngine(t, 0, proto) }

func startEngine(t testing.TB, maxPending int, proto engine.Protocol) string {
	t.Helper()
	e := &engine.Engine{Loops: 2, IgnoreSignals: true, MaxPending: maxPending}
	ln, err := e.Listen("tcp", "127.0.0.1:0", func(*engine.Conn) engine.Protocol { return proto })
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Run(t, e)
	return ln.Addr().String()
}

// TestSlowConnDoesNotDelayOthers, on real loopback sockets: 10 clients
// read everything, one never reads. Publishing 12 MiB of 4 KiB messages
// (more than the kernel buffers hold)
// never blocks; the slow one is cut off at MaxPending (its subscription
// ends with it) and the fast ones receive every byte.
func TestSlowConnDoesNotDelayOthers(t *testing.T) {
	var b pubsub.Broker
	proto := &roomProto{b: &b, closed: make(chan error, 64)}
	addr := startEngine(t, 256<<10, proto)

	const fast, msgs, size = 10, 3072, 4096
	var wg sync.WaitGroup
	results := make(chan int, fast)
	dial := func() net.Conn {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		io.ReadFull(c, make([]byte, 1)) // subscribed
		return c
	}
	for range fast {
		c := dial()
		wg.Go(func() {
			c.SetReadDeadline(time.Now().Add(20 * time.Second))
			n, _ := io.Copy(io.Discard, io.LimitReader(c, msgs*(size+2)))
			results <- int(n)
		})
	}
	slow := dial()
	_ = slow // never read
	if st := b.Stats(); st.Subscriptions != fast+1 {
		t.Fatalf("stats %+v", st)
	}
	payload := bytes.Repeat([]byte("x"), size)
	start := time.Now()
	for range msgs {
		b.Publish("room", payload)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("publishing took %v", d)
	}
	wg.Wait()
	close(results)
	for n := range results {
		if n != msgs*(size+2) {
			t.Fatalf("a fast client got %d bytes, want %d", n, msgs*(size+2))
		}
	}
	select {
	case reason := <-proto.closed:
		if !errors.Is(reason, engine.ErrSlowConsumer) {
			t.Fatalf("closed with %v, want ErrSlowConsumer", reason)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the slow client was not cut off")
	}
	waitFor(t, 2*time.Second, "the slow subscription to end", func() bool { return b.Stats().Subscriptions == fast })
}
