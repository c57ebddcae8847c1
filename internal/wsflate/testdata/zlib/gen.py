#!/usr/bin/env python3
"""Generates the zlib golden streams of interop_test.go (TestZlibStreams).

Each file holds the messages of one connection as a zlib-based peer (a
browser, Python, Node) sends them with permessage-deflate: raw DEFLATE with
a window of 2**bits bytes, a sync flush after each message and the final
00 00 ff ff removed (RFC 7692 §7.2.1). Lines: "<message hex> <payload hex>".
Run from this directory: python3 gen.py
"""
import random
import zlib

WORDS = ["event", "chat", "user", "message", "hello", "world", "room", "id"]


def messages(seed):
    r = random.Random(seed)
    prev = b""
    out = []
    for i in range(12):
        n = r.choice([1, 20, 125, 126, 300, 700])
        words = " ".join(r.choice(WORDS) for _ in range(n // 5 + 1)).encode()
        m = words[:n]
        if prev and i % 2 == 1:
            # Repeat the end of the previous message: a back-reference
            # across the message boundary, within the smallest window.
            m = prev[-min(len(prev), 200):] + m[:50]
        out.append(m)
        prev = m
    return out


def stream(bits, takeover, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -bits, 9)
    lines = []
    for m in messages(bits * 2 + takeover):
        if not takeover:
            c = zlib.compressobj(level, zlib.DEFLATED, -bits, 9)
        p = c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH)
        assert p.endswith(b"\x00\x00\xff\xff")
        lines.append(m.hex() + " " + p[:-4].hex())
    return lines


for bits in range(9, 16):
    for takeover in (0, 1):
        name = "bits%d-%s.txt" % (bits, "takeover" if takeover else "nocontext")
        with open(name, "w") as f:
            f.write("\n".join(stream(bits, takeover)) + "\n")
