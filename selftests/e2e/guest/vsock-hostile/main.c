// SPDX-License-Identifier: GPL-2.0
/*
 * vsock-hostile: a hostile guest.  User space in an e2e test guest that
 * speaks raw AF_VSOCK to mrm_host and sends it garbage, truncated,
 * oversized, flooding and lying messages, to prove that the host closes
 * such sessions in bounded time, answers lies correctly and stays up.
 * Documentation/protocol.rst is the reference for every expectation; the
 * messages are encoded with their own little-endian helpers over the uapi
 * structs of <linux/mrm_proto.h> (not with common/proto.c: an independent
 * encoder is a better test).
 *
 * Files: wire.c (encoding, socket I/O, connections and what they judge),
 * cases.c (the cases and their tables), main.c (options, dispatch).
 *
 * Usage: vsock-hostile [options] <case>
 *
 * Every connection is made from a reserved port (512 to
 * MRM_PROTO_PEER_PORT_MAX, each one below the last), as mrm_balloon's: the
 * host serves no other, so this program runs as root.
 *
 * Cases (each runs the probe first unless --no-probe; "all" runs the probe
 * once, then every case in this order):
 *   probe           HELLO, WELCOME (every field checked), GOODBYE both
 *                   ways, close: the host serves this guest
 *   unreserved-port as an unprivileged user (uid and gid 65534 when run as
 *                   root): binding a reserved port fails with EACCES (the
 *                   guest kernel's half of the rule); a connection from
 *                   the port the kernel picks (above 1023) is closed
 *                   without a message, even after a HELLO; then the probe
 *                   again: the host still serves this guest (the
 *                   connection step is skipped with --unix)
 *   garbage         seeded random bytes of 7, 16, 1000 and 4120 bytes as
 *                   the first message: closed (ERROR required from 16 up)
 *   bad-magic       a HELLO, and later an INFLATE, with a wrong magic
 *   bad-version     HELLO with header version 2; HELLO offering versions
 *                   0xfff0..0xffff; an INFLATE with header version 2
 *   unknown-type    type 0 as the first message; type 11 after WELCOME;
 *                   a WELCOME sent by the guest
 *   oversized       headers announcing 4112 bytes (HELLO, INFLATE) and
 *                   0xfffffff8 bytes (INFLATE), no payload sent: ERROR
 *                   MRM_ERR_TOO_LONG at once, not after waiting for it
 *   truncated       half a HELLO header; a HELLO header and half its
 *                   payload; then silence: closed by the handshake timeout
 *   outside-ram     INFLATEs of frames at 1 TiB, at the top of the address
 *                   space, at 4 GiB - 4 KiB (BIOS ROM) and, with
 *                   MRM_CAP_FRAME_2M, a 2 MiB frame at 1 TiB: each ACKed
 *                   accepted=0 MRM_ACK_INVALID, in order; then INFLATEs
 *                   with a misaligned, a reserved-bit and a bad-order frame
 *                   after a good one: ERROR MRM_ERR_MALFORMED, no ACK
 *   liar            HELLO claiming 2^40 pages of RAM and balloon, DEFLATEs
 *                   of frames never inflated, STATS with absurd but legal
 *                   values (2^63 pages, 2^64-1 totals, MemTotal 0, an
 *                   unknown tag): the session stays up, a later INFLATE
 *                   outside RAM is ACKed MRM_ACK_INVALID, GOODBYE works;
 *                   then STATS with PSI avg10 = 100000 (above
 *                   MRM_STAT_PSI_AVG_MAX: malformed): ERROR, close
 *   flood           max-size DEFLATEs for --flood-secs: the host keeps to
 *                   its read budget (MRM_PROTO_MAX_FRAMES_PER_SEC and
 *                   MRM_PROTO_MAX_MSGS_PER_SEC plus 1 MiB of buffering),
 *                   then ACKs an INFLATE; or it closed with MRM_ERR_RATE and
 *                   a new connection is welcomed
 *   reconnect-storm --storm connections in a row, HELLO on each: at most
 *                   MRM_PROTO_MAX_CONNECTS_PER_MIN welcomed, and at least
 *                   that many less this program's connections of the last
 *                   minute and 2 (min_welcomed); the others closed at
 *                   once; a minute after the last one a new connection is
 *                   welcomed again
 *   all             every case; takes about five minutes because this
 *                   program keeps to --budget connections a minute
 *
 * Options:
 *   --cid N          host CID (default 2, VMADDR_CID_HOST)
 *   --port N         host port (default MRM_PROTO_PORT, 19794)
 *   --seed N         garbage bytes and boot_id (default 1)
 *   --boot-id N      boot_id in HELLO (default: derived from the seed)
 *   --ram-pages N    ram_pages in HELLO (default: from sysinfo())
 *   --wait MS        how long the host gets to react (default 5000); a
 *                    close owed to the handshake timeout may come up to
 *                    MRM_PROTO_HANDSHAKE_TIMEOUT_MS + MS after connecting
 *   --flood-secs N   flood duration (default 10)
 *   --storm N        connections in the storm (default 50)
 *   --budget N       connections a minute this program allows itself
 *                    outside the storm (default 10, leaving room under
 *                    the host's 12 for anything else this guest did)
 *   --force          run although mrm_balloon is loaded (its session
 *                    would fight ours: unload it first)
 *   --no-probe       no probe before the case nor after it (for
 *                    unreserved-port beside a loaded mrm_balloon, whose
 *                    session a probe would replace)
 *   --dump           print the bytes each step would send, as hex, and
 *                    do not connect: "hostile: dump case= step= msg=
 *                    len= hex=" (the host's answers are assumed to be the
 *                    expected ones; flood and storm show one message)
 *   For tests against a model host (not against mrm_host):
 *   --unix PATH      connect to a Unix stream socket instead of vsock
 *   --handshake-ms N the host's handshake timeout (default 5000)
 *   --window-ms N    the host's connection-limit window (default 60000)
 *
 * Output, one line per fact:
 *   hostile: case=<c> step=<s> result=<r> [key=value...] verdict=pass|fail|skip
 *            [why=<reason>]
 *     result is what the host did: welcome, error-closed (ERROR, then end
 *     of stream), closed (end of stream without ERROR), error-reset, reset,
 *     open (nothing within the bound), error-open (ERROR without a close),
 *     answered (another message instead), garbled (bytes that are not a
 *     valid message), ack, connect-failed; keys: error=<code name>,
 *     ref_seq, ms (from the last byte sent), ack status and accepted,
 *     rates for the flood, counts for the storm.
 *   hostile: case=<c> verdict=pass|fail steps=N failed=M
 *   hostile: pace wait_ms=N               (keeping to --budget)
 *   hostile: passed=N failed=M            (all)
 *
 * Exit status: 0 if the host did what the specification requires in every
 * step, 1 otherwise, 2 for a usage error or when mrm_balloon is loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/mrm_proto.h>
#include <linux/vm_sockets.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "cases.h"
#include "wire.h"

/* "per minute" of MRM_PROTO_MAX_CONNECTS_PER_MIN. */
#define HS_CONNECT_WINDOW_MS	60000
#define HS_MAX_STORM		1000
/* Where the default boot_id comes from. */
#define HS_SALT_BOOT_ID		0x626f6f74ULL

static const char *hs_verdict(bool pass)
{
	return pass ? "pass" : "fail";
}

/* Run case @i; true if every step passed. */
static bool hs_run_case(struct hs_ctx *x, unsigned int i)
{
	x->case_name = hs_cases[i].name;
	x->steps = 0;
	x->failed = 0;
	hs_cases[i].run(x);
	if (!x->dump)
		say("case=%s verdict=%s steps=%u failed=%u", x->case_name,
		    hs_verdict(!x->failed), x->steps, x->failed);
	return !x->failed;
}

static const char hs_usage[] =
	"usage: vsock-hostile [options] <case>\n"
	"A hostile guest: sends mrm_host malformed, truncated, oversized,\n"
	"flooding and lying messages over AF_VSOCK and checks that the host\n"
	"does what Documentation/protocol.rst requires.  Unload mrm_balloon\n"
	"first.  Every case starts with the probe.  Connects from a reserved\n"
	"port (<= 1023): run as root.\n"
	"\n"
	"cases: probe unreserved-port garbage bad-magic bad-version\n"
	"       unknown-type oversized truncated outside-ram liar flood\n"
	"       reconnect-storm all\n"
	"\n"
	"  --cid N          host CID (default 2)\n"
	"  --port N         host port (default 19794)\n"
	"  --seed N         garbage and boot_id seed (default 1)\n"
	"  --boot-id N      HELLO boot_id (default: from the seed)\n"
	"  --ram-pages N    HELLO ram_pages (default: from sysinfo)\n"
	"  --wait MS        time the host gets to react (default 5000)\n"
	"  --flood-secs N   flood duration (default 10)\n"
	"  --storm N        connections in the storm (default 50)\n"
	"  --budget N       connections a minute outside the storm (10)\n"
	"  --force          run although mrm_balloon is loaded\n"
	"  --no-probe       no probe before the case (nor after\n"
	"                   unreserved-port)\n"
	"  --dump           print the bytes each step would send, as hex\n"
	"For tests against a model host:\n"
	"  --unix PATH      Unix stream socket instead of vsock\n"
	"  --handshake-ms N host handshake timeout (default 5000)\n"
	"  --window-ms N    host connection-limit window (default 60000)\n"
	"\n"
	"Lines: hostile: case=<c> step=<s> result=<what the host did>\n"
	"[key=value...] verdict=pass|fail|skip [why=...]; then\n"
	"hostile: case=<c> verdict=... steps=N failed=M; for all,\n"
	"hostile: passed=N failed=M.\n"
	"Exit: 0 the host behaved, 1 it did not, 2 usage or mrm_balloon\n"
	"loaded.\n";

enum {
	OPT_CID = 256,
	OPT_PORT,
	OPT_SEED,
	OPT_BOOT_ID,
	OPT_RAM_PAGES,
	OPT_WAIT,
	OPT_FLOOD_SECS,
	OPT_STORM,
	OPT_BUDGET,
	OPT_FORCE,
	OPT_NO_PROBE,
	OPT_DUMP,
	OPT_UNIX,
	OPT_HANDSHAKE_MS,
	OPT_WINDOW_MS,
	OPT_HELP,
};

static const struct option hs_longopts[] = {
	{ "cid", required_argument, NULL, OPT_CID },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "boot-id", required_argument, NULL, OPT_BOOT_ID },
	{ "ram-pages", required_argument, NULL, OPT_RAM_PAGES },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "flood-secs", required_argument, NULL, OPT_FLOOD_SECS },
	{ "storm", required_argument, NULL, OPT_STORM },
	{ "budget", required_argument, NULL, OPT_BUDGET },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-probe", no_argument, NULL, OPT_NO_PROBE },
	{ "dump", no_argument, NULL, OPT_DUMP },
	{ "unix", required_argument, NULL, OPT_UNIX },
	{ "handshake-ms", required_argument, NULL, OPT_HANDSHAKE_MS },
	{ "window-ms", required_argument, NULL, OPT_WINDOW_MS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int hs_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "vsock-hostile: %s%s%s\n%s", what, arg ? " " : "",
		arg ?: "", hs_usage);
	return 2;
}

/* A decimal (or 0x hexadecimal) integer, all of @s, @min..@max. */
static bool hs_parse(const char *s, u64 min, u64 max, u64 *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoull(s, &end, !strncmp(s, "0x", 2) ? 16 : 10);
	if (errno || *end || x < min || x > max)
		return false;
	*v = x;
	return true;
}

int main(int argc, char **argv)
{
	struct hs_ctx x = {
		.cid = VMADDR_CID_HOST,
		.port = MRM_PROTO_PORT,
		.seed = 1,
		.wait_ms = 5000,
		.handshake_ms = MRM_PROTO_HANDSHAKE_TIMEOUT_MS,
		.window_ms = HS_CONNECT_WINDOW_MS,
		.flood_secs = 10,
		.storm = 50,
		.budget = MRM_PROTO_MAX_CONNECTS_PER_MIN - HS_OTHERS,
	};
	bool force = false, boot_id_set = false;
	unsigned int i, passed = 0, failed = 0;
	struct sysinfo si;
	const char *name;
	u64 v = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", hs_longopts, NULL)) != -1) {
		bool good = true;

		switch (c) {
		case OPT_CID:
			good = hs_parse(optarg, 0, ~0U, &v);
			x.cid = v;
			break;
		case OPT_PORT:
			good = hs_parse(optarg, 0, ~0U, &v);
			x.port = v;
			break;
		case OPT_SEED:
			good = hs_parse(optarg, 0, ~0ULL, &x.seed);
			break;
		case OPT_BOOT_ID:
			good = hs_parse(optarg, 1, ~0ULL, &x.boot_id);
			boot_id_set = true;
			break;
		case OPT_RAM_PAGES:
			good = hs_parse(optarg, 1, MRM_PROTO_MAX_PAGES,
					&x.ram_pages);
			break;
		case OPT_WAIT:
			good = hs_parse(optarg, 1, 600000, &x.wait_ms);
			break;
		case OPT_FLOOD_SECS:
			good = hs_parse(optarg, 1, 3600, &x.flood_secs);
			break;
		case OPT_STORM:
			good = hs_parse(optarg, 1, HS_MAX_STORM, &v);
			x.storm = v;
			break;
		case OPT_BUDGET:
			good = hs_parse(optarg, 1, HS_MAX_LOG, &v);
			x.budget = v;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_NO_PROBE:
			x.no_probe = true;
			break;
		case OPT_DUMP:
			x.dump = true;
			break;
		case OPT_UNIX:
			x.unix_path = optarg;
			break;
		case OPT_HANDSHAKE_MS:
			good = hs_parse(optarg, 1, 600000, &x.handshake_ms);
			break;
		case OPT_WINDOW_MS:
			good = hs_parse(optarg, 1, 3600000, &x.window_ms);
			break;
		case OPT_HELP:
			fputs(hs_usage, stdout);
			return 0;
		default:
			return hs_usage_error("unknown option", NULL);
		}
		if (!good)
			return hs_usage_error("bad value", optarg);
	}
	if (optind != argc - 1)
		return hs_usage_error("one case expected", NULL);
	name = argv[optind];
	for (i = 0; i < hs_nr_cases; i++)
		if (!strcmp(name, hs_cases[i].name))
			break;
	if (i == hs_nr_cases && strcmp(name, "all"))
		return hs_usage_error("unknown case", name);

	if (!boot_id_set)
		x.boot_id = hs_mix(x.seed ^ HS_SALT_BOOT_ID) ?: 1;
	x.page_size = sysconf(_SC_PAGESIZE);
	if (!x.ram_pages) {
		if (sysinfo(&si)) {
			fprintf(stderr, "vsock-hostile: sysinfo: %s\n",
				strerror(errno));
			return 2;
		}
		x.ram_pages = (u64)si.totalram * si.mem_unit / 4096;
	}
	if (!x.dump && !x.unix_path && !force &&
	    !access("/sys/module/mrm_balloon", F_OK)) {
		fprintf(stderr,
			"vsock-hostile: mrm_balloon is loaded and its session would fight ours:\n"
			"rmmod it first (or --force)\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	if (x.dump) {
		/* The bytes only: no probe in front of the case. */
		for (c = 0; c < (int)hs_nr_cases; c++)
			if (i == hs_nr_cases || (unsigned int)c == i)
				hs_run_case(&x, c);
		return 0;
	}
	if (x.no_probe && strcmp(name, "all"))
		return hs_run_case(&x, i) ? 0 : 1;
	/* The probe first: a host that does not serve us proves nothing. */
	if (!hs_run_case(&x, 0)) {
		if (!strcmp(name, "all"))
			say("passed=0 failed=1 aborted=probe");
		return 1;
	}
	if (strcmp(name, "all"))
		return i == 0 || hs_run_case(&x, i) ? 0 : 1;
	passed = 1;
	for (i = 1; i < hs_nr_cases; i++) {
		if (hs_run_case(&x, i))
			passed++;
		else
			failed++;
	}
	say("passed=%u failed=%u", passed, failed);
	return failed ? 1 : 0;
}

