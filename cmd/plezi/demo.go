package main

import (
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/pubsub"
)

//go:embed demo.html
var demoPage []byte

// The demo's limits and pace.
const (
	maxName     = 40
	maxText     = 2000
	jobSteps    = 5
	jobPace     = 300 * time.Millisecond
	clockPeriod = time.Second
	// clockChannel carries the clock: dispatched to this process's
	// subscribers only, so that several servers do not tick each other.
	clockChannel = "demo:clock"
)

// setupDemo adds the demo's routes and its clock to a.
func setupDemo(a *plezi.App) error {
	for _, r := range []struct {
		pattern string
		c       any
	}{{"/", &Home{}}, {"/hello", &Hello{}}, {"/chat", &Chat{}}} {
		if err := a.Route(r.pattern, r.c); err != nil {
			return err
		}
	}
	a.RunEvery(clockPeriod, 0, func() {
		b, _ := json.Marshal(map[string]string{"event": "clock", "time": time.Now().Format("15:04:05")})
		a.Broker().Dispatch(pubsub.NewMessage(clockChannel, b))
	})
	return nil
}

// Home serves the chat page.
type Home struct{ plezi.Controller }

// Index returns the page.
func (c *Home) Index() any { return demoPage }

// Hello is the plain-text hello.
type Hello struct{ plezi.Controller }

// Index says hello.
func (c *Hello) Index() any {
	c.ResponseWriter().Header().Set("Content-Type", "text/plain; charset=utf-8")
	return "Hello World"
}

// Chat is the chat room: WebSocket, or EventSource with POSTed messages.
type Chat struct {
	plezi.Controller
	name string
}

// OnMessage answers messages that are not JSON events.
func (c *Chat) OnMessage([]byte) {
	c.Write(map[string]any{"event": "_error_", "status": 400, "message": "send JSON events"})
}

// OnSSE makes the room accept EventSource clients.
func (c *Chat) OnSSE() {}

// OnOpen subscribes the connection to the clock and tells the client its
// ID.
func (c *Chat) OnOpen() {
	c.Subscribe(clockChannel, nil)
	c.Write(map[string]string{"event": "welcome", "id": c.ID()})
}

// OnClose tells the room that a participant left.
func (c *Chat) OnClose() {
	if c.name != "" {
		c.Broadcast(map[string]string{"event": "left", "id": c.ID(), "name": c.name})
	}
}

// Join sets the participant's nickname and announces it.
func (c *Chat) Join(m plezi.Params) error {
	name, err := field(m, "name", maxName)
	if err != nil {
		return err
	}
	c.name = name
	return c.Broadcast(map[string]string{"event": "joined", "id": c.ID(), "name": name})
}

// Here answers a newcomer (whose ID is "to") with this participant's
// presence, wherever the newcomer is connected.
func (c *Chat) Here(m plezi.Params) error {
	if c.name == "" {
		return nil
	}
	return c.Unicast(m.Get("to"), map[string]string{"event": "present", "id": c.ID(), "name": c.name})
}

// Chat sends {"event":"chat","name":N,"text":T} to every participant.
func (c *Chat) Chat(m plezi.Params) error {
	name := c.name
	if n := strings.TrimSpace(m.Get("name")); n != "" {
		name = n
	}
	if name == "" || utf8.RuneCountInString(name) > maxName {
		return plezi.Error(400, "a name of 1 to 40 characters is needed")
	}
	text, err := field(m, "text", maxText)
	if err != nil {
		return err
	}
	return c.Broadcast(map[string]string{"event": "chat", "name": name, "text": text})
}

// Job starts a slow job: each step's work runs on the task pool (Run),
// and its progress goes back to this client only, under the connection's
// guarantee (Defer). Steps are paced by a timer, not by sleeping.
func (c *Chat) Job(plezi.Params) (any, error) {
	if !c.Open() {
		return nil, plezi.Error(400, "the slow job needs a live connection")
	}
	var step func(i int)
	step = func(i int) {
		c.Run(func() {
			detail := work(i)
			c.Defer(func() {
				c.Write(map[string]any{"event": "progress", "step": i, "of": jobSteps,
					"percent": i * 100 / jobSteps, "detail": detail})
			})
			if i < jobSteps && c.Open() {
				c.App().RunAfter(jobPace, func() { step(i + 1) })
			}
		})
	}
	step(1)
	return map[string]string{"event": "job", "status": "started"}, nil
}

// work is a step of the slow job: a little hashing.
func work(i int) string {
	sum := sha256.Sum256([]byte{byte(i)})
	for range 20000 {
		sum = sha256.Sum256(sum[:])
	}
	return fmt.Sprintf("%x", sum[:4])
}

// field returns a trimmed, non-empty string parameter of at most max
// characters.
func field(m plezi.Params, key string, max int) (string, error) {
	v := strings.TrimSpace(m.Get(key))
	if v == "" || utf8.RuneCountInString(v) > max {
		return "", plezi.Error(400, fmt.Sprintf("%s: 1 to %d characters", key, max))
	}
	return v, nil
}
