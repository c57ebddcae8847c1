package redis_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
)

func datas(ms []*pubsub.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m.Data)
	}
	return out
}

// TestRedisSSEResume: a client of machine B sees 3 messages (with stream
// IDs), disconnects; machine A publishes 5; the client comes back to B
// with its last ID: exactly those 5 arrive, in order.
func TestRedisSSEResume(t *testing.T) {
	srv := startServer(t)
	hist := func(o *redis.Options) { o.History = &redis.History{Count: 50} }
	a, _ := newEngine(t, srv.URL(), hist)
	b, _ := newEngine(t, srv.URL(), hist)
	ctx := context.Background()

	var ids, seen []string
	client := &sink{}
	b.Subscribe(pubsub.Sub{Channel: "feed", Owner: client, Target: client, Handler: func(m *pubsub.Message) {
		ids = append(ids, m.ID) // runs under client.Defer
		seen = append(seen, string(m.Data))
	}})
	waitFor(t, 2*time.Second, "live delivery", func() bool {
		a.Publish("feed", []byte("probe"))
		client.mu.Lock()
		defer client.mu.Unlock()
		return len(ids) > 0
	})
	for i := range 3 {
		a.Publish("feed", fmt.Appendf(nil, "m%d", i))
	}
	waitFor(t, 2*time.Second, "3 messages", func() bool {
		client.mu.Lock()
		defer client.mu.Unlock()
		return len(seen) > 0 && seen[len(seen)-1] == "m2"
	})
	client.mu.Lock()
	lastID := ids[len(ids)-1]
	client.mu.Unlock()
	if _, err := pubsub.ParseID(lastID); err != nil {
		t.Fatalf("delivered message has no stream ID: %q", lastID)
	}
	b.UnsubscribeAll(client)
	for i := 3; i < 8; i++ {
		if err := a.Publish("feed", fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	missed, err := b.Since(ctx, "feed", lastID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := datas(missed), []string{"m3", "m4", "m5", "m6", "m7"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("resume got %q, want %q", got, want)
	}
}

func TestRedisHistoryBounds(t *testing.T) {
	srv := startServer(t)
	_, e := newEngine(t, srv.URL(), func(o *redis.Options) { o.History = &redis.History{Count: 3, Age: time.Hour} })
	ctx := context.Background()
	var ms []*pubsub.Message
	for i := range 5 {
		m := pubsub.NewMessage("c", fmt.Appendf(nil, "%d", i))
		if err := e.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	got, err := e.Since(ctx, "c", ms[1].ID)
	if err != nil || !reflect.DeepEqual(datas(got), []string{"2", "3", "4"}) {
		t.Fatalf("Since(second) = %q, %v", datas(got), err)
	}
	_, err = e.Since(ctx, "c", ms[0].ID)
	var gap *pubsub.GapError
	if !errors.As(err, &gap) || gap.Oldest != ms[2].ID {
		t.Fatalf("Since(first) = %v, want a gap starting at %s", err, ms[2].ID)
	}
	if got, err := e.Since(ctx, "c", ms[4].ID); err != nil || len(got) != 0 {
		t.Fatalf("Since(newest) = %q, %v", datas(got), err)
	}
	if got, _ := e.Since(ctx, "c", ""); len(got) != 3 {
		t.Fatalf(`Since("") = %q`, datas(got))
	}
	future := fmt.Sprintf("%d-0", time.Now().Add(time.Hour).UnixMilli())
	if _, err := e.Since(ctx, "c", future); !errors.Is(err, pubsub.ErrHistoryGone) {
		t.Fatalf("future ID: %v", err)
	}
	if _, err := e.Since(ctx, "c", "x"); !errors.Is(err, pubsub.ErrBadID) {
		t.Fatalf("bad ID: %v", err)
	}
	// A channel never published: nothing missed for a recent ID, a gap
	// for one older than Age.
	recent := fmt.Sprintf("%d-0", time.Now().Add(-time.Minute).UnixMilli())
	if got, err := e.Since(ctx, "quiet", recent); err != nil || len(got) != 0 {
		t.Fatalf("quiet channel, recent ID: %q, %v", datas(got), err)
	}
	old := fmt.Sprintf("%d-0", time.Now().Add(-2*time.Hour).UnixMilli())
	if _, err := e.Since(ctx, "quiet", old); !errors.Is(err, pubsub.ErrHistoryGone) {
		t.Fatalf("quiet channel, old ID: %v", err)
	}
}

// TestRedisHistoryAge: messages older than Age leave the stream, and the
// stream expires Age after its last message.
func TestRedisHistoryAge(t *testing.T) {
	srv := startServer(t)
	admin := srv.admin(t)
	_, e := newEngine(t, srv.URL(), func(o *redis.Options) { o.History = &redis.History{Age: 300 * time.Millisecond} })
	ctx := context.Background()
	first := pubsub.NewMessage("c", []byte("old"))
	e.Publish(ctx, first)
	time.Sleep(200 * time.Millisecond)
	second := pubsub.NewMessage("c", []byte("new"))
	e.Publish(ctx, second)
	time.Sleep(150 * time.Millisecond) // first is 350 ms old, second 150 ms
	got, err := e.Since(ctx, "c", first.ID)
	if err != nil || !reflect.DeepEqual(datas(got), []string{"new"}) {
		t.Fatalf("Since(first) = %q, %v", datas(got), err)
	}
	waitFor(t, 2*time.Second, "the stream to expire", func() bool {
		n, err := admin.Do(ctx, admin.B().Exists().Key(redis.DefaultKeyPrefix+"c").Build()).AsInt64()
		return err == nil && n == 0
	})
	if _, err := e.Since(ctx, "c", first.ID); !errors.Is(err, pubsub.ErrHistoryGone) {
		t.Fatalf("after expiry, Since(first) = %v", err)
	}
}

func TestRedisNoHistory(t *testing.T) {
	srv := startServer(t)
	b, _ := newEngine(t, srv.URL())
	if _, err := b.Since(context.Background(), "c", ""); !errors.Is(err, pubsub.ErrNoHistory) {
		t.Fatalf("Since without history = %v", err)
	}
}
