package httpd

import (
	"net/http"
	"strconv"
)

// statusLines holds "HTTP/1.1 NNN Text\r\n" for the codes net/http knows,
// built once so a response never formats its status line.
var statusLines = func() [600][]byte {
	var t [600][]byte
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			t[code] = []byte("HTTP/1.1 " + strconv.Itoa(code) + " " + text + "\r\n")
		}
	}
	return t
}()

// appendStatusLine appends the status line for code.
func appendStatusLine(b []byte, code int) []byte {
	if code >= 100 && code < 600 && statusLines[code] != nil {
		return append(b, statusLines[code]...)
	}
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	return append(b, " status\r\n"...)
}

// bodyAllowed reports whether a response with this status may have a body
// (RFC 9110 §6.4.1: not 1xx, 204 or 304).
func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}
