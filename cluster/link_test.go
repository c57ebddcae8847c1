package cluster

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

type frame struct {
	typ  byte
	a, c string
	b    []byte
}

// pipeLinks returns two links joined by a net.Pipe, closed with the test.
func pipeLinks(t *testing.T, limit int) (*link, *link) {
	x, y := net.Pipe()
	a, b := newLink(x, limit), newLink(y, limit)
	t.Cleanup(func() {
		a.close()
		b.close()
		a.wait()
		b.wait()
	})
	return a, b
}

// collect reads frames from l into a channel until the link ends.
func collect(l *link) (<-chan frame, <-chan error) {
	ch, errc := make(chan frame, 1024), make(chan error, 1)
	go func() {
		errc <- l.read(func(typ byte, a string, b []byte, c string) { ch <- frame{typ, a, c, b} })
		close(ch)
	}()
	return ch, errc
}

func next(t *testing.T, ch <-chan frame) frame {
	t.Helper()
	select {
	case f, ok := <-ch:
		if !ok {
			t.Fatal("link ended")
		}
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no frame")
	}
	return frame{}
}

func TestLinkFramesInOrder(t *testing.T) {
	a, b := pipeLinks(t, 0)
	ch, _ := collect(b)
	big := bytes.Repeat([]byte("x"), 1<<20)
	want := []frame{
		{fReady, "", "", nil},
		{fSub, "room", "", nil},
		{fPSub, "room.*", "", nil},
		{fPublish, "room", "", []byte("hello")},
		{fPublish, "", "", nil},
		{fPattern, "room.1", "room.*", big},
		{fUnsub, strings.Repeat("n", maxName), "", nil},
	}
	for _, f := range want {
		if err := a.send(f.typ, f.a, f.b, f.c, false); err != nil {
			t.Fatal(err)
		}
	}
	for i, w := range want {
		g := next(t, ch)
		if g.typ != w.typ || g.a != w.a || g.c != w.c || !bytes.Equal(g.b, w.b) {
			t.Fatalf("frame %d: %c %q %q %d bytes, want %c %q %q %d bytes", i, g.typ, g.a, g.c, len(g.b), w.typ, w.a, w.c, len(w.b))
		}
	}
}

// TestLinkBound: publications past the bound of unsent bytes fail with
// ErrBusy; subscription frames are queued anyway; nothing is lost of
// what was accepted.
func TestLinkBound(t *testing.T) {
	x, y := net.Pipe() // nothing reads y yet: the writer blocks after one write
	a := newLink(x, 1000)
	defer func() { a.close(); a.wait(); y.Close() }()
	msg := make([]byte, 100)
	accepted, busy := 0, 0
	for i := 0; i < 50; i++ {
		switch err := a.send(fPublish, "c", msg, "", false); err {
		case nil:
			accepted++
		case ErrBusy:
			busy++
		default:
			t.Fatal(err)
		}
	}
	if busy == 0 || accepted == 0 {
		t.Fatalf("accepted %d, busy %d: the bound did not apply", accepted, busy)
	}
	if err := a.send(fSub, "forced", nil, "", true); err != nil {
		t.Fatalf("subscription refused: %v", err)
	}
	b := newLink(y, 0)
	ch, _ := collect(b)
	for i := 0; i < accepted; i++ {
		if f := next(t, ch); f.typ != fPublish {
			t.Fatalf("frame %d: %c", i, f.typ)
		}
	}
	if f := next(t, ch); f.typ != fSub || f.a != "forced" {
		t.Fatalf("last frame %c %q", f.typ, f.a)
	}
	b.close()
	b.wait()
}

func TestLinkRefusesOversize(t *testing.T) {
	a, _ := pipeLinks(t, 0)
	if err := a.send(fSub, strings.Repeat("n", maxName+1), nil, "", true); !errors.Is(err, errFrame) {
		t.Fatalf("long name: %v", err)
	}
	a.close()
	if err := a.send(fSub, "x", nil, "", true); err != ErrClosed {
		t.Fatalf("after close: %v", err)
	}
}

func header(typ byte, na, nb, nc uint32) []byte {
	h := make([]byte, headerLen)
	h[0] = typ
	binary.BigEndian.PutUint32(h[1:], na)
	binary.BigEndian.PutUint32(h[5:], nb)
	binary.BigEndian.PutUint32(h[9:], nc)
	return h
}

func TestReadFramesMalformed(t *testing.T) {
	cases := map[string]struct {
		in   []byte
		want error
	}{
		"huge name":   {header(fSub, maxName+1, 0, 0), errFrame},
		"huge data":   {header(fPublish, 1, maxData+1, 0), errFrame},
		"truncated":   {append(header(fPublish, 4, 4, 0), "abc"...), io.ErrUnexpectedEOF},
		"half header": {header(fSub, 1, 0, 0)[:5], io.ErrUnexpectedEOF},
		"clean end":   {append(header(fSub, 1, 0, 0), 'x'), io.EOF},
	}
	for name, c := range cases {
		n := 0
		err := readFrames(bytes.NewReader(c.in), func(byte, string, []byte, string) { n++ })
		if err != c.want {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// FuzzReadFrames: any input ends in an error, never a panic, and every
// frame delivered is within the bounds.
func FuzzReadFrames(f *testing.F) {
	f.Add(append(header(fPublish, 1, 2, 0), "abc"...))
	f.Add(append(header(fPattern, 1, 1, 1), "abc"...))
	f.Add(header(fSub, maxName+1, 0, 0))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		err := readFrames(bytes.NewReader(in), func(typ byte, a string, b []byte, c string) {
			if len(a) > maxName || len(c) > maxName || len(b) > maxData {
				t.Fatalf("frame past the bounds: %d %d %d", len(a), len(b), len(c))
			}
		})
		if err == nil {
			t.Fatal("readFrames returned nil")
		}
	})
}
