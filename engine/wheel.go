package engine

// wheelSlots is the number of one-second slots of a timing wheel. A
// connection whose deadline lies further ahead sits in its slot for more
// than one turn and is skipped until its second comes.
const wheelSlots = 256

// wheel is a per-loop hashed timing wheel of connections with an idle
// timeout or a close deadline, at one-second resolution. It is owned by the
// loop goroutine. Activity does not move a connection: when its slot comes,
// the loop compares the last activity with the timeout and either fires or
// re-inserts it at the real deadline (lazy re-insertion), so a busy
// connection costs one check per timeout period and no timer operations.
type wheel struct {
	slots [wheelSlots]*Conn
	cur   int64 // last second processed
	count int
}

func (w *wheel) add(c *Conn, at int64) {
	if at <= w.cur {
		at = w.cur + 1
	}
	c.wat = at
	i := at % wheelSlots
	c.wprev = nil
	c.wnext = w.slots[i]
	if c.wnext != nil {
		c.wnext.wprev = c
	}
	w.slots[i] = c
	w.count++
}

func (w *wheel) remove(c *Conn) {
	if c.wat == 0 {
		return
	}
	i := c.wat % wheelSlots
	if c.wprev != nil {
		c.wprev.wnext = c.wnext
	} else {
		w.slots[i] = c.wnext
	}
	if c.wnext != nil {
		c.wnext.wprev = c.wprev
	}
	c.wnext, c.wprev, c.wat = nil, nil, 0
	w.count--
}

// advance walks the slots up to now and calls due for every connection
// whose second has come (after removing it from the wheel).
func (w *wheel) advance(now int64, due func(c *Conn)) {
	if w.cur == 0 || now-w.cur > wheelSlots {
		w.cur = now - wheelSlots
		if w.count == 0 {
			w.cur = now
		}
	}
	for w.cur < now {
		w.cur++
		i := w.cur % wheelSlots
		c := w.slots[i]
		for c != nil {
			next := c.wnext
			if c.wat <= w.cur {
				w.remove(c)
				due(c)
			}
			c = next
		}
	}
}
