/*
 * The C ABI against the mock engine: batch and ring on every map x
 * deployment x direction x LL kind, every byte verified with guard bytes
 * around each buffer; error paths (invalid entries name their index and
 * write nothing, a full ring reports its free slots, handles used after
 * release or moved are refused); one interrupt line shared by two
 * channels; terminate in the middle of a batch; 100000 entries streamed
 * through an 8-slot ring; address translation by window and callback.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edma.h"

static int failures;
static int checks;

#define CHECK(cond)                                                            \
	do {                                                                   \
		checks++;                                                      \
		if (!(cond)) {                                                 \
			failures++;                                            \
			fprintf(stderr, "%s:%d: %s (%s)\n", __FILE__, __LINE__,\
				#cond, ctx_name);                              \
		}                                                              \
	} while (0)

static const char *ctx_name = "";
static char name_buf[128];

static const uint32_t MAPS[4] = { EDMA_MAP_EDMA_LEGACY, EDMA_MAP_EDMA_UNROLL,
				  EDMA_MAP_HDMA_COMPAT, EDMA_MAP_HDMA_NATIVE };
static const char *MAP_NAMES[4] = { "legacy", "unroll", "compat", "native" };

#define GUARD 16
#define GUARD_BYTE 0xee
/* Where the IMWr (remote interrupt) messages land: outside every buffer. */
#define IMWR_ADDR 0x3f0000

/* Source and destination memory of a direction: (local, PCI) or (PCI, local). */
static bool mem_write(struct edma_mock *m, bool pci, uint64_t a, const uint8_t *d, size_t n)
{
	return pci ? edma_mock_pci_write(m, a, d, n) : edma_mock_local_write(m, a, d, n);
}

static bool mem_read(struct edma_mock *m, bool pci, uint64_t a, uint8_t *d, size_t n)
{
	return pci ? edma_mock_pci_read(m, a, d, n) : edma_mock_local_read(m, a, d, n);
}

static uint8_t pattern(uint64_t entry, uint64_t k, uint32_t salt)
{
	return (uint8_t)(entry * 31 + k * 7 + salt * 13 + 1);
}

/* Fills each entry's source with a pattern and its destination (and GUARD
 * bytes either side) with the guard byte. */
static void prepare(struct edma_mock *m, uint32_t dir, const struct edma_entry *e, size_t n, uint32_t salt)
{
	bool src_pci = dir == EDMA_DIR_READ;
	for (size_t i = 0; i < n; i++) {
		uint8_t *buf = malloc(e[i].len + 2 * GUARD);
		for (uint64_t k = 0; k < e[i].len; k++)
			buf[k] = pattern(i, k, salt);
		mem_write(m, src_pci, e[i].src, buf, e[i].len);
		memset(buf, GUARD_BYTE, e[i].len + 2 * GUARD);
		mem_write(m, !src_pci, e[i].dst - GUARD, buf, e[i].len + 2 * GUARD);
		free(buf);
	}
}

/* Entries [0, done) moved byte for byte, [done, n) untouched; guards intact. */
static void verify(struct edma_mock *m, uint32_t dir, const struct edma_entry *e, size_t n, size_t done, uint32_t salt)
{
	bool dst_pci = dir == EDMA_DIR_WRITE;
	for (size_t i = 0; i < n; i++) {
		uint8_t *buf = malloc(e[i].len + 2 * GUARD);
		CHECK(mem_read(m, dst_pci, e[i].dst - GUARD, buf, e[i].len + 2 * GUARD));
		int bad = 0;
		for (uint64_t k = 0; k < GUARD; k++)
			bad += buf[k] != GUARD_BYTE || buf[GUARD + e[i].len + k] != GUARD_BYTE;
		for (uint64_t k = 0; k < e[i].len; k++) {
			uint8_t want = i < done ? pattern(i, k, salt) : GUARD_BYTE;
			bad += buf[GUARD + k] != want;
		}
		CHECK(bad == 0);
		free(buf);
	}
}

struct rig {
	struct edma_mock *m;
	struct edma_controller ctrl;
	uint32_t map, dep;
};

static void rig_up(struct rig *r, uint32_t map, uint32_t dep, uint32_t mode)
{
	struct edma_reg_ops ops;
	r->m = edma_mock_new(map, mode);
	r->map = map;
	r->dep = dep;
	edma_mock_reg_ops(r->m, &ops);
	CHECK(edma_controller_init_callbacks(&r->ctrl, map, dep, &ops, r->m) == EDMA_OK);
}

static void rig_down(struct rig *r)
{
	CHECK(edma_controller_deinit(&r->ctrl) == EDMA_OK);
	edma_mock_free(r->m);
}

static bool get_ll(struct rig *r, bool ram, uint32_t dir, uint8_t ch, size_t slots, struct edma_ll *ll)
{
	return ram ? edma_mock_ll_ram(r->m, dir, ch, slots, ll) : edma_mock_ll_callbacks(r->m, dir, ch, slots, ll);
}

/* Source on the direction's source side, destination on the other; the
 * lengths cross element boundaries and one entry is split (4 KiB limit). */
#define N_ENTRIES 6
static void entries_for(uint32_t dir, struct edma_entry *e)
{
	static const uint64_t lens[N_ENTRIES] = { 1, 7, 64, 300, 4096 + 3, 33 };
	uint64_t src = 0x10000, dst = 0x80000;
	(void)dir;
	for (int i = 0; i < N_ENTRIES; i++) {
		e[i].src = src;
		e[i].dst = dst;
		e[i].len = lens[i];
		src += lens[i] + 64;
		dst += lens[i] + 2 * GUARD + 40;
	}
}

static void batch_case(uint32_t mi, uint32_t dep, uint32_t dir, bool ram)
{
	struct rig r;
	rig_up(&r, MAPS[mi], dep, EDMA_MOCK_RUN_ON_DOORBELL);
	uint8_t ch_index = 3;
	if (dep == EDMA_DEPLOYMENT_REMOTE)
		CHECK(edma_controller_configure_remote_interrupt(&r.ctrl, dir, ch_index, IMWR_ADDR, 0x41) == EDMA_OK);
	struct edma_ll ll;
	/* 4 slots: 3 data elements and the link per chunk. */
	CHECK(get_ll(&r, ram, dir, ch_index, 4, &ll));
	struct edma_channel_config cfg = { .dir = dir, .index = ch_index, .limits = edma_limits_default() };
	cfg.limits.max_element_len = 4096;
	struct edma_channel ch;
	struct edma_error err;
	CHECK(edma_channel_init(&ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);

	struct edma_entry e[N_ENTRIES];
	entries_for(dir, e);
	prepare(r.m, dir, e, N_ENTRIES, 1);

	/* Invalid input first: refused by index, nothing written anywhere. */
	struct edma_mock_counters before, after;
	uint8_t ll_before[4 * 24], ll_after[4 * 24];
	edma_mock_counters(r.m, -1, 0, &before);
	edma_mock_local_read(r.m, ll.bus, ll_before, sizeof ll_before);
	struct edma_entry bad[3] = { e[0], e[1], e[2] };
	bad[2].len = 0;
	memset(&err, 0xff, sizeof err);
	CHECK(edma_channel_submit(&ch, bad, 3, NULL, &err) == EDMA_ERR_ZERO_LENGTH);
	CHECK(err.entry == 2);
	bad[2] = e[2];
	bad[1].dst = UINT64_MAX - 2; /* the range wraps */
	CHECK(edma_channel_submit(&ch, bad, 3, NULL, &err) == EDMA_ERR_DESTINATION_OUT_OF_RANGE);
	CHECK(err.entry == 1);
	CHECK(edma_channel_submit(&ch, bad, 0, NULL, &err) == EDMA_ERR_EMPTY_BATCH);
	/* The same answers from check, which never starts anything. */
	CHECK(edma_channel_check(&ch, bad, 3, NULL, &err) == EDMA_ERR_DESTINATION_OUT_OF_RANGE && err.entry == 1);
	struct edma_plan_summary would;
	CHECK(edma_channel_check(&ch, e, N_ENTRIES, &would, &err) == EDMA_OK && would.elements == 7 && would.chunks == 3);
	CHECK(edma_channel_submit(&ch, NULL, 3, NULL, &err) == EDMA_ERR_NULL);
	edma_mock_counters(r.m, -1, 0, &after);
	edma_mock_local_read(r.m, ll.bus, ll_after, sizeof ll_after);
	CHECK(after.reg_writes == before.reg_writes && after.ll_slot_writes == before.ll_slot_writes);
	CHECK(memcmp(ll_before, ll_after, sizeof ll_before) == 0);

	/* The batch: 7 elements (one entry split) in 3 chunks of at most 3. */
	struct edma_plan_summary s;
	CHECK(edma_channel_submit(&ch, e, N_ENTRIES, &s, &err) == EDMA_OK);
	CHECK(s.elements == 7 && s.chunks == 3);
	CHECK(edma_channel_submit(&ch, e, N_ENTRIES, &s, &err) == EDMA_ERR_BUSY);
	struct edma_outcome o;
	int progress = 0;
	for (;;) {
		CHECK(edma_channel_on_interrupt(&ch, &o) == EDMA_OK);
		if (o.kind != EDMA_OUTCOME_PROGRESS)
			break;
		progress++;
	}
	CHECK(progress == 2);
	CHECK(o.kind == EDMA_OUTCOME_COMPLETE);
	CHECK(o.completion.status == EDMA_BATCH_DONE && o.completion.residue == 0);
	CHECK(o.completion.chunks == 3);
	uint64_t total = 0;
	for (int i = 0; i < N_ENTRIES; i++)
		total += e[i].len;
	CHECK(o.completion.bytes_done == total);
	verify(r.m, dir, e, N_ENTRIES, N_ENTRIES, 1);
	struct edma_mock_counters c;
	edma_mock_counters(r.m, (int)dir, ch_index, &c);
	CHECK(c.doorbells == 3 && c.elements == 7 && c.bytes == total);
	if (dep == EDMA_DEPLOYMENT_REMOTE)
		CHECK(edma_mock_imwr_count(r.m) == 3);
	/* Another interrupt now: nothing of this channel is pending. */
	CHECK(edma_channel_on_interrupt(&ch, &o) == EDMA_OK && o.kind == EDMA_OUTCOME_NOT_MINE);
	bool busy = true;
	uint64_t batches = 0;
	CHECK(edma_channel_state(&ch, &busy, &batches) == EDMA_OK && !busy && batches == 1);

	/* Released: refused from now on, and the channel can be claimed again. */
	CHECK(edma_channel_release(&ch, &err) == EDMA_OK);
	CHECK(edma_channel_submit(&ch, e, N_ENTRIES, &s, &err) == EDMA_ERR_RELEASED);
	CHECK(edma_channel_on_interrupt(&ch, &o) == EDMA_ERR_RELEASED);
	CHECK(edma_channel_release(&ch, &err) == EDMA_ERR_RELEASED);
	CHECK(edma_channel_init(&ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	CHECK(edma_channel_release(&ch, &err) == EDMA_OK);
	rig_down(&r);
}

static void ring_case(uint32_t mi, uint32_t dep, uint32_t dir, bool ram)
{
	struct rig r;
	rig_up(&r, MAPS[mi], dep, EDMA_MOCK_RUN_ON_DOORBELL);
	uint8_t ch_index = 5;
	struct edma_ll ll;
	CHECK(get_ll(&r, ram, dir, ch_index, 8, &ll)); /* 7 data slots, 6 usable */
	struct edma_channel_config cfg = { .dir = dir, .index = ch_index, .limits = edma_limits_default() };
	cfg.limits.max_element_len = 4096;
	struct edma_ring ring;
	struct edma_error err;
	if (dep == EDMA_DEPLOYMENT_REMOTE)
		CHECK(edma_controller_configure_remote_interrupt(&r.ctrl, dir, ch_index, IMWR_ADDR, 0x42) == EDMA_OK);
	CHECK(edma_ring_init(&ring, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	struct edma_entry e[N_ENTRIES];
	entries_for(dir, e);
	prepare(r.m, dir, e, N_ENTRIES, 2);
	struct edma_appended a;

	struct edma_ring_info info;
	CHECK(edma_ring_info(&ring, &info) == EDMA_OK && info.capacity == 6 && info.free == 6);
	/* 7 elements (entry 4 splits in two) do not fit in 6: FULL, 5 entries fit. */
	struct edma_mock_counters before, after;
	edma_mock_counters(r.m, -1, 0, &before);
	memset(&err, 0, sizeof err);
	CHECK(edma_ring_append(&ring, e, N_ENTRIES, EDMA_NOTIFY_END, &a, &err) == EDMA_ERR_FULL);
	CHECK(err.free == 6 && err.fits == 5);
	struct edma_entry bad[2] = { e[0], e[1] };
	bad[1].len = 0;
	CHECK(edma_ring_append(&ring, bad, 2, EDMA_NOTIFY_END, &a, &err) == EDMA_ERR_ZERO_LENGTH && err.entry == 1);
	CHECK(edma_ring_append(&ring, e, 1, 7, &a, &err) == EDMA_ERR_INVALID_ARGUMENT);
	/* check: the whole array streams (7 elements > 6 free is fine); an
	 * entry of 7 elements never fits; a bad entry is named. */
	uint64_t elements = 0;
	CHECK(edma_ring_check(&ring, e, N_ENTRIES, &elements, &err) == EDMA_OK && elements == 7);
	struct edma_entry huge = { .src = e[0].src, .dst = e[0].dst, .len = 7 * 4096 };
	CHECK(edma_ring_check(&ring, &huge, 1, NULL, &err) == EDMA_ERR_TOO_LARGE && err.entry == 0);
	CHECK(edma_ring_check(&ring, bad, 2, NULL, &err) == EDMA_ERR_ZERO_LENGTH && err.entry == 1);
	edma_mock_counters(r.m, -1, 0, &after);
	CHECK(after.reg_writes == before.reg_writes && after.ll_slot_writes == before.ll_slot_writes);

	/* append_some takes the 5 that fit; push the last after they complete. */
	CHECK(edma_ring_append_some(&ring, e, N_ENTRIES, EDMA_NOTIFY_END, &a, &err) == EDMA_OK);
	CHECK(a.first == 0 && a.entries == 5 && a.elements == 6);
	CHECK(edma_ring_submit(&ring, &err) == EDMA_OK);
	struct edma_ring_completed done;
	CHECK(edma_ring_on_interrupt(&ring, &done) == EDMA_OK);
	CHECK(done.mine && done.completed == 5 && done.has_last && done.last == 4 && done.fail_kind == 0);
	CHECK(edma_ring_push(&ring, &e[5], 1, EDMA_NOTIFY_EACH, &a, &err) == EDMA_OK);
	CHECK(a.first == 5 && a.entries == 1 && a.elements == 1);
	CHECK(edma_ring_poll(&ring, &done) == EDMA_OK);
	CHECK(done.completed == 1 && done.last == 5);
	CHECK(edma_ring_on_interrupt(&ring, &done) == EDMA_OK && !done.mine);
	verify(r.m, dir, e, N_ENTRIES, N_ENTRIES, 2);
	CHECK(edma_ring_info(&ring, &info) == EDMA_OK && info.queued == 0 && info.next_index == 6);
	CHECK(info.stats.doorbells == 2);
	if (dep == EDMA_DEPLOYMENT_REMOTE)
		CHECK(edma_mock_imwr_count(r.m) >= 2);

	CHECK(edma_ring_release(&ring, &err) == EDMA_OK);
	CHECK(edma_ring_append(&ring, e, 1, EDMA_NOTIFY_END, &a, &err) == EDMA_ERR_RELEASED);
	CHECK(edma_ring_info(&ring, &info) == EDMA_ERR_RELEASED);
	rig_down(&r);
}

/* Handles: NULL, misaligned, moved, never initialised, released, in use. */
static void handle_case(void)
{
	ctx_name = "handles";
	struct rig r;
	rig_up(&r, EDMA_MAP_HDMA_NATIVE, EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_reg_ops ops;
	edma_mock_reg_ops(r.m, &ops);
	CHECK(edma_controller_init_callbacks(&r.ctrl, EDMA_MAP_HDMA_NATIVE, EDMA_DEPLOYMENT_LOCAL, &ops, r.m) == EDMA_ERR_IN_USE);
	struct edma_controller other;
	memset(&other, 0, sizeof other);
	CHECK(edma_controller_init_callbacks(&other, 3, EDMA_DEPLOYMENT_LOCAL, &ops, r.m) == EDMA_ERR_INVALID_ARGUMENT);
	CHECK(edma_controller_init_callbacks(&other, EDMA_MAP_HDMA_NATIVE, 9, &ops, r.m) == EDMA_ERR_INVALID_ARGUMENT);
	struct edma_reg_ops half = { .read32 = ops.read32, .write32 = NULL };
	CHECK(edma_controller_init_callbacks(&other, EDMA_MAP_HDMA_NATIVE, EDMA_DEPLOYMENT_LOCAL, &half, r.m) == EDMA_ERR_INVALID_ARGUMENT);
	CHECK(edma_controller_init_callbacks(NULL, EDMA_MAP_HDMA_NATIVE, EDMA_DEPLOYMENT_LOCAL, &ops, r.m) == EDMA_ERR_NULL);
	CHECK(edma_controller_off(&other) == EDMA_ERR_BAD_HANDLE);

	struct edma_ll ll;
	CHECK(edma_mock_ll_ram(r.m, EDMA_DIR_WRITE, 0, 8, &ll));
	struct edma_channel_config cfg = { .dir = EDMA_DIR_WRITE, .index = 0, .limits = edma_limits_default() };
	struct edma_error err;
	static struct edma_channel chs[2];
	struct edma_channel *ch = &chs[0];
	CHECK(edma_channel_init(ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	CHECK(edma_channel_init(ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_ERR_IN_USE);
	CHECK(edma_channel_init(&chs[1], &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_ERR_ALREADY_CLAIMED);
	CHECK(err.dir == EDMA_DIR_WRITE && err.index == 0);
	/* The controller cannot go while a channel uses it. */
	CHECK(edma_controller_deinit(&r.ctrl) == EDMA_ERR_IN_USE);

	struct edma_entry e = { .src = 0x100, .dst = 0x2000, .len = 64 };
	struct edma_outcome o;
	CHECK(edma_channel_submit(NULL, &e, 1, NULL, &err) == EDMA_ERR_NULL);
	uintptr_t mis = (uintptr_t)ch + 4;
	CHECK(edma_channel_submit((struct edma_channel *)mis, &e, 1, NULL, &err) == EDMA_ERR_MISALIGNED);
	/* A channel handle is not a ring handle, nor a controller. */
	struct edma_ring_info info;
	CHECK(edma_ring_info((struct edma_ring *)(void *)ch, &info) == EDMA_ERR_BAD_HANDLE);
	CHECK(edma_controller_off((struct edma_controller *)(void *)ch) == EDMA_ERR_BAD_HANDLE);
	/* A copied (moved) handle is refused; the original still works. */
	memcpy(&chs[1], ch, sizeof *ch);
	CHECK(edma_channel_submit(&chs[1], &e, 1, NULL, &err) == EDMA_ERR_BAD_HANDLE);
	CHECK(edma_channel_submit(ch, &e, 1, NULL, &err) == EDMA_OK);
	CHECK(edma_channel_release(ch, &err) == EDMA_ERR_BUSY);
	CHECK(edma_channel_on_interrupt(ch, &o) == EDMA_OK && o.kind == EDMA_OUTCOME_COMPLETE);
	CHECK(edma_channel_release(ch, &err) == EDMA_OK);

	/* Other error details. */
	cfg.index = 8;
	CHECK(edma_channel_init(ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_ERR_NO_SUCH_CHANNEL);
	CHECK(err.index == 8 && err.count == 8);
	cfg.index = 0;
	cfg.limits.addr_bits = 65;
	CHECK(edma_channel_init(ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_ERR_INVALID_LIMITS);
	CHECK(err.field == EDMA_LIMIT_ADDR_BITS);
	cfg.limits = edma_limits_default();
	struct edma_ll tiny;
	CHECK(edma_mock_ll_ram(r.m, EDMA_DIR_WRITE, 0, 2, &tiny));
	struct edma_ring ring;
	CHECK(edma_ring_init(&ring, &r.ctrl, &cfg, &tiny, NULL, &err) == EDMA_ERR_LL_TOO_SMALL && err.capacity == 2);
	/* Nothing stayed claimed after the failures. */
	CHECK(edma_channel_init(ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	struct edma_limits limits = edma_limits_default();
	limits.max_element_len = 0;
	CHECK(edma_channel_set_limits(ch, &limits, &err) == EDMA_ERR_INVALID_LIMITS && err.field == EDMA_LIMIT_MAX_ELEMENT_LEN);
	limits.max_element_len = 16;
	limits.split = false;
	CHECK(edma_channel_set_limits(ch, &limits, &err) == EDMA_OK);
	CHECK(edma_channel_submit(ch, &e, 1, NULL, &err) == EDMA_ERR_LENGTH_TOO_LARGE && err.entry == 0);
	/* An entry whose local side overlaps the channel's own LL region. */
	CHECK(edma_channel_set_limits(ch, &cfg.limits, &err) == EDMA_OK);
	struct edma_entry over = { .src = ll.bus + 8, .dst = 0x2000, .len = 8 };
	CHECK(edma_channel_submit(ch, &over, 1, NULL, &err) == EDMA_ERR_OVERLAPS_LL && err.entry == 0);
	CHECK(edma_channel_release(ch, &err) == EDMA_OK);

	/* A handle of another controller is refused by dispatch, naming it. */
	{
		struct rig other_rig;
		struct edma_ll oll;
		struct edma_channel foreign;
		struct edma_channel *one[1] = { &foreign };
		size_t called = 99;

		rig_up(&other_rig, EDMA_MAP_HDMA_NATIVE, EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_RUN_ON_DOORBELL);
		CHECK(edma_mock_ll_ram(other_rig.m, EDMA_DIR_WRITE, 1, 8, &oll));
		cfg.index = 1;
		CHECK(edma_channel_init(&foreign, &other_rig.ctrl, &cfg, &oll, NULL, &err) == EDMA_OK);
		CHECK(edma_dispatch(&r.ctrl, one, 1, NULL, 0, NULL, NULL, NULL, &called, &err) == EDMA_ERR_WRONG_CONTROLLER);
		CHECK(err.index == 0 && called == 99);
		CHECK(edma_channel_release(&foreign, &err) == EDMA_OK);
		rig_down(&other_rig);
		cfg.index = 0;
	}

	/* A controller over a mapped register block (here plain memory). */
	{
		static uint32_t block[0x1200 / 4];
		struct edma_controller mm;
		uint8_t wr = 0, rd = 0;

		block[0x8 / 4] = 0x00030005; /* CTRL: 5 write, 3 read channels */
		CHECK(edma_controller_init_mmio(&mm, EDMA_MAP_EDMA_UNROLL, EDMA_DEPLOYMENT_LOCAL, NULL, sizeof block) == EDMA_ERR_NULL);
		CHECK(edma_controller_init_mmio(&mm, EDMA_MAP_EDMA_UNROLL, EDMA_DEPLOYMENT_LOCAL, (char *)block + 2, 64) == EDMA_ERR_MISALIGNED);
		CHECK(edma_controller_init_mmio(&mm, EDMA_MAP_EDMA_UNROLL, EDMA_DEPLOYMENT_LOCAL, block, sizeof block) == EDMA_OK);
		CHECK(edma_controller_channel_counts(&mm, &wr, &rd) == EDMA_OK && wr == 5 && rd == 3);
		CHECK(edma_controller_configure_remote_interrupt(&mm, EDMA_DIR_WRITE, 0, 0xfee00000u, 7) == EDMA_OK);
		CHECK(block[0x60 / 4] == 0xfee00000u); /* write done IMWr address, low */
		CHECK(edma_controller_deinit(&mm) == EDMA_OK);
	}

	CHECK(edma_controller_deinit(&r.ctrl) == EDMA_OK);
	CHECK(edma_controller_off(&r.ctrl) == EDMA_ERR_RELEASED);
	CHECK(edma_controller_deinit(&r.ctrl) == EDMA_ERR_RELEASED);
	edma_mock_free(r.m);
}

/* A remote batch without a remote-interrupt target is refused. */
static void remote_case(void)
{
	ctx_name = "remote without IMWr target";
	struct rig r;
	rig_up(&r, EDMA_MAP_EDMA_UNROLL, EDMA_DEPLOYMENT_REMOTE, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_ll ll;
	CHECK(edma_mock_ll_callbacks(r.m, EDMA_DIR_READ, 1, 8, &ll));
	struct edma_channel_config cfg = { .dir = EDMA_DIR_READ, .index = 1, .limits = edma_limits_default() };
	struct edma_channel ch;
	struct edma_ring ring;
	struct edma_error err;
	struct edma_entry e = { .src = 0x100, .dst = 0x2000, .len = 64 };
	CHECK(edma_channel_init(&ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	CHECK(edma_channel_submit(&ch, &e, 1, NULL, &err) == EDMA_ERR_NO_REMOTE_INTERRUPT);
	CHECK(edma_channel_release(&ch, &err) == EDMA_OK);
	CHECK(edma_ring_init(&ring, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	CHECK(edma_ring_push(&ring, &e, 1, EDMA_NOTIFY_END, NULL, &err) == EDMA_ERR_NO_REMOTE_INTERRUPT);
	struct edma_ring_info info;
	CHECK(edma_ring_info(&ring, &info) == EDMA_OK && info.queued == 1 && info.stats.doorbells == 0);
	CHECK(edma_ring_release(&ring, &err) == EDMA_ERR_BUSY);
	struct edma_ring_terminate t;
	CHECK(edma_ring_terminate(&ring, &t) == EDMA_OK && t.kind == EDMA_TERMINATE_STOPPED);
	CHECK(t.report.fail_kind == EDMA_FAIL_TERMINATED && t.report.fail_entry == 0);
	CHECK(edma_ring_release(&ring, &err) == EDMA_OK);
	CHECK(edma_controller_configure_remote_interrupt(&r.ctrl, EDMA_DIR_READ, 8, IMWR_ADDR, 1) == EDMA_ERR_BAD_CHANNEL);
	rig_down(&r);
}

/* Two channels and a ring on one interrupt line. */
struct seen {
	size_t channels[4], rings[4];
	int n_channels, n_rings;
	struct edma_outcome outcome[4];
};

static void on_channel(void *ctx, size_t i, const struct edma_outcome *o)
{
	struct seen *s = ctx;
	s->outcome[s->n_channels] = *o;
	s->channels[s->n_channels++] = i;
}

static void on_ring(void *ctx, size_t i, const struct edma_ring_completed *c)
{
	struct seen *s = ctx;
	if (c->completed == 1)
		s->rings[s->n_rings++] = i;
}

static void dispatch_case(uint32_t mi)
{
	snprintf(name_buf, sizeof name_buf, "dispatch %s", MAP_NAMES[mi]);
	ctx_name = name_buf;
	struct rig r;
	rig_up(&r, MAPS[mi], EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_channel chs[3];
	struct edma_ring ring;
	struct edma_error err;
	uint32_t dirs[3] = { EDMA_DIR_WRITE, EDMA_DIR_READ, EDMA_DIR_READ };
	uint8_t idx[3] = { 0, 2, 4 };
	for (int i = 0; i < 3; i++) {
		struct edma_ll ll;
		CHECK(edma_mock_ll_ram(r.m, dirs[i], idx[i], 8, &ll));
		struct edma_channel_config cfg = { .dir = dirs[i], .index = idx[i], .limits = edma_limits_default() };
		CHECK(edma_channel_init(&chs[i], &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	}
	struct edma_ll rll;
	CHECK(edma_mock_ll_ram(r.m, EDMA_DIR_WRITE, 6, 8, &rll));
	struct edma_channel_config rcfg = { .dir = EDMA_DIR_WRITE, .index = 6, .limits = edma_limits_default() };
	CHECK(edma_ring_init(&ring, &r.ctrl, &rcfg, &rll, NULL, &err) == EDMA_OK);
	struct edma_entry w = { .src = 0x1000, .dst = 0x20000, .len = 128 };
	struct edma_entry rd = { .src = 0x30000, .dst = 0x5000, .len = 256 };
	CHECK(edma_channel_submit(&chs[0], &w, 1, NULL, &err) == EDMA_OK);
	CHECK(edma_channel_submit(&chs[2], &rd, 1, NULL, &err) == EDMA_OK);
	struct edma_entry rw = { .src = 0x2000, .dst = 0x40000, .len = 32 };
	CHECK(edma_ring_push(&ring, &rw, 1, EDMA_NOTIFY_END, NULL, &err) == EDMA_OK);
	CHECK(edma_mock_irq_pending(r.m));

	struct edma_channel *list[3] = { &chs[0], &chs[1], &chs[2] };
	struct edma_ring *rings[1] = { &ring };
	struct seen s = { 0 };
	size_t called = 0;
	/* A handle of another controller (here: not a handle) fails it whole. */
	struct edma_channel junk;
	memset(&junk, 0, sizeof junk);
	struct edma_channel *badlist[2] = { &chs[0], &junk };
	CHECK(edma_dispatch(&r.ctrl, badlist, 2, rings, 1, on_channel, on_ring, &s, &called, &err) == EDMA_ERR_BAD_HANDLE);
	CHECK(err.index == 1 && s.n_channels == 0 && edma_mock_irq_pending(r.m));

	CHECK(edma_dispatch(&r.ctrl, list, 3, rings, 1, on_channel, on_ring, &s, &called, &err) == EDMA_OK);
	CHECK(called == 3 && s.n_channels == 2 && s.n_rings == 1);
	CHECK(s.channels[0] == 0 && s.channels[1] == 2 && s.rings[0] == 0);
	CHECK(s.outcome[0].kind == EDMA_OUTCOME_COMPLETE && s.outcome[0].completion.status == EDMA_BATCH_DONE);
	CHECK(s.outcome[1].kind == EDMA_OUTCOME_COMPLETE && s.outcome[1].completion.bytes_done == 256);
	CHECK(!edma_mock_irq_pending(r.m));
	/* Nothing pending: nobody called. */
	CHECK(edma_dispatch(&r.ctrl, list, 3, rings, 1, on_channel, on_ring, &s, &called, &err) == EDMA_OK && called == 0);
	for (int i = 0; i < 3; i++)
		CHECK(edma_channel_release(&chs[i], &err) == EDMA_OK);
	CHECK(edma_ring_release(&ring, &err) == EDMA_OK);
	rig_down(&r);
}

/* Terminate in the middle of a batch (the engine stepped by hand). */
static void terminate_case(uint32_t mi, uint32_t dir)
{
	snprintf(name_buf, sizeof name_buf, "terminate %s dir %u", MAP_NAMES[mi], dir);
	ctx_name = name_buf;
	struct rig r;
	rig_up(&r, MAPS[mi], EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_MANUAL);
	struct edma_ll ll;
	CHECK(edma_mock_ll_ram(r.m, dir, 1, 4, &ll));
	struct edma_channel_config cfg = { .dir = dir, .index = 1, .limits = edma_limits_default() };
	cfg.limits.max_element_len = 4096;
	struct edma_channel ch;
	struct edma_error err;
	CHECK(edma_channel_init(&ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	struct edma_entry e[N_ENTRIES];
	entries_for(dir, e);
	prepare(r.m, dir, e, N_ENTRIES, 3);
	CHECK(edma_channel_submit(&ch, e, N_ENTRIES, NULL, &err) == EDMA_OK);
	/* Two elements of the first chunk run; then the channel is stopped. */
	CHECK(edma_mock_step(r.m, dir, 1, 2) == 2);
	struct edma_terminate t;
	CHECK(edma_channel_terminate(&ch, &t) == EDMA_OK);
	struct edma_completion c = t.completion;
	if (t.kind == EDMA_TERMINATE_STOPPING) {
		struct edma_outcome o;
		CHECK(edma_channel_on_interrupt(&ch, &o) == EDMA_OK && o.kind == EDMA_OUTCOME_COMPLETE);
		c = o.completion;
	}
	uint64_t total = 0;
	for (int i = 0; i < N_ENTRIES; i++)
		total += e[i].len;
	CHECK(c.status == EDMA_BATCH_TERMINATED);
	CHECK(c.has_entry && c.entry == 2);
	CHECK(c.bytes_done == e[0].len + e[1].len && c.residue == total - c.bytes_done);
	verify(r.m, dir, e, N_ENTRIES, 2, 3);
	bool busy = true;
	CHECK(edma_channel_state(&ch, &busy, NULL) == EDMA_OK && !busy);
	/* Usable again: the whole batch, stepped to the end. */
	prepare(r.m, dir, e, N_ENTRIES, 4);
	CHECK(edma_channel_submit(&ch, e, N_ENTRIES, NULL, &err) == EDMA_OK);
	struct edma_outcome o;
	do {
		edma_mock_step(r.m, dir, 1, 100);
		CHECK(edma_channel_on_interrupt(&ch, &o) == EDMA_OK);
	} while (o.kind == EDMA_OUTCOME_PROGRESS);
	CHECK(o.kind == EDMA_OUTCOME_COMPLETE && o.completion.status == EDMA_BATCH_DONE);
	verify(r.m, dir, e, N_ENTRIES, N_ENTRIES, 4);
	struct edma_terminate idle;
	CHECK(edma_channel_terminate(&ch, &idle) == EDMA_OK && idle.kind == EDMA_TERMINATE_IDLE);
	CHECK(edma_channel_release(&ch, &err) == EDMA_OK);
	rig_down(&r);
}

/* An abort in the middle of a batch names the entry and its bytes. */
static void abort_case(uint32_t mi)
{
	snprintf(name_buf, sizeof name_buf, "abort %s", MAP_NAMES[mi]);
	ctx_name = name_buf;
	struct rig r;
	rig_up(&r, MAPS[mi], EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_ll ll;
	CHECK(edma_mock_ll_ram(r.m, EDMA_DIR_WRITE, 2, 16, &ll));
	struct edma_channel_config cfg = { .dir = EDMA_DIR_WRITE, .index = 2, .limits = edma_limits_default() };
	struct edma_channel ch;
	struct edma_error err;
	CHECK(edma_channel_init(&ch, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	struct edma_entry e[N_ENTRIES];
	entries_for(EDMA_DIR_WRITE, e);
	prepare(r.m, EDMA_DIR_WRITE, e, N_ENTRIES, 5);
	edma_mock_inject_abort(r.m, EDMA_DIR_WRITE, 2, 3, 100, false);
	CHECK(edma_channel_submit(&ch, e, N_ENTRIES, NULL, &err) == EDMA_OK);
	struct edma_outcome o;
	CHECK(edma_channel_on_interrupt(&ch, &o) == EDMA_OK && o.kind == EDMA_OUTCOME_COMPLETE);
	CHECK(o.completion.status == EDMA_BATCH_ABORTED && o.completion.has_entry && o.completion.entry == 3);
	CHECK(o.completion.entry_bytes_done <= 100);
	CHECK(o.completion.bytes_done == e[0].len + e[1].len + e[2].len + o.completion.entry_bytes_done);
	CHECK(edma_channel_release(&ch, &err) == EDMA_OK);
	rig_down(&r);
}

/* 100000 entries through a ring of 8 slots (6 usable), every byte checked. */
static bool window_to_pci(void *ctx, uint64_t addr, uint64_t len, uint64_t *pci)
{
	uint64_t *calls = ctx;
	(*calls)++;
	/* Host buffers appear at 0x8000_0000 to this side; on the bus at 0. */
	if (addr < 0x80000000u || addr - 0x80000000u + len > 0x400000)
		return false;
	*pci = addr - 0x80000000u;
	return true;
}

static void stream_case(void)
{
	ctx_name = "stream";
	enum { N = 100000, LEN = 8 };
	struct rig r;
	rig_up(&r, EDMA_MAP_EDMA_UNROLL, EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_ll ll;
	CHECK(edma_mock_ll_ram(r.m, EDMA_DIR_WRITE, 7, 8, &ll));
	struct edma_channel_config cfg = { .dir = EDMA_DIR_WRITE, .index = 7, .limits = edma_limits_default() };
	uint64_t calls = 0;
	struct edma_translate tr = { .kind = EDMA_TRANSLATE_CALLBACK, .to_pci = window_to_pci, .ctx = &calls };
	struct edma_ring ring;
	struct edma_error err;
	CHECK(edma_ring_init(&ring, &r.ctrl, &cfg, &ll, &tr, &err) == EDMA_OK);
	/* Source: local 0x10000.., destination: PCI 0x8..(via the window). */
	uint8_t *src = malloc((size_t)N * LEN);
	for (size_t k = 0; k < (size_t)N * LEN; k++)
		src[k] = (uint8_t)(k * 131 + (k >> 9));
	CHECK(edma_mock_local_write(r.m, 0x10000, src, (size_t)N * LEN));
	uint8_t guard[GUARD];
	memset(guard, GUARD_BYTE, GUARD);
	edma_mock_pci_write(r.m, 0x100000 - GUARD, guard, GUARD);
	edma_mock_pci_write(r.m, 0x100000 + (uint64_t)N * LEN, guard, GUARD);
	struct edma_entry *e = malloc(sizeof *e * N);
	for (size_t i = 0; i < N; i++) {
		e[i].src = 0x10000 + i * LEN;
		e[i].dst = 0x80000000u + 0x100000 + i * LEN;
		e[i].len = LEN;
	}
	size_t queued = 0;
	uint64_t completed = 0, next_expected = 0;
	int order_ok = 1;
	while (completed < N) {
		if (queued < N) {
			struct edma_appended a;
			enum edma_status s = edma_ring_append_some(&ring, &e[queued], N - queued, EDMA_NOTIFY_END, &a, &err);
			if (s == EDMA_OK) {
				order_ok &= a.first == queued;
				queued += a.entries;
				CHECK(edma_ring_submit(&ring, &err) == EDMA_OK);
			} else {
				CHECK(s == EDMA_ERR_FULL && err.free == 0);
			}
		}
		struct edma_ring_completed c;
		CHECK(edma_ring_on_interrupt(&ring, &c) == EDMA_OK);
		if (c.completed) {
			order_ok &= c.last == next_expected + c.completed - 1 && c.fail_kind == 0;
			next_expected += c.completed;
			completed += c.completed;
		}
	}
	CHECK(order_ok);
	/* One translation to validate and one to encode each entry (append_some
	 * looks at no more entries than free slots). */
	CHECK(completed == N && calls <= 4 * (uint64_t)N);
	printf("stream: %.2f translations per entry\n", (double)calls / N);
	uint8_t *dst = malloc((size_t)N * LEN + 2 * GUARD);
	CHECK(edma_mock_pci_read(r.m, 0x100000 - GUARD, dst, (size_t)N * LEN + 2 * GUARD));
	CHECK(memcmp(dst, guard, GUARD) == 0 && memcmp(dst + GUARD + (size_t)N * LEN, guard, GUARD) == 0);
	CHECK(memcmp(dst + GUARD, src, (size_t)N * LEN) == 0);
	/* An entry outside the window has no PCI address. */
	struct edma_entry outside = { .src = 0x10000, .dst = 0x1000, .len = 8 };
	CHECK(edma_ring_append(&ring, &outside, 1, EDMA_NOTIFY_END, NULL, &err) == EDMA_ERR_NO_PCI_ADDRESS && err.entry == 0);
	struct edma_ring_info info;
	CHECK(edma_ring_info(&ring, &info) == EDMA_OK && info.next_index == N);
	CHECK(edma_ring_release(&ring, &err) == EDMA_OK);
	free(src);
	free(dst);
	free(e);
	rig_down(&r);
}

/* A window translation on a batch channel. */
static void window_case(void)
{
	ctx_name = "window";
	struct rig r;
	rig_up(&r, EDMA_MAP_HDMA_COMPAT, EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_ll ll;
	CHECK(edma_mock_ll_ram(r.m, EDMA_DIR_READ, 0, 8, &ll));
	struct edma_channel_config cfg = { .dir = EDMA_DIR_READ, .index = 0, .limits = edma_limits_default() };
	struct edma_translate tr = { .kind = EDMA_TRANSLATE_WINDOW, .cpu_base = 0x90000000u, .pci_base = 0x200000, .size = 0x10000 };
	struct edma_channel ch;
	struct edma_error err;
	CHECK(edma_channel_init(&ch, &r.ctrl, &cfg, &ll, &tr, &err) == EDMA_OK);
	edma_mock_pci_write(r.m, 0x200040, (const uint8_t *)"windowed", 8);
	struct edma_entry e[2] = { { .src = 0x90000040u, .dst = 0x7000, .len = 8 },
				   { .src = 0x9000fffcu, .dst = 0x7100, .len = 8 } };
	CHECK(edma_channel_submit(&ch, e, 2, NULL, &err) == EDMA_ERR_NO_PCI_ADDRESS && err.entry == 1);
	CHECK(edma_channel_submit(&ch, e, 1, NULL, &err) == EDMA_OK);
	struct edma_outcome o;
	CHECK(edma_channel_on_interrupt(&ch, &o) == EDMA_OK && o.completion.status == EDMA_BATCH_DONE);
	uint8_t got[8];
	edma_mock_local_read(r.m, 0x7000, got, 8);
	CHECK(memcmp(got, "windowed", 8) == 0);
	struct edma_translate bogus = { .kind = 7 };
	CHECK(edma_channel_release(&ch, &err) == EDMA_OK);
	CHECK(edma_channel_init(&ch, &r.ctrl, &cfg, &ll, &bogus, &err) == EDMA_ERR_INVALID_ARGUMENT);
	rig_down(&r);
}

/* Non-LL mode: one block per element. */
static void non_ll_case(uint32_t mi)
{
	snprintf(name_buf, sizeof name_buf, "non-LL %s", MAP_NAMES[mi]);
	ctx_name = name_buf;
	struct rig r;
	rig_up(&r, MAPS[mi], EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_channel_config cfg = { .dir = EDMA_DIR_WRITE, .index = 0, .limits = edma_limits_default() };
	struct edma_channel ch;
	struct edma_error err;
	CHECK(edma_channel_init(&ch, &r.ctrl, &cfg, NULL, NULL, &err) == EDMA_OK);
	struct edma_entry e[N_ENTRIES];
	entries_for(EDMA_DIR_WRITE, e);
	prepare(r.m, EDMA_DIR_WRITE, e, N_ENTRIES, 6);
	CHECK(edma_channel_submit(&ch, e, N_ENTRIES, NULL, &err) == EDMA_OK);
	struct edma_outcome o;
	int n = 0;
	do {
		CHECK(edma_channel_on_interrupt(&ch, &o) == EDMA_OK);
		n++;
	} while (o.kind == EDMA_OUTCOME_PROGRESS && n < 100);
	CHECK(o.kind == EDMA_OUTCOME_COMPLETE && o.completion.chunks == N_ENTRIES);
	verify(r.m, EDMA_DIR_WRITE, e, N_ENTRIES, N_ENTRIES, 6);
	CHECK(edma_channel_release(&ch, &err) == EDMA_OK);
	rig_down(&r);
}

/* A ring released while its engine never reports the stop: the handle is
 * gone, the channel quarantined and still claimed. */
static void quarantine_case(uint32_t mi)
{
	struct rig r;
	rig_up(&r, MAPS[mi], EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_ll ll;
	CHECK(get_ll(&r, true, EDMA_DIR_WRITE, 2, 8, &ll));
	struct edma_channel_config cfg = { .dir = EDMA_DIR_WRITE, .index = 2, .limits = edma_limits_default() };
	struct edma_ring ring, again;
	struct edma_error err;
	CHECK(edma_ring_init(&ring, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	struct edma_entry e = { .src = 0x1000, .dst = 0x2000, .len = 64 };
	struct edma_appended a;
	struct edma_ring_completed done;
	CHECK(edma_ring_push(&ring, &e, 1, EDMA_NOTIFY_END, &a, &err) == EDMA_OK);
	CHECK(edma_ring_on_interrupt(&ring, &done) == EDMA_OK && done.completed == 1);
	uint8_t q = 9;
	CHECK(edma_controller_is_quarantined(&r.ctrl, EDMA_DIR_WRITE, 2, &q) == EDMA_OK && q == 0);
	edma_mock_wedge(r.m, EDMA_DIR_WRITE, 2);
	CHECK(edma_ring_release(&ring, &err) == EDMA_ERR_QUARANTINED);
	CHECK(edma_controller_is_quarantined(&r.ctrl, EDMA_DIR_WRITE, 2, &q) == EDMA_OK && q == 1);
	CHECK(edma_controller_is_quarantined(&r.ctrl, EDMA_DIR_WRITE, 1, &q) == EDMA_OK && q == 0);
	CHECK(edma_controller_is_quarantined(&r.ctrl, 7, 2, &q) == EDMA_ERR_INVALID_ARGUMENT);
	CHECK(edma_controller_is_quarantined(&r.ctrl, EDMA_DIR_WRITE, 2, NULL) == EDMA_ERR_NULL);
	/* Still running: the quarantine stays, and so does the claim. */
	CHECK(edma_controller_clear_quarantine(&r.ctrl, EDMA_DIR_WRITE, 2) == EDMA_ERR_BUSY);
	CHECK(edma_ring_init(&again, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_ERR_ALREADY_CLAIMED);
	CHECK(edma_ring_info(&ring, NULL) != EDMA_OK);
	rig_down(&r);
}

/* Interrupt moderation: 32 entries with edma_notify_every(8) raise 4 done
 * interrupts on eDMA maps; a bad notify value is refused. */
static void moderation_case(uint32_t mi)
{
	struct rig r;
	rig_up(&r, MAPS[mi], EDMA_DEPLOYMENT_LOCAL, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_ll ll;
	CHECK(get_ll(&r, true, EDMA_DIR_READ, 3, 40, &ll));
	struct edma_channel_config cfg = { .dir = EDMA_DIR_READ, .index = 3, .limits = edma_limits_default() };
	struct edma_ring ring;
	struct edma_error err;
	CHECK(edma_ring_init(&ring, &r.ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	struct edma_entry e[32];
	for (int i = 0; i < 32; i++) {
		e[i].src = 0x10000 + 64 * (uint64_t)i;
		e[i].dst = 0x1000 + 64 * (uint64_t)i;
		e[i].len = 64;
	}
	CHECK(edma_notify_every(8) == (EDMA_NOTIFY_EVERY | (8u << 16)));
	struct edma_appended a;
	CHECK(edma_ring_append(&ring, e, 32, EDMA_NOTIFY_EVERY | (8u << 16) | 0x8000u, &a, &err) == EDMA_ERR_INVALID_ARGUMENT);
	CHECK(edma_ring_append(&ring, e, 32, EDMA_NOTIFY_END | (8u << 16), &a, &err) == EDMA_ERR_INVALID_ARGUMENT);
	struct edma_mock_counters before, after;
	edma_mock_counters(r.m, -1, 0, &before);
	CHECK(edma_ring_push(&ring, e, 32, edma_notify_every(8), &a, &err) == EDMA_OK && a.entries == 32);
	edma_mock_counters(r.m, -1, 0, &after);
	bool edma = MAPS[mi] != EDMA_MAP_HDMA_NATIVE;
	CHECK(after.done_local - before.done_local == (edma ? 4u : 1u));
	struct edma_ring_completed done;
	CHECK(edma_ring_on_interrupt(&ring, &done) == EDMA_OK && done.completed == 32);
	CHECK(edma_ring_release(&ring, &err) == EDMA_OK);
	rig_down(&r);
}

int main(void)
{
	static const char *DEP[2] = { "local", "remote" };
	static const char *DIR[2] = { "write", "read" };
	int combos = 0;
	for (uint32_t mi = 0; mi < 4; mi++)
		for (uint32_t dep = 0; dep < 2; dep++)
			for (uint32_t dir = 0; dir < 2; dir++)
				for (int ram = 0; ram < 2; ram++) {
					snprintf(name_buf, sizeof name_buf, "%s %s %s %s", MAP_NAMES[mi], DEP[dep], DIR[dir],
						 ram ? "ram-ll" : "callback-ll");
					ctx_name = name_buf;
					batch_case(mi, dep, dir, ram);
					ring_case(mi, dep, dir, ram);
					combos++;
				}
	handle_case();
	remote_case();
	for (uint32_t mi = 0; mi < 4; mi++) {
		dispatch_case(mi);
		terminate_case(mi, EDMA_DIR_WRITE);
		terminate_case(mi, EDMA_DIR_READ);
		abort_case(mi);
		non_ll_case(mi);
		quarantine_case(mi);
		moderation_case(mi);
	}
	stream_case();
	window_case();
	printf("matrix: %d combinations, %d checks, %d failed\n", combos, checks, failures);
	return failures != 0;
}
