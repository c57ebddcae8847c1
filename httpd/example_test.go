package httpd_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
)

// A native handler and a net/http handler on one engine.
func Example() {
	e := &engine.Engine{IgnoreSignals: true}
	native := &httpd.Server{Native: func(x *httpd.Ctx) {
		x.SetHeader("Content-Type", "text/plain")
		x.WriteString("native: " + string(x.Path()))
	}}
	adapted := &httpd.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "net/http: %s", r.URL.Path)
	})}
	ln1, _ := native.Listen(e, "tcp", "127.0.0.1:0")
	ln2, _ := adapted.Listen(e, "tcp", "127.0.0.1:0")
	started := make(chan struct{})
	e.On(engine.Started, func() { close(started) })
	go e.Start()
	<-started
	defer e.Stop(context.Background())

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	for _, addr := range []string{ln1.Addr().String(), ln2.Addr().String()} {
		resp, err := c.Get("http://" + addr + "/hi")
		if err != nil {
			panic(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(string(b))
	}
	// Output:
	// native: /hi
	// net/http: /hi
}
