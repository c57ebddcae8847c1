package route

import "testing"

// FuzzRoute matches paths against patterns: it must never panic, and a
// match's parameters must build a path the route matches again with the
// same parameters.
func FuzzRoute(f *testing.F) {
	f.Add("/users/(:id)", "/users/42", true)
	f.Add("/a/:x{[0-9]+}/(:y)", "/a/1/b", false)
	f.Add("/static/*", "/static/a//b/", false)
	f.Add("/:x/(:y)/*rest", "//q/w/e/r", false)
	f.Add("/", "/", true)
	f.Fuzz(func(t *testing.T, pattern, path string, autoID bool) {
		var rt Router[int]
		r, err := rt.Add(pattern, 1, Options{AutoID: autoID})
		if err != nil {
			return
		}
		var it Iter
		if rt.Lookup(path, &it) == nil {
			return
		}
		first := params(&it.Match)
		m := it.Match
		p2, err := r.Build(func(k string) (string, bool) { return m.Get(k) })
		if err != nil {
			t.Fatalf("pattern %q path %q params %q: Build: %v", pattern, path, first, err)
		}
		var it2 Iter
		if rt.Lookup(p2, &it2) == nil {
			t.Fatalf("pattern %q: built %q from %q (params %q) does not match", pattern, p2, path, first)
		}
		if got := params(&it2.Match); got != first {
			t.Fatalf("pattern %q: %q gives %q, rebuilt %q gives %q", pattern, path, first, p2, got)
		}
	})
}
