#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""ynl-server.py CLI PORTFILE - many runs of YNL's CLI in one process.

Under TCG, every run of tools/net/ynl/cli.py spends seconds before its
first netlink message: starting Python, importing YNL and parsing the
spec's YAML. netlink.sh makes dozens of calls, so it runs them here:
cli.py's own main(), with the same arguments, in one long-lived process.

Listens on 127.0.0.1, on a port the kernel picks, written to PORTFILE
once it accepts connections. Each connection is one call: the client
sends the argument count and the arguments, each ending in a NUL byte;
the reply is what cli.py prints (stdout and stderr, as one stream), then
a line "rc=N" with its exit status.

Every call looks the family up again (module reloads change its id);
only the parsed spec is kept, and a copy of it handed out each time.
"""
import contextlib
import copy
import importlib.util
import io
import os
import socket
import sys
import traceback
import types


def load_cli(path):
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location("ynl_cli", path)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    return cli


def cache_spec_parsing(nlspec):
    parse = nlspec.yaml.safe_load
    parsed = {}

    def safe_load(stream):
        text = stream.read()
        if text not in parsed:
            parsed[text] = parse(text)
        return copy.deepcopy(parsed[text])

    nlspec.yaml = types.SimpleNamespace(safe_load=safe_load)


def read_args(conn):
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        fields = data.split(b"\0")
        if len(fields) > 1 and len(fields) > int(fields[0]) + 1:
            break
    fields = data.split(b"\0")
    return [f.decode() for f in fields[1:int(fields[0]) + 1]]


def run(cli, ynl_module, args):
    out = io.StringIO()
    rc = 0
    ynl_module.genl_family_name_to_id = None
    sys.argv = ["cli.py"] + args
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            cli.main()
        except SystemExit as e:
            if e.code is None:
                rc = 0
            elif isinstance(e.code, int):
                rc = e.code
            else:
                print(e.code)
                rc = 1
        except Exception:
            traceback.print_exc()
            rc = 1
    text = out.getvalue()
    if text and not text.endswith("\n"):
        text += "\n"
    return text + f"rc={rc}\n"


def main():
    cli = load_cli(sys.argv[1])
    ynl_module = sys.modules[cli.YnlFamily.__module__]
    cache_spec_parsing(sys.modules[cli.YnlFamily.__mro__[1].__module__])

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{srv.getsockname()[1]}\n")
    os.rename(tmp, sys.argv[2])
    while True:
        conn, _ = srv.accept()
        with conn:
            try:
                reply = run(cli, ynl_module, read_args(conn))
            except (ValueError, IndexError, UnicodeDecodeError) as e:
                reply = f"ynl-server.py: bad request: {e}\nrc=2\n"
            conn.sendall(reply.encode())


if __name__ == "__main__":
    main()
