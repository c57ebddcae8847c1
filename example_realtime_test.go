package plezi_test

import (
	"fmt"
	"strings"

	gws "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/engine"
)

// Echoer is a real-time controller: OnMessage makes it accept WebSocket,
// Greet answers the JSON event "greet".
type Echoer struct{ plezi.Controller }

func (c *Echoer) OnMessage(data []byte) { c.Write("echo: " + string(data)) }
func (c *Echoer) Greet(m plezi.Params) any {
	return map[string]string{"event": "greeting", "text": "hello " + m.Get("name")}
}

// A WebSocket controller: plain messages go to OnMessage, JSON events to
// the method they name, acknowledged first when they carry an _EID_.
func ExampleController_Write() {
	app := &plezi.App{Engine: &engine.Engine{IgnoreSignals: true}}
	app.Route("/echo", &Echoer{})
	ln, _ := app.Listen("127.0.0.1:0")
	go app.Start()
	defer app.Stop()

	ws, _, err := gws.DefaultDialer.Dial("ws://"+ln.Addr().String()+"/echo", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ws.Close()
	for _, msg := range []string{"hi", `{"event":"greet","name":"Ann","_EID_":1}`} {
		ws.WriteMessage(gws.TextMessage, []byte(msg))
	}
	for range 3 {
		_, p, _ := ws.ReadMessage()
		fmt.Println(string(p))
	}
	// Output:
	// echo: hi
	// {"_EID_":1,"event":"_ack_"}
	// {"event":"greeting","text":"hello Ann"}
}

// Lobby broadcasts what it is told to every Lobby connection.
type Lobby struct{ plezi.Controller }

func (c *Lobby) OnOpen()               { c.Write("welcome") } // subscribed by now
func (c *Lobby) OnMessage(data []byte) { c.Broadcast("everyone: " + string(data)) }

// Broadcast reaches every connection of a controller type; Unicast one
// connection by its ID, wherever it is.
func ExampleApp_Broadcast() {
	app := &plezi.App{Engine: &engine.Engine{IgnoreSignals: true}}
	app.Route("/lobby", &Lobby{})
	ln, _ := app.Listen("127.0.0.1:0")
	go app.Start()
	defer app.Stop()
	url := "ws://" + ln.Addr().String() + "/lobby"

	a, _, _ := gws.DefaultDialer.Dial(url, nil)
	b, _, _ := gws.DefaultDialer.Dial(url, nil)
	defer a.Close()
	defer b.Close()
	a.ReadMessage() // welcome
	b.ReadMessage()
	app.Broadcast(&Lobby{}, "from the server")
	_, p1, _ := a.ReadMessage()
	_, p2, _ := b.ReadMessage()
	fmt.Println(string(p1), "|", string(p2))
	a.WriteMessage(gws.TextMessage, []byte("hi"))
	_, p3, _ := b.ReadMessage()
	fmt.Println(strings.ToUpper(string(p3)))
	// Output:
	// from the server | from the server
	// EVERYONE: HI
}
