package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/internal/enginetest"
	"github.com/plezi-go/plezi/websocket"
)

// message is one message a client received.
type message struct {
	data []byte
	text bool
}

// collector hands the messages a client receives to a channel.
type collector chan message

func (c collector) OnMessage(_ *websocket.Conn, data []byte, text bool) {
	c <- message{bytes.Clone(data), text}
}

// TestWS: /ws echoes text as text and binary as binary, unicode and 1 MiB
// included, with and without permessage-deflate.
func TestWS(t *testing.T) {
	base := startEcho(t)
	e := &engine.Engine{Loops: 1, IgnoreSignals: true}
	enginetest.Run(t, e)
	big := make([]byte, 1<<20)
	rand.Read(big)
	bigText := []byte(strings.Repeat("héllo 世界 ", 1<<20/16))
	for _, compress := range []bool{true, false} {
		got := make(collector, 16)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, _, err := websocket.Dial(ctx, strings.Replace(base, "http", "ws", 1)+"/ws", got,
			&websocket.Options{Engine: e, DisableCompression: !compress, MaxMessage: 4 << 20})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if c.Compressed() != compress {
			t.Errorf("compression %v, want %v", c.Compressed(), compress)
		}
		sends := []message{
			{[]byte("hello"), true},
			{[]byte("héllo 世界 🎉"), true},
			{[]byte{0, 1, 2, 0xff, 0xfe}, false},
			{[]byte{}, true},
			{big, false},
			{bigText, true},
		}
		for _, m := range sends {
			if m.text {
				err = c.WriteText(m.data)
			} else {
				err = c.WriteBinary(m.data)
			}
			if err != nil {
				t.Fatal(err)
			}
			select {
			case r := <-got:
				if r.text != m.text || !bytes.Equal(r.data, m.data) {
					t.Fatalf("compress %v: sent %d bytes (text %v), got %d (text %v)", compress, len(m.data), m.text, len(r.data), r.text)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("compress %v: no echo of %d bytes", compress, len(m.data))
			}
		}
		c.Close(1000, "bye")
	}
}
