package redis

import (
	"strings"
	"testing"
)

func TestOpenEnvelope(t *testing.T) {
	cases := []struct{ in, id, data string }{
		{envelopePrefix + "1-0:hello", "1-0", "hello"},
		{envelopePrefix + "1-0:", "1-0", ""},
		{envelopePrefix + "1-0:a:b", "1-0", "a:b"},
		{"plain payload", "", "plain payload"},
		{envelopePrefix + "no colon", "", envelopePrefix + "no colon"},
		{"", "", ""},
	}
	for _, c := range cases {
		id, data := openEnvelope(c.in)
		if id != c.id || data != c.data {
			t.Errorf("openEnvelope(%q) = %q, %q; want %q, %q", c.in, id, data, c.id, c.data)
		}
	}
}

// FuzzOpenEnvelope: never panics; a payload without the prefix comes
// back untouched; a wrapped one comes back as it was wrapped.
func FuzzOpenEnvelope(f *testing.F) {
	f.Add("1-0", "hello")
	f.Add("", "")
	f.Add("123-4", "a:b:c")
	f.Add("x", "\x00plz1:nested")
	f.Fuzz(func(t *testing.T, id, data string) {
		if gotID, gotData := openEnvelope(data); !strings.HasPrefix(data, envelopePrefix) && (gotID != "" || gotData != data) {
			t.Fatalf("plain %q came back as %q, %q", data, gotID, gotData)
		}
		if strings.Contains(id, ":") {
			return
		}
		gotID, gotData := openEnvelope(envelopePrefix + id + ":" + data)
		if gotID != id || gotData != data {
			t.Fatalf("wrapped %q, %q came back as %q, %q", id, data, gotID, gotData)
		}
	})
}
