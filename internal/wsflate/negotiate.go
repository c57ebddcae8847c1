package wsflate

// Negotiate is the server side of RFC 7692 §7.1: it reads the client's
// Sec-WebSocket-Extensions header values (one string per header line; each
// may hold a comma-separated list mixing other extensions) and accepts the
// first permessage-deflate offer it can honour. It returns the agreed
// parameters and the element to send back in the response's
// Sec-WebSocket-Extensions header; ok is false when no offer is acceptable,
// and the connection then proceeds without compression.
//
// An offer is declined when it is malformed, has an unknown or duplicate
// parameter, a value on a flag, a window size outside 8..15, or
// server_max_window_bits below 15 (compress/flate always uses a 32 KiB
// window, and a smaller one also bounds back-references within a message).
// Other extensions are ignored.
//
// The answer always carries server_no_context_takeover unless
// cfg.ServerContextTakeover is set and the client did not ask for it
// (RFC 7692 §7.1.1.1 lets the server add it unasked). It carries
// client_no_context_takeover when the client offered it (which spares the
// server's dictionary) or cfg.ClientNoContextTakeover is set,
// server_max_window_bits=15 when the client offered 15, and
// client_max_window_bits=N when the client offered a value N (the client
// promised not to exceed it; echoing it lets our decompressor keep a
// smaller dictionary).
func Negotiate(headers []string, cfg Config) (p Params, response string, ok bool) {
	var e element
	for _, h := range headers {
		sc := scanner{s: h}
		for sc.next(&e) {
			if e.bad || !isDeflate(&e) {
				continue
			}
			if p, ok = acceptOffer(&e, cfg); ok {
				return p, p.String(), true
			}
		}
	}
	return Params{}, "", false
}

// acceptOffer returns the parameters the server answers to one offer, or
// false when it declines it.
func acceptOffer(e *element, cfg Config) (Params, bool) {
	off, err := parseParams(e)
	if err != nil || off.serverBitsBare {
		return Params{}, false
	}
	if off.ServerMaxWindowBits != 0 && off.ServerMaxWindowBits < maxWindowBits {
		return Params{}, false
	}
	return Params{
		ServerNoContextTakeover: off.ServerNoContextTakeover || !cfg.ServerContextTakeover,
		ClientNoContextTakeover: off.ClientNoContextTakeover || cfg.ClientNoContextTakeover,
		ServerMaxWindowBits:     off.ServerMaxWindowBits,
		ClientMaxWindowBits:     off.ClientMaxWindowBits,
	}, true
}
