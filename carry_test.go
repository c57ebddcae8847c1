package plezi_test

import (
	"testing"

	"github.com/plezi-go/plezi"
)

// Passer reads POST bodies (it has Update and events) but takes no POST
// without an id.
type Passer struct{ plezi.Controller }

func (c *Passer) Update() any           { return "passer update" }
func (c *Passer) Ping(plezi.Params) any { return "passer ping" }

// Taker creates.
type Taker struct{ plezi.Controller }

func (c *Taker) Create() any { return "created " + c.Params().Get("name") }

// TestBodyCarriesOver: a controller that read a POST body and passed the
// request on leaves the body to the next route (a body is read once).
func TestBodyCarriesOver(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/things", &Passer{})
	mustRoute(t, a, "/things", &Taker{})
	mustRoute(t, a, "/", &Home{}) // answers GET only: a POST does not stop there
	base := serve(t, a)
	c := client(t)
	resp, body := do(t, c, "POST", base+"/things", "application/x-www-form-urlencoded", "name=ann")
	want(t, "form", resp, body, 200, "created ann")
	resp, body = do(t, c, "POST", base+"/things", "application/json", `{"name":"bob"}`)
	want(t, "json", resp, body, 200, "created bob")
	resp, body = do(t, c, "POST", base+"/things", "application/json", `{"event":"ping"}`)
	want(t, "event", resp, body, 200, "passer ping")
}
