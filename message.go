package plezi

import (
	"bytes"
	"encoding/json"
	"errors"
)

// receive handles one message: a text message that is a JSON object with
// a string "event" is dispatched to the event method of that name; any
// other message goes to OnMessage.
func (lc *liveConn) receive(data []byte, text bool) {
	lc.text = text
	if text && lc.ct.dispatches() {
		if msg, ev, ok := decodeEvent(data); ok {
			lc.dispatch(msg, ev)
			return
		}
	}
	if m, ok := lc.inst.(Messenger); ok {
		lc.guard("OnMessage", func() { m.OnMessage(data) })
	}
}

// decodeEvent decodes a JSON event message: an object with a string
// "event". Anything else (not JSON, not an object, no event) is not one.
func decodeEvent(data []byte) (Params, string, bool) {
	d := bytes.TrimLeft(data, " \t\r\n")
	if len(d) == 0 || d[0] != '{' {
		return nil, "", false
	}
	dec := json.NewDecoder(bytes.NewReader(d))
	dec.UseNumber()
	var v map[string]any
	if dec.Decode(&v) != nil || dec.More() {
		return nil, "", false
	}
	msg := fromJSON(v).(Params)
	ev, ok := eventOf(msg)
	return msg, ev, ok
}

// dispatch calls the method an event names and writes its return value
// back: an "_EID_" is acknowledged first, an unknown event goes to
// Unknown or is answered with an "_error_" event, and an error result is
// answered with an "_error_" event.
func (lc *liveConn) dispatch(msg Params, ev string) {
	if eid, ok := msg["_EID_"]; ok {
		lc.c.Write(ack(eid))
	}
	em, ok := lc.ct.events[ev]
	if !ok {
		if lc.ct.unknown == nil {
			lc.c.Write(unknownEvent(ev))
			return
		}
		em = *lc.ct.unknown
	}
	v, err := lc.call(em, msg)
	switch {
	case err != nil:
		lc.c.Write(lc.errorEvent(ev, err))
	case v != nil:
		if err := lc.c.Write(v); err != nil && !errors.Is(err, ErrNotConnected) {
			lc.app.log("write of "+ev+"'s result", err)
		}
	}
}

// call runs an event method, turning a panic into an error.
func (lc *liveConn) call(em eventMethod, msg Params) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errPanic(lc.inst, p)
		}
	}()
	return em.call(lc.inst, msg)
}

// errorEvent is the "_error_" event answering a failed event method. The
// text of a 5xx error is logged, never sent.
func (lc *liveConn) errorEvent(ev string, err error) map[string]any {
	status := statusOf(err)
	text := publicMessage(status, err)
	if status >= 500 {
		lc.app.log("event "+ev, err)
		text = "internal error"
	}
	return map[string]any{"event": "_error_", "status": status, "message": text, "request": ev}
}
