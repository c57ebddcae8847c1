package pubsub_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
)

// clock is a fake time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func historyBroker(h *pubsub.History) (*pubsub.Broker, *pubsub.Process) {
	b := &pubsub.Broker{}
	p := pubsub.NewProcess(b, h)
	b.Engine = p
	return b, p
}

func ids(ms []*pubsub.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}

// TestSSEResume: an SSE client sees 3 events, disconnects, 5 messages are
// published, and it reconnects with Last-Event-ID: exactly those 5 arrive,
// in order, then live messages follow.
func TestSSEResume(t *testing.T) {
	b, _ := historyBroker(&pubsub.History{})
	ctx := context.Background()
	conn := &target{}
	mustSub(t, b, pubsub.Sub{Channel: "feed", Owner: conn, Target: conn, Kind: pubsub.KindSSE})
	var lastID string
	for i := range 3 {
		m := pubsub.NewMessage("feed", fmt.Appendf(nil, "m%d", i))
		if err := b.Engine.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
		lastID = m.ID
	}
	if got := conn.strings(); len(got) != 3 || got[2] != "id: "+lastID+"\ndata: m2\n\n" {
		t.Fatalf("before disconnect: %q", got)
	}
	b.UnsubscribeAll(conn) // the client went away
	for i := 3; i < 8; i++ {
		b.Publish("feed", fmt.Appendf(nil, "m%d", i))
	}
	b.Publish("other", []byte("noise"))

	// Reconnect: replay what was missed, then subscribe again.
	again := &target{}
	missed, err := b.Since(ctx, "feed", lastID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range missed {
		again.Deliver(m, pubsub.KindSSE)
	}
	mustSub(t, b, pubsub.Sub{Channel: "feed", Owner: again, Target: again, Kind: pubsub.KindSSE})
	b.Publish("feed", []byte("live"))
	got := again.strings()
	if len(got) != 6 {
		t.Fatalf("after resume got %d events: %q", len(got), got)
	}
	for i, ev := range got[:5] {
		if want := fmt.Sprintf("\ndata: m%d\n\n", i+3); ev[len(ev)-len(want):] != want {
			t.Errorf("event %d = %q, want data m%d", i, ev, i+3)
		}
	}
	for i := 1; i < len(missed); i++ {
		a, _ := pubsub.ParseID(missed[i-1].ID)
		z, _ := pubsub.ParseID(missed[i].ID)
		if !a.Less(z) {
			t.Errorf("IDs out of order: %s then %s", missed[i-1].ID, missed[i].ID)
		}
	}
}

func TestHistoryCountBound(t *testing.T) {
	h := &pubsub.History{Count: 3}
	b, p := historyBroker(h)
	var ms []*pubsub.Message
	for i := range 5 {
		m := pubsub.NewMessage("c", fmt.Appendf(nil, "%d", i))
		p.Publish(context.Background(), m)
		ms = append(ms, m)
	}
	got, err := b.Since(context.Background(), "c", ms[1].ID)
	if err != nil || !reflect.DeepEqual(ids(got), []string{"2", "3", "4"}) {
		t.Fatalf("Since(second) = %q, %v", ids(got), err)
	}
	_, err = b.Since(context.Background(), "c", ms[0].ID)
	var gap *pubsub.GapError
	if !errors.As(err, &gap) || !errors.Is(err, pubsub.ErrHistoryGone) || gap.Oldest != ms[2].ID {
		t.Fatalf("Since(first) err = %v", err)
	}
	if got, err := b.Since(context.Background(), "c", ms[4].ID); err != nil || len(got) != 0 {
		t.Fatalf("Since(newest) = %q, %v", ids(got), err)
	}
	if got, _ := b.Since(context.Background(), "c", ""); len(got) != 3 {
		t.Fatalf(`Since("") = %q`, ids(got))
	}
}

func TestHistoryAgeBound(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	h := &pubsub.History{Age: time.Minute}
	pubsub.SetHistoryClock(h, clk.Now)
	_, p := historyBroker(h)
	ctx := context.Background()
	a := pubsub.NewMessage("c", []byte("a"))
	a.Time = time.Time{} // let the history stamp it with the fake clock
	p.Publish(ctx, a)
	clk.Add(30 * time.Second)
	bm := &pubsub.Message{Channel: "c", Data: []byte("b")}
	p.Publish(ctx, bm)
	clk.Add(45 * time.Second) // a is 75 s old, b 45 s
	got, err := p.Since(ctx, "c", a.ID)
	if err != nil || !reflect.DeepEqual(ids(got), []string{"b"}) {
		t.Fatalf("Since(a) = %q, %v", ids(got), err)
	}
	if got, _ := p.Since(ctx, "c", ""); !reflect.DeepEqual(ids(got), []string{"b"}) {
		t.Fatalf(`Since("") = %q`, ids(got))
	}
	before, _ := pubsub.ParseID(a.ID)
	before.Ms--
	if _, err := p.Since(ctx, "c", before.String()); !errors.Is(err, pubsub.ErrHistoryGone) {
		t.Fatalf("Since(before a) err = %v", err)
	}
}

func TestHistoryMaxChannels(t *testing.T) {
	h := &pubsub.History{MaxChannels: 2}
	_, p := historyBroker(h)
	ctx := context.Background()
	m1 := &pubsub.Message{Channel: "c1"}
	p.Publish(ctx, m1)
	p.Publish(ctx, &pubsub.Message{Channel: "c2"})
	p.Publish(ctx, &pubsub.Message{Channel: "c3"}) // drops c1's history
	// A client that saw c1's last message missed nothing.
	if got, err := p.Since(ctx, "c1", m1.ID); err != nil || len(got) != 0 {
		t.Fatalf("Since(c1, last) = %q, %v", ids(got), err)
	}
	// A client from before c1's message cannot know what it missed.
	start, _ := pubsub.ParseID(m1.ID)
	start.Ms--
	if _, err := p.Since(ctx, "c1", start.String()); !errors.Is(err, pubsub.ErrHistoryGone) {
		t.Fatalf("Since(c1, earlier) err = %v", err)
	}
	// c1 comes back: its new ring still refuses resumes from before the drop.
	p.Publish(ctx, &pubsub.Message{Channel: "c1"})
	if _, err := p.Since(ctx, "c1", start.String()); !errors.Is(err, pubsub.ErrHistoryGone) {
		t.Fatalf("Since(c1 again, earlier) err = %v", err)
	}
}

func TestHistoryBadAndUnknownIDs(t *testing.T) {
	_, p := historyBroker(&pubsub.History{})
	ctx := context.Background()
	m := &pubsub.Message{Channel: "c"}
	p.Publish(ctx, m)
	if _, err := p.Since(ctx, "c", "nope"); !errors.Is(err, pubsub.ErrBadID) {
		t.Errorf("bad ID: %v", err)
	}
	if _, err := p.Since(ctx, "c", "1-x"); !errors.Is(err, pubsub.ErrBadID) {
		t.Errorf("bad seq: %v", err)
	}
	future := fmt.Sprintf("%d-0", time.Now().Add(time.Hour).UnixMilli())
	if _, err := p.Since(ctx, "c", future); !errors.Is(err, pubsub.ErrHistoryGone) {
		t.Errorf("future ID: %v", err)
	}
	if _, err := p.Since(ctx, "never", "1-0"); !errors.Is(err, pubsub.ErrHistoryGone) {
		t.Errorf("ID from before the history existed: %v", err)
	}
	if got, err := p.Since(ctx, "never", m.ID); err != nil || len(got) != 0 {
		t.Errorf("quiet channel: %q, %v", ids(got), err)
	}
	var b pubsub.Broker // default engine: no history
	if _, err := b.Since(ctx, "c", ""); !errors.Is(err, pubsub.ErrNoHistory) {
		t.Errorf("no history: %v", err)
	}
	if _, err := pubsub.NewCluster(&b, nil).Since(ctx, "c", ""); !errors.Is(err, pubsub.ErrNoHistory) {
		t.Errorf("cluster without history: %v", err)
	}
}

func TestIDRoundTrip(t *testing.T) {
	for _, s := range []string{"0-0", "1700000000000-7", "18446744073709551615-18446744073709551615"} {
		id, err := pubsub.ParseID(s)
		if err != nil || id.String() != s {
			t.Errorf("ParseID(%q) = %v, %v", s, id, err)
		}
	}
	if id, err := pubsub.ParseID("5"); err != nil || id != (pubsub.ID{Ms: 5}) {
		t.Errorf(`ParseID("5") = %v, %v`, id, err)
	}
	for _, s := range []string{"", "-", "a-1", "1-", "-1", "1-2-3", "99999999999999999999-0"} {
		if _, err := pubsub.ParseID(s); !errors.Is(err, pubsub.ErrBadID) {
			t.Errorf("ParseID(%q) err = %v", s, err)
		}
	}
}

// TestHistoryIDsIncrease: many messages in one millisecond still get
// strictly increasing IDs.
func TestHistoryIDsIncrease(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	h := &pubsub.History{Count: 1000}
	pubsub.SetHistoryClock(h, clk.Now)
	var prev pubsub.ID
	for i := range 1000 {
		m := &pubsub.Message{Channel: "c"}
		h.Append(m)
		id, err := pubsub.ParseID(m.ID)
		if err != nil || (i > 0 && !prev.Less(id)) {
			t.Fatalf("message %d: ID %s after %s (%v)", i, m.ID, prev, err)
		}
		prev = id
		if i == 500 {
			clk.Add(-time.Second) // a clock going back must not reuse IDs
		}
	}
}

// FuzzParseID: ParseID never panics, and what it accepts prints back to
// an ID it parses to the same value.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"0-0", "1700000000000-7", "5", "-", "1-", "a-b", "18446744073709551615-1", "1-2-3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := pubsub.ParseID(s)
		if err != nil {
			if !errors.Is(err, pubsub.ErrBadID) {
				t.Fatalf("ParseID(%q) error %v is not ErrBadID", s, err)
			}
			return
		}
		again, err := pubsub.ParseID(id.String())
		if err != nil || again != id {
			t.Fatalf("ParseID(%q) = %v; its String %q parses to %v, %v", s, id, id.String(), again, err)
		}
	})
}
