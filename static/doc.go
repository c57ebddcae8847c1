// Package static serves files from a public folder, as iodine's -www does:
// index.html for directories, precompressed .br and .gz siblings chosen by
// Accept-Encoding (with Vary), ETag and Last-Modified with 304 answers, a
// single byte Range (206, 416, If-Range), HEAD, and Content-Type by
// extension.
//
// Dir is an http.Handler, so it runs on net/http and on Plezi's server
// alike; on Plezi's server the body is copied with io.ReaderFrom, which
// uses sendfile on Linux.
//
// Path traversal is impossible by construction: the request path is
// rejected if it holds a ".." segment (also when percent-encoded), an
// encoded slash or backslash, or a NUL byte, and files are opened through
// an os.Root, which refuses any path (symbolic links included) that leaves
// the folder.
package static
