package websocket

import (
	"errors"

	"github.com/plezi-go/plezi/internal/wsflate"
	"github.com/plezi-go/plezi/pubsub"
)

func init() {
	// Connections subscribed without a handler receive each message as a
	// frame encoded once for every subscriber, plain or compressed.
	for _, e := range []struct {
		k    pubsub.Kind
		text bool
		z    bool
	}{
		{pubsub.KindText, true, false},
		{pubsub.KindBinary, false, false},
		{pubsub.KindTextDeflate, true, true},
		{pubsub.KindBinaryDeflate, false, true},
	} {
		if err := pubsub.RegisterEncoder(e.k, frameEncoder(e.text, e.z)); err != nil {
			panic(err)
		}
	}
}

// frameEncoder returns the pubsub encoder of an unmasked server frame
// (compressed without context takeover when z).
func frameEncoder(text, z bool) pubsub.Encoder {
	op := byte(opBinary)
	if text {
		op = opText
	}
	return func(m *pubsub.Message) []byte {
		p := m.Data
		if z {
			p = wsflate.CompressOnce(nil, p, wsflate.DefaultLevel)
		}
		f := appendHeader(make([]byte, 0, frameSize(len(p), false)), true, z, op, len(p), false, 0)
		return append(f, p...)
	}
}

// deflated maps a plain kind to its compressed kind.
func deflated(k pubsub.Kind) pubsub.Kind {
	switch k {
	case pubsub.KindText:
		return pubsub.KindTextDeflate
	case pubsub.KindBinary:
		return pubsub.KindBinaryDeflate
	}
	return k
}

// Deliver implements pubsub.Target: m goes out as a text frame
// (pubsub.KindText) or a binary one (pubsub.KindBinary), as the same
// bytes queued on every subscriber, compressed (once for all) on
// connections that negotiated permessage-deflate when m is over the
// threshold. Client connections and servers that keep their compression
// context encode their own frame.
func (c *Conn) Deliver(m *pubsub.Message, kind pubsub.Kind) error {
	var op byte
	switch kind {
	case pubsub.KindText, pubsub.KindTextDeflate:
		op = opText
	case pubsub.KindBinary, pubsub.KindBinaryDeflate:
		op = opBinary
	default:
		return pubsub.ErrKind
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.server || (c.comp != nil && c.comp.ContextTakeover()) {
		return c.writeDataLocked(op, m.Data)
	}
	if c.closeSent || c.wclosed {
		return ErrClosed
	}
	k := kind
	if c.comp != nil && c.comp.ShouldCompress(len(m.Data)) {
		k = deflated(kind)
	}
	f := m.Encoded(k)
	if f == nil {
		return nil
	}
	_, err := c.eng().QueueShared(f)
	return writeErr(err)
}

var errNotOpen = errors.New("websocket: Subscribe before OnOpen")

// Subscribe subscribes the connection on b (from OnOpen on): sub's Target and Owner are
// the connection, and its Kind defaults to pubsub.KindText (use
// pubsub.KindBinary for binary frames), so each message is written as a
// frame — or sub.Handler runs under the connection's serialization
// guarantee. The connection's subscriptions on b end when it closes;
// subscribing again to the same channel or pattern replaces the old one.
func (c *Conn) Subscribe(b *pubsub.Broker, sub pubsub.Sub) (*pubsub.Subscription, error) {
	sub.Target, sub.Owner = c, c
	if sub.Kind == 0 {
		sub.Kind = pubsub.KindText
	}
	if c.eng() == nil {
		return nil, errNotOpen
	}
	c.wmu.Lock()
	if c.wclosed {
		c.wmu.Unlock()
		return nil, ErrClosed
	}
	if c.subs == nil {
		c.subs = new(pubsub.Memberships) // only connections that subscribe pay for it
	}
	m := c.subs
	c.wmu.Unlock()
	sb, err := m.Subscribe(b, sub)
	if errors.Is(err, pubsub.ErrEnded) {
		err = ErrClosed
	}
	return sb, err
}

// unsubscribeAll ends the connection's subscriptions (at OnClose, after
// wclosed is set).
func (c *Conn) unsubscribeAll() {
	c.wmu.Lock()
	m := c.subs
	c.wmu.Unlock()
	if m != nil {
		m.End(c)
	}
}
