package route

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

type probe struct {
	path   string
	want   string // the pattern of the route expected, "" for none
	params string // "k=v,k=v" in match order
}

func params(m *Match) string {
	var parts []string
	for i := 0; i < m.Len(); i++ {
		k, v := m.At(i)
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func build(t *testing.T, pats []string, o Options) *Router[string] {
	t.Helper()
	var rt Router[string]
	for _, p := range pats {
		if _, err := rt.Add(p, p, o); err != nil {
			t.Fatalf("Add(%q): %v", p, err)
		}
	}
	return &rt
}

func expect(t *testing.T, rt *Router[string], probes []probe) {
	t.Helper()
	for _, p := range probes {
		var it Iter
		r := rt.Lookup(p.path, &it)
		got := ""
		if r != nil {
			got = r.Value
		}
		if got != p.want {
			t.Errorf("%q: route %q, want %q", p.path, got, p.want)
			continue
		}
		if r != nil && params(&it.Match) != p.params {
			t.Errorf("%q: params %q, want %q", p.path, params(&it.Match), p.params)
		}
	}
}

func TestGrammar(t *testing.T) {
	rt := build(t, []string{
		"/users/:id/posts/(:post)",
		"/static/*",
		"/files/*path",
		"/a/:x{[0-9]+}",
		"/a/:name",
		"/opt/(:one)/(:two{[a-z]+})",
		"/",
	}, Options{})
	expect(t, rt, []probe{
		{"/users/7/posts", "/users/:id/posts/(:post)", "id=7"},
		{"/users/7/posts/9", "/users/:id/posts/(:post)", "id=7,post=9"},
		{"/users/7/posts/9/", "/users/:id/posts/(:post)", "id=7,post=9"},
		{"//users//7/posts", "/users/:id/posts/(:post)", "id=7"},
		{"/users/7/posts/9/10", "", ""},
		{"/users", "", ""},
		{"/static/css/a.css", "/static/*", "*=css/a.css"},
		{"/static", "/static/*", "*="},
		{"/files/x/y", "/files/*path", "path=x/y"},
		{"/a/42", "/a/:x{[0-9]+}", "x=42"},
		{"/a/4b", "/a/:name", "name=4b"},
		{"/opt", "/opt/(:one)/(:two{[a-z]+})", ""},
		{"/opt/1/ab", "/opt/(:one)/(:two{[a-z]+})", "one=1,two=ab"},
		{"/opt/1/AB", "", ""},
		{"/", "/", ""},
		{"", "/", ""},
		{"/nowhere", "", ""},
		{"/USERS/1/posts", "", ""},
	})
}

func TestAutoID(t *testing.T) {
	rt := build(t, []string{"/users", "/items/:id/edit", "/files/*", "/"}, Options{AutoID: true})
	expect(t, rt, []probe{
		{"/users", "/users", ""},
		{"/users/42", "/users", "id=42"},
		{"/users/42/x", "", ""},
		{"/items/3/edit", "/items/:id/edit", "id=3"},
		{"/items/3/edit/4", "", ""}, // has :id: no (:id) added
		{"/files/a/b", "/files/*", "*=a/b"},
		{"/", "/", ""},
		{"/5", "/", "id=5"},
	})
}

func TestOrder(t *testing.T) {
	rt := build(t, []string{"/:any", "/first", "/x/(:a)", "/x/:b"}, Options{})
	expect(t, rt, []probe{
		{"/first", "/:any", "any=first"}, // created first, matched first
		{"/x/1", "/x/(:a)", "a=1"},
	})
	// Next falls through to the later routes that match too.
	var it Iter
	rt.Start(&it, "/x/1")
	var seen []string
	for r := rt.Next(&it); r != nil; r = rt.Next(&it) {
		seen = append(seen, r.Value+":"+params(&it.Match))
	}
	if got := strings.Join(seen, " "); got != "/x/(:a):a=1 /x/:b:b=1" {
		t.Fatalf("fall-through order: %s", got)
	}
}

func TestRewrite(t *testing.T) {
	var rt Router[string]
	add := func(p string, o Options) {
		if _, err := rt.Add(p, p, o); err != nil {
			t.Fatal(err)
		}
	}
	add("/:locale", Options{Rewrite: true, Match: regexp.MustCompile(`^(en|fr)$`)})
	add("/api/:version{v[0-9]}", Options{Rewrite: true})
	add("/users", Options{AutoID: true})
	add("/", Options{AutoID: true})
	expect(t, &rt, []probe{
		{"/en/users/2", "/users", "locale=en,id=2"},
		{"/users/2", "/users", "id=2"},
		{"/de/users/2", "", ""}, // "de" is no locale: /de/users/2 matches nothing
		{"/fr", "/", "locale=fr"},
		{"/fr/api/v2/users", "/users", "locale=fr,version=v2"},
		{"/api/v2/users/5", "/users", "version=v2,id=5"},
		{"/api/vx/users", "", ""},
	})
	var it Iter
	rt.Lookup("/en/users/2", &it)
	if !it.FromRewrite(0) || it.FromRewrite(1) || it.Path() != "/users/2" {
		t.Fatalf("rewrite bookkeeping: %v %v %q", it.FromRewrite(0), it.FromRewrite(1), it.Path())
	}
}

func TestBadPatterns(t *testing.T) {
	bad := []struct {
		p string
		o Options
	}{
		{"/a/(:x)/b", Options{}},
		{"/a/(:x)/:y", Options{}},
		{"/a/*/b", Options{}},
		{"/:x/:x", Options{}},
		{"/:", Options{}},
		{"/:a b", Options{}},
		{"/:x{[}", Options{}},
		{"/:x{}", Options{}},
		{"/:x{a", Options{}},
		{"/a(b", Options{}},
		{"/(:x", Options{}},
		{"/*a b", Options{}},
		{"/a", Options{Rewrite: true}},
		{"/:a/:b", Options{Rewrite: true}},
		{"/(:a)", Options{Rewrite: true}},
		{"/:a/:b/:c/:d/:e/:f/:g/:h/:i", Options{}},
	}
	for _, b := range bad {
		var rt Router[int]
		_, err := rt.Add(b.p, 0, b.o)
		var pe *PatternError
		if !errors.As(err, &pe) || !errors.Is(err, ErrPattern) || pe.Pattern != b.p {
			t.Errorf("Add(%q, %+v) = %v, want a *PatternError", b.p, b.o, err)
		}
	}
}

func TestRewriteBound(t *testing.T) {
	var rt Router[int]
	for i := 0; i < 4; i++ {
		if _, err := rt.Add("/:r"+string(rune('a'+i)), 0, Options{Rewrite: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rt.Add("/:a/:b/:c/:d/:e", 0, Options{}); !errors.Is(err, ErrPattern) {
		t.Fatalf("9 possible params accepted: %v", err)
	}
	if _, err := rt.Add("/:a/:b/:c/:d", 0, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestBuild(t *testing.T) {
	cases := []struct {
		pattern string
		vals    map[string]string
		want    string
		err     bool
	}{
		{"/users", nil, "/users", false},
		{"/users/(:id)", map[string]string{"id": "3"}, "/users/3", false},
		{"/users/(:id)/(:x)", map[string]string{"x": "3"}, "/users", false},
		{"/u/:id/p", map[string]string{"id": "3"}, "/u/3/p", false},
		{"/u/:id", nil, "", true},
		{"/u/:id", map[string]string{"id": "a/b"}, "", true},
		{"/u/:id{[0-9]+}", map[string]string{"id": "ab"}, "", true},
		{"/f/*", map[string]string{"*": "a/b"}, "/f/a/b", false},
		{"/", nil, "/", false},
	}
	for _, c := range cases {
		var rt Router[int]
		r, err := rt.Add(c.pattern, 0, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Build(func(k string) (string, bool) { v, ok := c.vals[k]; return v, ok })
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%s %v: %q, %v; want %q (error %v)", c.pattern, c.vals, got, err, c.want, c.err)
		}
		if err != nil && !errors.Is(err, ErrBuild) {
			t.Errorf("error %v does not wrap ErrBuild", err)
		}
	}
}

func TestRouteInfo(t *testing.T) {
	var rt Router[int]
	rt.Add("/a", 1, Options{})
	r, _ := rt.Add("/b/:x/(:y)", 2, Options{AutoID: true})
	if r.Pattern() != "/b/:x/(:y)" || r.Index() != 1 || r.Rewrite() || rt.Len() != 2 || rt.Routes()[1] != r {
		t.Fatal("route accessors")
	}
	if got := strings.Join(r.Params(), ","); got != "x,y,id" {
		t.Fatalf("Params %q", got)
	}
}
