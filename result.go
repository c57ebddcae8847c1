package plezi

import (
	"encoding/json"
	"html/template"
	"io"
	"net/http"
)

// Shared header values: the adapter copies header values into its own
// buffer and never changes them, so one slice serves every response.
var (
	htmlType = []string{"text/html; charset=utf-8"}
	jsonType = []string{"application/json"}
)

// writeResult writes a method's return value: nil writes nothing more;
// a string, template.HTML or []byte is the body (text/html unless a
// Content-Type was set); anything else is encoded as JSON. status, when
// not 0, is written first (error pages).
func writeResult(w http.ResponseWriter, status int, v any) error {
	switch x := v.(type) {
	case nil:
		if status != 0 {
			w.WriteHeader(status)
		}
		return nil
	case string:
		head(w, status, htmlType)
		_, err := io.WriteString(w, x)
		return err
	case template.HTML:
		head(w, status, htmlType)
		_, err := io.WriteString(w, string(x))
		return err
	case []byte:
		head(w, status, htmlType)
		_, err := w.Write(x)
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	head(w, status, jsonType)
	_, err = w.Write(b)
	return err
}

// head sets a default Content-Type and the status.
func head(w http.ResponseWriter, status int, ctype []string) {
	h := w.Header()
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = ctype
	}
	if status != 0 {
		w.WriteHeader(status)
	}
}

// writeResult writes an action's return value: on the native Ctx while
// nothing asked for the ResponseWriter, else through it.
func (c *Controller) writeResult(v any) error {
	if !c.native() {
		return writeResult(c.w, 0, v)
	}
	x := c.x
	ctype := htmlType[0]
	if c.format != "" {
		ctype = typeOf(c.format)
	}
	var err error
	switch v := v.(type) {
	case nil:
	case string:
		x.SetHeader("Content-Type", ctype)
		_, err = x.WriteString(v)
	case template.HTML:
		x.SetHeader("Content-Type", ctype)
		_, err = x.WriteString(string(v))
	case []byte:
		x.SetHeader("Content-Type", ctype)
		_, err = x.Write(v)
	default:
		var b []byte
		if b, err = json.Marshal(v); err != nil {
			return err
		}
		if c.format == "" {
			ctype = jsonType[0]
		}
		x.SetHeader("Content-Type", ctype)
		_, err = x.Write(b)
	}
	return err
}
