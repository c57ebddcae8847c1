package wsflate

import (
	"testing"
)

func TestNegotiate(t *testing.T) {
	const pmd = "permessage-deflate"
	const sn = pmd + "; server_no_context_takeover"
	snct := Params{ServerNoContextTakeover: true}
	tests := []struct {
		name    string
		headers []string
		cfg     Config
		ok      bool
		want    Params
		resp    string
	}{
		{"plain offer (Firefox)", []string{pmd}, Config{}, true, snct, sn},
		{"bare client_max_window_bits (Chrome)", []string{pmd + "; client_max_window_bits"}, Config{}, true, snct, sn},
		{"RFC 7692 §7.1.2 fallback: server window 10 declined, second offer accepted",
			[]string{pmd + "; client_max_window_bits; server_max_window_bits=10, " + pmd + "; client_max_window_bits"},
			Config{}, true, snct, sn},
		{"server window below 15 declined", []string{pmd + "; server_max_window_bits=10"}, Config{}, false, Params{}, ""},
		{"server window 8 declined", []string{pmd + "; server_max_window_bits=8"}, Config{}, false, Params{}, ""},
		{"server window 15 accepted and echoed", []string{pmd + "; server_max_window_bits=15"}, Config{}, true,
			Params{ServerNoContextTakeover: true, ServerMaxWindowBits: 15}, sn + "; server_max_window_bits=15"},
		{"client window value echoed", []string{pmd + "; client_max_window_bits=10"}, Config{}, true,
			Params{ServerNoContextTakeover: true, ClientMaxWindowBits: 10}, sn + "; client_max_window_bits=10"},
		{"quoted client window", []string{pmd + `; client_max_window_bits="9"`}, Config{}, true,
			Params{ServerNoContextTakeover: true, ClientMaxWindowBits: 9}, sn + "; client_max_window_bits=9"},
		{"quoted-pair server window", []string{pmd + `; server_max_window_bits="1\5"`}, Config{}, true,
			Params{ServerNoContextTakeover: true, ServerMaxWindowBits: 15}, sn + "; server_max_window_bits=15"},
		{"both no-context flags", []string{pmd + "; server_no_context_takeover; client_no_context_takeover"}, Config{}, true,
			Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, sn + "; client_no_context_takeover"},
		{"case-insensitive names", []string{"PerMessage-Deflate; Client_No_Context_Takeover"}, Config{}, true,
			Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, sn + "; client_no_context_takeover"},
		{"unknown param declines the offer", []string{pmd + "; foo"}, Config{}, false, Params{}, ""},
		{"unknown param, then plain offer", []string{pmd + "; foo=1, " + pmd}, Config{}, true, snct, sn},
		{"duplicate flag", []string{pmd + "; server_no_context_takeover; server_no_context_takeover"}, Config{}, false, Params{}, ""},
		{"duplicate window", []string{pmd + "; client_max_window_bits=9; client_max_window_bits=10"}, Config{}, false, Params{}, ""},
		{"flag with a value", []string{pmd + "; server_no_context_takeover=1"}, Config{}, false, Params{}, ""},
		{"flag with a quoted value", []string{pmd + `; client_no_context_takeover=""`}, Config{}, false, Params{}, ""},
		{"window 7", []string{pmd + "; client_max_window_bits=7"}, Config{}, false, Params{}, ""},
		{"window 16", []string{pmd + "; client_max_window_bits=16"}, Config{}, false, Params{}, ""},
		{"window with leading zero", []string{pmd + "; client_max_window_bits=09"}, Config{}, false, Params{}, ""},
		{"window not a number", []string{pmd + "; client_max_window_bits=x"}, Config{}, false, Params{}, ""},
		{"quoted window not a token", []string{pmd + `; client_max_window_bits="1 0"`}, Config{}, false, Params{}, ""},
		{"bare server window", []string{pmd + "; server_max_window_bits"}, Config{}, false, Params{}, ""},
		{"other extensions mixed in", []string{"x-webkit-deflate-frame, foo; bar=\"a,b\"; baz, " + pmd + "; client_max_window_bits=12"}, Config{}, true,
			Params{ServerNoContextTakeover: true, ClientMaxWindowBits: 12}, sn + "; client_max_window_bits=12"},
		{"several header lines", []string{"foo", pmd + "; server_max_window_bits=9", pmd + "; client_no_context_takeover"}, Config{}, true,
			Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, sn + "; client_no_context_takeover"},
		{"malformed element skipped", []string{pmd + ";;", pmd + " junk", pmd}, Config{}, true, snct, sn},
		{"too many params", []string{pmd + "; a; b; c; d; e; f; g; h; i"}, Config{}, false, Params{}, ""},
		{"no header", nil, Config{}, false, Params{}, ""},
		{"empty header", []string{"", " , "}, Config{}, false, Params{}, ""},
		{"other extension only", []string{"permessage-foo"}, Config{}, false, Params{}, ""},
		{"server context takeover kept", []string{pmd}, Config{ServerContextTakeover: true}, true, Params{}, pmd},
		{"server context takeover refused by client", []string{pmd + "; server_no_context_takeover"}, Config{ServerContextTakeover: true}, true, snct, sn},
		{"server asks client for no context", []string{pmd}, Config{ClientNoContextTakeover: true}, true,
			Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, sn + "; client_no_context_takeover"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, resp, ok := Negotiate(tt.headers, tt.cfg)
			if ok != tt.ok || p != tt.want || resp != tt.resp {
				t.Fatalf("Negotiate(%q) = %+v, %q, %v; want %+v, %q, %v", tt.headers, p, resp, ok, tt.want, tt.resp, tt.ok)
			}
			if !ok {
				return
			}
			// The answer is a well-formed response that yields the same
			// parameters on the client (client_max_window_bits aside, which
			// our own client never offers).
			if tt.want.ClientMaxWindowBits == 0 {
				back, ok, err := Accept([]string{resp}, Config{})
				if err != nil || !ok || back != p {
					t.Fatalf("Accept(%q) = %+v, %v, %v; want %+v", resp, back, ok, err, p)
				}
			}
		})
	}
}

// TestNegotiateWithOffer runs our client's offer through our server for
// every combination of both configurations.
func TestNegotiateWithOffer(t *testing.T) {
	for _, client := range configs() {
		for _, server := range configs() {
			p, resp, ok := Negotiate([]string{Offer(client)}, server)
			if !ok {
				t.Fatalf("server %+v declined client %+v (%q)", server, client, Offer(client))
			}
			got, ok, err := Accept([]string{resp}, client)
			if err != nil || !ok || got != p {
				t.Fatalf("Accept(%q) = %+v, %v, %v; server agreed %+v", resp, got, ok, err, p)
			}
			wantServerCtx := server.ServerContextTakeover && client.ServerContextTakeover
			if got.ServerNoContextTakeover == wantServerCtx {
				t.Errorf("client %+v server %+v: ServerNoContextTakeover = %v", client, server, got.ServerNoContextTakeover)
			}
			wantClientNo := server.ClientNoContextTakeover || client.ClientNoContextTakeover
			if got.ClientNoContextTakeover != wantClientNo {
				t.Errorf("client %+v server %+v: ClientNoContextTakeover = %v", client, server, got.ClientNoContextTakeover)
			}
		}
	}
}

// configs returns the four combinations of the context-takeover choices.
func configs() []Config {
	var out []Config
	for _, s := range []bool{false, true} {
		for _, c := range []bool{false, true} {
			out = append(out, Config{ServerContextTakeover: s, ClientNoContextTakeover: c})
		}
	}
	return out
}

func TestNegotiateAllocs(t *testing.T) {
	h := []string{"permessage-deflate; client_max_window_bits"}
	n := testing.AllocsPerRun(100, func() { Negotiate(h, Config{}) })
	if n > 2 {
		t.Errorf("Negotiate allocates %v times, want <= 2 (the response string)", n)
	}
}
