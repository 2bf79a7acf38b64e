#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A model of mrm_host's protocol endpoint on a Unix socket, written from
Documentation/protocol.rst, for testing vsock-hostile natively (there is no
vsock host on a build machine).  It is not the host: it only has to be right
where vsock-hostile looks.  With --fault it misbehaves in one way, so that
the test can prove vsock-hostile notices.

usage: model-host.py SOCKET [--handshake-ms N] [--window-ms N]
                            [--ram-mib N] [--fault NAME]
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time

MAGIC = 0x214D524D
HELLO, WELCOME, SET_TARGET, INFLATE, DEFLATE, ACK, STATS, STATS_REQUEST, \
    ERROR, GOODBYE = range(1, 11)
GUEST_TYPES = {HELLO, INFLATE, DEFLATE, STATS, ERROR, GOODBYE}
ERR_MALFORMED, ERR_VERSION, ERR_UNEXPECTED, ERR_TOO_LONG, ERR_REFUSED, \
    ERR_RATE, ERR_RESOURCE, ERR_TIMEOUT, ERR_INTERNAL = range(1, 10)
ACK_OK, ACK_INVALID = 0, 1
CAP_2M, CAP_STATS = 1, 2
MAX_FRAMES, MAX_STATS, MAX_PAGES = 512, 64, 1 << 40
MSGS_PER_SEC, FRAMES_PER_SEC, CONNECTS = 1000, 131072, 12
PSI_AVG = (7, 8)
PSI_AVG_MAX = 10000

FAULTS = ("no-error", "wrong-code", "read-payload-first", "lax-frames",
          "no-handshake-timeout", "early-timeout", "no-rate-limit",
          "no-connect-limit", "low-connect-limit", "close-on-lies",
          "bad-welcome", "no-goodbye")

# (min, max) payload length and entry size of each type (0: fixed).
BOUNDS = {
    HELLO: (40, 40, 0), WELCOME: (24, 24, 0), SET_TARGET: (8, 8, 0),
    INFLATE: (16, 8 + 8 * MAX_FRAMES, 8), DEFLATE: (16, 8 + 8 * MAX_FRAMES, 8),
    ACK: (8, 8, 0), STATS: (8, 8 + 16 * MAX_STATS, 16), STATS_REQUEST: (0, 0, 0),
    ERROR: (8, 8, 0), GOODBYE: (8, 8, 0),
}


class Reject(Exception):
    """End the session with ERROR code, referring to seq ref."""

    def __init__(self, code, ref):
        super().__init__(code)
        self.code, self.ref = code, ref


class Closed(Exception):
    pass


class Session:
    def __init__(self, sock, opts):
        self.sock, self.opts = sock, opts
        self.tx_seq = 0
        self.rx_seq = 0
        self.last_valid = 0
        self.active = False
        self.caps = 0
        self.deadline = time.monotonic() + opts.handshake_ms / 1000
        if opts.fault == "early-timeout":
            self.deadline = time.monotonic() + 0.1
        if opts.fault == "no-handshake-timeout":
            self.deadline = time.monotonic() + 60
        self.budget_at = time.monotonic()
        self.msgs = self.frames = 0

    def send(self, mtype, payload):
        hdr = struct.pack("<IHHII", MAGIC, 1, mtype, len(payload), self.tx_seq)
        self.tx_seq += 1
        self.sock.sendall(hdr + payload)

    def read(self, n):
        buf = b""
        while len(buf) < n:
            if not self.active:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    raise Reject(ERR_TIMEOUT, self.last_valid)
                self.sock.settimeout(left)
            else:
                self.sock.settimeout(120)
            try:
                chunk = self.sock.recv(n - len(buf))
            except socket.timeout:
                if not self.active:
                    raise Reject(ERR_TIMEOUT, self.last_valid)
                raise Closed()
            except OSError:
                raise Closed()
            if not chunk:
                raise Closed()
            buf += chunk
        return buf

    def throttle(self, frames):
        if self.opts.fault == "no-rate-limit":
            return
        self.msgs += 1
        self.frames += frames
        if self.msgs >= MSGS_PER_SEC or self.frames >= FRAMES_PER_SEC:
            # Over budget: stop reading until the next second.
            wait = self.budget_at + 1 - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self.budget_at = time.monotonic()
            self.msgs = self.frames = 0

    def check_frames(self, p, nr, reason_ok):
        if len(p) != 8 + 8 * nr or not 1 <= nr <= MAX_FRAMES or not reason_ok:
            raise Reject(ERR_MALFORMED, self.rx_seq)
        frames = struct.unpack_from("<%dQ" % nr, p, 8)
        for f in frames:
            order = f & 0x3F
            if self.opts.fault == "lax-frames":
                continue
            if f & 0xFC0 or order not in (0, 9) or (f >> 12) % (1 << order):
                raise Reject(ERR_MALFORMED, self.rx_seq)
            if order == 9 and not self.caps & CAP_2M:
                raise Reject(ERR_UNEXPECTED, self.rx_seq)
        return frames

    def message(self):
        h = self.read(16)
        magic, version, mtype, length, seq = struct.unpack("<IHHII", h)
        if magic != MAGIC:
            raise Reject(ERR_MALFORMED, self.last_valid)
        if version != 1:
            raise Reject(ERR_VERSION, self.last_valid)
        if mtype not in BOUNDS:
            raise Reject(ERR_MALFORMED, self.last_valid)
        lo, hi, entry = BOUNDS[mtype]
        if length > hi and self.opts.fault == "read-payload-first":
            self.read(length)
        if length > hi:
            raise Reject(ERR_TOO_LONG, self.last_valid)
        if length < lo or (entry and (length - 8) % entry):
            raise Reject(ERR_MALFORMED, self.last_valid)
        p = self.read(length)
        if seq != self.rx_seq:
            raise Reject(ERR_UNEXPECTED, seq)
        if mtype not in GUEST_TYPES:
            raise Reject(ERR_UNEXPECTED, seq)
        if (mtype == HELLO) == self.active:
            raise Reject(ERR_UNEXPECTED, seq)
        self.handle(mtype, p)
        self.last_valid = seq
        self.rx_seq += 1

    def handle(self, mtype, p):
        seq = self.rx_seq
        if mtype == HELLO:
            lo, hi, psize, caps, res, ram, balloon, boot = \
                struct.unpack("<HHIIIQQQ", p)
            if (res or not 1 <= lo <= hi or psize & (psize - 1) or
                    not 4096 <= psize <= 65536 or not 1 <= ram <= MAX_PAGES or
                    balloon > ram or not boot):
                raise Reject(ERR_MALFORMED, seq)
            if not lo <= 1 <= hi:
                raise Reject(ERR_VERSION, seq)
            self.caps = caps & (CAP_2M | CAP_STATS)
            if self.opts.fault == "bad-welcome":
                caps |= 0x80
            else:
                caps = self.caps
            self.send(WELCOME, struct.pack("<HHIQII", 1, MAX_FRAMES, caps,
                                           0, 0, 0))
            self.active = True
            # Background traffic a guest must put up with.
            self.send(SET_TARGET, struct.pack("<Q", 1000))
            if self.caps & CAP_STATS:
                self.send(STATS_REQUEST, b"")
        elif mtype == INFLATE:
            nr, r0, r1 = struct.unpack_from("<HHI", p)
            frames = self.check_frames(p, nr, not r0 and not r1)
            self.throttle(nr)
            ram_end = self.opts.ram_mib << 20
            accepted, status = nr, ACK_OK
            for i, f in enumerate(frames):
                end = (f & ~0xFFF) + (4096 << (f & 0x3F))
                if end > ram_end and self.opts.fault != "lax-frames":
                    accepted, status = i, ACK_INVALID
                    break
            self.send(ACK, struct.pack("<IHH", seq, accepted, status))
        elif mtype == DEFLATE:
            nr, reason, res = struct.unpack_from("<HHI", p)
            self.check_frames(p, nr, not res and 1 <= reason <= 5)
            self.throttle(nr)
        elif mtype == STATS:
            if not self.caps & CAP_STATS:
                raise Reject(ERR_UNEXPECTED, seq)
            nr, r0, r1 = struct.unpack_from("<HHI", p)
            if r0 or r1 or len(p) != 8 + 16 * nr or nr > MAX_STATS:
                raise Reject(ERR_MALFORMED, seq)
            seen = set()
            for i in range(nr):
                tag, e0, e1, value = struct.unpack_from("<HHIQ", p, 8 + 16 * i)
                if not tag or e0 or e1 or (tag <= 11 and tag in seen):
                    raise Reject(ERR_MALFORMED, seq)
                if tag in PSI_AVG and value > PSI_AVG_MAX:
                    raise Reject(ERR_MALFORMED, seq)
                if self.opts.fault == "close-on-lies" and value > MAX_PAGES:
                    raise Closed()
                seen.add(tag)
            self.throttle(0)
        elif mtype == GOODBYE:
            if self.opts.fault != "no-goodbye":
                self.send(GOODBYE, struct.pack("<HHI", 4, 0, 0))
            raise Closed()
        elif mtype == ERROR:
            raise Closed()

    def run(self):
        try:
            while True:
                self.message()
        except Reject as r:
            if self.opts.fault != "no-error":
                code = ERR_INTERNAL if self.opts.fault == "wrong-code" \
                    else r.code
                try:
                    self.send(ERROR, struct.pack("<HHI", code, 0, r.ref))
                except OSError:
                    pass
        except (Closed, OSError):
            pass
        finally:
            self.sock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--handshake-ms", type=int, default=5000)
    ap.add_argument("--window-ms", type=int, default=60000)
    ap.add_argument("--ram-mib", type=int, default=256)
    ap.add_argument("--fault", choices=FAULTS)
    opts = ap.parse_args()

    if os.path.exists(opts.socket):
        os.unlink(opts.socket)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(opts.socket)
    srv.listen(64)
    accepted = []  # when the connections of the last window were accepted
    while True:
        conn, _ = srv.accept()
        now = time.monotonic()
        # A sliding window, as mrm_host's.
        accepted = [t for t in accepted if now <= t + opts.window_ms / 1000]
        limit = CONNECTS // 2 if opts.fault == "low-connect-limit" else CONNECTS
        if len(accepted) >= limit and opts.fault != "no-connect-limit":
            conn.close()
            continue
        accepted.append(now)
        threading.Thread(target=Session(conn, opts).run, daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
