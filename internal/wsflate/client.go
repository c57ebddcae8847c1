package wsflate

// Offer returns the value of the client's Sec-WebSocket-Extensions header:
// one permessage-deflate offer with server_no_context_takeover unless
// cfg.ServerContextTakeover is set, and client_no_context_takeover when
// cfg.ClientNoContextTakeover is set. It never offers
// client_max_window_bits: compress/flate cannot compress with a window
// smaller than 32 KiB, and a server may then not limit ours (RFC 7692
// §7.1.2.2).
func Offer(cfg Config) string {
	return offered(cfg).String()
}

// offered returns the parameters Offer puts in the offer.
func offered(cfg Config) Params {
	return Params{
		ServerNoContextTakeover: !cfg.ServerContextTakeover,
		ClientNoContextTakeover: cfg.ClientNoContextTakeover,
	}
}

// Accept is the client side of RFC 7692 §7.1: it validates the server's
// Sec-WebSocket-Extensions response values against the offer that
// Offer(cfg) made. It returns the agreed parameters and true when the
// server accepted, false and no error when it declined (no
// permessage-deflate in the response), and an error wrapping
// ErrBadResponse (a *ResponseError) when the client must fail the
// connection: a malformed header, an extension other than
// permessage-deflate (we offered no other; RFC 6455 §9.1), more than one
// permessage-deflate, an unknown or duplicate parameter, a value on a
// flag, a window size outside 8..15, or client_max_window_bits (never
// offered).
//
// cfg is the configuration given to Offer; today every parameter Offer can
// include may also be added by the server unasked, so the check does not
// depend on it. The server may add server_no_context_takeover,
// client_no_context_takeover and server_max_window_bits unasked; all
// three are fine for us. If the
// server leaves out server_no_context_takeover although we offered it, the
// returned Params say so and our decompressor keeps the server's context.
func Accept(response []string, cfg Config) (Params, bool, error) {
	var (
		e     element
		p     Params
		found bool
	)
	for _, h := range response {
		sc := scanner{s: h}
		for sc.next(&e) {
			if e.bad {
				return Params{}, false, &ResponseError{Extension: e.raw, Reason: "malformed extension"}
			}
			if !isDeflate(&e) {
				return Params{}, false, &ResponseError{Extension: e.raw, Reason: "extension not offered"}
			}
			if found {
				return Params{}, false, &ResponseError{Extension: e.raw, Reason: "permessage-deflate accepted twice"}
			}
			found = true
			var err error
			if p, err = acceptResponse(&e); err != nil {
				return Params{}, false, err
			}
		}
	}
	return p, found, nil
}

// acceptResponse checks the parameters of the server's permessage-deflate
// element.
func acceptResponse(e *element) (Params, error) {
	r, err := parseParams(e)
	switch {
	case err != nil:
		return Params{}, err
	case r.serverBitsBare:
		return Params{}, &ResponseError{Extension: e.raw, Param: paramServerMaxBits, Reason: "value required"}
	case r.ClientMaxWindowBits != 0 || r.clientBitsBare:
		return Params{}, &ResponseError{Extension: e.raw, Param: paramClientMaxBits, Reason: "not offered"}
	}
	return r.Params, nil
}
