package sse

import (
	"errors"

	"github.com/plezi-go/plezi/pubsub"
)

func init() {
	// Streams subscribed without a handler receive each message as one
	// event, encoded once for every subscriber.
	if err := pubsub.RegisterEncoder(pubsub.KindSSE, encodeMessage); err != nil {
		panic(err)
	}
}

// encodeMessage is the pubsub.KindSSE encoding: an event whose id is the
// message's history id (so a reconnecting EventSource sends it back as
// Last-Event-ID) and whose data is the payload. It has no event type, so
// it reaches the client's onmessage. A message that cannot be encoded
// (an id with CR, LF or NUL) yields nil and is skipped.
func encodeMessage(m *pubsub.Message) []byte {
	b, err := AppendEvent(nil, &Event{ID: m.ID, Data: m.Data})
	if err != nil {
		return nil
	}
	return b
}

// Deliver implements pubsub.Target: it queues m's kind encoding, shared
// with every other subscriber.
func (s *Stream) Deliver(m *pubsub.Message, kind pubsub.Kind) error {
	p := m.Encoded(kind)
	if p == nil {
		return nil
	}
	return s.SendShared(p)
}

// Subscribe subscribes the stream on b: sub's Target and Owner are the
// stream, and its Kind defaults to pubsub.KindSSE, so that each message
// is written as an event (or sub.Handler runs under the stream's
// serialization guarantee). The stream's subscriptions on b end when it
// closes; subscribing again to the same channel or pattern replaces the
// old subscription.
func (s *Stream) Subscribe(b *pubsub.Broker, sub pubsub.Sub) (*pubsub.Subscription, error) {
	sub.Target, sub.Owner = s, s
	if sub.Kind == 0 {
		sub.Kind = pubsub.KindSSE
	}
	sb, err := s.subs.Subscribe(b, sub)
	if errors.Is(err, pubsub.ErrEnded) {
		err = ErrClosed
	}
	return sb, err
}

// unsubscribeAll ends the stream's subscriptions (at OnClose).
func (s *Stream) unsubscribeAll() { s.subs.End(s) }
