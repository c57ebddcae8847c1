package plezi

import (
	"net/http"
	"reflect"
	"regexp"
	"unicode"
	"unicode/utf8"
)

// action is a REST method bound at registration: it calls the method on a
// controller instance through an interface assertion (no reflection).
type action func(inst any) (any, error)

// actionKind indexes the REST methods.
type actionKind uint8

const (
	actIndex actionKind = iota
	actShow
	actNew
	actCreate
	actUpdate
	actDelete
	actCount
)

var actionNames = [actCount]string{"Index", "Show", "New", "Create", "Update", "Delete"}

// ctrlType is what registration learns about a controller type.
type ctrlType struct {
	typ     reflect.Type // the struct type; instances are *typ
	ptr     reflect.Type // *typ
	name    string
	base    bool // embeds Controller
	actions [actCount]action
	events  map[string]eventMethod // JSON events, by method name and lower-first name
	unknown *eventMethod           // Unknown(Params)
	errPage bool                   // implements ErrorPager
	ws, sse bool                   // OnMessage / OnSSE: accepts WebSocket / EventSource
	channel string                 // Broadcast's channel for this type
}

// target is what a route leads to.
type target struct {
	ctrl    *ctrlType
	handler http.Handler
}

// controllerBase is implemented by types embedding Controller.
type controllerBase interface{ base() *Controller }

// analyze inspects a controller value once, at registration.
func analyze(c any) (*ctrlType, string) {
	v := reflect.ValueOf(c)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, "a controller must be a pointer to a struct (got " + typeName(c) + ")"
	}
	ct := &ctrlType{typ: v.Elem().Type(), ptr: v.Type(), name: v.Type().String()}
	ct.channel = broadcastChannel(ct.typ)
	_, ct.base = c.(controllerBase)
	_, ct.errPage = c.(ErrorPager)
	if reason := ct.bindActions(c, v.Type()); reason != "" {
		return nil, reason
	}
	if reason := ct.bindEvents(v.Type()); reason != "" {
		return nil, reason
	}
	if reason := realtimeShape(ct, c); reason != "" {
		return nil, reason
	}
	return ct, ""
}

// bindActions finds the REST methods and their shapes.
func (ct *ctrlType) bindActions(c any, pt reflect.Type) string {
	for k, name := range actionNames {
		if _, ok := pt.MethodByName(name); !ok {
			continue
		}
		a := findAction(actionKind(k), c)
		if a == nil {
			return ct.name + "." + name + " has an unsupported signature; want " + name +
				"() any, () (any, error), () string, () error or ()"
		}
		ct.actions[k] = a
	}
	return ""
}

// newInstance returns a fresh controller. reflect.New allocates it (one
// allocation, as new(T) would); everything else was decided at
// registration.
func (ct *ctrlType) newInstance() any { return reflect.New(ct.typ).Interface() }

// newController returns a fresh controller and its Controller: the
// embedded one, or a separate one for a type that does not embed it.
func (ct *ctrlType) newController() (any, *Controller) {
	inst := ct.newInstance()
	if ct.base {
		return inst, inst.(controllerBase).base()
	}
	return inst, &Controller{}
}

// has reports whether the controller answers any REST verb.
func (ct *ctrlType) has(k actionKind) bool { return ct.actions[k] != nil }

// routable reports whether a controller type can serve anything.
func (ct *ctrlType) routable() bool {
	for _, a := range ct.actions {
		if a != nil {
			return true
		}
	}
	return len(ct.events) > 0 || ct.unknown != nil || ct.ws || ct.sse
}

// rewriteOf returns the regexp of a rewrite route registration.
func rewriteOf(c any) (*regexp.Regexp, bool) {
	re, ok := c.(*regexp.Regexp)
	return re, ok && re != nil
}

func typeName(c any) string {
	if c == nil {
		return "nil"
	}
	return reflect.TypeOf(c).String()
}

// lowerFirst returns name with its first letter in lower case: the JSON
// event name a method answers besides its own name.
func lowerFirst(name string) string {
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToLower(r)) + name[n:]
}
