package pubsub

import (
	"sync"
	"sync/atomic"
	"time"
)

// Kind names one wire encoding of a message: a WebSocket text frame, a
// binary frame, an SSE event... Protocol packages register the encoder of
// their kinds with RegisterEncoder, so pubsub imports none of them.
type Kind uint8

// The kinds the protocol packages encode. Kinds from KindUser up to
// MaxKinds-1 are free for other protocols.
const (
	KindText          Kind = iota + 1 // WebSocket text frame
	KindBinary                        // WebSocket binary frame
	KindSSE                           // Server-Sent Events event
	KindTextDeflate                   // permessage-deflate text frame (no context takeover)
	KindBinaryDeflate                 // permessage-deflate binary frame (no context takeover)
	KindUser                          // the first kind free for other protocols
)

// MaxKinds bounds the kinds (and so the encodings a Message caches).
const MaxKinds = 8

// Encoder turns a message into the bytes of one kind. It must not modify
// m, must be safe for concurrent use, and its result is shared by every
// subscriber (nobody may modify it afterwards). A nil result means the
// message cannot be sent in that kind; subscribers of it skip the message.
type Encoder func(m *Message) []byte

var encoders [MaxKinds]atomic.Pointer[Encoder]

// RegisterEncoder sets the encoder of kind k (normally from a protocol
// package's init). It returns ErrKind when k is 0 or not below MaxKinds.
func RegisterEncoder(k Kind, enc Encoder) error {
	if k == 0 || k >= MaxKinds || enc == nil {
		return ErrKind
	}
	encoders[k].Store(&enc)
	return nil
}

// HasEncoder reports whether kind k has an encoder.
func HasEncoder(k Kind) bool {
	return k != 0 && k < MaxKinds && encoders[k].Load() != nil
}

// Message is one published message. The broker hands the same *Message to
// every subscriber: its fields must be treated as read-only once
// published.
type Message struct {
	// Channel is the channel the message was published to.
	Channel string
	// Data is the payload.
	Data []byte
	// ID identifies the message in its channel's history ("ms-seq", as
	// Redis stream IDs); empty when the engine keeps no history.
	ID string
	// Time is when the message was published (zero when unknown).
	Time time.Time

	encMu sync.Mutex                       // serializes the first encoding of a kind
	enc   [MaxKinds]atomic.Pointer[[]byte] // set once per kind; nil: not yet
}

// NewMessage returns a message for channel with data (not copied).
func NewMessage(channel string, data []byte) *Message {
	return &Message{Channel: channel, Data: data, Time: time.Now()}
}

// Encoded returns m encoded as kind k, computed once on first use and then
// shared: every caller gets the same slice, which must not be modified
// (queue it with engine.Conn.WriteShared). It returns nil when k has no
// encoder or the encoder refused the message. Safe for concurrent use.
func (m *Message) Encoded(k Kind) []byte {
	if k == 0 || k >= MaxKinds {
		return nil
	}
	if p := m.enc[k].Load(); p != nil {
		return *p
	}
	m.encMu.Lock()
	defer m.encMu.Unlock()
	if p := m.enc[k].Load(); p != nil { // another reader was first
		return *p
	}
	var b []byte
	if enc := encoders[k].Load(); enc != nil {
		b = (*enc)(m)
	}
	m.enc[k].Store(&b)
	return b
}

// String returns the payload as a string (a copy).
func (m *Message) String() string { return string(m.Data) }
