package plezi

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Params holds a request's parameters: the route's, the query's and the
// body's (URL-encoded or multipart form, or a JSON object), merged in
// that order of precedence: path over body over query.
//
// Keys with brackets nest, as in Plezi and Rails: "user[name]=Ann" gives
// Params{"user": Params{"name": "Ann"}}, and "tags[]=a&tags[]=b" gives
// Params{"tags": []string{"a", "b"}}. A plain key given twice keeps the
// last value. Value types:
//
//   - string, for path, query and form values;
//   - Params, for nested keys and JSON objects;
//   - []string, for "key[]" form values;
//   - []*multipart.FileHeader, for uploaded files;
//   - json.Number, bool, nil and []any, for JSON values.
type Params map[string]any

// Get returns the value at key as a string ("" when absent or not a
// scalar). A key may name a nested value: Get("user[name]").
func (p Params) Get(key string) string {
	switch v := p.Value(key).(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case []string:
		if len(v) > 0 {
			return v[len(v)-1]
		}
	}
	return ""
}

// Int returns the value at key as an int, and whether it is one.
func (p Params) Int(key string) (int, bool) {
	n, err := strconv.Atoi(p.Get(key))
	return n, err == nil
}

// Map returns the nested Params at key (nil when absent or not nested).
func (p Params) Map(key string) Params {
	m, _ := p.Value(key).(Params)
	return m
}

// List returns the values of a "key[]" parameter (or a single value as a
// list of one).
func (p Params) List(key string) []string {
	switch v := p.Value(key).(type) {
	case []string:
		return v
	case string:
		return []string{v}
	}
	return nil
}

// Has reports whether key is present.
func (p Params) Has(key string) bool { return p.Value(key) != nil || p.hasNil(key) }

func (p Params) hasNil(key string) bool {
	_, ok := p[key]
	return ok
}

// Value returns the value at key, following brackets into nested Params
// ("a[b][c]"); nil when absent.
func (p Params) Value(key string) any {
	base, rest := splitKey(key)
	v, ok := p[base]
	for ok && rest != "" {
		var part string
		part, rest = nextPart(rest)
		m, isMap := v.(Params)
		if !isMap {
			return nil
		}
		v, ok = m[part]
	}
	return v
}

// Set stores v at key, creating nested Params for bracketed keys; a key
// ending in "[]" appends to a []string. Setting a nested key where a
// scalar is replaces the scalar.
func (p Params) Set(key string, v any) {
	base, rest := splitKey(key)
	if base == "" {
		return
	}
	m := p
	for rest != "" {
		var part string
		part, rest = nextPart(rest)
		if part == "" && rest == "" { // "key[]": a list
			m.appendList(base, v)
			return
		}
		child, ok := m[base].(Params)
		if !ok {
			child = Params{}
			m[base] = child
		}
		m, base = child, part
	}
	m[base] = v
}

func (p Params) appendList(key string, v any) {
	s, ok := v.(string)
	if !ok {
		p[key] = v
		return
	}
	list, _ := p[key].([]string)
	p[key] = append(list, s)
}

// splitKey splits "a[b][c]" into "a" and "[b][c]".
func splitKey(key string) (base, rest string) {
	i := strings.IndexByte(key, '[')
	if i <= 0 || !strings.HasSuffix(key, "]") {
		return key, ""
	}
	return key[:i], key[i:]
}

// nextPart takes "[b]" from the front of rest.
func nextPart(rest string) (part, after string) {
	end := strings.IndexByte(rest, ']')
	if rest[0] != '[' || end < 0 {
		return rest, ""
	}
	return rest[1:end], rest[end+1:]
}

// merge copies src's entries into p, nested Params merged key by key.
func (p Params) merge(src Params) {
	for k, v := range src {
		if sm, ok := v.(Params); ok {
			if dm, ok := p[k].(Params); ok {
				dm.merge(sm)
				continue
			}
		}
		p[k] = v
	}
}

// fromJSON converts decoded JSON (objects as map[string]any) into Params
// values.
func fromJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		p := make(Params, len(x))
		for k, e := range x {
			p[k] = fromJSON(e)
		}
		return p
	case []any:
		for i, e := range x {
			x[i] = fromJSON(e)
		}
		return x
	}
	return v
}
