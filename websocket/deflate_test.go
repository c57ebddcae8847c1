package websocket_test

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"testing"

	"github.com/plezi-go/plezi/websocket"
)

// deflater compresses client messages, keeping its context across
// messages unless reset is set.
type deflater struct {
	buf   bytes.Buffer
	w     *flate.Writer
	reset bool
}

func newDeflater(reset bool) *deflater {
	d := &deflater{reset: reset}
	d.w, _ = flate.NewWriter(&d.buf, flate.BestSpeed)
	return d
}

func (d *deflater) compress(msg []byte) []byte {
	d.buf.Reset()
	if d.reset {
		d.w.Reset(&d.buf)
	}
	d.w.Write(msg)
	d.w.Flush()
	return bytes.Clone(bytes.TrimSuffix(d.buf.Bytes(), []byte{0, 0, 0xff, 0xff}))
}

// inflate decompresses one server message (the server keeps no context).
func inflate(t testing.TB, p []byte) []byte {
	t.Helper()
	r := flate.NewReader(io.MultiReader(bytes.NewReader(p), bytes.NewReader([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff})))
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	return out
}

// expectDeflated reads a data frame and checks it inflates to want, with
// RSV1 set exactly when want is 128 bytes or more (the threshold).
func (r *rawClient) expectDeflated(op byte, want []byte) {
	r.t.Helper()
	f, err := r.read()
	if err != nil || f.op != op || !f.fin {
		r.t.Fatalf("got %+v %v", f.op, err)
	}
	got := f.data
	if f.rsv == 4 {
		got = inflate(r.t, f.data)
	}
	if (f.rsv == 4) != (len(want) >= 128) || !bytes.Equal(got, want) {
		r.t.Fatalf("rsv %d, %d bytes; want %d bytes", f.rsv, len(got), len(want))
	}
}

const offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"

// Section 12: compressed messages of many sizes, both ways, on a
// connection whose client keeps its compression context.
func TestAutobahn12Deflate(t *testing.T) {
	var cases []rawCase
	for _, n := range []int{16, 64, 127, 128, 256, 1024, 4096, 32768, 131072} {
		cases = append(cases, rawCase{"12.x size " + itoa(n), func(r *rawClient) {
			if !strings.Contains(r.respHead, "permessage-deflate") || !strings.Contains(r.respHead, "server_no_context_takeover") {
				r.t.Fatalf("no deflate answer: %q", r.respHead)
			}
			d := newDeflater(false)
			for i := 0; i < 5; i++ {
				msg := bytes.Repeat([]byte("Hello, compressed world! "+itoa(i)), n/24+1)[:n]
				r.send(frame(true, 4, 1, d.compress(msg)))
				r.expectDeflated(1, msg)
			}
		}})
	}
	runSection(t, nil, offer, cases)
}

// Section 13: the negotiation parameters, then messages under each.
func TestAutobahn13DeflateParams(t *testing.T) {
	offers := map[string]string{
		"13.1 plain":                    "permessage-deflate",
		"13.2 client_no_context":        "permessage-deflate; client_no_context_takeover",
		"13.3 server window 15":         "permessage-deflate; server_max_window_bits=15",
		"13.4 client window 9":          "permessage-deflate; client_max_window_bits=9",
		"13.5 both no context":          "permessage-deflate; client_no_context_takeover; server_no_context_takeover",
		"13.6 declined window, then ok": "permessage-deflate; server_max_window_bits=9, permessage-deflate",
	}
	for name, ext := range offers {
		t.Run(name, func(t *testing.T) {
			runSection(t, nil, "Sec-WebSocket-Extensions: "+ext+"\r\n", []rawCase{{"echo", func(r *rawClient) {
				if !strings.Contains(r.respHead, "permessage-deflate") {
					t.Fatalf("not negotiated: %q", r.respHead)
				}
				d := newDeflater(strings.Contains(ext, "client_no_context"))
				for _, msg := range []string{strings.Repeat("abc", 100), "short", strings.Repeat("xyz", 1000)} {
					r.send(frame(true, 4, 2, d.compress([]byte(msg))))
					r.expectDeflated(2, []byte(msg))
				}
			}}})
		})
	}
}

// TestDeflateViolations: what a compressed connection refuses.
func TestDeflateViolations(t *testing.T) {
	zeros := newDeflater(true).compress(make([]byte, 1<<20))
	badText := newDeflater(true).compress([]byte("ok\xff"))
	runSection(t, &websocket.Options{MaxMessage: 64 << 10}, offer, []rawCase{
		failCase("compressed ping", 1002, frame(true, 4, 9, []byte{0})),
		failCase("RSV1 on a continuation", 1002, frame(false, 4, 1, newDeflater(true).compress([]byte("a"))), frame(true, 4, 0, []byte{0})),
		failCase("corrupt deflate", 1007, frame(true, 4, 2, []byte{0xff, 0xff, 0xff, 0xff, 0xff})),
		failCase("inflates past the limit", 1009, frame(true, 4, 2, zeros)),
		failCase("invalid UTF-8 after inflating", 1007, frame(true, 4, 1, badText)),
		failCase("RSV2 with deflate", 1002, frame(true, 2, 1, []byte("a"))),
		{"uncompressed message on a compressed connection", func(r *rawClient) {
			r.send(text("plain"))
			r.expectDeflated(1, []byte("plain"))
		}},
	})
	// Without an offer, RSV1 is a reserved bit.
	runSection(t, nil, "", []rawCase{failCase("RSV1 not negotiated", 1002, frame(true, 4, 1, newDeflater(true).compress([]byte("a"))))})
	// DisableCompression ignores the offer.
	runSection(t, &websocket.Options{DisableCompression: true}, offer, []rawCase{{"offer ignored", func(r *rawClient) {
		if strings.Contains(r.respHead, "deflate") {
			r.t.Fatalf("negotiated although disabled: %q", r.respHead)
		}
	}}})
}
