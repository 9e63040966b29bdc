#!/usr/bin/env python3
"""Captures golden DUMP payloads from a real Redis 7.0 for DumpPayloadGoldenTest.

Usage: capture-golden.py PORT > golden-dumps.txt

For every case it runs the commands that build key "k" on a flushed server, then records the
DUMP payload (hex), OBJECT ENCODING and DEBUG DIGEST-VALUE. Cases marked "crafted" build payloads
of the older formats Redis 7.0 still loads (ziplist, zipmap, quicklist v1, text-score zsets) by
hand, RESTORE them into Redis, and record what Redis made of them.
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
            return rest.decode()
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data
        if t == b"*":
            return [self.read() for _ in range(int(rest))]
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


def rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + struct.pack(">I", n)


def rdb_str(s):
    return rdb_len(len(s)) + s


def ziplist(items):
    """A ziplist of byte strings and ints, written from the format description."""
    entries = []
    prev = 0
    offsets = []
    pos = 10
    for it in items:
        prevlen = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)
        if isinstance(it, int):
            if 0 <= it <= 12:
                enc = bytes([0xF1 + it])
            elif -128 <= it <= 127:
                enc = b"\xfe" + struct.pack("<b", it)
            elif -32768 <= it <= 32767:
                enc = b"\xc0" + struct.pack("<h", it)
            elif -(1 << 23) <= it < (1 << 23):
                enc = b"\xf0" + struct.pack("<i", it)[:3]
            elif -(1 << 31) <= it < (1 << 31):
                enc = b"\xd0" + struct.pack("<i", it)
            else:
                enc = b"\xe0" + struct.pack("<q", it)
        else:
            n = len(it)
            if n < 64:
                enc = bytes([n]) + it
            elif n < 16384:
                enc = bytes([0x40 | (n >> 8), n & 0xFF]) + it
            else:
                enc = b"\x80" + struct.pack(">I", n) + it
        e = prevlen + enc
        offsets.append(pos)
        pos += len(e)
        prev = len(e)
        entries.append(e)
    body = b"".join(entries)
    total = 10 + len(body) + 1
    tail = offsets[-1] if offsets else 10
    return struct.pack("<IIH", total, tail, min(len(items), 0xFFFF)) + body + b"\xff"


def zipmap(pairs):
    out = bytes([len(pairs)])
    for f, v in pairs:
        out += bytes([len(f)]) + f + bytes([len(v)]) + b"\x00" + v
    return out + b"\xff"


def text_double(d):
    s = repr(d).encode() if d == d and d not in (float("inf"), float("-inf")) else None
    if s is None:
        return bytes([253 if d != d else (254 if d > 0 else 255)])
    return bytes([len(s)]) + s


CASES = [
    ("string-embstr", [["SET", "k", "bar"]]),
    ("string-empty", [["SET", "k", ""]]),
    ("string-int8", [["SET", "k", "-12"]]),
    ("string-int16", [["SET", "k", "1234"]]),
    ("string-int32", [["SET", "k", "-123456789"]]),
    ("string-int64", [["SET", "k", "12345678901234"]]),
    ("string-not-canonical-int", [["SET", "k", "0123"]]),
    ("string-binary", [["SET", "k", "\x00\xff\r\n\x01binary\x7f"]]),
    ("string-embstr-44", [["SET", "k", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR"]]),
    ("string-raw-incompressible", [["SET", "k", "".join(chr((i * 131 + 7) % 251) for i in range(120))]]),
    ("string-lzf", [["SET", "k", "hello world " * 40]]),
    ("string-lzf-long", [["SET", "k", "".join("%05d," % i for i in range(3000))]]),
    ("list-small", [["RPUSH", "k", "a", "bb", "1", "-3", "1000", "x" * 70]]),
    ("list-integers", [["RPUSH", "k"] + [str(v) for v in [0, 127, 128, -1, -4096, 4095, 4096, -32768, 32767, 32768, -8388608, 8388607, 8388608, -2147483648, 2147483647, 2147483648, -9223372036854775808, 9223372036854775807, "007", "-0", "+1"]]]),
    ("list-long-strings", [["RPUSH", "k", "s" * 63, "t" * 64, "u" * 4095, "v" * 4096, "w" * 5000]]),
    ("list-many-nodes", [["RPUSH", "k"] + ["element-%d" % i for i in range(3000)]]),
    ("list-compressed-nodes", [["CONFIG", "SET", "list-compress-depth", "1"], ["RPUSH", "k"] + ["item:%d:padding-padding" % i for i in range(2000)], ["CONFIG", "SET", "list-compress-depth", "0"]]),
    ("list-plain-nodes", [["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"], ["RPUSH", "k", "small", "P" * 200, "tiny", "Q" * 300], ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824"]]),
    ("set-intset16", [["SADD", "k", "1", "2", "3", "-5", "300"]]),
    ("set-intset32", [["SADD", "k", "1", "100000", "-7"]]),
    ("set-intset64", [["SADD", "k", "1", "9223372036854775807", "-9223372036854775808"]]),
    ("set-hashtable", [["SADD", "k", "a", "b", "c", "1", "\x00bin"]]),
    ("set-big-integers", [["SADD", "k"] + [str(i * 3) for i in range(600)]]),
    ("set-big-strings", [["SADD", "k"] + ["member-%d" % i for i in range(300)]]),
    ("hash-listpack", [["HSET", "k", "f1", "v1", "f2", "2", "3", "-4000", "bin\x00", "\xff\xfe", "long", "z" * 64]]),
    ("hash-hashtable-many", [["HSET", "k"] + sum([["field-%d" % i, "value-%d" % i] for i in range(600)], [])]),
    ("hash-hashtable-long-value", [["HSET", "k", "f", "v" * 100, "g", "1"]]),
    ("zset-listpack", [["ZADD", "k", "1", "a", "2.5", "b", "-3", "c", "inf", "d", "-inf", "e", "1e300", "f", "0.1", "g", "-0", "h", "4611686018427387904", "i", "123456789012", "j"]]),
    ("zset-skiplist-many", [["ZADD", "k"] + sum([[str(i * 0.5), "member-%d" % i] for i in range(300)], [])]),
    ("zset-skiplist-long-member", [["ZADD", "k", "1", "m" * 100, "2", "short", "-0", "negzero"]]),
]


def crafted():
    """(name, payload) pairs of older formats, built by hand."""
    out = []
    out.append(("crafted-list-v1", footer(b"\x01" + rdb_len(3) + rdb_str(b"a") + b"\xc0\x05" + rdb_str(b"ccc"))))
    out.append(("crafted-list-ziplist", footer(b"\x0a" + rdb_str(ziplist([b"a", 5, -100, 1000, 100000, 1 << 40, b"x" * 100])))))
    zl1 = ziplist([b"one", b"two", 3])
    zl2 = ziplist([b"four", 123456])
    out.append(("crafted-list-quicklist", footer(b"\x0e" + rdb_len(2) + rdb_str(zl1) + rdb_str(zl2))))
    out.append(("crafted-hash-ziplist", footer(b"\x0d" + rdb_str(ziplist([b"f1", b"v1", b"f2", 2, 3, b"x" * 80])))))
    out.append(("crafted-hash-zipmap", footer(b"\x09" + rdb_str(zipmap([(b"foo", b"bar"), (b"hello", b"world")])))))
    out.append(("crafted-zset-ziplist", footer(b"\x0c" + rdb_str(ziplist([b"a", 1, b"b", b"2.5", b"c", b"-inf"])))))
    out.append(("crafted-zset-v1", footer(b"\x03" + rdb_len(3) + rdb_str(b"a") + text_double(1.5) + rdb_str(b"b") + text_double(float("inf")) + rdb_str(b"c") + text_double(-2.0))))
    out.append(("crafted-set-strings-as-intset", footer(b"\x02" + rdb_len(3) + rdb_str(b"1") + rdb_str(b"2") + rdb_str(b"300"))))
    return out


def main():
    r = Redis(int(sys.argv[1]))
    print("# Golden DUMP payloads captured from redis-server 7.0.15 by capture-golden.py.")
    print("# Each block: name, the commands that built key k (or 'crafted'), OBJECT ENCODING and")
    print("# DEBUG DIGEST-VALUE after RESTORE into Redis, and the payload in hex.")
    for name, cmds in CASES:
        r.call("FLUSHALL")
        for c in cmds:
            r.call(*c)
        payload = r.call("DUMP", "k")
        r.call("DEL", "k")
        r.call("RESTORE", "k", "0", payload)
        emit(r, name, " ; ".join(" ".join(repr(a)[:60] for a in c) for c in cmds), payload)
    for name, payload in crafted():
        r.call("FLUSHALL")
        r.call("RESTORE", "k", "0", payload)
        emit(r, name, "crafted", payload)


def emit(r, name, commands, payload):
    enc = r.call("OBJECT", "ENCODING", "k")
    d = r.call("DEBUG", "DIGEST-VALUE", "k")[0]
    digest = d if isinstance(d, str) else d.decode()
    print()
    print("name: " + name)
    print("commands: " + commands)
    print("encoding: " + (enc if isinstance(enc, str) else enc.decode()))
    print("digest: " + digest)
    print("payload: " + payload.hex())


main()
