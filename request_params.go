package plezi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// Body limits (App fields' zero values).
const (
	DefaultMaxBody   = 10 << 20 // URL-encoded and JSON bodies read for Params
	DefaultMaxUpload = 32 << 20 // multipart bodies
	DefaultMaxMemory = 8 << 20  // multipart bytes kept in memory; the rest in temporary files
)

// bodyKind classifies a request body by its Content-Type.
type bodyKind uint8

const (
	bodyNone bodyKind = iota
	bodyForm
	bodyMultipart
	bodyJSON
)

func kindOf(r *http.Request) bodyKind {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return bodyNone
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return bodyNone
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return bodyNone
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		return bodyForm
	case "multipart/form-data":
		return bodyMultipart
	case "application/json":
		return bodyJSON
	}
	return bodyNone
}

// readBody parses the request body into c.body, once. It runs before the
// action for requests with a form or JSON body, so that a malformed body
// is answered with 400 or 413 before any controller code runs.
func (c *Controller) readBody() error {
	if c.bodyDone {
		return c.bodyErr
	}
	c.bodyDone = true
	c.bodyErr = c.parseBody()
	if c.bodyErr != nil {
		c.bodyErr = fmt.Errorf("%w: %w", ErrParams, c.bodyErr)
	}
	return c.bodyErr
}

func (c *Controller) parseBody() error {
	r, a := c.req, c.app
	switch kindOf(r) {
	case bodyForm:
		r.Body = http.MaxBytesReader(c.w, r.Body, orInt64(a.MaxBody, DefaultMaxBody))
		if err := r.ParseForm(); err != nil {
			return err
		}
		c.body = Params{}
		setValues(c.body, r.PostForm)
	case bodyMultipart:
		r.Body = http.MaxBytesReader(c.w, r.Body, orInt64(a.MaxUpload, DefaultMaxUpload))
		if err := r.ParseMultipartForm(orInt64(a.MaxMemory, DefaultMaxMemory)); err != nil {
			return err
		}
		c.body = Params{}
		setValues(c.body, r.MultipartForm.Value)
		for k, files := range r.MultipartForm.File {
			c.body.Set(k, files)
		}
	case bodyJSON:
		return c.parseJSON()
	}
	return nil
}

// parseJSON reads a JSON object body.
func (c *Controller) parseJSON() error {
	lim := orInt64(c.app.MaxBody, DefaultMaxBody)
	raw, err := io.ReadAll(http.MaxBytesReader(c.w, c.req.Body, lim))
	if err != nil {
		return err
	}
	c.raw = raw
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("JSON body: %w", err)
	}
	if v == nil {
		return fmt.Errorf("JSON body: not an object")
	}
	c.body = fromJSON(v).(Params)
	return nil
}

// setValues stores url.Values into p (a key given twice keeps its last
// value, unless it ends in "[]").
func setValues(p Params, vs url.Values) {
	for k, list := range vs {
		for _, v := range list {
			p.Set(k, v)
		}
	}
}

// buildParams merges query, body and path parameters.
func (c *Controller) buildParams() Params {
	p := Params{}
	if q := c.rawQuery(); q != "" {
		vs, _ := url.ParseQuery(q) // malformed pairs are skipped, as net/http does
		setValues(p, vs)
	}
	c.readBody() // already done (and answered) for bodies that failed
	p.merge(c.body)
	for _, pp := range c.match {
		k, v := pp.key, pp.val
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		p.Set(k, v)
	}
	return p
}

func orInt64(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}
