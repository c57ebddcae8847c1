package websocket_test

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/plezi-go/plezi/websocket"
)

// rawCase is one protocol case, after the Autobahn|Testsuite case it
// mirrors (the numbers in its name).
type rawCase struct {
	name string
	run  func(r *rawClient)
}

// runSection runs cases against an echo server on the native httpd path
// (poller transport, callbacks inline and on a pool of 4) and on a
// hijacked net/http connection (portable transport), each case on a
// fresh connection.
func runSection(t *testing.T, o *websocket.Options, extra string, cases []rawCase) {
	for _, srv := range []struct {
		name string
		kind string
		m    mode
	}{{"native", native, modes[0]}, {"native-threads", native, modes[1]}, {"plain", plain, modes[0]}} {
		t.Run(srv.name, func(t *testing.T) {
			url := serveRaw(t, srv.m, srv.kind, echo, o)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(dialRaw(t, url, extra))
				})
			}
		})
	}
}

func echoCase(name string, op byte, data []byte) rawCase {
	return rawCase{name, func(r *rawClient) {
		r.send(frame(true, 0, op, data))
		r.expect(op, data)
		r.send(closeFrame(1000, ""))
		r.expectClose(1000)
	}}
}

func failCase(name string, code int, frames ...[]byte) rawCase {
	return rawCase{name, func(r *rawClient) {
		r.send(frames...)
		r.expectClose(code)
	}}
}

// Section 1: framing. Text and binary of every length class echo intact.
func TestAutobahn1Framing(t *testing.T) {
	var cases []rawCase
	for _, n := range []int{0, 125, 126, 127, 128, 65535, 65536} {
		cases = append(cases,
			echoCase("1.1 text "+itoa(n), 0x1, bytes.Repeat([]byte("*"), n)),
			echoCase("1.2 binary "+itoa(n), 0x2, bytes.Repeat([]byte{0xfe}, n)))
	}
	cases = append(cases, rawCase{"1.1.8 text 65536 in 997-byte chops", func(r *rawClient) {
		msg := bytes.Repeat([]byte("*"), 65536)
		r.sendSlowly(frame(true, 0, 1, msg), 997)
		r.expect(1, msg)
	}})
	runSection(t, nil, "", cases)
}

func itoa(n int) string { return strconv.Itoa(n) }

// Section 2: pings and pongs.
func TestAutobahn2Pings(t *testing.T) {
	p125 := bytes.Repeat([]byte{0xfe}, 125)
	runSection(t, nil, "", []rawCase{
		{"2.1 ping empty", func(r *rawClient) { r.send(frame(true, 0, 9, nil)); r.expect(0xA, nil) }},
		{"2.2 ping text payload", func(r *rawClient) {
			r.send(frame(true, 0, 9, []byte("Hello, world!")))
			r.expect(0xA, []byte("Hello, world!"))
		}},
		{"2.3 ping binary payload", func(r *rawClient) {
			r.send(frame(true, 0, 9, []byte{0, 0xff, 0xfe, 0xfd}))
			r.expect(0xA, []byte{0, 0xff, 0xfe, 0xfd})
		}},
		{"2.4 ping 125 bytes", func(r *rawClient) { r.send(frame(true, 0, 9, p125)); r.expect(0xA, p125) }},
		failCase("2.5 ping 126 bytes", 1002, frame(true, 0, 9, append(p125, 0))),
		{"2.6 ping 125 bytes byte by byte", func(r *rawClient) { r.sendSlowly(frame(true, 0, 9, p125), 1); r.expect(0xA, p125) }},
		{"2.7-2.9 unsolicited pongs ignored, then ping", func(r *rawClient) {
			r.send(frame(true, 0, 0xA, nil), frame(true, 0, 0xA, []byte("x")), frame(true, 0, 9, []byte("p")))
			r.expect(0xA, []byte("p"))
		}},
		{"2.10 ten pings", func(r *rawClient) {
			for i := 0; i < 10; i++ {
				r.send(frame(true, 0, 9, []byte{byte(i)}))
			}
			for i := 0; i < 10; i++ {
				r.expect(0xA, []byte{byte(i)})
			}
		}},
	})
}

// Section 3: reserved bits without a negotiated extension.
func TestAutobahn3ReservedBits(t *testing.T) {
	runSection(t, nil, "", []rawCase{
		failCase("3.1 RSV1 on text", 1002, frame(true, 4, 1, []byte("Hello"))),
		{"3.2 RSV2 after a valid text", func(r *rawClient) {
			r.send(text("Hello"), frame(true, 2, 1, []byte("Hello")), frame(true, 0, 9, nil))
			r.expect(1, []byte("Hello"))
			r.expectClose(1002)
		}},
		failCase("3.3 RSV1+RSV2", 1002, frame(true, 6, 1, []byte("Hello"))),
		failCase("3.4 RSV3 sent slowly", 1002, frame(true, 1, 1, []byte("Hello"))),
		failCase("3.5 RSV1+RSV3 binary", 1002, frame(true, 5, 2, []byte{1, 2})),
		failCase("3.6 RSV2+RSV3 ping", 1002, frame(true, 3, 9, []byte("p"))),
		failCase("3.7 all RSV on close", 1002, frame(true, 7, 8, []byte{3, 232})),
	})
}

// Section 4: reserved opcodes.
func TestAutobahn4Opcodes(t *testing.T) {
	var cases []rawCase
	for _, op := range []byte{3, 4, 5, 6, 7, 11, 12, 13, 14, 15} {
		cases = append(cases, rawCase{"4.x opcode " + itoa(int(op)), func(r *rawClient) {
			r.send(text("Hello"), frame(true, 0, op, []byte("x")), frame(true, 0, 9, nil))
			r.expect(1, []byte("Hello"))
			r.expectClose(1002)
		}})
	}
	runSection(t, nil, "", cases)
}

// Section 5: fragmentation.
func TestAutobahn5Fragmentation(t *testing.T) {
	runSection(t, nil, "", []rawCase{
		failCase("5.1 fragmented ping", 1002, frame(false, 0, 9, []byte("a")), frame(true, 0, 0, []byte("b"))),
		failCase("5.2 fragmented pong", 1002, frame(false, 0, 0xA, []byte("a")), frame(true, 0, 0, []byte("b"))),
		{"5.3 text in two frames", func(r *rawClient) {
			r.send(frame(false, 0, 1, []byte("frag1")), frame(true, 0, 0, []byte("frag2")))
			r.expect(1, []byte("frag1frag2"))
		}},
		{"5.6 ping between fragments", func(r *rawClient) {
			r.send(frame(false, 0, 1, []byte("frag1")), frame(true, 0, 9, []byte("ping")), frame(true, 0, 0, []byte("frag2")))
			r.expect(0xA, []byte("ping"))
			r.expect(1, []byte("frag1frag2"))
		}},
		{"5.8 ping between fragments, byte by byte", func(r *rawClient) {
			r.sendSlowly(bytes.Join([][]byte{frame(false, 0, 2, []byte("f1")), frame(true, 0, 9, []byte("p")), frame(false, 0, 0, []byte("f2")), frame(true, 0, 0, []byte("f3"))}, nil), 1)
			r.expect(0xA, []byte("p"))
			r.expect(2, []byte("f1f2f3"))
		}},
		failCase("5.9 continuation without start", 1002, frame(true, 0, 0, []byte("x")), text("Hello")),
		failCase("5.12 non-final continuation without start", 1002, frame(false, 0, 0, []byte("x")), text("Hello")),
		failCase("5.18 text frame inside a fragmented text", 1002, frame(false, 0, 1, []byte("a")), frame(true, 0, 1, []byte("b"))),
		{"5.19 pings inside a five-frame message", func(r *rawClient) {
			r.send(frame(false, 0, 1, []byte("1")), frame(false, 0, 0, []byte("2")), frame(true, 0, 9, []byte("a")),
				frame(false, 0, 0, []byte("3")), frame(false, 0, 0, []byte("4")), frame(true, 0, 9, []byte("b")), frame(true, 0, 0, []byte("5")))
			r.expect(0xA, []byte("a"))
			r.expect(0xA, []byte("b"))
			r.expect(1, []byte("12345"))
		}},
	})
}

// Section 6: UTF-8 handling.
func TestAutobahn6UTF8(t *testing.T) {
	valid := []string{"", "κόσμε", "\u0080", "\u0800", "\U00010000", "\u007f", "\u07ff", "\uffff", "\U0010FFFF", "\ufffe", "\ufffd", "\ud7ff", "\ue000"}
	invalid := []string{"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited", "\xf4\x90\x80\x80", "\x80", "\xbf", "\xc0 ", "\xe0\x80", "\xfe", "\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xf8\x80\x80\x80\xaf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xa0\x80\xed\xb0\x80", "\xc1\xbf", "\xf0\x8f\xbf\xbf"}
	var cases []rawCase
	for i, s := range valid {
		cases = append(cases,
			echoCase("6.x valid "+itoa(i), 1, []byte(s)),
			rawCase{"6.x valid fragmented per byte " + itoa(i), func(r *rawClient) {
				if s == "" {
					return
				}
				for j := 0; j < len(s); j++ {
					op := byte(0)
					if j == 0 {
						op = 1
					}
					r.send(frame(j == len(s)-1, 0, op, []byte{s[j]}))
				}
				r.expect(1, []byte(s))
			}})
	}
	for i, s := range invalid {
		cases = append(cases, failCase("6.x invalid "+itoa(i), 1007, frame(true, 0, 1, []byte(s))))
		cases = append(cases, rawCase{"6.x invalid fragmented per byte " + itoa(i), func(r *rawClient) {
			for j := 0; j < len(s); j++ {
				op := byte(0)
				if j == 0 {
					op = 1
				}
				r.send(frame(j == len(s)-1, 0, op, []byte{s[j]}))
			}
			r.expectClose(1007)
		}})
	}
	// 6.4.1-6.4.4: fail fast, before the message (or the frame) ends.
	cases = append(cases,
		rawCase{"6.4.1 fail at the second of three frames", func(r *rawClient) {
			r.send(frame(false, 0, 1, []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")), frame(false, 0, 0, []byte("\xf4\x90\x80\x80")))
			r.expectCloseBefore(1007, frame(true, 0, 0, []byte("\x65\x64\x69\x74\x65\x64")))
		}},
		rawCase{"6.4.3 fail inside a frame", func(r *rawClient) {
			f := frame(true, 0, 1, []byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4\x90\x80\x80\x65\x64\x69\x74\x65\x64"))
			r.send(f[:6+12+3])
			r.expectCloseBefore(1007, f[6+12+3:])
		}},
	)
	runSection(t, nil, "", cases)
}

// expectCloseBefore checks that the close arrives although rest (the end
// of the message) is never sent: the server failed fast.
func (r *rawClient) expectCloseBefore(code int, rest []byte) {
	r.t.Helper()
	r.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	r.expectClose(code)
	if len(rest) == 0 {
		r.t.Fatal("case without a withheld end")
	}
}

// Section 7: close handling.
func TestAutobahn7Close(t *testing.T) {
	cases := []rawCase{
		{"7.1.1 echo then close", func(r *rawClient) {
			r.send(text("Hello"), closeFrame(1000, ""))
			r.expect(1, []byte("Hello"))
			r.expectClose(1000)
		}},
		{"7.1.2-7.1.4 nothing after close", func(r *rawClient) {
			r.send(closeFrame(1000, ""), closeFrame(1000, ""), frame(true, 0, 9, nil), text("late"))
			r.expectClose(1000)
		}},
		{"7.1.5 close inside a fragmented message", func(r *rawClient) {
			r.send(frame(false, 0, 1, []byte("frag1")), closeFrame(1000, ""), frame(true, 0, 0, []byte("frag2")))
			r.expectClose(1000)
		}},
		{"7.3.1 close without payload", func(r *rawClient) {
			r.send(frame(true, 0, 8, nil))
			r.expectClose(0)
		}},
		failCase("7.3.2 close payload of 1 byte", 1002, frame(true, 0, 8, []byte{3})),
		{"7.3.4 close with reason", func(r *rawClient) { r.send(closeFrame(1000, "Hello World!")); r.expectClose(1000) }},
		{"7.3.5 close with 123-byte reason", func(r *rawClient) {
			r.send(closeFrame(1000, string(bytes.Repeat([]byte("*"), 123))))
			r.expectClose(1000)
		}},
		failCase("7.3.6 close with 124-byte reason", 1002, closeFrame(1000, string(bytes.Repeat([]byte("*"), 124)))),
		failCase("7.5.1 close reason not UTF-8", 1007, closeFrame(1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64")),
	}
	for _, code := range []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		cases = append(cases, rawCase{"7.7 valid code " + itoa(code), func(r *rawClient) { r.send(closeFrame(code, "")); r.expectClose(code) }})
	}
	for _, code := range []int{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535} {
		cases = append(cases, failCase("7.9/7.13 invalid code "+itoa(code), 1002, closeFrame(code, "")))
	}
	runSection(t, nil, "", cases)
}

// Section 9 (bounded): big messages up to the limit echo; one byte more,
// announced in a frame header or reached through fragments, is 1009.
func TestAutobahn9Limits(t *testing.T) {
	o := &websocket.Options{MaxMessage: 1 << 20}
	big := bytes.Repeat([]byte("a"), 1<<20)
	runSection(t, o, "", []rawCase{
		echoCase("9.1 text 1 MiB", 1, big),
		{"9.2 binary 1 MiB in 64 KiB fragments", func(r *rawClient) {
			for i := 0; i < len(big); i += 64 << 10 {
				op := byte(0)
				if i == 0 {
					op = 2
				}
				r.send(frame(i+64<<10 >= len(big), 0, op, big[i:i+64<<10]))
			}
			r.expect(2, big)
		}},
		{"over the limit in one frame header", func(r *rawClient) {
			f := frame(true, 0, 2, append(big, 1))
			r.send(f[:14])
			r.expectClose(1009)
		}},
		failCase("over the limit through fragments", 1009, frame(false, 0, 2, big), frame(true, 0, 0, []byte{1})),
	})
	// The default limit is 250 KiB.
	atLimit := bytes.Repeat([]byte("d"), websocket.DefaultMaxMessage)
	runSection(t, nil, "", []rawCase{
		echoCase("default limit: 250 KiB echo", 2, atLimit),
		{"default limit: one byte more", func(r *rawClient) {
			r.send(frame(true, 0, 2, append(atLimit, 1))[:14])
			r.expectClose(1009)
		}},
	})
}
