package http1

// Default limits, used for every zero (or negative) field of Limits.
const (
	DefaultMaxRequestLine = 8 << 10  // 8 KiB
	DefaultMaxHeaderBytes = 32 << 10 // 32 KiB
	DefaultMaxHeaders     = 128
	DefaultMaxBody        = 50 << 20 // 50 MiB
)

// maxChunkLine bounds one chunk-size line, extensions and CRLF included.
// net/http uses the same bound (4096 bytes without the CRLF).
const maxChunkLine = 4096

// maxLimit caps MaxRequestLine and MaxHeaderBytes.
const maxLimit = 1 << 30

// Limits bounds what a Parser accepts. A zero or negative field means its
// default; MaxRequestLine and MaxHeaderBytes above 1 GiB mean 1 GiB. Limits
// are read when a request starts, so a change applies from the next request
// on.
type Limits struct {
	// MaxRequestLine bounds the request line (method, target and version,
	// without the CRLF). Longer lines fail with 414 URI Too Long.
	MaxRequestLine int
	// MaxHeaderBytes bounds the whole head: request line, header fields
	// and the empty line ending it (empty lines before the request line
	// count too). It also bounds the trailer section of a chunked body and
	// the total size of its chunk extensions. Exceeding it fails with
	// 431 Request Header Fields Too Large (413 for chunk extensions).
	MaxHeaderBytes int
	// MaxHeaders bounds the number of header field lines, and separately
	// the number of trailer field lines. More fail with 431.
	MaxHeaders int
	// MaxBody bounds the decoded body: a larger Content-Length, or chunks
	// adding up to more, fail with 413 Content Too Large.
	MaxBody int64
}

// resolve returns l with defaults filled in; l itself is not modified.
func (l Limits) resolve() Limits {
	if l.MaxRequestLine <= 0 {
		l.MaxRequestLine = DefaultMaxRequestLine
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	// The parser adds to these; keep that far from overflowing.
	l.MaxRequestLine = min(l.MaxRequestLine, maxLimit)
	l.MaxHeaderBytes = min(l.MaxHeaderBytes, maxLimit)
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultMaxHeaders
	}
	if l.MaxBody <= 0 {
		l.MaxBody = DefaultMaxBody
	}
	return l
}
