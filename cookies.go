package plezi

import (
	"net/http"
	"time"
)

// Cookies reads the request's cookies and sets or deletes the
// response's. Set cookies are Path=/, HttpOnly and SameSite=Lax unless
// given with SetCookie.
type Cookies struct{ c *Controller }

// Cookies returns the request's cookie jar.
func (c *Controller) Cookies() Cookies { return Cookies{c} }

// Get returns the value of the request's cookie name ("" when absent).
func (k Cookies) Get(name string) string {
	ck, err := k.c.request().Cookie(name)
	if err != nil {
		return ""
	}
	return ck.Value
}

// Set sets a session cookie name=value on the response.
func (k Cookies) Set(name, value string) {
	k.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// SetCookie sets ck on the response as given; an invalid cookie is
// dropped (as net/http does).
func (k Cookies) SetCookie(ck *http.Cookie) { http.SetCookie(k.c.writer(), ck) }

// Delete tells the client to remove the cookie name (Path=/).
func (k Cookies) Delete(name string) {
	http.SetCookie(k.c.writer(), &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0)})
}
