package plezi_test

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/plezi-go/plezi"
	"github.com/plezi-go/plezi/cluster"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/pubsub"
	"github.com/plezi-go/plezi/pubsub/redis"
)

// The cluster tests run this test binary again as an application with
// worker processes: helperEnv set makes TestMain call clusterHelper
// instead of the tests, in the master and in every worker.
const (
	helperEnv       = "PLEZI_TEST_CLUSTER" // a folder for the helper's marks
	helperAddr      = "PLEZI_TEST_ADDR"
	helperWorkers   = "PLEZI_TEST_WORKERS"
	helperRedis     = "PLEZI_TEST_REDIS"
	helperReusePort = "PLEZI_TEST_REUSEPORT"
)

// PID answers with the process ID of the worker serving the request.
type PID struct{ plezi.Controller }

func (c *PID) Index() any { return strconv.Itoa(os.Getpid()) }

// Hall is a WebSocket room: it greets with its worker's PID and gets
// every broadcast.
type Hall struct{ plezi.Controller }

func (c *Hall) OnOpen()               { c.Write("pid " + strconv.Itoa(os.Getpid())) }
func (c *Hall) OnMessage(data []byte) {}

// Say broadcasts its text parameter to every Hall connection, from the
// worker serving the request, and answers with that worker's PID.
type Say struct{ plezi.Controller }

func (c *Say) Index() (any, error) {
	return strconv.Itoa(os.Getpid()), c.App().Broadcast(&Hall{}, c.Params().Get("text"))
}

// clusterHelper is the helper application's main.
func clusterHelper() int {
	dir := os.Getenv(helperEnv)
	level := slog.LevelWarn
	if os.Getenv("PLEZI_TEST_VERBOSE") != "" {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("pid", os.Getpid())
	a := &plezi.App{
		Engine:  &engine.Engine{ShutdownTimeout: 5 * time.Second, Logger: logger},
		Logger:  logger,
		PIDFile: filepath.Join(dir, "pid"),
		Cluster: &cluster.Cluster{
			StopTimeout:   5 * time.Second,
			ReadyTimeout:  20 * time.Second,
			Logger:        logger,
			OnMaster:      func() { mark(dir, "master") },
			BeforeFork:    func() { mark(dir, "fork") },
			OnWorkerCrash: func(id int, err error) { mark(dir, "crash") },
			OnParentCrash: func() { mark(dir, "orphan") },
			OnFinish:      func() { mark(dir, "finish") },
		},
	}
	a.Workers, _ = strconv.Atoi(os.Getenv(helperWorkers))
	a.Cluster.ReusePort = os.Getenv(helperReusePort) != ""
	if url := os.Getenv(helperRedis); url != "" {
		a.RemotePubSub = func(b *pubsub.Broker) (pubsub.Engine, error) {
			return redis.New(b, redis.Options{URL: url, Logger: logger})
		}
	}
	// Queued before Start: runs once in every worker, never in the master.
	a.Run(func() { mark(dir, "run") })
	for _, r := range []struct {
		path string
		c    any
	}{{"/pid", &PID{}}, {"/hall", &Hall{}}, {"/say", &Say{}}} {
		if err := a.Route(r.path, r.c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	if _, err := a.Listen(os.Getenv(helperAddr)); err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		return 1
	}
	if err := a.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		return 1
	}
	return 0
}

// mark records that what happened in this process: a file named
// what-PID in dir.
func mark(dir, what string) {
	os.WriteFile(filepath.Join(dir, what+"-"+strconv.Itoa(os.Getpid())), nil, 0o644)
}
