// Package route is the Plezi router: patterns in Plezi's grammar, matched
// in the order they were added, with no allocation per lookup.
//
// # Grammar
//
// A pattern is a list of segments separated by '/':
//
//   - "users": a literal segment, matched exactly (case-sensitive);
//   - ":name": a required parameter (one non-empty segment);
//   - "(:name)": an optional parameter; once one is absent, every later
//     one is too, so only optional parameters and a catch-all may follow
//     an optional one;
//   - ":name{regexp}" or "(:name{regexp})": a parameter with a
//     constraint, a regular expression the whole segment must match (it
//     may not contain '/');
//   - "*" or "*name": a catch-all, the last segment, matching the rest of
//     the path (possibly empty) as the parameter "*" (or name).
//
// With Options.AutoID an optional "(:id)" is appended unless the pattern
// already has a parameter named id or ends with a catch-all, as Plezi
// does: "/users" serves "/users" and "/users/42".
//
// Empty segments do not count: "/users/", "//users" and "/users" are the
// same path. Parameter values are the raw (still percent-encoded)
// segments; decoding them is the caller's choice.
//
// # Rewrite routes
//
// A rewrite route (Options.Rewrite) has exactly one required parameter,
// whose constraint says which values it takes ("/:locale{en|fr}"). When
// the front of the path matches it, those segments are removed from the
// path, the parameter is kept, and matching goes on with the routes added
// after it; otherwise it is skipped.
//
// # Bounds
//
// A match holds at most MaxParams parameters (rewrite parameters
// included); Add refuses a route that could exceed it. Lookup never
// allocates: a Match is a fixed array that lives on the caller's stack.
package route
