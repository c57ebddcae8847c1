package sse_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plezi-go/plezi/sse"
)

// FuzzAppendEvent: every encoded event parses back, with the
// specification's algorithm, to the same event (data lines joined with
// LF), or the encoder refused it for a reason that holds.
func FuzzAppendEvent(f *testing.F) {
	f.Add("1", "", []byte("hello"), int64(0))
	f.Add("", "tick", []byte("a\nb\r\nc\rd"), int64(1500))
	f.Add("é", " space", []byte("héllo 世界\n"), int64(1))
	f.Add("a\x00", "", []byte{}, int64(-5))
	f.Add("x", "y\r", []byte("\r\n\r\n"), int64(0))
	f.Fuzz(func(t *testing.T, id, typ string, data []byte, retryMs int64) {
		ev := &sse.Event{ID: id, Event: typ, Data: data, Retry: time.Duration(retryMs) * time.Millisecond}
		out, err := sse.AppendEvent(nil, ev)
		bad := strings.ContainsAny(id, "\r\n\x00") || strings.ContainsAny(typ, "\r\n")
		if err != nil {
			if !bad {
				t.Fatalf("refused a valid event %+v: %v", ev, err)
			}
			return
		}
		if bad {
			t.Fatalf("encoded an invalid event %+v as %q", ev, out)
		}
		p := newSpecParser()
		items := p.feed(out)
		if p.lastID != id {
			t.Fatalf("last event ID %q, want %q (%q)", p.lastID, id, out)
		}
		wantRetry := int64(-1)
		if ev.Retry > 0 {
			wantRetry = max(ev.Retry.Milliseconds(), 1)
		}
		if p.retry != wantRetry {
			t.Fatalf("retry %d, want %d (%q)", p.retry, wantRetry, out)
		}
		if len(data) == 0 && typ == "" {
			if len(items) != 0 {
				t.Fatalf("control event dispatched %+v (%q)", items, out)
			}
			return
		}
		want := item{Type: typ, Data: string(normalizeEOL(data)), LastID: id}
		if want.Type == "" {
			want.Type = "message"
		}
		if len(items) != 1 || items[0] != want {
			t.Fatalf("parsed %+v, want %+v (%q)", items, want, out)
		}
	})
}

// FuzzAppendComment: a comment never dispatches an event nor changes the
// last event ID, whatever its text.
func FuzzAppendComment(f *testing.F) {
	f.Add("")
	f.Add("keep-alive")
	f.Add("a\r\ndata: x\n\nid: 9\r")
	f.Fuzz(func(t *testing.T, text string) {
		p := newSpecParser()
		for _, it := range p.feed(append(sse.AppendComment(nil, text), '\n')) {
			if !it.IsComment {
				t.Fatalf("comment %q dispatched %+v", text, it)
			}
		}
		if p.lastID != "" || p.retry != -1 {
			t.Fatalf("comment %q changed state: id %q retry %d", text, p.lastID, p.retry)
		}
	})
}

// normalizeEOL turns CRLF and CR into LF, as a client joining data lines
// does.
func normalizeEOL(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
}

// FuzzAccepts: the Accept parser never panics, and accepts only headers
// that name text/event-stream.
func FuzzAccepts(f *testing.F) {
	f.Add("text/event-stream")
	f.Add("text/html, TEXT/EVENT-STREAM;q=0.5")
	f.Add("text/event-stream;q=0")
	f.Add(";;,,=q=,text/event-stream ; q = 0.000")
	f.Add("*/*")
	f.Fuzz(func(t *testing.T, accept string) {
		r, _ := http.NewRequest("GET", "http://x/", nil)
		r.Header["Accept"] = []string{accept}
		if sse.Accepts(r) && !strings.Contains(strings.ToLower(accept), sse.MediaType) {
			t.Fatalf("accepted %q", accept)
		}
	})
}
