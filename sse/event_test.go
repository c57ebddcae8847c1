package sse_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plezi-go/plezi/sse"
)

func TestAppendEventGolden(t *testing.T) {
	cases := []struct {
		name string
		ev   sse.Event
		want string
	}{
		{"data", sse.Event{Data: []byte("hello")}, "data: hello\n\n"},
		{"all", sse.Event{ID: "7", Event: "tick", Data: []byte("a"), Retry: 1500 * time.Millisecond},
			"id: 7\nevent: tick\nretry: 1500\ndata: a\n\n"},
		{"multiline", sse.Event{Data: []byte("a\nb\r\nc\rd")}, "data: a\ndata: b\ndata: c\ndata: d\n\n"},
		{"trailing-newline", sse.Event{Data: []byte("a\n")}, "data: a\ndata: \n\n"},
		{"leading-space", sse.Event{Event: " x", Data: []byte(" y")}, "event:  x\ndata:  y\n\n"},
		{"typed-empty", sse.Event{Event: "ping"}, "event: ping\ndata:\n\n"},
		{"id-only", sse.Event{ID: "42"}, "id: 42\n\n"},
		{"retry-rounds-up", sse.Event{Retry: time.Microsecond}, "retry: 1\n\n"},
		{"unicode", sse.Event{ID: "é", Data: []byte("héllo 世界 🎉")}, "id: é\ndata: héllo 世界 🎉\n\n"},
		{"empty", sse.Event{}, "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sse.AppendEvent([]byte("prefix|"), &tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "prefix|"+tc.want {
				t.Fatalf("got %q, want %q", got, "prefix|"+tc.want)
			}
		})
	}
}

func TestAppendEventRejects(t *testing.T) {
	cases := []struct {
		ev    sse.Event
		field string
	}{
		{sse.Event{ID: "a\nb"}, "id"},
		{sse.Event{ID: "a\rb"}, "id"},
		{sse.Event{ID: "a\x00b"}, "id"},
		{sse.Event{Event: "x\ny"}, "event"},
		{sse.Event{Event: "x\r"}, "event"},
	}
	for _, tc := range cases {
		dst := []byte("keep")
		got, err := sse.AppendEvent(dst, &tc.ev)
		var ee *sse.EventError
		if !errors.As(err, &ee) || ee.Field != tc.field || !errors.Is(err, sse.ErrInvalidEvent) {
			t.Errorf("%+v: err %v, want an EventError on %s", tc.ev, err, tc.field)
		}
		if string(got) != "keep" {
			t.Errorf("%+v: dst changed to %q", tc.ev, got)
		}
	}
	if _, err := sse.Prepare(&sse.Event{ID: "\n"}); !errors.Is(err, sse.ErrInvalidEvent) {
		t.Errorf("Prepare: err %v", err)
	}
}

func TestAppendComment(t *testing.T) {
	for in, want := range map[string]string{
		"":          ":\n",
		"hi":        ": hi\n",
		"a\nb\r\nc": ": a\n: b\n: c\n",
	} {
		if got := string(sse.AppendComment(nil, in)); got != want {
			t.Errorf("AppendComment(%q) = %q, want %q", in, got, want)
		}
		p := newSpecParser()
		for _, it := range p.feed(append(sse.AppendComment(nil, in), '\n')) {
			if !it.IsComment {
				t.Errorf("comment %q dispatched %+v", in, it)
			}
		}
	}
}

func TestAccepts(t *testing.T) {
	cases := []struct {
		method, accept string
		want           bool
	}{
		{"GET", "text/event-stream", true},
		{"GET", "Text/Event-Stream", true},
		{"GET", "text/html, text/event-stream;q=0.5", true},
		{"GET", "text/event-stream; charset=utf-8", true},
		{"GET", " text/event-stream ;q=1", true},
		{"GET", "text/event-stream;q=0", false},
		{"GET", "text/event-stream;q=0.000", false},
		{"GET", "text/event-stream;q=0.001", true},
		{"GET", "*/*", false},
		{"GET", "text/*", false},
		{"GET", "", false},
		{"GET", "text/event-streams", false},
		{"POST", "text/event-stream", false},
		{"HEAD", "text/event-stream", false},
	}
	for _, tc := range cases {
		r, _ := http.NewRequest(tc.method, "http://x/", nil)
		if tc.accept != "" {
			r.Header.Set("Accept", tc.accept)
		}
		if got := sse.Accepts(r); got != tc.want {
			t.Errorf("%s Accept %q: %v, want %v", tc.method, tc.accept, got, tc.want)
		}
	}
	// Several Accept lines count together.
	r, _ := http.NewRequest("GET", "http://x/", nil)
	r.Header.Add("Accept", "text/html")
	r.Header.Add("Accept", "text/event-stream")
	if !sse.Accepts(r) {
		t.Error("second Accept line ignored")
	}
}

func TestErrorsText(t *testing.T) {
	re := &sse.RequestError{Status: 406, Reason: "nope"}
	if !strings.Contains(re.Error(), "406") || !errors.Is(re, sse.ErrNotEventStream) {
		t.Errorf("RequestError: %v", re)
	}
	ee := &sse.EventError{Field: "id", Reason: "bad"}
	if !strings.Contains(ee.Error(), "id") || !errors.Is(ee, sse.ErrInvalidEvent) {
		t.Errorf("EventError: %v", ee)
	}
}
