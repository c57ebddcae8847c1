package plezi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strconv"

	"github.com/plezi-go/plezi/pubsub"
)

// Channel names. A connection's private channel is connPrefix + its ID;
// a controller type's broadcast channel is bcastPrefix + its package
// path and name; an event stream's inbound channel (the POST fallback)
// is ssePrefix + its secret token. Binary messages travel on the same
// name + binSuffix (WebSocket connections only subscribe to those).
const (
	connPrefix  = "plezi:conn:"
	bcastPrefix = "plezi:bcast:"
	ssePrefix   = "plezi:sse:"
	binSuffix   = ":bin"
	tokenHeader = "X-Plezi-Token"
	maxIDLen    = 64
)

// Broker returns the application's pub/sub broker (PubSub, or the one
// made for it on first use).
//
// Handlers of subscriptions without a connection run on the App's engine
// (pubsub.Broker.Run), unless the broker given in PubSub has its own Run.
func (a *App) Broker() *pubsub.Broker {
	e := a.engine()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.broker == nil {
		a.broker = a.PubSub
		if a.broker == nil {
			a.broker = &pubsub.Broker{Run: e.Run}
		}
	}
	return a.broker
}

// connID returns the connection ID of engine connection id: the App's
// random node prefix and the engine's ID, so that IDs made by different
// processes (and machines) differ.
func (a *App) connID(id uint64) string {
	a.mu.Lock()
	if a.node == "" {
		a.node = newToken()[:12]
	}
	node := a.node
	a.mu.Unlock()
	return node + "-" + strconv.FormatUint(id, 36)
}

// newToken returns 128 random bits in hex.
func newToken() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b[:])
}

// helloEvent is the first event of a stream: its ID and the token its
// client sends messages with (the POST fallback).
func helloEvent(id, token string) []byte {
	b, _ := json.Marshal(map[string]string{"id": id, "token": token})
	return b
}

// broadcastChannel is the channel of a controller type.
func broadcastChannel(t reflect.Type) string {
	return bcastPrefix + t.PkgPath() + "." + t.Name()
}

// validID reports whether s may be a connection ID.
func validID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// subscribeDefaults subscribes a new connection to its private channel
// and its controller type's broadcast channel (binary ones too on a
// WebSocket), written straight to the client, encoded once.
func (lc *liveConn) subscribeDefaults() {
	b := lc.app.Broker()
	for _, ch := range [2]string{connPrefix + lc.id, lc.ct.channel} {
		var err error
		if lc.ws != nil {
			_, err = lc.ws.Subscribe(b, pubsub.Sub{Channel: ch, Kind: pubsub.KindText})
			if err == nil {
				_, err = lc.ws.Subscribe(b, pubsub.Sub{Channel: ch + binSuffix, Kind: pubsub.KindBinary})
			}
		} else {
			_, err = lc.sse.Subscribe(b, pubsub.Sub{Channel: ch})
		}
		if err != nil {
			lc.app.log("subscribe "+ch, err)
		}
	}
}

// subscribeInbound subscribes an event stream to the messages its client
// POSTs with its token: they are handled as WebSocket text messages.
func (lc *liveConn) subscribeInbound() {
	_, err := lc.sse.Subscribe(lc.app.Broker(), pubsub.Sub{
		Channel: ssePrefix + lc.token,
		Handler: func(m *pubsub.Message) { lc.receive(m.Data, true) },
	})
	if err != nil {
		lc.app.log("subscribe inbound", err)
	}
}

// publish encodes msg (see Controller.Write) and publishes it to channel,
// or to its binary twin for a []byte.
func (a *App) publish(channel string, msg any) error {
	p, text, err := encode(msg)
	if err != nil {
		return err
	}
	if !text {
		channel += binSuffix
	}
	return a.Broker().Publish(channel, p)
}

// Publish sends msg to the subscribers of channel (see Controller.Write
// for how msg is encoded; a []byte is published as it is).
func (a *App) Publish(channel string, msg any) error {
	p, _, err := encode(msg)
	if err != nil {
		return err
	}
	return a.Broker().Publish(channel, p)
}

// Unicast sends msg to the connection whose Controller.ID is id,
// wherever it is: in this process or, through a pub/sub engine such as
// Redis, in another. msg is encoded as Controller.Write does; a []byte
// reaches a WebSocket as a binary message and is not sent to event
// streams. A connection that is gone misses it silently (pub/sub is
// at-most-once).
func (a *App) Unicast(id string, msg any) error {
	if !validID(id) {
		return ErrBadID
	}
	return a.publish(connPrefix+id, msg)
}

// Broadcast sends msg to every connection of the controller type of
// controller (a pointer to a controller struct, such as &Chat{} or
// (*Chat)(nil)), on every process sharing the pub/sub engine, the sender
// included. msg is encoded as Unicast encodes it.
func (a *App) Broadcast(controller any, msg any) error {
	t := reflect.TypeOf(controller)
	if t == nil {
		return ErrBadID
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return a.publish(broadcastChannel(t), msg)
}

// Publish sends msg to channel's subscribers (see App.Publish).
func (c *Controller) Publish(channel string, msg any) error { return c.app.Publish(channel, msg) }

// Unicast sends msg to the connection id (see App.Unicast).
func (c *Controller) Unicast(id string, msg any) error { return c.app.Unicast(id, msg) }

// Broadcast sends msg to every connection of this controller's type,
// this one included (see App.Broadcast).
func (c *Controller) Broadcast(msg any) error {
	if c.rt == nil {
		return ErrNotConnected
	}
	return c.app.publish(c.rt.Value.ctrl.channel, msg)
}

// Subscribe subscribes the connection to channel until it closes (or
// Unsubscribe): each message runs handler under the connection's
// serialization guarantee (as a Defer task), or, with a nil handler, is
// written to the client as a text message or an SSE event, encoded once
// for every subscriber. Subscribing again to a channel replaces the
// earlier subscription.
func (c *Controller) Subscribe(channel string, handler func(data []byte)) error {
	lc := c.live
	if lc == nil || (lc.ws == nil && lc.sse == nil) {
		return ErrNotConnected
	}
	sub := pubsub.Sub{Channel: channel}
	if handler != nil {
		sub.Handler = func(m *pubsub.Message) { lc.guard("Subscribe handler", func() { handler(m.Data) }) }
	}
	var err error
	if lc.ws != nil {
		_, err = lc.ws.Subscribe(lc.app.Broker(), sub)
	} else {
		_, err = lc.sse.Subscribe(lc.app.Broker(), sub)
	}
	return err
}

// Unsubscribe ends the connection's subscription to channel. It reports
// whether there was one.
func (c *Controller) Unsubscribe(channel string) bool {
	lc := c.live
	switch {
	case lc == nil:
		return false
	case lc.ws != nil:
		return lc.app.Broker().Unsubscribe(lc.ws, channel, false)
	case lc.sse != nil:
		return lc.app.Broker().Unsubscribe(lc.sse, channel, false)
	}
	return false
}
