package pubsub

import (
	"container/list"
	"sort"
	"sync"
	"time"
)

// History defaults, used for zero fields.
const (
	DefaultHistoryCount       = 100
	DefaultHistoryAge         = 5 * time.Minute
	DefaultHistoryMaxChannels = 10000
)

// History is a bounded in-memory per-channel history of published
// messages, for resuming (see Resumer). Bounds and policy:
//
//   - Count messages per channel (default 100): older ones are dropped;
//   - Age (default 5 minutes; negative: no age bound): older messages are
//     dropped;
//   - MaxChannels channels (default 10,000): publishing to one more drops
//     the history of the channel published to least recently.
//
// A dropped message makes resuming from before it fail with a *GapError,
// as does resuming from an ID earlier than this History's creation (those
// messages are not known here). Set the fields before first use; the zero
// value is ready. Safe for concurrent use.
type History struct {
	Count       int
	Age         time.Duration
	MaxChannels int

	mu      sync.Mutex
	chans   map[string]*list.Element // of *ring; front: most recently published
	lru     list.List
	last    ID // the last ID given
	horizon ID // dropped channels' messages all had IDs up to this
	now     func() time.Time
}

// ring is one channel's retained messages, oldest first.
type ring struct {
	channel string
	msgs    []*Message
	ids     []ID
	dropped ID // messages up to this ID may be gone (dropped, or before the ring)
}

// NewHistory returns a History with the given bounds (0: the default).
func NewHistory(count int, age time.Duration) *History {
	return &History{Count: count, Age: age}
}

// initLocked fills defaults on first use. h.mu must be held.
func (h *History) initLocked() {
	if h.chans != nil {
		return
	}
	h.chans = make(map[string]*list.Element)
	if h.now == nil {
		h.now = time.Now
	}
	if h.Count <= 0 {
		h.Count = DefaultHistoryCount
	}
	if h.Age == 0 {
		h.Age = DefaultHistoryAge
	}
	if h.MaxChannels <= 0 {
		h.MaxChannels = DefaultHistoryMaxChannels
	}
	// Whatever was published before this history existed is unknown.
	h.horizon = ID{Ms: uint64(h.now().UnixMilli())}
	h.last = h.horizon
}

// Append gives m the next ID (m.ID, and m.Time when zero) and records it
// in its channel's history.
func (h *History) Append(m *Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.initLocked()
	now := h.now()
	id := nextID(h.last, now)
	h.last = id
	m.ID = id.String()
	if m.Time.IsZero() {
		m.Time = now
	}
	r := h.ringLocked(m.Channel)
	r.msgs = append(r.msgs, m)
	r.ids = append(r.ids, id)
	h.trimLocked(r, now)
	h.sweepLocked(now)
}

// ringLocked returns channel's ring, moved to the front, creating it (and
// dropping the least recently published one past MaxChannels).
func (h *History) ringLocked(channel string) *ring {
	if e := h.chans[channel]; e != nil {
		h.lru.MoveToFront(e)
		return e.Value.(*ring)
	}
	if len(h.chans) >= h.MaxChannels {
		h.dropLocked(h.lru.Back())
	}
	// Messages of this channel up to the horizon may have been dropped
	// with an earlier ring of it.
	r := &ring{channel: channel, dropped: h.horizon}
	h.chans[channel] = h.lru.PushFront(r)
	return r
}

// dropLocked forgets a channel's history, raising the horizon.
func (h *History) dropLocked(e *list.Element) {
	r := e.Value.(*ring)
	top := r.dropped
	if n := len(r.ids); n > 0 {
		top = r.ids[n-1]
	}
	if h.horizon.Less(top) {
		h.horizon = top
	}
	h.lru.Remove(e)
	delete(h.chans, r.channel)
}

// trimLocked applies the count and age bounds to r.
func (h *History) trimLocked(r *ring, now time.Time) {
	n := 0
	if over := len(r.msgs) - h.Count; over > 0 {
		n = over
	}
	if h.Age > 0 {
		cut := now.Add(-h.Age)
		for n < len(r.msgs) && r.msgs[n].Time.Before(cut) {
			n++
		}
	}
	if n == 0 {
		return
	}
	r.dropped = r.ids[n-1]
	clear(r.msgs[:n])
	r.msgs = r.msgs[n:]
	r.ids = r.ids[n:]
	if cap(r.msgs) > 2*h.Count && len(r.msgs) < cap(r.msgs)/4 {
		r.msgs = append([]*Message(nil), r.msgs...)
		r.ids = append([]ID(nil), r.ids...)
	}
}

// sweepLocked drops the least recently published channel once all its
// messages are past Age, so that idle channels do not hold memory until
// MaxChannels pushes them out.
func (h *History) sweepLocked(now time.Time) {
	e := h.lru.Back()
	if e == nil || e == h.lru.Front() || h.Age <= 0 {
		return
	}
	r := e.Value.(*ring)
	h.trimLocked(r, now)
	if len(r.msgs) == 0 {
		h.dropLocked(e)
	}
}

// Since returns the retained messages of channel after lastID (see
// Resumer).
func (h *History) Since(channel, lastID string) ([]*Message, error) {
	var last ID
	if lastID != "" {
		var err error
		if last, err = ParseID(lastID); err != nil {
			return nil, err
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.initLocked()
	e := h.chans[channel]
	if e == nil {
		if lastID != "" && (last.Less(h.horizon) || h.last.Less(last)) {
			return nil, &GapError{Channel: channel, LastID: lastID}
		}
		return nil, nil
	}
	r := e.Value.(*ring)
	h.trimLocked(r, h.now())
	if lastID == "" {
		return append([]*Message(nil), r.msgs...), nil
	}
	if last.Less(r.dropped) || h.last.Less(last) {
		return nil, &GapError{Channel: channel, LastID: lastID, Oldest: r.oldest()}
	}
	i := sort.Search(len(r.ids), func(i int) bool { return last.Less(r.ids[i]) })
	return append([]*Message(nil), r.msgs[i:]...), nil
}

func (r *ring) oldest() string {
	if len(r.msgs) == 0 {
		return ""
	}
	return r.msgs[0].ID
}
