#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send one QMP command to a QEMU and print its result as JSON.

    qmp.py <socket> <command> [<arguments as JSON>]

Exit status 0 with the "return" value printed, 1 with the error printed
if QEMU answered with "error", 2 on usage or connection problems.  Every
socket operation times out after 10 s.
"""
import json
import socket
import sys

TIMEOUT_S = 10


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, command = sys.argv[1], sys.argv[2]
    request = {"execute": command}
    if len(sys.argv) == 4:
        request["arguments"] = json.loads(sys.argv[3])
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT_S)
        sock.connect(path)
        stream = sock.makefile("rw")
        json.loads(stream.readline())  # greeting
        stream.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
        stream.flush()
        while "return" not in json.loads(stream.readline()):
            pass
        stream.write(json.dumps(request) + "\n")
        stream.flush()
        while True:
            reply = json.loads(stream.readline())
            if "return" in reply:
                print(json.dumps(reply["return"]))
                return 0
            if "error" in reply:
                print(json.dumps(reply["error"]), file=sys.stderr)
                return 1
            # an asynchronous event: keep reading
    except (OSError, ValueError) as err:
        print(f"qmp.py: {path}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
