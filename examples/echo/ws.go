package main

import (
	"net/http"

	"github.com/plezi-go/plezi/websocket"
)

// maxMessage is the largest message /ws echoes (the browser test sends
// 1 MiB).
const maxMessage = 4 << 20

// serveWS answers /ws with a WebSocket echo.
func serveWS(w http.ResponseWriter, r *http.Request) {
	websocket.Upgrade(w, r, echo{}, &websocket.Options{MaxMessage: maxMessage}) // a refused request got its 4xx
}

// echo sends every message back as it came: text as text, binary as
// binary.
type echo struct{}

func (echo) OnMessage(c *websocket.Conn, data []byte, text bool) {
	if text {
		c.WriteText(data)
	} else {
		c.WriteBinary(data)
	}
}
