package wsflate

import (
	"reflect"
	"testing"
)

// elems parses h into a readable form: name;p=v;q... or !bad.
func elems(h string) []string {
	var out []string
	var e element
	sc := scanner{s: h}
	for sc.next(&e) {
		if e.bad {
			out = append(out, "!bad:"+e.raw)
			continue
		}
		s := e.name
		for _, p := range e.params[:e.n] {
			s += ";" + p.name
			if p.hasValue {
				s += "=" + p.value
			}
		}
		out = append(out, s)
	}
	return out
}

func TestScanner(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , ,, ", nil},
		{"permessage-deflate", []string{"permessage-deflate"}},
		{"permessage-deflate; client_max_window_bits", []string{"permessage-deflate;client_max_window_bits"}},
		{"a;x=1;y, b ; z = 2 ,c", []string{"a;x=1;y", "b;z=2", "c"}},
		{`a; v="1\0", b`, []string{`a;v="1\0"`, "b"}},
		{`a; v="x,y", b`, []string{`a;v="x,y"`, "b"}},
		{"\ta\t;\tx\t", []string{"a;x"}},
		{"a b, c", []string{"!bad:a b", "c"}},
		{"a;, c", []string{"!bad:a;", "c"}},
		{"a;x=, c", []string{"!bad:a;x=", "c"}},
		{`a;x="unterminated, c`, []string{`!bad:a;x="unterminated, c`}},
		{`a;x="bad\`, []string{`!bad:a;x="bad\`}},
		{`x y "q,r", c`, []string{`!bad:x y "q,r"`, "c"}},
		{"=a, b", []string{"!bad:=a", "b"}},
		{"a;x=\"ctl\x01\", b", []string{"!bad:a;x=\"ctl\x01\"", "b"}},
	}
	for _, tt := range tests {
		if got := elems(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("elems(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScannerOverflow(t *testing.T) {
	var e element
	sc := scanner{s: "a;1;2;3;4;5;6;7;8;9, b"}
	if !sc.next(&e) || e.bad || !e.overflow || e.n != maxParams {
		t.Fatalf("element = %+v, want overflow with %d params", e, maxParams)
	}
	if !sc.next(&e) || e.name != "b" {
		t.Fatalf("next element = %+v, want b", e)
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"10", "10", true},
		{`"10"`, "10", true},
		{`"1\0"`, "10", true},
		{`""`, "", false},
		{`"1 0"`, "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := unquote(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("unquote(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
