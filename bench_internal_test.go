package plezi

import "testing"

type benchCtrl struct{ Controller }

func (c *benchCtrl) OnMessage([]byte)            {}
func (c *benchCtrl) Chat(m Params) any           { return nil }
func (c *benchCtrl) Unknown(m Params) any        { return nil }
func (c *benchCtrl) Other(m Params) (any, error) { return m, nil }

// BenchmarkDispatch: the server side of a JSON event alone: decode into
// Params, find the method, call it through reflection (no transport, so
// nothing is written).
func BenchmarkDispatch(b *testing.B) {
	ct, reason := analyze(&benchCtrl{})
	if reason != "" {
		b.Fatal(reason)
	}
	inst := ct.newInstance()
	lc := &liveConn{app: &App{}, ct: ct, inst: inst, c: inst.(controllerBase).base()}
	msg := []byte(`{"event":"chat","name":"ann","text":"hello there"}`)
	b.ReportAllocs()
	for b.Loop() {
		lc.receive(msg, true)
	}
}

// BenchmarkReceivePlain: a text message that is not JSON goes straight
// to OnMessage.
func BenchmarkReceivePlain(b *testing.B) {
	ct, _ := analyze(&benchCtrl{})
	inst := ct.newInstance()
	lc := &liveConn{app: &App{}, ct: ct, inst: inst, c: inst.(controllerBase).base()}
	msg := []byte(`hello there`)
	b.ReportAllocs()
	for b.Loop() {
		lc.receive(msg, true)
	}
}
