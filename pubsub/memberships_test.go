package pubsub_test

import (
	"errors"
	"testing"

	"github.com/plezi-go/plezi/pubsub"
)

// TestMemberships: subscriptions made through Memberships on several
// brokers all end with End, and none can be made afterwards.
func TestMemberships(t *testing.T) {
	var m pubsub.Memberships
	b1, b2 := &pubsub.Broker{}, &pubsub.Broker{}
	owner := new(int)
	h := func(*pubsub.Message) {}
	for _, b := range []*pubsub.Broker{b1, b2, b1} {
		for _, ch := range []string{"a", "b"} {
			if _, err := m.Subscribe(b, pubsub.Sub{Channel: ch, Owner: owner, Handler: h}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if s1, s2 := b1.Stats(), b2.Stats(); s1.Subscriptions != 2 || s2.Subscriptions != 2 {
		t.Fatalf("before End: %+v %+v", s1, s2)
	}
	m.End(owner)
	if s1, s2 := b1.Stats(), b2.Stats(); s1.Subscriptions != 0 || s2.Subscriptions != 0 {
		t.Fatalf("after End: %+v %+v", s1, s2)
	}
	if _, err := m.Subscribe(b1, pubsub.Sub{Channel: "c", Owner: owner, Handler: h}); !errors.Is(err, pubsub.ErrEnded) {
		t.Fatalf("Subscribe after End: %v, want ErrEnded", err)
	}
	if st := b1.Stats(); st.Subscriptions != 0 {
		t.Fatalf("a subscription after End was made: %+v", st)
	}
}
