package route

// Route is one added pattern and the value it leads to.
type Route[T any] struct {
	// Value is what the caller registered with the pattern.
	Value T

	pattern string
	segs    []segment
	rewrite bool
	extra   *regexpMatcher // Options.Match of a rewrite route
	index   int
	lit0    string // the first segment when it is a literal: a quick refusal
}

// Pattern returns the pattern as given to Add.
func (r *Route[T]) Pattern() string { return r.pattern }

// Rewrite reports whether r is a rewrite route.
func (r *Route[T]) Rewrite() bool { return r.rewrite }

// Index returns r's position in its router (0 for the first added).
func (r *Route[T]) Index() int { return r.index }

// Params returns the names of r's parameters, in pattern order.
func (r *Route[T]) Params() []string {
	var names []string
	for _, s := range r.segs {
		if s.kind != segLiteral {
			names = append(names, s.text)
		}
	}
	return names
}

// Router holds routes in the order they were added. Add must not run
// concurrently with lookups; lookups may run concurrently with each
// other.
type Router[T any] struct {
	routes   []*Route[T]
	rewrites int // rewrite parameters a match may collect
}

// Len returns the number of routes.
func (rt *Router[T]) Len() int { return len(rt.routes) }

// Routes returns the routes in order (the slice is the router's: do not
// modify it).
func (rt *Router[T]) Routes() []*Route[T] { return rt.routes }

// Add parses pattern and appends a route for v. It fails with a
// *PatternError when the pattern is malformed or could collect more than
// MaxParams parameters with the rewrite routes before it.
func (rt *Router[T]) Add(pattern string, v T, o Options) (*Route[T], error) {
	segs, err := parse(pattern, o)
	if err != nil {
		return nil, err
	}
	r := &Route[T]{Value: v, pattern: pattern, segs: segs, rewrite: o.Rewrite, index: len(rt.routes)}
	if o.Match != nil {
		r.extra = &regexpMatcher{o.Match}
	}
	if len(segs) > 0 && segs[0].kind == segLiteral {
		r.lit0 = segs[0].text
	}
	if rt.rewrites+len(r.Params()) > MaxParams {
		return nil, &PatternError{Pattern: pattern, Reason: "with the rewrite routes before it, more than MaxParams parameters"}
	}
	if o.Rewrite {
		rt.rewrites++
	}
	rt.routes = append(rt.routes, r)
	return r, nil
}

// Lookup finds the first non-rewrite route matching path, applying the
// rewrite routes met on the way, and fills it (nil when none matches).
// It is Start then Next.
func (rt *Router[T]) Lookup(path string, it *Iter) *Route[T] {
	rt.Start(it, path)
	return rt.Next(it)
}

// Start prepares it to walk the routes matching path.
func (rt *Router[T]) Start(it *Iter, path string) {
	it.Match.n = 0
	it.Match.rewrites = 0
	it.path = path
	it.first, _, _ = nextSegment(path, 0)
	it.next = 0
}

// Next returns the next non-rewrite route that matches, after those
// returned before (a caller falls through to it when a route declines a
// request), or nil. The iterator's Match holds the parameters of the
// route returned, and those of the rewrite routes applied before it.
func (rt *Router[T]) Next(it *Iter) *Route[T] {
	m := &it.Match
	for it.next < len(rt.routes) {
		r := rt.routes[it.next]
		it.next++
		if r.lit0 != "" && r.lit0 != it.first {
			continue
		}
		m.n = m.rewrites
		rest, ok := r.match(it.path, m)
		if !ok {
			m.n = m.rewrites
			continue
		}
		if r.rewrite {
			it.path = rest
			it.first, _, _ = nextSegment(rest, 0)
			m.rewrites = m.n
			continue
		}
		return r
	}
	m.n = m.rewrites
	return nil
}

// Iter is the state of one lookup; it lives on the caller's stack.
type Iter struct {
	Match
	path  string // what is left of the path after rewrites
	first string // its first segment
	next  int
}

// Path returns the path left after the rewrite routes applied so far.
func (it *Iter) Path() string { return it.path }

// Clone returns a copy of rt that Add can extend while rt keeps serving
// lookups (copy on write).
func (rt *Router[T]) Clone() *Router[T] {
	c := *rt
	c.routes = append([]*Route[T](nil), rt.routes...)
	return &c
}
