package cluster_test

import (
	"context"
	"log"
	"net/http"

	"github.com/plezi-go/plezi/cluster"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
)

// A hello-world server on four worker processes. The same program runs
// in the master and in every worker; the master only supervises.
func Example() {
	cl := &cluster.Cluster{Workers: 4, PIDFile: "/tmp/hello.pid"}
	ln, err := cl.Listen("tcp", ":3000")
	if err != nil {
		log.Fatal(err)
	}
	if cl.Role() == cluster.Master {
		if err := cl.Run(); err != nil { // until SIGINT/SIGTERM
			log.Fatal(err)
		}
		return
	}
	e := &engine.Engine{} // SIGTERM (from the master) stops it gracefully
	s := &httpd.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("Hello World"))
	})}
	if _, err := s.ListenOn(e, ln); err != nil {
		log.Fatal(err)
	}
	e.On(engine.Started, func() { cl.Ready() })
	cl.OnMasterGone(func() { go e.Stop(context.Background()) })
	e.Start()
	cl.Close()
}
