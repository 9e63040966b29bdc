#!/usr/bin/env python3
"""Captures golden stream DUMP payloads from a real Redis 7.0 for StreamDumpGoldenTest.

Usage: capture-golden-streams.py PORT > golden-streams.txt

For every case it runs the commands that build stream "k" on a flushed server, then records the
DUMP payload (hex; also as written with rdbcompression no) and what XINFO STREAM k FULL COUNT 0
and XINFO STREAM k report, in the form StreamDumpGoldenTest writes for the value ToriDB decodes:

  stream length=N nodes=RADIX-TREE-KEYS last=ID max-deleted=ID added=N first=ID
  entry ID FIELD=VALUE ...
  group NAME last=ID read=N pending=N      (read -1 when Redis reports nil)
  pending ID CONSUMER DELIVERY-TIME DELIVERY-COUNT
  consumer NAME seen=SEEN-TIME pending=ID,ID,... ('-' when none)

Bytes outside 0x21-0x7e, and '\\', '=' and ',', are written as \\xNN. Cases named "v1-..." are
payloads of the same commands converted by hand to RDB_TYPE_STREAM_LISTPACKS (15, Redis 5 and 6:
no first ID, max deleted ID, entries added, entries read), restored into Redis, and described as
Redis made them.
"""
import socket
import struct
import sys


class Redis:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            if isinstance(a, str):
                a = a.encode("latin-1")
            elif isinstance(a, int):
                a = str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        return self.read()

    def read(self):
        line = self.f.readline()[:-2]
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            return self.f.read(n + 2)[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError("bad reply " + repr(line))


def crc64(data):
    poly = int("{:064b}".format(0xAD93D23594C935A9)[::-1], 2)
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc


def footer(body):
    body = body + struct.pack("<H", 10)
    return body + struct.pack("<Q", crc64(body))


def xadds(first, n, fields):
    return [["XADD", "k", "%d-0" % i] + fields(i) for i in range(first, first + n)]


CASES = [
    ("one-entry", [["XADD", "k", "1-1", "f", "v"]]),
    (
        "same-and-other-fields",
        [
            ["XADD", "k", "1-1", "name", "ann", "age", "31"],
            ["XADD", "k", "1-2", "name", "bob", "age", "-7"],
            ["XADD", "k", "2-0", "name", "cid"],
            ["XADD", "k", "3-0", "age", "40", "name", "dee"],
            ["XADD", "k", "4-0", "name", "", "age", "9223372036854775807"],
            ["XADD", "k", "5-0", "n", "-9223372036854775808", "m", "18446744073709551616"],
            ["XADD", "k", "6-0", "123", "007", "-0", "x" * 70, "", "\x00\xff\r\n"],
            ["XADD", "k", "7-0", "name", "eve", "age", "1"],
            ["XADD", "k", "7-1", "dup", "1", "dup", "2"],
        ],
    ),
    (
        "tombstones",
        xadds(1, 10, lambda i: ["a", str(i), "b", "v%d" % i])
        + [["XDEL", "k", "1-0", "5-0", "6-0", "10-0"]],
    ),
    (
        "many-nodes-and-trim",
        xadds(1, 250, lambda i: ["a", str(i * 3), "b", "value-%d" % i] if i % 7 else ["z", "q"])
        + [["XTRIM", "k", "MAXLEN", "180"], ["XDEL", "k", "120-0"]],
    ),
    (
        "big-values",
        [
            ["XADD", "k", "1-0", "f", "a" * 3000],
            ["XADD", "k", "2-0", "f", "b" * 3000],
            ["XADD", "k", "3-0", "f", "".join(chr(33 + (i * 7) % 90) for i in range(5000))],
            ["XADD", "k", "4-0", "f", "small"],
        ],
    ),
    (
        "groups",
        xadds(1, 6, lambda i: ["f", "v%d" % i])
        + [
            ["XGROUP", "CREATE", "k", "g1", "0"],
            ["XGROUP", "CREATE", "k", "g2", "$"],
            ["XGROUP", "CREATE", "k", "grp\x00\xff", "2-0"],
            ["XGROUP", "CREATE", "k", "123", "0", "ENTRIESREAD", "0"],
            ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "k", ">"],
            ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "k", ">"],
            ["XACK", "k", "g1", "1-0"],
            ["XGROUP", "CREATECONSUMER", "k", "g1", "carol"],
            ["XCLAIM", "k", "g1", "dave", "0", "4-0", "RETRYCOUNT", "5"],
            ["XREADGROUP", "GROUP", "grp\x00\xff", "7", "STREAMS", "k", ">"],
            ["XREADGROUP", "GROUP", "123", "c\x01", "COUNT", "1", "STREAMS", "k", ">"],
            ["XDEL", "k", "3-0"],
        ],
    ),
    ("empty-after-xdel", [["XADD", "k", "1-1", "a", "1"], ["XDEL", "k", "1-1"]]),
    (
        "empty-with-group",
        [["XGROUP", "CREATE", "k", "g", "$", "MKSTREAM"], ["XGROUP", "CREATECONSUMER", "k", "g", "c"]],
    ),
    (
        "xsetid",
        [
            ["XADD", "k", "5-5", "a", "1"],
            ["XSETID", "k", "100-200", "ENTRIESADDED", "50", "MAXDELETEDID", "3-3"],
        ],
    ),
    (
        "big-ids",
        [
            ["XADD", "k", "1-100", "a", "1"],
            ["XADD", "k", "2-0", "a", "2"],
            ["XADD", "k", "18446744073709551615-18446744073709551615", "a", "3"],
        ],
    ),
    ("compressible", xadds(1, 40, lambda i: ["field", "same value, again and again"])),
]

# Cases also converted to the Redis 5/6 form.
V1_CASES = ["one-entry", "tombstones", "groups", "many-nodes-and-trim"]


def esc(b):
    if isinstance(b, int):
        b = str(b).encode()
    out = []
    for c in b:
        if 0x21 <= c <= 0x7E and c not in b"\\=,":
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return "".join(out)


def text(b):
    return b.decode() if isinstance(b, bytes) else str(b)


def pairs(reply):
    return {text(reply[i]): reply[i + 1] for i in range(0, len(reply), 2)}


def describe(r):
    full = pairs(r.call("XINFO", "STREAM", "k", "FULL", "COUNT", "0"))
    plain = pairs(r.call("XINFO", "STREAM", "k"))
    lines = [
        "stream length=%d nodes=%d last=%s max-deleted=%s added=%d first=%s"
        % (
            full["length"],
            full["radix-tree-keys"],
            text(full["last-generated-id"]),
            text(full["max-deleted-entry-id"]),
            full["entries-added"],
            text(plain["recorded-first-entry-id"]),
        )
    ]
    for e in full["entries"]:
        fv = e[1]
        lines.append(
            "entry %s %s"
            % (text(e[0]), " ".join("%s=%s" % (esc(fv[i]), esc(fv[i + 1])) for i in range(0, len(fv), 2)))
        )
    for g in full["groups"]:
        g = pairs(g)
        read = g["entries-read"]
        lines.append(
            "group %s last=%s read=%d pending=%d"
            % (esc(g["name"]), text(g["last-delivered-id"]), -1 if read is None else read, g["pel-count"])
        )
        for p in g["pending"]:
            lines.append("pending %s %s %d %d" % (text(p[0]), esc(p[1]), p[2], p[3]))
        for c in g["consumers"]:
            c = pairs(c)
            ids = ",".join(text(p[0]) for p in c["pending"]) or "-"
            lines.append("consumer %s seen=%d pending=%s" % (esc(c["name"]), c["seen-time"], ids))
    return lines


class Reader:
    """Walks an uncompressed type-19 body, copying what type 15 keeps."""

    def __init__(self, b):
        self.b = b
        self.p = 0
        self.out = b""

    def take(self, n, keep=True):
        chunk = self.b[self.p : self.p + n]
        self.p += n
        if keep:
            self.out += chunk
        return chunk

    def length(self, keep=True):
        first = self.b[self.p]
        kind = first >> 6
        if kind == 0:
            v = first & 0x3F
            self.take(1, keep)
        elif kind == 1:
            v = ((first & 0x3F) << 8) | self.b[self.p + 1]
            self.take(2, keep)
        elif first == 0x80:
            v = struct.unpack(">I", self.b[self.p + 1 : self.p + 5])[0]
            self.take(5, keep)
        elif first == 0x81:
            v = struct.unpack(">Q", self.b[self.p + 1 : self.p + 9])[0]
            self.take(9, keep)
        else:
            raise RuntimeError("not a length")
        return v

    def string(self):
        first = self.b[self.p]
        if first >> 6 == 3:
            n = {0: 1, 1: 2, 2: 4}[first & 0x3F]
            self.take(1 + n)
        else:
            self.take(self.length())


def to_v1(payload):
    """An uncompressed type-19 payload as type 15: the fields Redis 7.0 added left out."""
    body = payload[:-10]
    assert body[0] == 19
    r = Reader(body[1:])
    for _ in range(r.length()):
        r.string()
        r.string()
    r.length()
    r.length()
    r.length()
    for _ in range(5):
        r.length(False)
    for _ in range(r.length()):
        r.string()
        r.length()
        r.length()
        r.length(False)
        for _ in range(r.length()):
            r.take(16 + 8)
            r.length()
        for _ in range(r.length()):
            r.string()
            r.take(8)
            for _ in range(r.length()):
                r.take(16)
    assert r.p == len(body) - 1
    return footer(b"\x0f" + r.out)


def summary(cmds):
    out = []
    for c in cmds:
        out.append(" ".join(a if len(a) <= 24 else a[:8] + "...(%d)" % len(a) for a in c))
    if len(out) > 12:
        out = out[:6] + ["... %d more ..." % (len(out) - 12)] + out[-6:]
    return esc(" ; ".join(out).encode("latin-1")).replace("\\x20", " ")


def emit(r, name, commands, payload, plain=None):
    print()
    print("name: " + name)
    print("commands: " + commands)
    for line in describe(r):
        print("info: " + line)
    if plain is not None:
        print("plain: " + plain.hex())
    print("payload: " + payload.hex())


def build(r, cmds):
    """Runs the commands; returns the DUMP payload with rdbcompression no, then yes."""
    r.call("FLUSHALL")
    for c in cmds:
        r.call(*c)
    r.call("CONFIG", "SET", "rdbcompression", "no")
    plain = r.call("DUMP", "k")
    r.call("CONFIG", "SET", "rdbcompression", "yes")
    return plain, r.call("DUMP", "k")


def main():
    r = Redis(int(sys.argv[1]))
    print("# Golden stream DUMP payloads captured from redis-server 7.0.15 by")
    print("# capture-golden-streams.py. Each block: name, the commands that built stream k, what")
    print("# XINFO STREAM reported for it (see the script), the payload with rdbcompression no")
    print("# ('plain') and the payload (rdbcompression yes), in hex.")
    v1 = []
    for name, cmds in CASES:
        plain, payload = build(r, cmds)
        if name in V1_CASES:
            v1.append((name, cmds, to_v1(plain)))
        emit(r, "stream-" + name, summary(cmds), payload, plain)
    for name, cmds, payload in v1:
        r.call("FLUSHALL")
        r.call("RESTORE", "k", "0", payload)
        emit(r, "stream-v1-" + name, "converted from: " + summary(cmds), payload)


main()
