package plezi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/plezi-go/plezi"
)

// Echo returns its parameters as JSON (files as their names and sizes).
type Echo struct{ plezi.Controller }

func (c *Echo) Index() any  { return c.dump() }
func (c *Echo) Show() any   { return c.dump() }
func (c *Echo) Create() any { return c.dump() }
func (c *Echo) Update() any { return c.dump() }

func (c *Echo) dump() any {
	p := c.Params()
	out := map[string]any{}
	for k, v := range p {
		if files, ok := v.([]*multipart.FileHeader); ok {
			f, _ := files[0].Open()
			b, _ := io.ReadAll(f)
			f.Close()
			out[k] = files[0].Filename + ":" + string(b)
			continue
		}
		out[k] = v
	}
	return out
}

func jsonBody(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%q: %v", body, err)
	}
	return m
}

func TestParamsMerge(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/echo/:kind", &Echo{})
	base := serve(t, a)
	c := client(t)

	// query < form < path; nested keys and lists.
	resp, body := do(t, c, "POST", base+"/echo/form/5?q=1&kind=query&user[name]=Q&user[age]=3",
		"application/x-www-form-urlencoded", "user[name]=Ann&tags[]=a&tags[]=b&id=body&x=%C3%A9")
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	got := jsonBody(t, body)
	wantJSON(t, got, `{"id":"5","kind":"form","q":"1","tags":["a","b"],"user":{"age":"3","name":"Ann"},"x":"é"}`)

	// JSON body: nested objects become Params; numbers stay exact.
	_, body = do(t, c, "PUT", base+"/echo/json/7?q=2", "application/json",
		`{"user":{"name":"Bob","roles":["a"]},"n":12345678901234567890,"ok":true}`)
	wantJSON(t, jsonBody(t, body), `{"id":"7","kind":"json","n":12345678901234567890,"ok":true,"q":"2","user":{"name":"Bob","roles":["a"]}}`)

	// Multipart: values and files.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("user[name]", "Cy")
	fw, _ := mw.CreateFormFile("upload", "a.txt")
	fw.Write([]byte("file body"))
	mw.Close()
	_, body = do(t, c, "POST", base+"/echo/multi", mw.FormDataContentType(), buf.String())
	wantJSON(t, jsonBody(t, body), `{"kind":"multi","upload":"a.txt:file body","user":{"name":"Cy"}}`)

	// Percent-encoded path values are decoded.
	_, body = do(t, c, "GET", base+"/echo/a%20b", "", "")
	wantJSON(t, jsonBody(t, body), `{"kind":"a b"}`)
}

func wantJSON(t *testing.T, got map[string]any, want string) {
	t.Helper()
	g, _ := json.Marshal(got)
	var w map[string]any
	json.Unmarshal([]byte(want), &w)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(g, wb) {
		t.Errorf("params\n got %s\nwant %s", g, wb)
	}
}

func TestBadBodies(t *testing.T) {
	a := newApp()
	a.MaxBody = 64
	mustRoute(t, a, "/echo", &Echo{})
	base := serve(t, a)
	c := client(t)
	cases := []struct {
		ctype, body string
		status      int
		prefix      string
	}{
		{"application/json", `{"a":`, 400, "400 Bad Request: plezi: bad parameters: JSON body"},
		{"application/json", `[1,2]`, 400, "400 Bad Request: plezi: bad parameters: JSON body"},
		{"application/json", `null`, 400, "400 Bad Request: plezi: bad parameters: JSON body: not an object"},
		{"application/json", `{"a":"` + strings.Repeat("x", 100) + `"}`, 413, "413 Request Entity Too Large"},
		{"application/x-www-form-urlencoded", "a=" + strings.Repeat("x", 100), 413, "413 Request Entity Too Large"},
		{"application/x-www-form-urlencoded", "a=%zz", 400, "400 Bad Request"},
		{"multipart/form-data; boundary=xx", "garbage", 400, "400 Bad Request"},
	}
	for _, k := range cases {
		resp, body := do(t, c, "POST", base+"/echo", k.ctype, k.body)
		if resp.StatusCode != k.status || !strings.HasPrefix(body, k.prefix) {
			t.Errorf("%s %.20q: %d %q, want %d %q...", k.ctype, k.body, resp.StatusCode, body, k.status, k.prefix)
		}
	}
}

func TestParamsType(t *testing.T) {
	p := plezi.Params{}
	p.Set("user[name]", "Ann")
	p.Set("user[address][city]", "Paris")
	p.Set("tags[]", "a")
	p.Set("tags[]", "b")
	p.Set("n", "42")
	p.Set("n2", "x")
	p.Set("[bad", "v")
	p.Set("", "ignored")
	checks := []struct{ got, want any }{
		{p.Get("user[name]"), "Ann"},
		{p.Map("user").Get("name"), "Ann"},
		{p.Get("user[address][city]"), "Paris"},
		{p.Get("user[nope][x]"), ""},
		{p.Get("n[x]"), ""},
		{strings.Join(p.List("tags"), ","), "a,b"},
		{p.Get("tags"), "b"},
		{strings.Join(p.List("n"), ","), "42"},
		{p.List("user") == nil, true},
		{p.Has("user"), true},
		{p.Has("nope"), false},
		{p.Get("[bad"), "v"},
		{len(p), 5},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: %v, want %v", i, c.got, c.want)
		}
	}
	if n, ok := p.Int("n"); !ok || n != 42 {
		t.Errorf("Int(n) = %d %v", n, ok)
	}
	if _, ok := p.Int("n2"); ok {
		t.Error("Int(n2) ok")
	}
	p.Set("user", "scalar") // a scalar replaces the nested value
	if p.Map("user") != nil || p.Get("user") != "scalar" {
		t.Error("replace nested with scalar")
	}
	p.Set("user[x]", "y") // and a nested key replaces the scalar
	if p.Get("user[x]") != "y" {
		t.Error("replace scalar with nested")
	}
}

// TestNoParseWithoutUse reads query parameters of a GET with no body.
func TestNoParseWithoutUse(t *testing.T) {
	a := newApp()
	mustRoute(t, a, "/", &Echo{})
	base := serve(t, a)
	resp, body := do(t, client(t), http.MethodGet, base+"/?a=1&b[c]=2", "", "")
	if resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	wantJSON(t, jsonBody(t, body), `{"a":"1","b":{"c":"2"}}`)
}
