package wsflate

import (
	"errors"
	"testing"
)

func TestOffer(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "permessage-deflate; server_no_context_takeover"},
		{Config{ServerContextTakeover: true}, "permessage-deflate"},
		{Config{ClientNoContextTakeover: true}, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"},
		{Config{ServerContextTakeover: true, ClientNoContextTakeover: true, Level: 9}, "permessage-deflate; client_no_context_takeover"},
	}
	for _, tt := range tests {
		if got := Offer(tt.cfg); got != tt.want {
			t.Errorf("Offer(%+v) = %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

func TestAccept(t *testing.T) {
	const pmd = "permessage-deflate"
	tests := []struct {
		name string
		resp []string
		want Params
		ok   bool
	}{
		{"no header: declined", nil, Params{}, false},
		{"empty header: declined", []string{"", " ,"}, Params{}, false},
		{"plain", []string{pmd}, Params{}, true},
		{"gorilla's answer", []string{pmd + "; server_no_context_takeover; client_no_context_takeover"},
			Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, true},
		{"server window unasked", []string{pmd + "; server_max_window_bits=10"}, Params{ServerMaxWindowBits: 10}, true},
		{"quoted server window", []string{pmd + `; server_max_window_bits="12"`}, Params{ServerMaxWindowBits: 12}, true},
		{"empty elements around", []string{", " + pmd + " ,", ""}, Params{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok, err := Accept(tt.resp, Config{})
			if err != nil || ok != tt.ok || p != tt.want {
				t.Fatalf("Accept(%q) = %+v, %v, %v; want %+v, %v, nil", tt.resp, p, ok, err, tt.want, tt.ok)
			}
		})
	}
}

func TestAcceptErrors(t *testing.T) {
	const pmd = "permessage-deflate"
	tests := []struct {
		name   string
		resp   []string
		param  string
		reason string
	}{
		{"client window never offered", []string{pmd + "; client_max_window_bits=10"}, paramClientMaxBits, "not offered"},
		{"bare client window", []string{pmd + "; client_max_window_bits"}, paramClientMaxBits, "not offered"},
		{"bare server window", []string{pmd + "; server_max_window_bits"}, paramServerMaxBits, "value required"},
		{"server window 16", []string{pmd + "; server_max_window_bits=16"}, paramServerMaxBits, "window bits must be 8..15"},
		{"server window 7", []string{pmd + "; server_max_window_bits=7"}, paramServerMaxBits, "window bits must be 8..15"},
		{"unknown param", []string{pmd + "; foo"}, "foo", "unknown parameter"},
		{"duplicate param", []string{pmd + "; client_no_context_takeover; client_no_context_takeover"}, paramClientNoContext, "duplicate parameter"},
		{"flag with value", []string{pmd + "; server_no_context_takeover=yes"}, paramServerNoContext, "takes no value"},
		{"twice in one header", []string{pmd + ", " + pmd}, "", "permessage-deflate accepted twice"},
		{"twice in two headers", []string{pmd, pmd}, "", "permessage-deflate accepted twice"},
		{"extension not offered", []string{"x-webkit-deflate-frame"}, "", "extension not offered"},
		{"extension not offered after ours", []string{pmd + ", foo"}, "", "extension not offered"},
		{"malformed", []string{pmd + ";;"}, "", "malformed extension"},
		{"too many params", []string{pmd + "; a; b; c; d; e; f; g; h; i"}, "", "too many parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok, err := Accept(tt.resp, Config{})
			if !errors.Is(err, ErrBadResponse) || ok || p != (Params{}) {
				t.Fatalf("Accept(%q) = %+v, %v, %v; want ErrBadResponse", tt.resp, p, ok, err)
			}
			var re *ResponseError
			if !errors.As(err, &re) || re.Param != tt.param || re.Reason != tt.reason {
				t.Fatalf("error %v = %+v; want Param %q, Reason %q", err, re, tt.param, tt.reason)
			}
			if err.Error() == "" {
				t.Fatal("empty message")
			}
		})
	}
}

func TestResponseErrorMessage(t *testing.T) {
	err := &ResponseError{Extension: "permessage-deflate; x=1", Param: "x", Value: "1", Reason: "unknown parameter"}
	want := `wsflate: invalid Sec-WebSocket-Extensions response "permessage-deflate; x=1": parameter "x=1": unknown parameter`
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}
