package plezi

import (
	"net/http"
	"reflect"
)

// eventMethod is a JSON event handler: an exported method taking Params.
// It is found at registration; the call goes through reflect.Value.Call
// (event names are data, so no static interface can name them).
type eventMethod struct {
	fn   reflect.Value // the method expression, receiver first
	outs int           // 0, 1 (any or error) or 2 (any, error)
	err1 bool          // the single result is an error
}

var (
	paramsType = reflect.TypeFor[Params]()
	errorType  = reflect.TypeFor[error]()
	anyType    = reflect.TypeFor[any]()
)

// reserved are methods that never answer events.
var reserved = map[string]bool{
	"OnMessage": true, "OnSSE": true, "OnOpen": true, "OnClose": true,
	"OnDrained": true, "OnShutdown": true, "PreConnect": true, "Unknown": true, "ErrorPage": true,
}

// bindEvents finds the event methods of pointer type pt: exported
// methods taking one Params and returning nothing, any, error or (any,
// error). An event "chat" calls Chat (or chat's exact name).
func (ct *ctrlType) bindEvents(pt reflect.Type) string {
	for i := 0; i < pt.NumMethod(); i++ {
		m := pt.Method(i)
		em, ok := eventShape(m)
		if !ok {
			continue
		}
		if m.Name == "Unknown" {
			ct.unknown = &em
			continue
		}
		if reserved[m.Name] {
			continue
		}
		if ct.events == nil {
			ct.events = map[string]eventMethod{}
		}
		ct.events[m.Name] = em
		if lf := lowerFirst(m.Name); lf != m.Name {
			if _, taken := pt.MethodByName(lf); !taken {
				ct.events[lf] = em
			}
		}
	}
	return ""
}

// eventShape checks a method's signature.
func eventShape(m reflect.Method) (eventMethod, bool) {
	t := m.Type
	if t.NumIn() != 2 || t.In(1) != paramsType {
		return eventMethod{}, false
	}
	em := eventMethod{fn: m.Func, outs: t.NumOut()}
	switch em.outs {
	case 0:
	case 1:
		em.err1 = t.Out(0) == errorType
		if !em.err1 && t.Out(0) != anyType {
			return eventMethod{}, false
		}
	case 2:
		if t.Out(0) != anyType || t.Out(1) != errorType {
			return eventMethod{}, false
		}
	default:
		return eventMethod{}, false
	}
	return em, true
}

// call runs the event method on inst with msg.
func (em *eventMethod) call(inst any, msg Params) (any, error) {
	out := em.fn.Call([]reflect.Value{reflect.ValueOf(inst), reflect.ValueOf(msg)})
	switch {
	case em.outs == 0:
		return nil, nil
	case em.outs == 1 && em.err1:
		err, _ := out[0].Interface().(error)
		return nil, err
	case em.outs == 1:
		return out[0].Interface(), nil
	}
	err, _ := out[1].Interface().(error)
	return out[0].Interface(), err
}

// dispatches reports whether the controller takes JSON events.
func (ct *ctrlType) dispatches() bool { return len(ct.events) > 0 || ct.unknown != nil }

// eventOf returns the event name of a decoded JSON message.
func eventOf(msg Params) (string, bool) {
	ev, ok := msg["event"].(string)
	return ev, ok
}

// dispatchHTTP answers a POST whose JSON body names an event: the method
// of that name runs with the message and its return value is the
// response. A nil result answers {"event":"_ack_","_EID_":...} when the
// message has an _EID_, and an empty 200 otherwise. An unknown event
// goes to Unknown, or gets a 404 {"event":"_error_",...}.
func (c *Controller) dispatchHTTP(inst any, ct *ctrlType, msg Params, ev string) (any, error) {
	em, ok := ct.events[ev]
	if !ok {
		if ct.unknown == nil {
			c.w.Header().Set("Content-Type", "application/json")
			c.w.WriteHeader(http.StatusNotFound)
			return unknownEvent(ev), nil
		}
		em = *ct.unknown
	}
	v, err := em.call(inst, msg)
	if err == nil && v == nil {
		if eid, ok := msg["_EID_"]; ok {
			return ack(eid), nil
		}
	}
	return v, err
}

// ack is the acknowledgement of a message carrying an _EID_.
func ack(eid any) map[string]any { return map[string]any{"event": "_ack_", "_EID_": eid} }

// unknownEvent is the error event for an event no method answers.
func unknownEvent(ev string) map[string]any {
	return map[string]any{"event": "_error_", "status": 404, "message": "unknown event", "request": ev}
}
