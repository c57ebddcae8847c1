package websocket

import (
	"errors"

	"github.com/plezi-go/plezi/internal/wsflate"
)

// inflateError maps a decompression error to the close it causes: 1009
// past the size limit, 1007 for corrupt data.
func inflateError(err error) error {
	if errors.Is(err, wsflate.ErrTooLarge) {
		return errTooBig
	}
	return errCorrupt
}

// flateConfig is the wsflate configuration of the options.
func (o *config) flateConfig() wsflate.Config {
	return wsflate.Config{
		Level:                   o.CompressionLevel,
		Threshold:               o.CompressionThreshold,
		ServerContextTakeover:   o.ContextTakeover,
		ClientNoContextTakeover: o.ClientNoContextTakeover,
	}
}

// startDeflate sets up the compressor and decompressor of a connection that
// negotiated permessage-deflate with parameters p.
func (c *Conn) startDeflate(p wsflate.Params, o *config) {
	cfg := o.flateConfig()
	c.comp = wsflate.NewCompressor(p, cfg, c.server)
	c.decomp = wsflate.NewDecompressor(p, c.server)
	c.r.deflate = c.decomp
	c.level = cfg.Level
	if c.level == 0 {
		c.level = wsflate.DefaultLevel
	}
}

// stopDeflate returns the compression state to wsflate's pools.
func (c *Conn) stopDeflate() {
	c.wmu.Lock()
	if c.comp != nil {
		c.comp.Release()
	}
	c.wmu.Unlock()
	if c.decomp != nil {
		c.decomp.Release()
	}
}
