package plezi

// The shapes a REST method may have, for each name. Each entry is found
// at registration by an interface assertion on the registered value and
// called per request through the same assertion: no reflection per
// request.

type shape struct {
	ok   func(any) bool
	call action
}

func mk[I any](call func(I) (any, error)) shape {
	return shape{
		ok:   func(v any) bool { _, ok := v.(I); return ok },
		call: func(v any) (any, error) { return call(v.(I)) },
	}
}

var shapes = [actCount][]shape{
	actIndex: {
		mk(func(c interface{ Index() any }) (any, error) { return c.Index(), nil }),
		mk(func(c interface{ Index() (any, error) }) (any, error) { return c.Index() }),
		mk(func(c interface{ Index() string }) (any, error) { return c.Index(), nil }),
		mk(func(c interface{ Index() error }) (any, error) { return nil, c.Index() }),
		mk(func(c interface{ Index() }) (any, error) { c.Index(); return nil, nil }),
	},
	actShow: {
		mk(func(c interface{ Show() any }) (any, error) { return c.Show(), nil }),
		mk(func(c interface{ Show() (any, error) }) (any, error) { return c.Show() }),
		mk(func(c interface{ Show() string }) (any, error) { return c.Show(), nil }),
		mk(func(c interface{ Show() error }) (any, error) { return nil, c.Show() }),
		mk(func(c interface{ Show() }) (any, error) { c.Show(); return nil, nil }),
	},
	actNew: {
		mk(func(c interface{ New() any }) (any, error) { return c.New(), nil }),
		mk(func(c interface{ New() (any, error) }) (any, error) { return c.New() }),
		mk(func(c interface{ New() string }) (any, error) { return c.New(), nil }),
		mk(func(c interface{ New() error }) (any, error) { return nil, c.New() }),
		mk(func(c interface{ New() }) (any, error) { c.New(); return nil, nil }),
	},
	actCreate: {
		mk(func(c interface{ Create() any }) (any, error) { return c.Create(), nil }),
		mk(func(c interface{ Create() (any, error) }) (any, error) { return c.Create() }),
		mk(func(c interface{ Create() string }) (any, error) { return c.Create(), nil }),
		mk(func(c interface{ Create() error }) (any, error) { return nil, c.Create() }),
		mk(func(c interface{ Create() }) (any, error) { c.Create(); return nil, nil }),
	},
	actUpdate: {
		mk(func(c interface{ Update() any }) (any, error) { return c.Update(), nil }),
		mk(func(c interface{ Update() (any, error) }) (any, error) { return c.Update() }),
		mk(func(c interface{ Update() string }) (any, error) { return c.Update(), nil }),
		mk(func(c interface{ Update() error }) (any, error) { return nil, c.Update() }),
		mk(func(c interface{ Update() }) (any, error) { c.Update(); return nil, nil }),
	},
	actDelete: {
		mk(func(c interface{ Delete() any }) (any, error) { return c.Delete(), nil }),
		mk(func(c interface{ Delete() (any, error) }) (any, error) { return c.Delete() }),
		mk(func(c interface{ Delete() string }) (any, error) { return c.Delete(), nil }),
		mk(func(c interface{ Delete() error }) (any, error) { return nil, c.Delete() }),
		mk(func(c interface{ Delete() }) (any, error) { c.Delete(); return nil, nil }),
	},
}

// findAction returns the caller of c's REST method k, or nil when its
// signature is none of the supported shapes.
func findAction(k actionKind, c any) action {
	for _, s := range shapes[k] {
		if s.ok(c) {
			return s.call
		}
	}
	return nil
}
