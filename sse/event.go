package sse

import (
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Event is one server-sent event. Its zero fields are left out of the
// encoding.
type Event struct {
	// ID becomes the client's last event ID, which a reconnecting
	// EventSource sends back as the Last-Event-ID header. It must not
	// contain CR, LF or NUL (browsers ignore an id with NUL, so it is
	// refused rather than silently lost). Empty means no id field.
	ID string

	// Event is the event type (addEventListener's name); empty means the
	// default, "message". It must not contain CR or LF.
	Event string

	// Data is the payload. Lines may end with LF, CRLF or CR: each line
	// goes out as its own data field and the client joins them with LF
	// (so CRLF and CR arrive as LF). An event with empty Data and empty
	// Event has no data field: clients dispatch nothing but still take
	// its ID and Retry. With an Event type, empty Data dispatches an
	// event whose data is "".
	Data []byte

	// Retry, when positive, asks the client to wait that long before
	// reconnecting (sent in whole milliseconds, at least 1).
	Retry time.Duration
}

// AppendEvent appends the text/event-stream encoding of ev to dst and
// returns the extended slice: the id, event, retry and data fields, then
// the blank line that dispatches the event. It is sans-IO and does not
// allocate beyond growing dst. An ID or Event that cannot be encoded is
// refused with an *EventError and dst is returned unchanged.
func AppendEvent(dst []byte, ev *Event) ([]byte, error) {
	if err := ev.check(); err != nil {
		return dst, err
	}
	if ev.ID != "" {
		dst = appendField(dst, "id: ", ev.ID)
	}
	if ev.Event != "" {
		dst = appendField(dst, "event: ", ev.Event)
	}
	if ev.Retry > 0 {
		dst = append(dst, "retry: "...)
		dst = strconv.AppendInt(dst, max(ev.Retry.Milliseconds(), 1), 10)
		dst = append(dst, '\n')
	}
	if len(ev.Data) > 0 {
		// The bytes are only read: view them as a string, without a copy.
		dst = appendLines(dst, "data: ", unsafe.String(unsafe.SliceData(ev.Data), len(ev.Data)))
	} else if ev.Event != "" {
		dst = append(dst, "data:\n"...)
	}
	return append(dst, '\n'), nil
}

// AppendComment appends text as comment lines (": text"), one per line of
// text, which clients ignore. An empty text appends ":\n". Comments keep
// idle connections (and the proxies on their way) alive.
func AppendComment(dst []byte, text string) []byte {
	if text == "" {
		return append(dst, ":\n"...)
	}
	return appendLines(dst, ": ", text)
}

// check refuses what the encoding cannot carry.
func (ev *Event) check() error {
	switch badByte(ev.ID, true) {
	case '\r', '\n':
		return &EventError{Field: "id", Reason: "contains CR or LF"}
	case 0:
		return &EventError{Field: "id", Reason: "contains NUL (clients ignore such an id)"}
	}
	if badByte(ev.Event, false) >= 0 {
		return &EventError{Field: "event", Reason: "contains CR or LF"}
	}
	return nil
}

// badByte returns the first CR or LF (or NUL, with nul) in s, or -1. Ids
// and event types are short: a plain loop beats IndexAny's set-up.
func badByte(s string, nul bool) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || (nul && c == 0) {
			return int(c)
		}
	}
	return -1
}

func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, value...)
	return append(dst, '\n')
}

// appendLines writes one prefix-led line per line of text, splitting on
// LF, CRLF and CR (the line ends of the event-stream format).
func appendLines(dst []byte, prefix string, text string) []byte {
	for {
		i := lineEnd(text)
		dst = append(dst, prefix...)
		if i < 0 {
			dst = append(dst, text...)
			return append(dst, '\n')
		}
		dst = append(dst, text[:i]...)
		dst = append(dst, '\n')
		next := i + 1
		if text[i] == '\r' && next < len(text) && text[next] == '\n' {
			next++
		}
		text = text[next:]
	}
}

// lineEnd returns the index of the first CR or LF in text, or -1. Two
// IndexByte scans (vectorized) beat one loop over the bytes; the CR scan
// stops at the first LF.
func lineEnd(text string) int {
	i := strings.IndexByte(text, '\n')
	head := text
	if i >= 0 {
		head = text[:i]
	}
	if j := strings.IndexByte(head, '\r'); j >= 0 {
		return j
	}
	return i
}
