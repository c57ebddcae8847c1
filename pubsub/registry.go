package pubsub

// addLocked adds s to its channel's or pattern's list, telling the
// watchers when the name had no subscriber. b.mu must be held.
func (b *Broker) addLocked(s *Subscription) {
	b.initLocked()
	m := b.channels
	if s.key.pattern {
		m = b.patterns
	}
	l := m[s.key.name]
	if l == nil {
		l = &subList{name: s.key.name}
		m[s.key.name] = l
		if s.key.pattern {
			b.snapPatternsLocked()
		}
		for _, w := range b.watchers {
			w.Subscribed(s.key.name, s.key.pattern)
		}
	}
	var old []*Subscription
	if p := l.subs.Load(); p != nil {
		old = *p
	}
	subs := make([]*Subscription, len(old), len(old)+1)
	copy(subs, old)
	subs = append(subs, s)
	l.subs.Store(&subs)
	s.active.Store(true)
	b.subs++
}

// removeLocked ends s: it leaves its list (which is dropped, and the
// watchers told, when it empties) and its owner's map. b.mu must be held.
func (b *Broker) removeLocked(s *Subscription) {
	if !s.active.CompareAndSwap(true, false) {
		return
	}
	b.subs--
	if s.owner != nil {
		if m := b.owners[s.owner]; m[s.key] == s {
			delete(m, s.key)
			if len(m) == 0 {
				delete(b.owners, s.owner)
			}
		}
	}
	m := b.channels
	if s.key.pattern {
		m = b.patterns
	}
	l := m[s.key.name]
	old := *l.subs.Load()
	if len(old) == 1 {
		delete(m, s.key.name)
		l.subs.Store(&[]*Subscription{})
		if s.key.pattern {
			b.snapPatternsLocked()
		}
		for _, w := range b.watchers {
			w.Unsubscribed(s.key.name, s.key.pattern)
		}
		return
	}
	subs := make([]*Subscription, 0, len(old)-1)
	for _, x := range old {
		if x != s {
			subs = append(subs, x)
		}
	}
	l.subs.Store(&subs)
}

// snapPatternsLocked republishes the pattern list for Publish. b.mu must
// be held.
func (b *Broker) snapPatternsLocked() {
	snap := make([]*subList, 0, len(b.patterns))
	for _, l := range b.patterns {
		snap = append(snap, l)
	}
	b.patSnap.Store(&snap)
}
