package main

import (
	"bytes"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"text/template"
)

// skeleton is the application `plezi new NAME` writes: files ending in
// ".in" are text/templates with [[ ]] delimiters (given a newData; the
// ".in" is dropped from their name), the others are copied as they are.
//
//go:embed all:skeleton
var skeleton embed.FS

// appName is what `plezi new` accepts: a folder name that is also a
// valid last element of a module path.
var appName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_-]{0,62}$`)

// newData fills the skeleton's templates.
type newData struct {
	Name    string // the folder and the page's title
	Module  string // the module path (-module, else NAME)
	Version string // the plezi version required
	Replace string // a replace directive's target (-replace), or ""
}

// develVersion is required when this plezi was not built from a tagged
// module (a checkout): pair it with -replace.
const develVersion = "v0.0.0-00010101000000-000000000000"

// pleziVersion returns the version of the plezi module this command was
// built from, or develVersion.
func pleziVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; bi.Main.Path == "github.com/plezi-go/plezi" && strings.HasPrefix(v, "v") {
			return v
		}
	}
	return develVersion
}

// runNew implements `plezi new [-module PATH] NAME`.
func runNew(args []string, stderr io.Writer) error {
	fset := flag.NewFlagSet("plezi new", flag.ContinueOnError)
	fset.SetOutput(stderr)
	module := fset.String("module", "", "module path of the new app (default: NAME)")
	replace := fset.String("replace", "", "a plezi checkout to use (a replace directive), for development")
	tidy := fset.Bool("tidy", true, "run go mod tidy in the new app")
	fset.Usage = func() {
		fmt.Fprintln(stderr, "usage: plezi new [-module PATH] [-replace DIR] NAME")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fset.NArg() != 1 {
		return usageError{"usage: plezi new [-module PATH] NAME"}
	}
	name := fset.Arg(0)
	if !appName.MatchString(filepath.Base(name)) {
		return usageError{fmt.Sprintf("new %q: a name is a letter then letters, digits, - or _", name)}
	}
	d := newData{Name: filepath.Base(name), Module: *module, Version: pleziVersion()}
	if d.Module == "" {
		d.Module = d.Name
	}
	if *replace != "" {
		abs, err := filepath.Abs(*replace)
		if err != nil {
			return err
		}
		d.Replace = filepath.ToSlash(abs)
	}
	if err := writeSkeleton(name, d); err != nil {
		return err
	}
	if *tidy {
		cmd := exec.Command("go", "mod", "tidy")
		cmd.Dir = name
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(stderr, "plezi: go mod tidy in %s failed (run it yourself): %v\n%s", name, err, out)
		}
	}
	fmt.Fprintf(stderr, "plezi: created %s; run it with: cd %s && go run .\n", name, name)
	return nil
}

// writeSkeleton writes the skeleton into dir, which must not exist.
func writeSkeleton(dir string, d newData) error {
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("new: %s exists already", dir)
	}
	return fs.WalkDir(skeleton, "skeleton", func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(path, "skeleton"), "/")
		out := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(rel, ".in")))
		if de.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		src, err := skeleton.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(rel, ".in") {
			t, err := template.New(rel).Delims("[[", "]]").Parse(string(src))
			if err != nil {
				return err
			}
			var b bytes.Buffer
			if err := t.Execute(&b, d); err != nil {
				return err
			}
			src = b.Bytes()
		}
		return os.WriteFile(out, src, 0o644)
	})
}
