package cluster

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
)

// worker is a router member whose frames the test reads.
type testWorker struct {
	m  *member
	ch <-chan frame
}

func newTestWorker(t *testing.T) testWorker {
	a, b := pipeLinks(t, 0)
	ch, _ := collect(b)
	return testWorker{&member{l: a}, ch}
}

// none checks that no frame arrives for a short while.
func (w testWorker) none(t *testing.T) {
	t.Helper()
	select {
	case f := <-w.ch:
		t.Fatalf("unexpected frame %c %q %q", f.typ, f.a, f.b)
	case <-time.After(50 * time.Millisecond):
	}
}

func (w testWorker) want(t *testing.T, typ byte, channel, data, pattern string) {
	t.Helper()
	f := next(t, w.ch)
	if f.typ != typ || f.a != channel || string(f.b) != data || f.c != pattern {
		t.Fatalf("got %c %q %q %q, want %c %q %q %q", f.typ, f.a, f.b, f.c, typ, channel, data, pattern)
	}
}

type upstreamCall struct {
	op, name string
	pattern  bool
}

// fakeUpstream records what the router asks of it.
type fakeUpstream struct {
	mu      sync.Mutex
	calls   []upstreamCall
	deliver func(string, []byte, string)
}

func (u *fakeUpstream) Publish(channel string, data []byte) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls = append(u.calls, upstreamCall{"pub", channel + "=" + string(data), false})
	return nil
}

func (u *fakeUpstream) Subscribe(name string, pattern bool, deliver func(string, []byte, string)) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls = append(u.calls, upstreamCall{"sub", name, pattern})
	u.deliver = deliver
	return nil
}

func (u *fakeUpstream) Unsubscribe(name string, pattern bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls = append(u.calls, upstreamCall{"unsub", name, pattern})
}

func (u *fakeUpstream) take() []upstreamCall {
	u.mu.Lock()
	defer u.mu.Unlock()
	c := u.calls
	u.calls = nil
	return c
}

func TestRouterClusterScope(t *testing.T) {
	r := newRouter(nil, t.Logf)
	w1, w2, w3 := newTestWorker(t), newTestWorker(t), newTestWorker(t)
	r.subscribe(w1.m, "room", false)
	r.subscribe(w2.m, "room", false)
	r.subscribe(w2.m, "ro*", true) // exact and pattern: one frame
	r.subscribe(w3.m, "r?om", true)
	r.subscribe(w3.m, "r?om", true) // reported twice: still one interest

	r.publish(w1.m, "room", []byte("hi"), false)
	w2.want(t, fAll, "room", "hi", "")
	w3.want(t, fAll, "room", "hi", "")
	w1.none(t) // the publisher delivered it itself
	w3.none(t)

	r.publish(w3.m, "rooms", []byte("only w2"), false)
	w2.want(t, fAll, "rooms", "only w2", "")
	w1.none(t)

	r.unsubscribe(w2.m, "ro*", true)
	r.publish(w1.m, "rooms", []byte("nobody"), false)
	w2.none(t)

	r.leave(w2.m)
	r.publish(w1.m, "room", []byte("after leave"), false)
	w3.want(t, fAll, "room", "after leave", "")
	w2.none(t)

	// Remote scope without an Upstream: everyone, the publisher too.
	r.subscribe(w1.m, "room", false)
	r.publish(w1.m, "room", []byte("remote"), true)
	w1.want(t, fAll, "room", "remote", "")
	w3.want(t, fAll, "room", "remote", "")
}

func TestRouterUpstream(t *testing.T) {
	up := &fakeUpstream{}
	r := newRouter(up, t.Logf)
	w1, w2 := newTestWorker(t), newTestWorker(t)
	r.subscribe(w1.m, "a", false)
	r.subscribe(w2.m, "a", false)
	r.subscribe(w2.m, "a*", true)
	if got := fmt.Sprint(up.take()); got != "[{sub a false} {sub a* true}]" {
		t.Fatalf("upstream subscriptions %s: once per name", got)
	}
	r.publish(w1.m, "a", []byte("x"), true)
	if got := fmt.Sprint(up.take()); got != "[{pub a=x false}]" {
		t.Fatalf("upstream publish %s", got)
	}
	w1.none(t) // remote scope comes back from the Upstream only
	// What the Upstream delivers: exact to the channel's workers, a
	// pattern's to that pattern's workers.
	up.deliver("a", []byte("exact"), "")
	w1.want(t, fChannel, "a", "exact", "")
	w2.want(t, fChannel, "a", "exact", "")
	up.deliver("ab", []byte("pat"), "a*")
	w2.want(t, fPattern, "ab", "pat", "a*")
	w1.none(t)

	r.unsubscribe(w1.m, "a", false)
	if calls := up.take(); len(calls) != 0 {
		t.Fatalf("unsubscribed upstream while w2 still wants it: %v", calls)
	}
	r.leave(w2.m)
	if got := fmt.Sprint(up.take()); got != "[{unsub a false} {unsub a* true}]" && got != "[{unsub a* true} {unsub a false}]" {
		t.Fatalf("after the last worker left: %s", got)
	}
}

// TestEnginesOverTheLink: a worker's engines report subscriptions,
// publish both scopes, and deliver what the master sends.
func TestEnginesOverTheLink(t *testing.T) {
	workerEnd, masterEnd := pipeLinks(t, 0)
	c := &Cluster{}
	c.once.Do(func() {})
	c.role, c.link, c.bus = Worker, workerEnd, &Bus{l: workerEnd}
	go c.listen(workerEnd)
	c.mu.Lock()
	c.leaving = true // the test ends the link
	c.mu.Unlock()
	frames, _ := collect(masterEnd)

	b := &pubsub.Broker{}
	local, remote := c.Engines(b, nil)
	got := make(chan string, 16)
	if _, err := b.Subscribe(pubsub.Sub{Channel: "news", Handler: func(m *pubsub.Message) { got <- "news:" + string(m.Data) }}); err != nil {
		t.Fatal(err)
	}
	if f := next(t, frames); f.typ != fSub || f.a != "news" {
		t.Fatalf("subscription frame %c %q", f.typ, f.a)
	}
	if err := local.Publish(context.Background(), pubsub.NewMessage("news", []byte("mine"))); err != nil {
		t.Fatal(err)
	}
	if v := <-got; v != "news:mine" {
		t.Fatalf("local delivery %q", v)
	}
	if f := next(t, frames); f.typ != fPublish || string(f.b) != "mine" {
		t.Fatalf("publish frame %c %q", f.typ, f.b)
	}
	if err := remote.Publish(context.Background(), pubsub.NewMessage("news", []byte("far"))); err != nil {
		t.Fatal(err)
	}
	if f := next(t, frames); f.typ != fRemote || string(f.b) != "far" {
		t.Fatalf("remote frame %c %q", f.typ, f.b)
	}
	select {
	case v := <-got:
		t.Fatalf("remote scope delivered locally: %q", v)
	case <-time.After(50 * time.Millisecond):
	}
	masterEnd.send(fAll, "news", []byte("from w2"), "", false)
	if v := <-got; v != "news:from w2" {
		t.Fatalf("delivery from the master %q", v)
	}
}
