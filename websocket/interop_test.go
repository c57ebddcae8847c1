package websocket_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
	"github.com/plezi-go/plezi/websocket"
)

func payload(n int, text bool) []byte {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range b {
		if text {
			b[i] = 'a' + byte(rng.IntN(26))
		} else {
			b[i] = byte(rng.Uint32())
		}
	}
	return b
}

// sizes of the round-trip tests: every length class of the frame
// header. 16 MiB messages go through TestBigMessages once per direction
// (under the race detector a peer library takes seconds per 16 MiB).
var sizes = []int{0, 1, 125, 126, 65535, 65536, 1 << 20}

// sizesFor returns the sizes for a server kind: the httpd paths differ
// from the hijack path only in the handshake, so they skip the 1 MiB
// round trip.
func sizesFor(kind string) []int {
	if kind == plain {
		return sizes
	}
	return sizes[:len(sizes)-1]
}

// TestBigMessages: 16 MiB each way, gorilla's client against our server
// and our client against gorilla's server.
func TestBigMessages(t *testing.T) {
	big := payload(16<<20, false)
	t.Run("gorilla client", func(t *testing.T) {
		url := serveWS(t, modes[0], plain, echo, &websocket.Options{MaxMessage: 17 << 20})
		ws, _, err := gorilla.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		ws.SetReadLimit(32 << 20)
		ws.SetReadDeadline(time.Now().Add(30 * time.Second))
		gorillaRoundTrip(t, ws, big, false)
	})
	t.Run("Dial to gorilla", func(t *testing.T) {
		e := startEngine(t, modes[0])
		b := newInbox()
		c, _, err := websocket.Dial(context.Background(), gorillaEcho(t), b, &websocket.Options{Engine: e, MaxMessage: 17 << 20, DisableCompression: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(websocket.CloseNormal, "")
		c.WriteBinary(big)
		if got := recv(t, b.msgs, 30*time.Second); !bytes.Equal(got, big) {
			t.Fatalf("got %d bytes", len(got))
		}
	})
}

// TestGorillaClient: gorilla's client against our three server paths,
// text and binary from 0 bytes to 16 MiB, compressed and not, and a
// message written in several pieces (fragments).
func TestGorillaClient(t *testing.T) {
	for _, kind := range kinds {
		for _, compress := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/compress=%v", kind, compress), func(t *testing.T) {
				url := serveWS(t, modes[0], kind, echo, &websocket.Options{MaxMessage: 17 << 20})
				d := gorilla.Dialer{EnableCompression: compress, HandshakeTimeout: 5 * time.Second}
				ws, resp, err := d.Dial(url, nil)
				if err != nil {
					t.Fatalf("dial: %v %v", err, resp)
				}
				defer ws.Close()
				ws.SetReadLimit(32 << 20)
				ws.SetReadDeadline(time.Now().Add(30 * time.Second))
				for _, n := range sizesFor(kind) {
					for _, text := range []bool{true, false} {
						gorillaRoundTrip(t, ws, payload(n, text), text)
					}
				}
				gorillaFragmented(t, ws)
			})
		}
	}
}

func gorillaRoundTrip(t *testing.T, ws *gorilla.Conn, msg []byte, text bool) {
	t.Helper()
	typ := gorilla.BinaryMessage
	if text {
		typ = gorilla.TextMessage
	}
	if err := ws.WriteMessage(typ, msg); err != nil {
		t.Fatal(err)
	}
	gt, got, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("%d bytes: %v", len(msg), err)
	}
	if gt != typ || !bytes.Equal(got, msg) {
		t.Fatalf("%d bytes: got type %d, %d bytes", len(msg), gt, len(got))
	}
}

func gorillaFragmented(t *testing.T, ws *gorilla.Conn) {
	t.Helper()
	w, err := ws.NextWriter(gorilla.TextMessage)
	if err != nil {
		t.Fatal(err)
	}
	want := payload(10000, true)
	for i := 0; i < len(want); i += 3000 {
		w.Write(want[i:min(i+3000, len(want))])
		if f, ok := w.(interface{ Flush() error }); ok {
			f.Flush()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, got, err := ws.ReadMessage()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("fragmented: %v, %d bytes", err, len(got))
	}
}

// TestCoderClient: coder/websocket's client, with context takeover and
// without, streaming writes through its Writer (fragments).
func TestCoderClient(t *testing.T) {
	modesC := map[string]coder.CompressionMode{
		"none": coder.CompressionDisabled, "takeover": coder.CompressionContextTakeover, "no-takeover": coder.CompressionNoContextTakeover,
	}
	for _, kind := range kinds {
		for name, cm := range modesC {
			t.Run(kind+"/"+name, func(t *testing.T) {
				url := serveWS(t, modes[0], kind, echo, &websocket.Options{MaxMessage: 17 << 20})
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				ws, _, err := coder.Dial(ctx, url, &coder.DialOptions{CompressionMode: cm})
				if err != nil {
					t.Fatal(err)
				}
				defer ws.CloseNow()
				ws.SetReadLimit(32 << 20)
				for _, n := range sizesFor(kind) {
					for _, text := range []bool{true, false} {
						coderRoundTrip(t, ctx, ws, payload(n, text), text)
					}
				}
				coderFragmented(t, ctx, ws)
				if err := ws.Close(coder.StatusNormalClosure, "bye"); err != nil {
					t.Fatalf("close: %v", err)
				}
			})
		}
	}
}

func coderRoundTrip(t *testing.T, ctx context.Context, ws *coder.Conn, msg []byte, text bool) {
	t.Helper()
	typ := coder.MessageBinary
	if text {
		typ = coder.MessageText
	}
	if err := ws.Write(ctx, typ, msg); err != nil {
		t.Fatal(err)
	}
	gt, got, err := ws.Read(ctx)
	if err != nil || gt != typ || !bytes.Equal(got, msg) {
		t.Fatalf("%d bytes: %v, type %v, %d bytes", len(msg), err, gt, len(got))
	}
}

func coderFragmented(t *testing.T, ctx context.Context, ws *coder.Conn) {
	t.Helper()
	w, err := ws.Writer(ctx, coder.MessageBinary)
	if err != nil {
		t.Fatal(err)
	}
	want := payload(50000, false)
	for i := 0; i < len(want); i += 7000 {
		if _, err := w.Write(want[i:min(i+7000, len(want))]); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	_, r, err := ws.Reader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("fragmented: %v, %d bytes", err, len(got))
	}
}
