//go:build !unix

package cluster

// Worker processes need descriptor inheritance by number, which this
// system lacks: every process is Single.
const supported = false

func runMaster(c *Cluster) error { return ErrUnsupported }

func (c *Cluster) watchParent() {}
