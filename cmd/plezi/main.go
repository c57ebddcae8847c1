package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/cluster"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/httpd"
	"github.com/plezi-go/plezi/internal/devcert"
	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
)

func main() {
	err := run(os.Args[1:], os.Stderr)
	var ue usageError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "plezi:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "plezi:", err)
		os.Exit(1)
	}
}

// usageError is a bad flag or flag value (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// options are the parsed flags.
type options struct {
	bind, www, certFile, keyFile string
	redis, pidFile               string
	port, threads, keepAlive     int
	workers                      int
	reusePort                    bool
	maxBodyMiB, maxHeadKiB       int
	verbose, tls                 bool
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("plezi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.bind, "b", "", "address to bind, or a Unix socket path (starting with / or .)")
	fs.IntVar(&o.port, "p", envInt("PORT", 3000), "port (default $PORT, else 3000)")
	fs.IntVar(&o.threads, "t", 0, "handler goroutines (0: handlers run on the event loops)")
	fs.IntVar(&o.workers, "w", 0, "worker processes (0: $WORKERS, then $WEB_CONCURRENCY, else 1; negative: CPUs/|n|)")
	fs.BoolVar(&o.reusePort, "reuseport", false, "with workers: a SO_REUSEPORT socket per worker (Linux; spreads connections evenly)")
	fs.StringVar(&o.pidFile, "pid", "", "write the process ID (the master's, with workers) to this file")
	fs.StringVar(&o.www, "www", "", "serve static files from this folder")
	fs.BoolVar(&o.verbose, "v", false, "access log to stderr")
	fs.IntVar(&o.keepAlive, "k", 40, "keep-alive timeout, seconds")
	fs.IntVar(&o.maxBodyMiB, "maxbd", 50, "request body limit, MiB")
	fs.IntVar(&o.maxHeadKiB, "maxhd", 32, "request head limit, KiB")
	fs.BoolVar(&o.tls, "tls", false, "serve HTTPS (self-signed certificate unless -tls-cert and -tls-key)")
	fs.StringVar(&o.certFile, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&o.keyFile, "tls-key", "", "TLS private key file (PEM)")
	fs.StringVar(&o.redis, "r", "", "Redis URL (redis://host:6379/0) for pub/sub across machines (default: this process only)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case o.port < 0 || o.port > 65535:
		return nil, usageError{fmt.Sprintf("-p %d: not a port", o.port)}
	case o.threads < 0:
		return nil, usageError{"-t must be 0 or more"}
	case o.keepAlive <= 0:
		return nil, usageError{"-k must be at least 1 second"}
	case o.maxBodyMiB <= 0 || o.maxHeadKiB <= 0:
		return nil, usageError{"-maxbd and -maxhd must be positive"}
	case (o.certFile == "") != (o.keyFile == ""):
		return nil, usageError{"-tls-cert and -tls-key go together"}
	}
	if o.www != "" {
		if st, err := os.Stat(o.www); err != nil || !st.IsDir() {
			return nil, usageError{fmt.Sprintf("-www %s: not a folder", o.www)}
		}
	}
	if o.certFile != "" {
		o.tls = true
	}
	return o, nil
}

func run(args []string, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "demo":
			args = args[1:]
		case "new":
			return runNew(args[1:], stderr)
		}
	}
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	e := &engine.Engine{Threads: o.threads, Logger: logger}
	s := &httpd.Server{
		Public:    o.www,
		KeepAlive: time.Duration(o.keepAlive) * time.Second,
		ErrorLog:  logger,
	}
	s.Limits.MaxBody = int64(o.maxBodyMiB) << 20
	s.Limits.MaxHeaderBytes = o.maxHeadKiB << 10
	if o.verbose {
		s.AccessLog = logger
	}
	a := &plezi.App{Engine: e, Server: s, Logger: logger, Workers: o.workers, PIDFile: o.pidFile,
		Cluster: &cluster.Cluster{Logger: logger, ReusePort: o.reusePort}}
	what := "the demo (a chat room)"
	if o.www != "" {
		what = "files from " + o.www
		a.NoClient = true
	} else {
		if o.redis != "" {
			a.RemotePubSub = func(b *pubsub.Broker) (pubsub.Engine, error) {
				re, err := redis.New(b, redis.Options{URL: o.redis, Logger: logger})
				if err != nil {
					return nil, fmt.Errorf("-r %s: %w", o.redis, err)
				}
				return re, nil
			}
		}
		if err := setupDemo(a); err != nil {
			return err
		}
	}
	addr := net.JoinHostPort(o.bind, strconv.Itoa(o.port))
	if b := o.bind; len(b) > 0 && (b[0] == '/' || b[0] == '.') {
		addr = b // a Unix socket
	}
	ln, scheme, err := listen(a, o, addr)
	if err != nil {
		return err
	}
	serving := func(extra string) {
		fmt.Fprintf(stderr, "plezi: serving %s on %s://%s; %sCtrl-C to stop\n", what, scheme, ln.Addr(), extra)
	}
	switch a.Role() {
	case cluster.Master:
		a.Cluster.OnMaster = func() { serving(fmt.Sprintf("%d worker processes; ", a.Cluster.Count())) }
	case cluster.Single:
		e.On(engine.Started, func() { serving("") })
	}
	err = a.Start()
	if a.Role() != cluster.Worker {
		fmt.Fprintln(stderr, "plezi: stopped")
	}
	return err
}

func listen(a *plezi.App, o *options, addr string) (*engine.Listener, string, error) {
	if !o.tls {
		ln, err := a.Listen(addr)
		return ln, "http", err
	}
	var cert tls.Certificate
	var err error
	if o.certFile != "" {
		cert, err = tls.LoadX509KeyPair(o.certFile, o.keyFile)
	} else {
		cert, err = devcert.New()
	}
	if err != nil {
		return nil, "", err
	}
	ln, err := a.ListenTLS(addr, &tls.Config{Certificates: []tls.Certificate{cert}})
	return ln, "https", err
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
