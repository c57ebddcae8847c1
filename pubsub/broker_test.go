package pubsub_test

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
)

func TestPublishExactAndPattern(t *testing.T) {
	var b pubsub.Broker // the zero value works
	exact, pat, other := &target{}, &target{}, &target{}
	mustSub(t, &b, pubsub.Sub{Channel: "news.art", Target: exact})
	mustSub(t, &b, pubsub.Sub{Pattern: "news.*", Target: pat})
	mustSub(t, &b, pubsub.Sub{Channel: "sports", Target: other})

	for _, ch := range []string{"news.art", "news.tech", "weather"} {
		if err := b.Publish(ch, []byte(ch)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := exact.strings(), []string{"T:news.art"}; !reflect.DeepEqual(got, want) {
		t.Errorf("exact got %q, want %q", got, want)
	}
	if got, want := pat.strings(), []string{"T:news.art", "T:news.tech"}; !reflect.DeepEqual(got, want) {
		t.Errorf("pattern got %q, want %q", got, want)
	}
	if got := other.strings(); len(got) != 0 {
		t.Errorf("sports subscriber got %q", got)
	}
}

// TestEncodedOncePerKind: every subscriber of one kind gets the very same
// bytes (one encoding), a second kind is encoded once more.
func TestEncodedOncePerKind(t *testing.T) {
	var calls atomic.Int32
	kind := pubsub.KindUser
	if err := pubsub.RegisterEncoder(kind, func(m *pubsub.Message) []byte {
		calls.Add(1)
		return append([]byte("U:"), m.Data...)
	}); err != nil {
		t.Fatal(err)
	}
	var b pubsub.Broker
	ts := make([]*target, 100)
	for i := range ts {
		ts[i] = &target{}
		k := kind
		if i%2 == 1 {
			k = pubsub.KindText
		}
		mustSub(t, &b, pubsub.Sub{Channel: "c", Target: ts[i], Kind: k})
	}
	b.Publish("c", []byte("x"))
	if n := calls.Load(); n != 1 {
		t.Fatalf("encoder ran %d times for 50 subscribers, want 1", n)
	}
	for i := 2; i < len(ts); i++ {
		a, z := ts[i%2].frames[0], ts[i].frames[0]
		if &a[0] != &z[0] {
			t.Fatalf("subscriber %d got a different buffer", i)
		}
	}
	if got := string(ts[0].frames[0]); got != "U:x" {
		t.Fatalf("frame %q", got)
	}
}

func TestEncodedConcurrent(t *testing.T) {
	var calls atomic.Int32
	pubsub.RegisterEncoder(pubsub.KindBinary, func(m *pubsub.Message) []byte {
		calls.Add(1)
		return m.Data
	})
	m := pubsub.NewMessage("c", []byte("data"))
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { m.Encoded(pubsub.KindBinary) })
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("encoded %d times", calls.Load())
	}
	if m.Encoded(0) != nil || m.Encoded(pubsub.MaxKinds) != nil {
		t.Fatal("out-of-range kinds must give nil")
	}
}

func TestSubscribeErrors(t *testing.T) {
	var b pubsub.Broker
	h := func(*pubsub.Message) {}
	cases := []struct {
		name string
		sub  pubsub.Sub
		want error
	}{
		{"no name", pubsub.Sub{Handler: h}, pubsub.ErrName},
		{"both names", pubsub.Sub{Channel: "a", Pattern: "b*", Handler: h}, pubsub.ErrName},
		{"no delivery", pubsub.Sub{Channel: "a"}, pubsub.ErrNoDelivery},
		{"kind without encoder", pubsub.Sub{Channel: "a", Target: &target{}, Kind: pubsub.MaxKinds - 1}, pubsub.ErrKind},
		{"owner not comparable", pubsub.Sub{Channel: "a", Handler: h, Owner: []int{1}}, pubsub.ErrOwner},
	}
	for _, c := range cases {
		if _, err := b.Subscribe(c.sub); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if err := pubsub.RegisterEncoder(0, func(*pubsub.Message) []byte { return nil }); !errors.Is(err, pubsub.ErrKind) {
		t.Errorf("RegisterEncoder(0) = %v", err)
	}
	if s := b.Stats(); s != (pubsub.Stats{}) {
		t.Errorf("failed subscriptions left %+v", s)
	}
	// A non-comparable owner is refused everywhere, never a panic.
	if b.Unsubscribe([]int{1}, "a", false) || b.UnsubscribeAll(map[string]int{}) != 0 {
		t.Error("non-comparable owner accepted")
	}
}

// TestResubscribeReplaces: the same owner subscribing again to the same
// name replaces the old subscription; interest never flaps.
func TestResubscribeReplaces(t *testing.T) {
	var b pubsub.Broker
	w := &watcher{}
	b.Watch(w)
	owner := &target{}
	var first, second []string
	s1 := mustSub(t, &b, pubsub.Sub{Channel: "c", Owner: owner, Handler: func(m *pubsub.Message) { first = append(first, m.String()) }})
	s2 := mustSub(t, &b, pubsub.Sub{Channel: "c", Owner: owner, Handler: func(m *pubsub.Message) { second = append(second, m.String()) }})
	b.Publish("c", []byte("1"))
	if s1.Active() || !s2.Active() {
		t.Fatalf("active: old %v new %v", s1.Active(), s2.Active())
	}
	if len(first) != 0 || len(second) != 1 {
		t.Fatalf("old got %q, new got %q", first, second)
	}
	// A pattern of the same text is another subscription.
	mustSub(t, &b, pubsub.Sub{Pattern: "c", Owner: owner, Handler: func(*pubsub.Message) {}})
	if st := b.Stats(); st.Subscriptions != 2 || st.Channels != 1 || st.Patterns != 1 || st.Owners != 1 {
		t.Fatalf("stats %+v", st)
	}
	if got := w.log(); !reflect.DeepEqual(got, []string{"+c", "+p:c"}) {
		t.Fatalf("watcher saw %q", got)
	}
	if !b.Unsubscribe(owner, "c", false) || b.Unsubscribe(owner, "c", false) {
		t.Fatal("Unsubscribe must report true once")
	}
	if n := b.UnsubscribeAll(owner); n != 1 {
		t.Fatalf("UnsubscribeAll = %d, want 1", n)
	}
	if got := w.log(); !reflect.DeepEqual(got, []string{"+c", "+p:c", "-c", "-p:c"}) {
		t.Fatalf("watcher saw %q", got)
	}
	if st := b.Stats(); st != (pubsub.Stats{}) {
		t.Fatalf("left %+v", st)
	}
}

// watcher records interest changes.
type watcher struct {
	mu     sync.Mutex
	events []string
}

func (w *watcher) Subscribed(name string, pattern bool)   { w.add("+", name, pattern) }
func (w *watcher) Unsubscribed(name string, pattern bool) { w.add("-", name, pattern) }
func (w *watcher) add(op, name string, pattern bool) {
	if pattern {
		name = "p:" + name
	}
	w.mu.Lock()
	w.events = append(w.events, op+name)
	w.mu.Unlock()
}
func (w *watcher) log() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.events...)
}

// TestHandlerRunsUnderTargetDefer: with a Target and a Handler, the
// handler runs through Target.Defer; once unsubscribed, nothing runs.
func TestHandlerRunsUnderTargetDefer(t *testing.T) {
	var b pubsub.Broker
	tg := &target{}
	var got []string
	s := mustSub(t, &b, pubsub.Sub{Channel: "c", Target: tg, Handler: func(m *pubsub.Message) {
		if tg.mu.TryLock() {
			t.Error("handler ran outside the target's Defer")
			tg.mu.Unlock()
		}
		got = append(got, m.String())
	}})
	b.Publish("c", []byte("a"))
	b.Publish("c", []byte("b"))
	s.Unsubscribe()
	b.Publish("c", []byte("c"))
	if !reflect.DeepEqual(got, []string{"a", "b"}) || tg.n.Load() != 2 {
		t.Fatalf("got %q (%d tasks)", got, tg.n.Load())
	}
}

// TestClosedTargetDropped: a Target whose Deliver fails loses its
// subscription (the safety net when the owner forgot UnsubscribeAll).
func TestClosedTargetDropped(t *testing.T) {
	var b pubsub.Broker
	w := &watcher{}
	b.Watch(w)
	live, dead := &target{}, &target{}
	mustSub(t, &b, pubsub.Sub{Channel: "c", Target: live})
	sd := mustSub(t, &b, pubsub.Sub{Channel: "c", Target: dead})
	dead.Close()
	b.Publish("c", []byte("1"))
	b.Publish("c", []byte("2"))
	if sd.Active() {
		t.Fatal("failed subscription still active")
	}
	if len(live.strings()) != 2 {
		t.Fatalf("live got %q", live.strings())
	}
	if st := b.Stats(); st.Subscriptions != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestHandlerPanicIsolated: a panicking handler does not stop the others
// nor the publisher.
func TestHandlerPanicIsolated(t *testing.T) {
	var b pubsub.Broker
	var ok atomic.Int32
	mustSub(t, &b, pubsub.Sub{Channel: "c", Handler: func(*pubsub.Message) { panic("boom") }})
	mustSub(t, &b, pubsub.Sub{Channel: "c", Handler: func(*pubsub.Message) { ok.Add(1) }})
	if err := b.Publish("c", nil); err != nil {
		t.Fatal(err)
	}
	if ok.Load() != 1 {
		t.Fatal("second handler did not run")
	}
}

// TestRunMovesHandlers: with Broker.Run set, handler-only subscriptions
// run where Run puts them.
func TestRunMovesHandlers(t *testing.T) {
	queued := make(chan func(), 4)
	b := pubsub.Broker{Run: func(fn func()) error { queued <- fn; return nil }}
	ran := false
	mustSub(t, &b, pubsub.Sub{Channel: "c", Handler: func(*pubsub.Message) { ran = true }})
	b.Publish("c", nil)
	if ran {
		t.Fatal("handler ran on the publisher's goroutine")
	}
	(<-queued)()
	if !ran {
		t.Fatal("queued task did not run the handler")
	}
}

// TestSlowSubscriberDoesNotDelayOthers: a subscriber whose delivery is
// slow (here 200 ms, standing in for a blocked connection) delays only
// itself when publishers run concurrently: the fast subscriber receives
// every message long before the slow one is done.
func TestSlowSubscriberDoesNotDelayOthers(t *testing.T) {
	var b pubsub.Broker
	slow := &target{delay: 200 * time.Millisecond}
	fast := &target{}
	mustSub(t, &b, pubsub.Sub{Channel: "slow", Target: slow})
	mustSub(t, &b, pubsub.Sub{Channel: "fast", Target: fast})
	var wg sync.WaitGroup
	wg.Go(func() { b.Publish("slow", []byte("s")) })
	start := time.Now()
	for i := range 100 {
		b.Publish("fast", fmt.Appendf(nil, "%d", i))
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("100 fast publishes took %v", d)
	}
	if n := len(fast.strings()); n != 100 {
		t.Fatalf("fast got %d", n)
	}
	wg.Wait()
}

// TestChurnLeavesNothing: 10,000 connect/subscribe/close cycles (each
// "connection" subscribes to a channel and a pattern, gets a message, and
// closes with UnsubscribeAll) leave no subscription, channel, pattern or
// owner behind, and interest goes back to nothing.
func TestChurnLeavesNothing(t *testing.T) {
	var b pubsub.Broker
	w := &countWatcher{}
	b.Watch(w)
	stay := &target{}
	mustSub(t, &b, pubsub.Sub{Channel: "room", Target: stay})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2500 {
				conn := &target{}
				mustSub(t, &b, pubsub.Sub{Channel: "room", Owner: conn, Target: conn})
				mustSub(t, &b, pubsub.Sub{Channel: fmt.Sprintf("user:%d:%d", g, i), Owner: conn, Target: conn})
				mustSub(t, &b, pubsub.Sub{Pattern: fmt.Sprintf("p:%d:*", g), Owner: conn, Target: conn})
				b.Publish("room", []byte("hi"))
				if b.UnsubscribeAll(conn) != 3 {
					t.Error("UnsubscribeAll != 3")
					return
				}
			}
		})
	}
	wg.Wait()
	if st := b.Stats(); st != (pubsub.Stats{Channels: 1, Subscriptions: 1}) {
		t.Fatalf("after churn: %+v", st)
	}
	if got := len(stay.strings()); got != 10000 {
		t.Fatalf("the staying subscriber got %d messages, want 10000", got)
	}
	if w.live.Load() != 1 {
		t.Fatalf("watcher thinks %d names are live, want 1", w.live.Load())
	}
}

type countWatcher struct{ live atomic.Int64 }

func (w *countWatcher) Subscribed(string, bool)   { w.live.Add(1) }
func (w *countWatcher) Unsubscribed(string, bool) { w.live.Add(-1) }

// TestWatchReplaysAndUnwatch: a late Watcher learns the existing names;
// after Unwatch it hears nothing.
func TestWatchReplaysAndUnwatch(t *testing.T) {
	var b pubsub.Broker
	mustSub(t, &b, pubsub.Sub{Channel: "a", Handler: func(*pubsub.Message) {}})
	mustSub(t, &b, pubsub.Sub{Pattern: "b*", Handler: func(*pubsub.Message) {}})
	w := &watcher{}
	b.Watch(w)
	got := w.log()
	if len(got) != 2 {
		t.Fatalf("replay %q", got)
	}
	b.Unwatch(w)
	mustSub(t, &b, pubsub.Sub{Channel: "c", Handler: func(*pubsub.Message) {}})
	if len(w.log()) != 2 {
		t.Fatalf("heard after Unwatch: %q", w.log())
	}
}
