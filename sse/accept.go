package sse

import (
	"net/http"
	"strings"
)

// MediaType is the media type of an event stream.
const MediaType = "text/event-stream"

// Accepts reports whether r is an EventSource request: a GET whose Accept
// header lists text/event-stream (parameters allowed, case-insensitive;
// a quality of zero refuses it). Wildcards such as */* do not count: a
// browser's EventSource always names the type.
func Accepts(r *http.Request) bool {
	return r.Method == http.MethodGet && acceptsStream(r.Header.Values("Accept"))
}

// check answers why a request is not an EventSource request, or nil.
func check(method string, accept []string) *RequestError {
	if method != http.MethodGet {
		return &RequestError{Status: http.StatusMethodNotAllowed, Reason: "an event stream is requested with GET"}
	}
	if !acceptsStream(accept) {
		return &RequestError{Status: http.StatusNotAcceptable, Reason: "the Accept header does not list " + MediaType}
	}
	return nil
}

// acceptsStream reports whether Accept header values list MediaType with a
// non-zero quality.
func acceptsStream(values []string) bool {
	for _, v := range values {
		for v != "" {
			var r string
			r, v, _ = strings.Cut(v, ",")
			if acceptsRange(r) {
				return true
			}
		}
	}
	return false
}

// acceptsRange reports whether one media range is MediaType with q > 0.
func acceptsRange(r string) bool {
	typ, params, _ := strings.Cut(r, ";")
	if !strings.EqualFold(strings.TrimSpace(typ), MediaType) {
		return false
	}
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") && zeroQuality(strings.TrimSpace(v)) {
			return false
		}
	}
	return true
}

// zeroQuality reports a qvalue of 0 ("0", "0.", "0.000").
func zeroQuality(v string) bool {
	if v == "" || v[0] != '0' {
		return false
	}
	return strings.Trim(v[1:], ".0") == ""
}
