package httpd

import (
	"net/http"
	"sync/atomic"
	"time"
)

// dateCache holds the Date header value of the current second, formatted
// once per second (not per request) and shared by every connection.
type dateCache struct {
	v atomic.Pointer[dateValue]
}

type dateValue struct {
	sec  int64
	line []byte // "Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n"
}

// line returns the Date header line for now.
func (d *dateCache) line(now time.Time) []byte {
	sec := now.Unix()
	if v := d.v.Load(); v != nil && v.sec == sec {
		return v.line
	}
	b := make([]byte, 0, 40)
	b = append(b, "Date: "...)
	b = now.UTC().AppendFormat(b, http.TimeFormat)
	b = append(b, "\r\n"...)
	d.v.Store(&dateValue{sec: sec, line: b})
	return b
}

var dates dateCache
