package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

// run parses args, listens and serves until SIGINT or SIGTERM. Bad flags
// exit with status 2, as flag.ExitOnError does.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	fs.SetOutput(stderr)
	port := fs.String("p", defaultPort(), "port (0 picks a free one)")
	bind := fs.String("b", "", "address to bind (default all interfaces)")
	fs.Parse(args)

	e := &engine.Engine{}
	s := &httpd.Server{Handler: newMux()}
	ln, err := s.Listen(e, "tcp", net.JoinHostPort(*bind, *port))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "echo: listening on http://%s\n", ln.Addr())
	return e.Start() // until SIGINT or SIGTERM
}

// defaultPort is $PORT, else 3000.
func defaultPort() string {
	if p := os.Getenv("PORT"); p != "" {
		return p
	}
	return "3000"
}
