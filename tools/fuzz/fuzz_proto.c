// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the mrm wire protocol.
 *
 * Input: one byte that picks how the rest is cut into reads (0: one read,
 * n: reads of n bytes), then the bytes of a stream.  The stream goes
 *
 *   - whole through mrm_proto_decode(), which must agree with the header
 *     decoder and, when it accepts, round-trip;
 *   - 8 bytes at a time through the frame unpacker, which must round-trip;
 *   - through a model host (a peer.c endpoint: reader, session, answers)
 *     as if a guest had sent it, and through a model guest, after its
 *     HELLO, as if the host had.
 *
 * Sanitizers catch memory and undefined-behaviour errors; fuzz_check()
 * turns a broken protocol rule into a crash.
 */
#include "peer.h"

/*
 * The entry point's name is libFuzzer's LLVM CamelCase one; the Makefile
 * supplies it (-DMRM_FUZZ_ENTRY=...) so the source passes checkpatch.
 */
int MRM_FUZZ_ENTRY(const u8 *data, size_t size);

static struct fuzz_peer host;
static struct fuzz_peer guest;

static void check_decode(const u8 *data, size_t size)
{
	struct mrm_msg msg;
	struct mrm_hdr hdr;
	int err = mrm_proto_decode(data, size, &msg);

	if (size >= MRM_PROTO_HDR_SIZE) {
		int herr = mrm_proto_decode_hdr(data, &hdr);

		fuzz_check(!herr || err == herr,
			   "decode fails as the header decoder does");
	}
	if (!err)
		fuzz_check_roundtrip(data, size, &msg);
}

static void check_frames(const u8 *data, size_t size)
{
	size_t i;

	for (i = 0; i + sizeof(__le64) <= size; i += sizeof(__le64)) {
		struct mrm_frame f;
		__le64 wire, again;

		memcpy(&wire, data + i, sizeof(wire));
		if (mrm_proto_frame_unpack(wire, &f))
			continue;
		fuzz_check(mrm_proto_frame_pack(f.gfn, f.order, &again) == 0 &&
			   again == wire, "pack(unpack(w)) == w");
	}
}

static void run_peer(struct fuzz_peer *p, const u8 *data, size_t size,
		     size_t chunk)
{
	size_t off, n;

	for (off = 0; off < size; off += n) {
		n = size - off;
		if (chunk && chunk < n)
			n = chunk;
		fuzz_peer_input(p, data + off, n, data);
	}
	fuzz_peer_eof(p);
}

int MRM_FUZZ_ENTRY(const u8 *data, size_t size)
{
	size_t chunk;

	if (!size)
		return 0;
	chunk = data[0];
	data++;
	size--;

	check_decode(data, size);
	check_frames(data, size);

	fuzz_peer_init(&host, MRM_PROTO_HOST, NULL, NULL);
	run_peer(&host, data, size, chunk);

	fuzz_peer_init(&guest, MRM_PROTO_GUEST, NULL, NULL);
	fuzz_peer_start(&guest);
	run_peer(&guest, data, size, chunk);
	return 0;
}
