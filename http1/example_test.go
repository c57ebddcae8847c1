package http1_test

import (
	"errors"
	"fmt"

	"github.com/plezi-go/plezi/http1"
)

// Two pipelined requests arrive cut in three reads; the parser is called
// until it needs more input, for each read.
func Example() {
	reads := []string{
		"POST /echo HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
		"lo\r\n0\r\n\r\nGET /bye HTTP/1.1\r\nHost: exam",
		"ple.com\r\nConnection: close\r\n\r\n",
	}
	var p http1.Parser
	for _, read := range reads {
		data := []byte(read)
		for {
			n, ev, err := p.Parse(data)
			if err != nil {
				fmt.Println("error:", err)
				return
			}
			data = data[n:]
			switch ev {
			case http1.EventHead:
				r := p.Request()
				fmt.Printf("head: %s %s host=%s chunked=%v keep-alive=%v\n",
					r.Method, r.Target, r.Host, r.Chunked, r.KeepAlive)
			case http1.EventBody:
				fmt.Printf("body: %q\n", p.Body())
			case http1.EventDone:
				fmt.Println("done")
			}
			if ev == http1.EventNeedMore {
				break
			}
		}
	}
	// Output:
	// head: POST /echo host=example.com chunked=true keep-alive=true
	// body: "hel"
	// body: "lo"
	// done
	// head: GET /bye host=example.com chunked=false keep-alive=false
	// done
}

// A request smuggling attempt is refused with the status to answer.
func ExampleError() {
	var p http1.Parser
	_, _, err := p.Parse([]byte("POST / HTTP/1.1\r\nHost: a\r\n" +
		"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG"))
	var e *http1.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Reason, errors.Is(err, http1.ErrBadRequest))
	}
	// Output:
	// 400 both Content-Length and Transfer-Encoding true
}
