package plezi

import (
	"fmt"
	"io"

	"github.com/plezi-go/plezi/cluster"
	"github.com/plezi-go/plezi/engine"
	"github.com/plezi-go/plezi/pubsub"
)

// cluster returns the App's process cluster (Cluster, or one made from
// Workers on first use).
func (a *App) cluster() *cluster.Cluster {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cl == nil {
		a.cl = a.Cluster
		if a.cl == nil {
			a.cl = &cluster.Cluster{}
		}
		if a.Workers != 0 {
			a.cl.Workers = a.Workers
		}
		if a.PIDFile != "" {
			a.cl.PIDFile = a.PIDFile
		}
		if a.cl.Logger == nil {
			a.cl.Logger = a.Logger
		}
	}
	return a.cl
}

// Role returns what this process is in the App's cluster: Single (no
// worker processes), Master (supervises, runs no application code) or
// Worker.
func (a *App) Role() cluster.Role { return a.cluster().Role() }

// listenCluster adds a listener in a master or worker: the master binds
// the socket for its workers, a worker serves the one it inherited.
func (a *App) listenCluster(cl *cluster.Cluster, network, addr string) (*engine.Listener, error) {
	ln, err := cl.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	return a.server().ListenOn(a.engine(), ln)
}

// startCluster is Start in a master or a worker.
func (a *App) startCluster(cl *cluster.Cluster) error {
	if cl.Role() == cluster.Master {
		if a.RemotePubSub != nil {
			b := &pubsub.Broker{Logger: a.Logger}
			done, err := a.useRemote(b)
			if err != nil {
				return err
			}
			defer done()
			cl.Upstream = cluster.BrokerUpstream(b)
		}
		return cl.Run()
	}
	b := a.Broker()
	local, remote := cl.Engines(b, nil)
	_, placeholder := b.Engine.(*pubsub.Cluster)
	switch {
	case a.RemotePubSub != nil:
		b.Engine = remote
	case b.Engine == nil || placeholder:
		b.Engine = local
	}
	e := a.engine()
	e.On(engine.Started, func() {
		if err := cl.Ready(); err != nil {
			a.log("cluster ready", err)
		}
	})
	cl.OnMasterGone(func() { go a.Stop() })
	defer cl.Close()
	return e.Start()
}

// startSingle is Start without worker processes.
func (a *App) startSingle(cl *cluster.Cluster) error {
	if a.RemotePubSub != nil {
		done, err := a.useRemote(a.Broker())
		if err != nil {
			return err
		}
		defer done()
	}
	remove, err := cl.WritePIDFile()
	if err != nil {
		return err
	}
	defer remove()
	return a.engine().Start()
}

// useRemote makes b's engine with RemotePubSub; done closes it when it
// holds connections (a Redis client).
func (a *App) useRemote(b *pubsub.Broker) (done func(), err error) {
	re, err := a.RemotePubSub(b)
	if err != nil {
		return nil, fmt.Errorf("plezi: remote pub/sub: %w", err)
	}
	b.Engine = re
	return func() {
		if c, ok := re.(io.Closer); ok {
			c.Close()
		}
	}, nil
}

// networkOf returns "unix" for an address that names a Unix socket
// (starting with '/' or '.'), else "tcp".
func networkOf(addr string) string {
	if len(addr) > 0 && (addr[0] == '/' || addr[0] == '.') {
		return "unix"
	}
	return "tcp"
}
