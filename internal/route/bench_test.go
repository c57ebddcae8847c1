package route

import (
	"fmt"
	"testing"
)

// hundred returns a router of 100 routes in a realistic mix: literals,
// parameters, optional ids, constraints and catch-alls.
func hundred(b *testing.B) *Router[int] {
	var rt Router[int]
	add := func(p string, o Options) {
		if _, err := rt.Add(p, rt.Len(), o); err != nil {
			b.Fatal(err)
		}
	}
	add("/:locale{en|fr|de}", Options{Rewrite: true})
	for i := 0; rt.Len() < 99; i++ {
		switch i % 4 {
		case 0:
			add(fmt.Sprintf("/res%d", i), Options{AutoID: true})
		case 1:
			add(fmt.Sprintf("/api/v1/res%d/:id{[0-9]+}/items/(:item)", i), Options{})
		case 2:
			add(fmt.Sprintf("/static%d/*", i), Options{})
		case 3:
			add(fmt.Sprintf("/users/:user/res%d", i), Options{})
		}
	}
	add("/", Options{AutoID: true})
	return &rt
}

func benchLookup(b *testing.B, path string) {
	rt := hundred(b)
	var it Iter
	if rt.Lookup(path, &it) == nil {
		b.Fatalf("%s: no match", path)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rt.Lookup(path, &it)
	}
}

// BenchmarkLookup100First matches the first route of 100.
func BenchmarkLookup100First(b *testing.B) { benchLookup(b, "/res0/12") }

// BenchmarkLookup100Last matches the last route of 100 after a rewrite.
func BenchmarkLookup100Last(b *testing.B) { benchLookup(b, "/en/42") }

// BenchmarkLookup100Middle matches a constrained route halfway.
func BenchmarkLookup100Middle(b *testing.B) { benchLookup(b, "/api/v1/res49/7/items/3") }
