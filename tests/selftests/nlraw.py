#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""nlraw - send hand-made generic netlink requests, print what comes back.

For the tests of edu's generic netlink family that YNL cannot write
(YNL encodes every attribute as its spec says): wrong lengths, unknown
attributes, stray flags. One line per message received:

  nlraw.py [-f FAMILY] [-b BUFSIZE] family
      id=ID version=V hdrsize=H maxattr=M
      op ID flags=0xF           (one per operation)
      mcgrp NAME ID             (one per multicast group)
  nlraw.py [-f FAMILY] [-b BUFSIZE] do CMD [ATTR...]
  nlraw.py [-f FAMILY] [-b BUFSIZE] dump CMD [ATTR...]
      datagram N bytes=B msgs=M  (only with -b: before the messages of
                                 each datagram received, N from 1)
      msg cmd=C version=V flags=0xF T=KIND:VALUE ...
      done error=E               (dump end; E is its payload, 0 normally)
      ack                        (do: success)
      error errno=NAME(N) msg='...' bad-attr=T miss-type=T miss-nest=T
                                 (extack fields only when present)

ATTR is TYPE:KIND[:VALUE], KIND one of u8 u16 u32 u64 s32 str (NUL
added) strn (no NUL) hex empty; TYPE with an "n" suffix (e.g. "2n")
sets NLA_F_NESTED on the attribute. Received attributes are shown as
str:TEXT (printable, NUL-terminated), u32:N (4 bytes), u64:N (8 bytes)
or hex:BYTES, nests as hex.

-b BUFSIZE receives with a buffer of BUFSIZE bytes (default 64 KiB): the
kernel sizes a dump's later datagrams by the largest buffer the socket
received with, so a small one shows how a dump is split. A datagram
larger than BUFSIZE (MSG_TRUNC) is a malformed reply.

Exit status: 0 the exchange completed (whatever the kernel answered),
2 usage, 3 no such family, 4 no reply (timeout) or malformed reply.
"""
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10
NETLINK_GET_STRICT_CHK = 12

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3fff

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_VERSION = 3
CTRL_ATTR_HDRSIZE = 4
CTRL_ATTR_MAXATTR = 5
CTRL_ATTR_OPS = 6
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_OP_ID = 1
CTRL_ATTR_OP_FLAGS = 2
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2

NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6

NLMSG_HDRLEN = 16
GENL_HDRLEN = 4


def usage():
    sys.stderr.write(__doc__)
    sys.exit(2)


def align4(n):
    return (n + 3) & ~3


def attr(atype, payload):
    raw = struct.pack("HH", 4 + len(payload), atype) + payload
    return raw + b"\0" * (align4(len(raw)) - len(raw))


def parse_attrs(data):
    """[(type, flags, payload, offset)] of a stream of attributes."""
    out = []
    off = 0
    while off + 4 <= len(data):
        alen, atype = struct.unpack_from("HH", data, off)
        if alen < 4 or off + alen > len(data):
            break
        out.append((atype & NLA_TYPE_MASK, atype & ~NLA_TYPE_MASK,
                    data[off + 4:off + alen], off))
        off += align4(alen)
    return out


def attr_arg(spec):
    """bytes of one TYPE:KIND[:VALUE] command-line attribute"""
    parts = spec.split(":", 2)
    if len(parts) < 2:
        usage()
    tstr, kind = parts[0], parts[1]
    value = parts[2] if len(parts) == 3 else ""
    flags = 0
    if tstr.endswith("n"):
        flags = NLA_F_NESTED
        tstr = tstr[:-1]
    atype = int(tstr, 0) | flags
    ints = {"u8": "B", "u16": "H", "u32": "I", "u64": "Q", "s32": "i"}
    if kind in ints:
        payload = struct.pack(ints[kind], int(value, 0))
    elif kind == "str":
        payload = value.encode() + b"\0"
    elif kind == "strn":
        payload = value.encode()
    elif kind == "hex":
        payload = bytes.fromhex(value)
    elif kind == "empty":
        payload = b""
    else:
        usage()
    return attr(atype, payload)


def show(payload):
    if (len(payload) >= 2 and payload[-1] == 0 and
            all(32 <= b < 127 for b in payload[:-1])):
        return "str:" + payload[:-1].decode()
    if len(payload) == 4:
        return "u32:%d" % struct.unpack("I", payload)[0]
    if len(payload) == 8:
        return "u64:%d" % struct.unpack("Q", payload)[0]
    return "hex:" + payload.hex()


class Genl:
    def __init__(self, bufsize):
        self.bufsize = bufsize
        self.show_datagrams = False
        self.datagrams = 0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        for opt in (NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK):
            self.sock.setsockopt(SOL_NETLINK, opt, 1)
        self.sock.settimeout(30)
        self.sock.bind((0, 0))
        self.seq = 1000

    def send(self, family, cmd, flags, payload):
        self.seq += 1
        body = struct.pack("BBH", cmd, 1, 0) + payload
        msg = struct.pack("IHHII", NLMSG_HDRLEN + len(body), family,
                          flags, self.seq, 0) + body
        self.sock.send(msg)
        return msg

    def messages(self):
        """yield (type, flags, payload) of the replies to the last request"""
        while True:
            try:
                data, _, rflags, _ = self.sock.recvmsg(self.bufsize)
            except socket.timeout:
                print("nlraw: no reply", file=sys.stderr)
                sys.exit(4)
            if rflags & socket.MSG_TRUNC:
                print("nlraw: datagram larger than %d bytes (MSG_TRUNC)" % self.bufsize,
                      file=sys.stderr)
                sys.exit(4)
            if self.show_datagrams:
                self.datagrams += 1
                print("datagram %d bytes=%d msgs=%d" % (self.datagrams, len(data),
                                                         count_messages(data)))
            off = 0
            while off + NLMSG_HDRLEN <= len(data):
                mlen, mtype, mflags, seq, _ = struct.unpack_from("IHHII", data, off)
                if mlen < NLMSG_HDRLEN or off + mlen > len(data):
                    print("nlraw: malformed message", file=sys.stderr)
                    sys.exit(4)
                if seq == self.seq:
                    yield mtype, mflags, data[off + NLMSG_HDRLEN:off + mlen]
                off += align4(mlen)


def count_messages(data):
    """netlink messages in one datagram"""
    n = off = 0
    while off + NLMSG_HDRLEN <= len(data):
        mlen = struct.unpack_from("I", data, off)[0]
        if mlen < NLMSG_HDRLEN:
            break
        n += 1
        off += align4(mlen)
    return n


def error_line(flags, payload, request):
    """the 'error ...' line of an NLMSG_ERROR with a nonzero code"""
    err = -struct.unpack_from("i", payload)[0]
    # Linux's ENOTSUP and EOPNOTSUPP are one value; print the kernel's name.
    name = "EOPNOTSUPP" if err == errno.EOPNOTSUPP else errno.errorcode.get(err, "E?")
    line = "error errno=%s(%d)" % (name, err)
    if not flags & NLM_F_ACK_TLVS:
        return line
    # NETLINK_CAP_ACK: only the request's header is echoed
    for atype, _, data, _ in parse_attrs(payload[4 + NLMSG_HDRLEN:]):
        if atype == NLMSGERR_ATTR_MSG:
            line += " msg='%s'" % data.rstrip(b"\0").decode(errors="replace")
        elif atype == NLMSGERR_ATTR_OFFS:
            offs = struct.unpack("I", data)[0]
            base = NLMSG_HDRLEN + GENL_HDRLEN
            hit = [a for a in parse_attrs(request[base:]) if base + a[3] == offs]
            line += " bad-attr=%s" % (hit[0][0] if hit else "offset-%d" % offs)
        elif atype == NLMSGERR_ATTR_MISS_TYPE:
            line += " miss-type=%d" % struct.unpack("I", data)[0]
        elif atype == NLMSGERR_ATTR_MISS_NEST:
            line += " miss-nest=%d" % struct.unpack("I", data)[0]
    return line


def resolve(nl, name):
    """the CTRL_CMD_GETFAMILY reply's attributes for family NAME"""
    nl.send(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_REQUEST | NLM_F_ACK,
            attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
    fam = None
    for mtype, _, payload in nl.messages():
        if mtype == NLMSG_ERROR:
            if struct.unpack_from("i", payload)[0] != 0 or fam is None:
                print("nlraw: no generic netlink family %s" % name, file=sys.stderr)
                sys.exit(3)
            return fam
        if mtype == GENL_ID_CTRL:
            fam = {a[0]: a[2] for a in parse_attrs(payload[GENL_HDRLEN:])}
    return fam


def cmd_family(nl, fam):
    u32 = lambda t: struct.unpack("I", fam[t])[0] if t in fam else 0
    print("id=%d version=%d hdrsize=%d maxattr=%d" % (
        struct.unpack("H", fam[CTRL_ATTR_FAMILY_ID])[0], u32(CTRL_ATTR_VERSION),
        u32(CTRL_ATTR_HDRSIZE), u32(CTRL_ATTR_MAXATTR)))
    for _, _, op, _ in parse_attrs(fam.get(CTRL_ATTR_OPS, b"")):
        o = {a[0]: struct.unpack("I", a[2])[0] for a in parse_attrs(op)}
        print("op %d flags=0x%x" % (o.get(CTRL_ATTR_OP_ID, -1), o.get(CTRL_ATTR_OP_FLAGS, 0)))
    for _, _, grp, _ in parse_attrs(fam.get(CTRL_ATTR_MCAST_GROUPS, b"")):
        g = {a[0]: a[2] for a in parse_attrs(grp)}
        print("mcgrp %s %d" % (g[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode(),
                               struct.unpack("I", g[CTRL_ATTR_MCAST_GRP_ID])[0]))


def cmd_request(nl, fam, dump, args):
    if not args:
        usage()
    family = struct.unpack("H", fam[CTRL_ATTR_FAMILY_ID])[0]
    payload = b"".join(attr_arg(a) for a in args[1:])
    flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
    request = nl.send(family, int(args[0], 0), flags, payload)
    for mtype, mflags, data in nl.messages():
        if mtype == NLMSG_ERROR:
            if struct.unpack_from("i", data)[0] == 0:
                print("ack")
            else:
                print(error_line(mflags, data, request))
            return
        if mtype == NLMSG_DONE:
            print("done error=%d" % (struct.unpack_from("i", data)[0] if len(data) >= 4 else 0))
            return
        if mtype != family:
            print("unexpected type=%d" % mtype)
            continue
        cmd, ver, _ = struct.unpack_from("BBH", data)
        line = "msg cmd=%d version=%d flags=0x%x" % (cmd, ver, mflags)
        for atype, aflags, a, _ in parse_attrs(data[GENL_HDRLEN:]):
            line += " %d%s=%s" % (atype, "n" if aflags & NLA_F_NESTED else "", show(a))
        print(line)


def main():
    argv = sys.argv[1:]
    name = "edu"
    bufsize = None
    while len(argv) >= 2 and argv[0] in ("-f", "-b"):
        if argv[0] == "-f":
            name = argv[1]
        elif argv[1].isdigit() and int(argv[1]) >= NLMSG_HDRLEN:
            bufsize = int(argv[1])
        else:
            usage()
        argv = argv[2:]
    if not argv:
        usage()
    # The family is resolved with the small buffer too: a larger one would
    # make the kernel allocate larger dump datagrams for this socket.
    nl = Genl(bufsize or 1 << 16)
    fam = resolve(nl, name)
    nl.show_datagrams = bufsize is not None
    if argv[0] == "family":
        cmd_family(nl, fam)
    elif argv[0] in ("do", "dump"):
        cmd_request(nl, fam, argv[0] == "dump", argv[1:])
    else:
        usage()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
