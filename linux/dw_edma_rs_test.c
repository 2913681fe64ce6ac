// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of dw_edma_rs, run when the module loads in a kernel with
 * KUnit (linux/run.sh boots one with KASAN, UBSAN, lockdep and
 * DEBUG_ATOMIC_SLEEP).
 *
 * The engine is plain memory, as in conformance/kunit: a 64 KiB register
 * block and 4 KiB LL regions that nothing executes. The provider's
 * register accesses go through recording functions (every write is
 * logged; doorbells counted), and "the engine ran k elements" is a few
 * stores a real engine would make: LLP past the last element run, the
 * transfer size 0, the channel status stopped, the done (eDMA) or stop
 * (HDMA) status bit — then the provider's interrupt handler runs.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/ktime.h>
#include <linux/dmaengine.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dw_edma_rs.h"
#include "dw_edma_rs_internal.h"

#define REGS_SIZE 0x10000
#define LL_SIZE 4096
#define LL_BUS(dir, ch) (0x1000080000ULL + (dir) * 0x8000 + (ch) * 0x1000)
#define LL_DATA_SLOTS (LL_SIZE / 24 - 1)	/* a ring's data slots: all but the link */
#define MAX_LOG 4096

/* The conformance recorder: when on, every register access and step is
 * printed as "RSREC <seq> ..." lines in conformance/'s trace format. */
static bool rsrec_on;
static unsigned int rsrec_seq;
/* "RSREC": the Linux-compatible mode's recordings; "RRREC": ring mode's. */
static const char *rsrec_tag = "RSREC";

struct rig {
	struct kunit *test;
	struct dw_edma_chip chip;
	u8 *regs;
	void *ll[2][8];
	u32 mf;
	/* the recording */
	unsigned int writes, reads, doorbells;
	u32 log_off[MAX_LOG], log_val[MAX_LOG];
	unsigned int logged;
};

static bool hdma(const struct rig *r)
{
	return r->mf == EDMA_MF_HDMA_NATIVE;
}

/* Per-channel register block of the unrolled eDMA and native HDMA maps. */
static u32 ch_base(const struct rig *r, u32 dir, u8 ch)
{
	return hdma(r) ? ch * 0x200 + dir * 0x100 : 0x200 + ch * 0x200 + dir * 0x100;
}

static bool is_doorbell(const struct rig *r, size_t off, u32 v)
{
	if (hdma(r))
		return (off & 0xff) == 0x04 && (v & 1);	/* HDMA doorbell: start */
	return (off == 0x10 || off == 0x30) && !(v & BIT(31));	/* eDMA: not a stop */
}

static u32 rec_read32(void *ctx, size_t off)
{
	struct rig *r = ctx;

	u32 v = readl((void __iomem *)r->regs + off);

	r->reads++;
	if (rsrec_on)
		pr_info("%s %u a r32 reg 0x%zx 0x%x\n", rsrec_tag, rsrec_seq++, off, v);
	return v;
}

static void rec_write32(void *ctx, size_t off, u32 v)
{
	struct rig *r = ctx;

	r->writes++;
	if (rsrec_on)
		pr_info("%s %u a w32 reg 0x%zx 0x%x\n", rsrec_tag, rsrec_seq++, off, v);
	if (is_doorbell(r, off, v))
		r->doorbells++;
	if (r->logged < MAX_LOG) {
		r->log_off[r->logged] = off;
		r->log_val[r->logged] = v;
		r->logged++;
	}
	writel(v, (void __iomem *)r->regs + off);
}

static const struct edma_reg_ops rec_ops = { .read32 = rec_read32, .write32 = rec_write32 };

/* For the conformance scenarios: LL regions of this many bytes (0: LL_SIZE)
 * and non-LL channels. */
static size_t rig_ll_sz;
static bool rig_non_ll;

static void rig_up(struct kunit *test, struct rig *r, u32 mf, bool local)
{
	static atomic_t seq = ATOMIC_INIT(0);
	char name[32];
	struct device *dev;
	int dir, ch;

	/* kunit devices need distinct names within a test. */
	snprintf(name, sizeof(name), "dw-edma-rs-%d", atomic_inc_return(&seq));
	dev = kunit_device_register(test, kstrdup(name, GFP_KERNEL));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	memset(r, 0, sizeof(*r));
	r->test = test;
	r->mf = mf;
	r->regs = kunit_kzalloc(test, REGS_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r->regs);
	if (mf != EDMA_MF_HDMA_NATIVE)
		writel(0x00080008, (void __iomem *)r->regs + 0x8);	/* CTRL: 8 + 8 channels */
	r->chip.dev = dev;
	r->chip.mf = mf;
	r->chip.flags = local ? DW_EDMA_CHIP_LOCAL : 0;
	r->chip.reg_base = (void __iomem *)r->regs;
	r->chip.ll_wr_cnt = 8;
	r->chip.ll_rd_cnt = 8;
	for (dir = 0; dir < 2; dir++) {
		for (ch = 0; ch < 8; ch++) {
			struct dw_edma_region *reg = dir ? &r->chip.ll_region_rd[ch] : &r->chip.ll_region_wr[ch];

			r->ll[dir][ch] = kunit_kzalloc(test, LL_SIZE, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, r->ll[dir][ch]);
			reg->vaddr.mem = r->ll[dir][ch];
			reg->paddr = LL_BUS(dir, ch);
			reg->sz = rig_ll_sz ?: LL_SIZE;
		}
	}
	r->chip.cfg_non_ll = rig_non_ll;
	dw_edma_rs_test_ops = &rec_ops;
	dw_edma_rs_test_ctx = r;
	KUNIT_ASSERT_EQ(test, dw_edma_rs_probe(&r->chip), 0);
	dw_edma_rs_test_ops = NULL;
	dw_edma_rs_test_ctx = NULL;
}

static void rig_down(struct rig *r)
{
	KUNIT_EXPECT_EQ(r->test, dw_edma_rs_remove(&r->chip), 0);
}

struct pick {
	struct device *dev;
	int id;
};

static bool pick_chan(struct dma_chan *c, void *param)
{
	struct pick *p = param;

	return c->device->dev == p->dev && c->chan_id == p->id;
}

/* Channel `ch` of `dir`: write channels come first, as dw-edma numbers them. */
static struct dma_chan *get_chan(struct rig *r, u32 dir, u8 ch)
{
	struct pick p = { .dev = r->chip.dev, .id = dir == EDMA_DIR_WRITE ? ch : 8 + ch };
	dma_cap_mask_t mask;

	dma_cap_zero(mask);
	dma_cap_set(DMA_SLAVE, mask);
	return dma_request_channel(mask, pick_chan, &p);
}

/* The engine ran `elements` elements of the channel's ring (in all, since
 * its first start) and raised its done/stop interrupt. */
static int engine_ran(struct rig *r, u32 dir, u8 ch, u64 elements, bool ring)
{
	u32 b = ch_base(r, dir, ch);
	u64 llp = LL_BUS(dir, ch) + (ring ? (elements % LL_DATA_SLOTS) * 24 : 0);
	void __iomem *regs = (void __iomem *)r->regs;
	int handled;

	if (hdma(r)) {
		writel(lower_32_bits(llp), regs + b + 0x10);
		writel(upper_32_bits(llp), regs + b + 0x14);
		writel(0, regs + b + 0x1c);		/* transfer size */
		writel(3, regs + b + 0x80);		/* ch_stat: stopped */
		writel(1, regs + b + 0x84);		/* int_stat: stop */
	} else {
		writel(lower_32_bits(llp), regs + b + 0x1c);
		writel(upper_32_bits(llp), regs + b + 0x20);
		writel(0, regs + b + 0x08);		/* transfer size */
		writel(readl(regs + b) | 0x60, regs + b);	/* CH_CONTROL1: stopped */
		writel(BIT(ch), regs + (dir ? 0xa0 : 0x4c));	/* int_status: done */
	}
	handled = dw_edma_rs_handle_irq(&r->chip);
	/* The status bit falls when the driver clears it on real hardware. */
	if (hdma(r))
		writel(0, regs + b + 0x84);
	else
		writel(0, regs + (dir ? 0xa0 : 0x4c));
	return handled;
}

struct done {
	struct completion c;
	int calls;
	struct dmaengine_result res;
};

static void on_done(void *param, const struct dmaengine_result *res)
{
	struct done *d = param;

	d->res = *res;
	d->calls++;
	complete(&d->c);
}

static dma_cookie_t submit_batch(struct kunit *test, struct dma_chan *chan,
				 const struct dw_edma_rs_entry *v, unsigned int n, struct done *d)
{
	struct dma_async_tx_descriptor *tx = dw_edma_rs_prep_batch(chan, v, n, DMA_PREP_INTERRUPT);

	KUNIT_ASSERT_NOT_NULL(test, tx);
	init_completion(&d->c);
	d->calls = 0;
	tx->callback_result = on_done;
	tx->callback_param = d;
	return dmaengine_submit(tx);
}

static void probe_every_map(struct kunit *test)
{
	static const u32 maps[] = { EDMA_MF_EDMA_LEGACY, EDMA_MF_EDMA_UNROLL, EDMA_MF_HDMA_COMPAT,
				    EDMA_MF_HDMA_NATIVE };
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		struct dma_chan *w, *rd;

		rig_up(test, r, maps[i], true);
		/* Probe turns the engine off (as dw-edma's does) and starts
		 * nothing: channels are claimed when requested. */
		KUNIT_EXPECT_GT(test, r->writes, 0u);
		KUNIT_EXPECT_EQ(test, r->doorbells, 0u);
		w = get_chan(r, EDMA_DIR_WRITE, 0);
		rd = get_chan(r, EDMA_DIR_READ, 7);
		KUNIT_EXPECT_NOT_NULL(test, w);
		KUNIT_EXPECT_NOT_NULL(test, rd);
		if (w)
			dma_release_channel(w);
		if (rd)
			dma_release_channel(rd);
		rig_down(r);
	}
}

/* An MHI-endpoint-style read of a ring that wraps: tail and head of the
 * host's ring into one local buffer, one call, one doorbell, one callback. */
static void mhi_ring_wrap(struct kunit *test)
{
	static const u32 maps[] = { EDMA_MF_EDMA_UNROLL, EDMA_MF_HDMA_NATIVE };
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	const struct dw_edma_rs_entry v[2] = {
		{ .src = 0x200001f00ULL, .dst = 0x1000000000ULL, .len = 0x100 },
		{ .src = 0x200001000ULL, .dst = 0x1000000100ULL, .len = 0x80 },
	};
	struct done d;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		struct dma_chan *chan;
		struct dma_tx_state st;
		dma_cookie_t cookie;

		rig_up(test, r, maps[i], true);
		chan = get_chan(r, EDMA_DIR_READ, 0);
		KUNIT_ASSERT_NOT_NULL(test, chan);
		cookie = submit_batch(test, chan, v, 2, &d);
		KUNIT_EXPECT_EQ(test, dmaengine_tx_status(chan, cookie, &st), DMA_IN_PROGRESS);
		KUNIT_EXPECT_EQ(test, st.residue, 0x180u);
		dma_async_issue_pending(chan);
		KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
		KUNIT_EXPECT_EQ(test, engine_ran(r, EDMA_DIR_READ, 0, 2, true), 1);
		KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d.c, HZ), 0ul);
		KUNIT_EXPECT_EQ(test, d.calls, 1);
		KUNIT_EXPECT_EQ(test, d.res.result, DMA_TRANS_NOERROR);
		KUNIT_EXPECT_EQ(test, d.res.residue, 0u);
		KUNIT_EXPECT_EQ(test, dmaengine_tx_status(chan, cookie, NULL), DMA_COMPLETE);
		KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
		dmaengine_synchronize(chan);
		dma_release_channel(chan);
		rig_down(r);
	}
}

/* An nvmet-pci-epf-style PRP list: 32 scattered 4 KiB host pages into one
 * local buffer, one call, one doorbell, one callback. */
static void nvme_prp_list(struct kunit *test)
{
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct dw_edma_rs_entry *v = kunit_kcalloc(test, 32, sizeof(*v), GFP_KERNEL);
	struct dma_chan *chan;
	struct done d;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, v);
	for (i = 0; i < 32; i++) {
		v[i].src = 0x300000000ULL + (u64)((i * 7919) % 1024) * 4096;	/* host pages */
		v[i].dst = 0x1000200000ULL + i * 4096;
		v[i].len = 4096;
	}
	rig_up(test, r, EDMA_MF_EDMA_UNROLL, true);
	chan = get_chan(r, EDMA_DIR_READ, 1);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	submit_batch(test, chan, v, 32, &d);
	dma_async_issue_pending(chan);
	KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
	/* The 32 elements are in the LL with their own addresses. */
	KUNIT_EXPECT_EQ(test, *(u64 *)(r->ll[EDMA_DIR_READ][1] + 31 * 24 + 8), v[31].src);
	KUNIT_EXPECT_EQ(test, *(u64 *)(r->ll[EDMA_DIR_READ][1] + 31 * 24 + 16), v[31].dst);
	engine_ran(r, EDMA_DIR_READ, 1, 32, true);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d.c, HZ), 0ul);
	KUNIT_EXPECT_EQ(test, d.calls, 1);
	KUNIT_EXPECT_EQ(test, d.res.result, DMA_TRANS_NOERROR);
	KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
	dma_release_channel(chan);
	rig_down(r);
}

/* Requests issued while the engine runs are appended behind it: far fewer
 * doorbells than requests. */
static void stream_behind_running_engine(struct kunit *test)
{
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct done *d = kunit_kcalloc(test, 64, sizeof(*d), GFP_KERNEL);
	struct dma_chan *chan;
	unsigned int i, calls = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, d);
	rig_up(test, r, EDMA_MF_EDMA_UNROLL, true);
	chan = get_chan(r, EDMA_DIR_WRITE, 2);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	for (i = 0; i < 64; i++) {
		struct dw_edma_rs_entry e = { .src = 0x1000000000ULL + i * 4096,
					      .dst = 0x200000000ULL + i * 4096, .len = 4096 };

		submit_batch(test, chan, &e, 1, &d[i]);
		dma_async_issue_pending(chan);	/* one request at a time */
	}
	/* The first request started the engine; the other 63 went in behind it. */
	KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
	KUNIT_EXPECT_EQ(test, dw_edma_rs_doorbells_skipped(chan), 63ull);
	engine_ran(r, EDMA_DIR_WRITE, 2, 64, true);
	for (i = 0; i < 64; i++) {
		KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d[i].c, HZ), 0ul);
		calls += d[i].calls;
	}
	KUNIT_EXPECT_EQ(test, calls, 64u);
	/* At most one more: the interrupt path rings for what was appended
	 * behind the engine (here it had run them already). */
	KUNIT_EXPECT_LE(test, r->doorbells, 2u);
	dma_release_channel(chan);
	rig_down(r);
}

/* Bad input: a NULL descriptor, a log line, nothing written, the channel
 * still usable. */
static void bad_input_refused(struct kunit *test)
{
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	u8 *regs_before = kunit_kzalloc(test, REGS_SIZE, GFP_KERNEL);
	u8 *ll_before = kunit_kzalloc(test, LL_SIZE, GFP_KERNEL);
	const struct dw_edma_rs_entry ok = { .src = 0x1000000000ULL, .dst = 0x200000000ULL, .len = 64 };
	struct dw_edma_rs_entry bad[2];
	struct dw_edma_rs_entry *huge;
	struct dma_chan *chan;
	unsigned int writes;
	struct done d;
	int k;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, regs_before);
	KUNIT_ASSERT_NOT_NULL(test, ll_before);
	rig_up(test, r, EDMA_MF_HDMA_COMPAT, true);
	chan = get_chan(r, EDMA_DIR_WRITE, 0);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	memcpy(regs_before, r->regs, REGS_SIZE);
	memcpy(ll_before, r->ll[EDMA_DIR_WRITE][0], LL_SIZE);
	writes = r->writes;
	for (k = 0; k < 4; k++) {
		bad[0] = ok;
		bad[1] = ok;
		switch (k) {
		case 0:	/* zero length */
			bad[1].len = 0;
			break;
		case 1:	/* a range that wraps */
			bad[1].dst = U64_MAX - 8;
			break;
		case 2:	/* the local source reads the channel's own LL region */
			bad[1].src = LL_BUS(EDMA_DIR_WRITE, 0) + 24;
			break;
		case 3:	/* one entry longer than the ring can ever hold */
			bad[1].src = 0x2000000000000ULL;
			bad[1].len = (u64)U32_MAX * (LL_DATA_SLOTS + 1);
			break;
		}
		KUNIT_EXPECT_NULL(test, dw_edma_rs_prep_batch(chan, bad, 2, 0));
	}
	KUNIT_EXPECT_NULL(test, dw_edma_rs_prep_batch(chan, &ok, 0, 0));
	/* Too many entries for one descriptor (max_batch_entries, 65536 by
	 * default): refused before anything is read or allocated. */
	KUNIT_EXPECT_NULL(test, dw_edma_rs_prep_batch(chan, &ok, 65537, 0));
	/* Too many entries for an array the caller claims: not a reason to
	 * refuse (rings stream them), but each must be valid. */
	huge = kunit_kcalloc(test, 1000, sizeof(*huge), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, huge);
	for (k = 0; k < 1000; k++)
		huge[k] = (struct dw_edma_rs_entry){ .src = ok.src + k * 64, .dst = ok.dst + k * 64, .len = 64 };
	huge[999].len = 0;
	KUNIT_EXPECT_NULL(test, dw_edma_rs_prep_batch(chan, huge, 1000, 0));
	KUNIT_EXPECT_EQ(test, r->writes, writes);
	KUNIT_EXPECT_EQ(test, memcmp(regs_before, r->regs, REGS_SIZE), 0);
	KUNIT_EXPECT_EQ(test, memcmp(ll_before, r->ll[EDMA_DIR_WRITE][0], LL_SIZE), 0);
	/* Still usable. */
	submit_batch(test, chan, &ok, 1, &d);
	dma_async_issue_pending(chan);
	engine_ran(r, EDMA_DIR_WRITE, 0, 1, true);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d.c, HZ), 0ul);
	KUNIT_EXPECT_EQ(test, d.res.result, DMA_TRANS_NOERROR);
	dma_release_channel(chan);
	rig_down(r);
}

/* Terminate with a batch in flight, then synchronize: no callback, the
 * channel idle and usable. */
static void terminate_in_flight(struct kunit *test)
{
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	const struct dw_edma_rs_entry v[3] = {
		{ .src = 0x1000000000ULL, .dst = 0x200000000ULL, .len = 512 },
		{ .src = 0x1000001000ULL, .dst = 0x200001000ULL, .len = 512 },
		{ .src = 0x1000002000ULL, .dst = 0x200002000ULL, .len = 512 },
	};
	struct dma_chan *chan;
	dma_cookie_t cookie;
	struct done d, d2;

	KUNIT_ASSERT_NOT_NULL(test, r);
	rig_up(test, r, EDMA_MF_HDMA_NATIVE, true);
	chan = get_chan(r, EDMA_DIR_WRITE, 3);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	cookie = submit_batch(test, chan, v, 3, &d);
	dma_async_issue_pending(chan);
	/* The engine reports itself stopped (as after the stop request). */
	writel(3, (void __iomem *)r->regs + ch_base(r, EDMA_DIR_WRITE, 3) + 0x80);
	r->logged = 0;
	KUNIT_EXPECT_EQ(test, dmaengine_terminate_sync(chan), 0);
	/* The stop request: HDMA doorbell of write channel 3, stop bit. */
	KUNIT_EXPECT_GE(test, r->logged, 1u);
	KUNIT_EXPECT_EQ(test, r->log_off[0], ch_base(r, EDMA_DIR_WRITE, 3) + 0x04);
	KUNIT_EXPECT_EQ(test, r->log_val[0], 2u);
	/* A terminated descriptor is dropped without its callback. */
	KUNIT_EXPECT_EQ(test, d.calls, 0);
	(void)cookie;
	/* Usable again. */
	submit_batch(test, chan, v, 1, &d2);
	dma_async_issue_pending(chan);
	engine_ran(r, EDMA_DIR_WRITE, 3, 1, true);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d2.c, HZ), 0ul);
	KUNIT_EXPECT_EQ(test, d2.res.result, DMA_TRANS_NOERROR);
	dma_release_channel(chan);
	rig_down(r);
}


/* The same two clients on a channel in Linux-compatible mode (one
 * descriptor at a time, restarted per chunk, as dw-edma programs it). */
static void clients_linux_compatible(struct kunit *test)
{
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct dw_edma_rs_entry *v = kunit_kcalloc(test, 32, sizeof(*v), GFP_KERNEL);
	struct dma_chan *chan;
	struct done d;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, v);
	for (i = 0; i < 32; i++) {
		v[i].src = 0x300000000ULL + (u64)((i * 7919) % 1024) * 4096;
		v[i].dst = 0x1000200000ULL + i * 4096;
		v[i].len = 4096;
	}
	dw_edma_rs_linux_compat = true;
	rig_up(test, r, EDMA_MF_EDMA_LEGACY, true);
	dw_edma_rs_linux_compat = false;
	chan = get_chan(r, EDMA_DIR_READ, 2);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	submit_batch(test, chan, v, 32, &d);
	dma_async_issue_pending(chan);
	KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
	/* Legacy map: the first start selects read channel 2 in the viewport. */
	KUNIT_EXPECT_EQ(test, readl((void __iomem *)r->regs + 0xfc), 0x80000002u);
	/* Done: the done bit of read channel 2 (the legacy status lives in the
	 * shared window, which the harness leaves "not running"). */
	writel(BIT(2), (void __iomem *)r->regs + 0xa0);
	KUNIT_EXPECT_EQ(test, dw_edma_rs_handle_irq(&r->chip), 1);
	writel(0, (void __iomem *)r->regs + 0xa0);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d.c, HZ), 0ul);
	KUNIT_EXPECT_EQ(test, d.calls, 1);
	KUNIT_EXPECT_EQ(test, d.res.result, DMA_TRANS_NOERROR);
	KUNIT_EXPECT_EQ(test, d.res.residue, 0u);
	KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
	/* Bad input is refused the same way. */
	v[3].len = 0;
	KUNIT_EXPECT_NULL(test, dw_edma_rs_prep_batch(chan, v, 32, 0));
	dma_release_channel(chan);
	rig_down(r);
}

struct order {
	int seen[4];
	int n;
	struct completion all;
};

static void on_done_order(void *param, const struct dmaengine_result *res)
{
	struct order **slot = param;
	struct order *o = slot[0];
	int idx = (int)(uintptr_t)slot[1];

	if (res->result == DMA_TRANS_NOERROR)
		o->seen[o->n++] = idx;
	if (o->n == 3)
		complete(&o->all);
}

/* Today's API: slave config + prep_slave_sg, three descriptors issued
 * together; they complete in order, each with its callback. */
static void slave_sg_in_order(struct kunit *test)
{
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct dma_slave_config cfg = { .src_addr = 0x400000000ULL, .direction = DMA_DEV_TO_MEM };
	struct order o = { .n = 0 };
	void *slots[3][2];
	struct scatterlist sg[2];
	struct dma_chan *chan;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	init_completion(&o.all);
	rig_up(test, r, EDMA_MF_HDMA_COMPAT, true);
	chan = get_chan(r, EDMA_DIR_READ, 0);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	KUNIT_ASSERT_EQ(test, dmaengine_slave_config(chan, &cfg), 0);
	for (i = 0; i < 3; i++) {
		struct dma_async_tx_descriptor *tx;

		sg_init_table(sg, 2);
		sg_dma_address(&sg[0]) = 0x1000000000ULL + i * 0x10000;
		sg_dma_len(&sg[0]) = 256;
		sg_dma_address(&sg[1]) = 0x1000008000ULL + i * 0x10000;
		sg_dma_len(&sg[1]) = 128;
		tx = dmaengine_prep_slave_sg(chan, sg, 2, DMA_DEV_TO_MEM, DMA_PREP_INTERRUPT);
		KUNIT_ASSERT_NOT_NULL(test, tx);
		slots[i][0] = &o;
		slots[i][1] = (void *)(uintptr_t)i;
		tx->callback_result = on_done_order;
		tx->callback_param = slots[i];
		dmaengine_submit(tx);
	}
	/* The wrong direction for a read channel of a local chip: refused. */
	sg_init_table(sg, 1);
	sg_dma_address(&sg[0]) = 0x1000000000ULL;
	sg_dma_len(&sg[0]) = 64;
	KUNIT_EXPECT_NULL(test, dmaengine_prep_slave_sg(chan, sg, 1, DMA_MEM_TO_DEV, 0));
	dma_async_issue_pending(chan);
	KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
	/* The device side is linear, as dw-edma makes it: entry 1 of the first
	 * descriptor reads from src_addr + 256. */
	KUNIT_EXPECT_EQ(test, *(u64 *)(r->ll[EDMA_DIR_READ][0] + 1 * 24 + 8), 0x400000100ULL);
	engine_ran(r, EDMA_DIR_READ, 0, 6, true);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&o.all, HZ), 0ul);
	KUNIT_EXPECT_EQ(test, o.n, 3);
	KUNIT_EXPECT_EQ(test, o.seen[0], 0);
	KUNIT_EXPECT_EQ(test, o.seen[1], 1);
	KUNIT_EXPECT_EQ(test, o.seen[2], 2);
	dma_release_channel(chan);
	rig_down(r);
}

/* A remote chip (a host driving an endpoint's engine): the done message
 * goes where dw_edma_rs_set_remote_irq says, and a batch needs it. */
static void remote_imwr_target(struct kunit *test)
{
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	const struct dw_edma_rs_entry e = { .src = 0x10000, .dst = 0x500000000ULL, .len = 4096 };
	struct dma_chan *chan;
	struct done d;

	KUNIT_ASSERT_NOT_NULL(test, r);
	rig_up(test, r, EDMA_MF_EDMA_UNROLL, false);
	KUNIT_ASSERT_EQ(test, dw_edma_rs_set_remote_irq(&r->chip, EDMA_DIR_WRITE, 1, 0xfee01000ULL, 0x42), 0);
	KUNIT_EXPECT_EQ(test, dw_edma_rs_set_remote_irq(&r->chip, EDMA_DIR_WRITE, 8, 0xfee01000ULL, 0x42), -EINVAL);
	/* eDMA: write-direction done IMWr address at 0x60/0x64. */
	KUNIT_EXPECT_EQ(test, readl((void __iomem *)r->regs + 0x60), 0xfee01000u);
	chan = get_chan(r, EDMA_DIR_WRITE, 1);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	submit_batch(test, chan, &e, 1, &d);
	dma_async_issue_pending(chan);
	KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
	/* The element asks for the local and the remote interrupt (LIE | RIE)
	 * and carries the cycle bit: control word 0x19. */
	KUNIT_EXPECT_EQ(test, *(u32 *)r->ll[EDMA_DIR_WRITE][1], 0x19u);
	engine_ran(r, EDMA_DIR_WRITE, 1, 1, true);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d.c, HZ), 0ul);
	KUNIT_EXPECT_EQ(test, d.res.result, DMA_TRANS_NOERROR);
	dma_release_channel(chan);
	rig_down(r);
}

/* The engine aborts on element `k` (nothing of it moved): LLP at it, its
 * size still loaded, SAR/DAR at its start, status halted, the abort bit. */
static void engine_aborted(struct rig *r, u32 dir, u8 ch, u64 k, const struct dw_edma_rs_entry *e)
{
	u32 b = ch_base(r, dir, ch);
	u64 llp = LL_BUS(dir, ch) + k * 24;
	void __iomem *regs = (void __iomem *)r->regs;

	/* eDMA unrolled map only (the harness's other maps use engine_ran). */
	writel(lower_32_bits(llp), regs + b + 0x1c);
	writel(upper_32_bits(llp), regs + b + 0x20);
	writel((u32)e->len, regs + b + 0x08);
	writel(lower_32_bits(e->src), regs + b + 0x0c);
	writel(upper_32_bits(e->src), regs + b + 0x10);
	writel(lower_32_bits(e->dst), regs + b + 0x14);
	writel(upper_32_bits(e->dst), regs + b + 0x18);
	writel((readl(regs + b) & ~0x60) | 0x40, regs + b);	/* CH_CONTROL1: halted */
	writel(BIT(16 + ch), regs + (dir ? 0xa0 : 0x4c));	/* int_status: abort */
	dw_edma_rs_handle_irq(&r->chip);
	writel(0, regs + (dir ? 0xa0 : 0x4c));
}

/* An abort in the middle of a batch: the callback says so, with the
 * residue of what the engine did not move, in both modes; the channel is
 * usable after. */
static void abort_reports_residue(struct kunit *test)
{
	const struct dw_edma_rs_entry v[3] = {
		{ .src = 0x1000000000ULL, .dst = 0x200000000ULL, .len = 512 },
		{ .src = 0x1000001000ULL, .dst = 0x200001000ULL, .len = 256 },
		{ .src = 0x1000002000ULL, .dst = 0x200002000ULL, .len = 128 },
	};
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int compat;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (compat = 0; compat < 2; compat++) {
		struct dma_chan *chan;
		struct done d, d2;

		dw_edma_rs_linux_compat = compat;
		rig_up(test, r, EDMA_MF_EDMA_UNROLL, true);
		dw_edma_rs_linux_compat = false;
		chan = get_chan(r, EDMA_DIR_WRITE, 4);
		KUNIT_ASSERT_NOT_NULL(test, chan);
		submit_batch(test, chan, v, 3, &d);
		dma_async_issue_pending(chan);
		engine_aborted(r, EDMA_DIR_WRITE, 4, 1, &v[1]);
		KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d.c, HZ), 0ul);
		KUNIT_EXPECT_EQ(test, d.calls, 1);
		KUNIT_EXPECT_EQ(test, d.res.result, DMA_TRANS_READ_FAILED);
		/* Entry 0 moved; entries 1 and 2 did not. */
		KUNIT_EXPECT_EQ(test, d.res.residue, 384u);
		/* Usable after: the next batch starts and completes. */
		submit_batch(test, chan, v, 1, &d2);
		dma_async_issue_pending(chan);
		engine_ran(r, EDMA_DIR_WRITE, 4, 1, true);
		KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d2.c, HZ), 0ul);
		KUNIT_EXPECT_EQ(test, d2.res.result, DMA_TRANS_NOERROR);
		dma_release_channel(chan);
		rig_down(r);
	}
}

/* prep_config_sg with its own slave config: the device side comes from it,
 * not from the channel's. */
static void config_sg_uses_its_config(struct kunit *test)
{
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct dma_slave_config chan_cfg = { .src_addr = 0x400000000ULL, .direction = DMA_DEV_TO_MEM };
	struct dma_slave_config own = { .src_addr = 0x700000000ULL, .direction = DMA_DEV_TO_MEM };
	struct dma_async_tx_descriptor *tx;
	struct scatterlist sg[1];
	struct dma_chan *chan;

	KUNIT_ASSERT_NOT_NULL(test, r);
	rig_up(test, r, EDMA_MF_EDMA_UNROLL, true);
	chan = get_chan(r, EDMA_DIR_READ, 3);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	KUNIT_ASSERT_EQ(test, dmaengine_slave_config(chan, &chan_cfg), 0);
	sg_init_table(sg, 1);
	sg_dma_address(&sg[0]) = 0x1000000000ULL;
	sg_dma_len(&sg[0]) = 64;
	tx = dmaengine_prep_config_sg(chan, sg, 1, DMA_DEV_TO_MEM, 0, &own);
	KUNIT_ASSERT_NOT_NULL(test, tx);
	dmaengine_submit(tx);
	dma_async_issue_pending(chan);
	KUNIT_EXPECT_EQ(test, *(u64 *)(r->ll[EDMA_DIR_READ][3] + 8), 0x700000000ULL);
	engine_ran(r, EDMA_DIR_READ, 3, 1, true);
	dmaengine_synchronize(chan);
	dma_release_channel(chan);
	rig_down(r);
}

/* --- the conformance scenarios of conformance/kunit, on this provider in
 * the Linux-compatible mode; linux/run.sh splits the output into
 * linux/traces/, and edma-core/tests/linux_traces.rs compares them with
 * the Linux 7.2 recordings --- */

#define RS_LOCAL_BASE	0x1000000000ULL
#define RS_PCI_BASE	0x200000000ULL
#define RS_LL_BASE	(RS_LOCAL_BASE + 0x80000)
#define RS_MSI_ADDR	0x12345670c0ULL

enum rs_kind { RS_NORMAL, RS_ABORT, RS_TERMINATE };

struct rs_scenario {
	u32 mf;
	bool remote;
	int dir, ch, slots, shape;
	enum rs_kind kind;
	bool non_ll;
};

/* The entries of conformance/kunit (3 and 7 entries). */
static const u32 rs_len[2][7] = {
	{ 0x40, 0x1000, 0x24 },
	{ 0x10, 0x200, 0x30, 0x1000, 0x8, 0x100, 0x44 },
};
static const u32 rs_sg_off[2][7] = {
	{ 0x3000, 0x100, 0x8000 },
	{ 0x9000, 0x2000, 0x40, 0x5000, 0x7ff8, 0x3100, 0xa000 },
};
static const int rs_n[2] = { 3, 7 };

static void rs_step(const char *name)
{
	pr_info("%s %u step %s\n", rsrec_tag, rsrec_seq++, name);
}

static void rs_dump_ll(struct rig *r, const struct rs_scenario *s)
{
	u8 *ll = r->ll[s->dir][s->ch];
	int i;

	for (i = 0; i < s->slots; i++)
		pr_info("%s %u ll %d %*phN\n", rsrec_tag, rsrec_seq++, i, 24, ll + i * 24);
}

static void rs_irq(struct rig *r, const struct rs_scenario *s, bool abort)
{
	void __iomem *st;
	u32 bit;

	if (s->mf == EDMA_MF_HDMA_NATIVE) {
		st = (void __iomem *)r->regs + s->ch * 0x200 + (s->dir ? 0x100 : 0) + 0x84;
		bit = abort ? BIT(2) : BIT(0);
	} else {
		st = (void __iomem *)r->regs + (s->dir ? 0xa0 : 0x4c);
		bit = abort ? BIT(16 + s->ch) : BIT(s->ch);
	}
	rs_step(abort ? "irq-abort" : "irq-done");
	/* As the Linux harness: set the status bit, run the handler, clear. */
	*(volatile u32 *)st |= bit;
	dw_edma_rs_handle_irq(&r->chip);
	*(volatile u32 *)st &= ~bit;
	rs_dump_ll(r, s);
}

/* Ring mode: the engine ran every element appended so far and stopped:
 * LLP past them, transfer size 0, status stopped, the done/stop bit, the
 * handler; then the bit falls. The same pokes as engine_ran(), in the
 * shared window on the legacy map. */
static void rs_ring_irq(struct rig *r, const struct rs_scenario *s, struct dma_chan *chan)
{
	u64 e = dw_edma_rs_test_next_index(chan);
	u64 llp = LL_BUS(s->dir, s->ch) + (e % (s->slots - 1)) * 24;
	void __iomem *regs = (void __iomem *)r->regs;
	u32 b;

	rs_step("irq-done");
	if (s->mf == EDMA_MF_HDMA_NATIVE) {
		b = ch_base(r, s->dir, s->ch);
		writel(lower_32_bits(llp), regs + b + 0x10);
		writel(upper_32_bits(llp), regs + b + 0x14);
		writel(0, regs + b + 0x1c);
		writel(3, regs + b + 0x80);
		writel(1, regs + b + 0x84);
	} else {
		b = s->mf == EDMA_MF_EDMA_LEGACY ? 0x100 : ch_base(r, s->dir, s->ch);
		writel(lower_32_bits(llp), regs + b + 0x1c);
		writel(upper_32_bits(llp), regs + b + 0x20);
		writel(0, regs + b + 0x08);
		writel(readl(regs + b) | 0x60, regs + b);
		writel(BIT(s->ch), regs + (s->dir ? 0xa0 : 0x4c));
	}
	dw_edma_rs_handle_irq(&r->chip);
	if (s->mf == EDMA_MF_HDMA_NATIVE)
		writel(0, regs + b + 0x84);
	else
		writel(0, regs + (s->dir ? 0xa0 : 0x4c));
	rs_dump_ll(r, s);
}

static const char *rs_mf_name(u32 mf)
{
	switch (mf) {
	case EDMA_MF_EDMA_LEGACY: return "legacy";
	case EDMA_MF_EDMA_UNROLL: return "unroll";
	case EDMA_MF_HDMA_COMPAT: return "compat";
	default: return "native";
	}
}

static void rs_run(struct kunit *test, struct rig *r, const struct rs_scenario *s, bool ring)
{
	bool local_is_src = s->dir == EDMA_DIR_WRITE;
	bool dev_is_src = s->remote ? s->dir == EDMA_DIR_WRITE : s->dir == EDMA_DIR_READ;
	enum dma_transfer_direction tdir = dev_is_src ? DMA_DEV_TO_MEM : DMA_MEM_TO_DEV;
	u64 dev_base = (dev_is_src == local_is_src ? RS_LOCAL_BASE : RS_PCI_BASE) + 0x40000;
	u64 sg_base = dev_is_src == local_is_src ? RS_PCI_BASE : RS_LOCAL_BASE;
	struct dma_slave_config cfg = { .direction = tdir };
	struct dma_async_tx_descriptor *txd;
	int n = rs_n[s->shape], per = s->non_ll ? 1 : s->slots - 1;
	int chunks = (n + per - 1) / per, i, d, c;
	struct scatterlist *sgl;
	struct dma_chan *chan;
	dma_cookie_t cookie;
	u64 off = 0;

	pr_info("%s %u begin map=%s deploy=%s dir=%s ch=%d slots=%d kind=%s nonll=%d llbus=0x%llx chunks=%d\n",
		rsrec_tag, rsrec_seq++, rs_mf_name(s->mf), s->remote ? "remote" : "local",
		s->dir == EDMA_DIR_WRITE ? "write" : "read", s->ch, s->slots,
		s->kind == RS_ABORT ? "abort" : s->kind == RS_TERMINATE ? "terminate" : "normal",
		s->non_ll, RS_LL_BASE + s->dir * 0x8000 + s->ch * 0x1000, chunks);
	rsrec_on = true;
	rs_step("probe");
	dw_edma_rs_linux_compat = !ring;
	rig_ll_sz = s->slots * 24;
	rig_non_ll = s->non_ll;
	rig_up(test, r, s->mf, !s->remote);
	dw_edma_rs_linux_compat = false;
	rig_ll_sz = 0;
	rig_non_ll = false;
	/* conformance/kunit's LL regions: slots * 24 bytes at its bus addresses. */
	for (d = 0; d < 2; d++) {
		for (c = 0; c < 8; c++) {
			struct dw_edma_region *reg = d ? &r->chip.ll_region_rd[c] : &r->chip.ll_region_wr[c];

			KUNIT_ASSERT_EQ(test, reg->paddr, RS_LL_BASE + d * 0x8000 + c * 0x1000);
		}
	}
	if (s->remote) {
		rs_step("msi");
		pr_info("%s %u msi 0x%llx 0x%x\n", rsrec_tag, rsrec_seq++, RS_MSI_ADDR, 0x41 + s->ch);
		KUNIT_ASSERT_EQ(test, dw_edma_rs_set_remote_irq(&r->chip, s->dir, s->ch, RS_MSI_ADDR,
								  0x41 + s->ch), 0);
	}
	rs_step("get");
	chan = get_chan(r, s->dir, s->ch);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	if (dev_is_src)
		cfg.src_addr = dev_base;
	else
		cfg.dst_addr = dev_base;
	rs_step("config");
	KUNIT_ASSERT_EQ(test, dmaengine_slave_config(chan, &cfg), 0);
	sgl = kunit_kcalloc(test, n, sizeof(*sgl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sgl);
	sg_init_table(sgl, n);
	for (i = 0; i < n; i++) {
		u64 sg = sg_base + rs_sg_off[s->shape][i];
		u64 dv = dev_base + off;

		sg_dma_address(&sgl[i]) = sg;
		sg_dma_len(&sgl[i]) = rs_len[s->shape][i];
		pr_info("%s %u entry 0x%llx 0x%llx 0x%x\n", rsrec_tag, rsrec_seq++, dev_is_src ? dv : sg,
			dev_is_src ? sg : dv, rs_len[s->shape][i]);
		off += rs_len[s->shape][i];
	}
	rs_step("prep");
	txd = dmaengine_prep_slave_sg(chan, sgl, n, tdir, DMA_PREP_INTERRUPT);
	KUNIT_ASSERT_NOT_NULL(test, txd);
	rs_step("submit");
	cookie = dmaengine_submit(txd);
	rs_step("issue");
	dma_async_issue_pending(chan);
	rs_dump_ll(r, s);
	if (s->kind == RS_TERMINATE) {
		rs_step("terminate");
		KUNIT_EXPECT_EQ(test, dmaengine_terminate_async(chan), 0);
		rs_irq(r, s, false);
		rs_step("synchronize");
		dmaengine_synchronize(chan);
	} else if (ring) {
		/* Until the descriptor completes: the engine runs what was
		 * appended, the handler appends the rest. */
		for (i = 0; i < 16 && dmaengine_tx_status(chan, cookie, NULL) != DMA_COMPLETE; i++)
			rs_ring_irq(r, s, chan);
		dmaengine_synchronize(chan);
	} else {
		for (i = 0; i < chunks; i++) {
			bool abort = s->kind == RS_ABORT && i == 1;

			rs_irq(r, s, abort);
			if (abort)
				break;
		}
		/* Let the callback tasklet run before the result is read. */
		dmaengine_synchronize(chan);
	}
	pr_info("%s %u result %d\n", rsrec_tag, rsrec_seq++, dma_async_is_tx_complete(chan, cookie, NULL, NULL));
	rs_step("release");
	dma_release_channel(chan);
	rs_step("remove");
	KUNIT_EXPECT_EQ(test, dw_edma_rs_remove(&r->chip), 0);
	rsrec_on = false;
	pr_info("%s %u end\n", rsrec_tag, rsrec_seq++);
	msleep(20);	/* let the console drain */
}

static void rs_all(struct kunit *test, bool ring)
{
	static const u32 maps[] = { EDMA_MF_EDMA_LEGACY, EDMA_MF_EDMA_UNROLL, EDMA_MF_HDMA_COMPAT,
				    EDMA_MF_HDMA_NATIVE };
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct rs_scenario s;
	int m, rem, d, shape, idx = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	rsrec_tag = ring ? "RRREC" : "RSREC";
	pr_info("%s %u start\n", rsrec_tag, rsrec_seq++);
	for (m = 0; m < ARRAY_SIZE(maps); m++) {
		for (rem = 0; rem < 2; rem++) {
			for (d = 0; d < 2; d++) {
				for (shape = 0; shape < 2; shape++) {
					s = (struct rs_scenario){ .mf = maps[m], .remote = rem, .dir = d,
								  .ch = d == EDMA_DIR_WRITE ? 1 : 2,
								  .slots = shape ? 4 : 8, .shape = shape };
					rs_run(test, r, &s, ring);
					idx++;
				}
			}
		}
		/* Ring mode's aborts are the abort_reports_residue case's. */
		if (!ring) {
			s = (struct rs_scenario){ .mf = maps[m], .dir = EDMA_DIR_WRITE, .ch = 3, .slots = 4,
						  .shape = 1, .kind = RS_ABORT };
			rs_run(test, r, &s, ring);
			idx++;
		}
		s = (struct rs_scenario){ .mf = maps[m], .dir = EDMA_DIR_READ, .ch = 0, .slots = 4,
					  .shape = 1, .kind = RS_TERMINATE };
		rs_run(test, r, &s, ring);
		idx++;
	}
	/* Non-LL channels run as in Linux in both modes (no ring without LL). */
	if (!ring) {
		s = (struct rs_scenario){ .mf = EDMA_MF_HDMA_NATIVE, .dir = EDMA_DIR_WRITE, .ch = 5,
					  .slots = 4, .shape = 0, .non_ll = true };
		rs_run(test, r, &s, ring);
		idx++;
	}
	pr_info("%s %u done %d\n", rsrec_tag, rsrec_seq++, idx);
	rsrec_tag = "RSREC";
}

static void conformance_recordings(struct kunit *test)
{
	rs_all(test, false);
}

static void ring_recordings(struct kunit *test)
{
	rs_all(test, true);
}

/* --- side by side with dw-edma in the same kernel --- */

static int dw_virq;

static int dw_irq_vector(struct device *dev, unsigned int nr)
{
	return dw_virq;
}

static const struct dw_edma_plat_ops dw_plat_ops = { .irq_vector = dw_irq_vector };

struct count_cb {
	atomic_t calls;
	struct completion all;
	int want;
};

static void on_count(void *param, const struct dmaengine_result *res)
{
	struct count_cb *c = param;

	if (atomic_inc_return(&c->calls) == c->want)
		complete(&c->all);
}

/* N host buffers into local memory on native HDMA read channel 0: today's
 * path (one slave_sg descriptor per buffer) on the kernel's own dw-edma,
 * then one dw_edma_rs_prep_batch on the provider. Doorbells are seen in the
 * register block (read and cleared after every step: dw-edma writes
 * through writel, so nothing else can count them), interrupts are the ones
 * the test had to deliver, time is ktime around prep-to-last-callback. */
static void side_by_side(struct kunit *test, unsigned int n)
{
	const u32 db = 0x04, st = 0x84;	/* HDMA read channel 0 block at 0x100 */
	struct dma_slave_config cfg = { .src_addr = 0x600000000ULL, .direction = DMA_DEV_TO_MEM };
	struct rig *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct dw_edma_chip *chip = kunit_kzalloc(test, sizeof(*chip), GFP_KERNEL);
	u8 *regs = kunit_kzalloc(test, REGS_SIZE, GFP_KERNEL);
	struct dw_edma_rs_entry *v = kunit_kcalloc(test, n, sizeof(*v), GFP_KERNEL);
	struct count_cb cb = { .want = n };
	struct done d;
	unsigned int i, doorbells = 0, irqs = 0, accesses;
	struct dma_chan *chan;
	struct pick p;
	dma_cap_mask_t mask;
	struct device *dev;
	u64 t0, dw_ns, rs_ns;
	int dir, ch;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, chip);
	KUNIT_ASSERT_NOT_NULL(test, regs);
	KUNIT_ASSERT_NOT_NULL(test, v);
	dev = kunit_device_register(test, kasprintf(GFP_KERNEL, "dw-edma-side-%u", n));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms), GFP_KERNEL);
	dw_virq = irq_alloc_desc(NUMA_NO_NODE);
	KUNIT_ASSERT_GT(test, dw_virq, 0);
	irq_set_chip_and_handler(dw_virq, &dummy_irq_chip, handle_simple_irq);
	irq_clear_status_flags(dw_virq, IRQ_NOREQUEST);
	chip->dev = dev;
	chip->ops = &dw_plat_ops;
	chip->nr_irqs = 1;
	chip->flags = DW_EDMA_CHIP_LOCAL;
	chip->reg_base = (void __iomem *)regs;
	chip->ll_wr_cnt = 8;
	chip->ll_rd_cnt = 8;
	chip->mf = EDMA_MF_HDMA_NATIVE;
	for (dir = 0; dir < 2; dir++) {
		for (ch = 0; ch < 8; ch++) {
			struct dw_edma_region *reg = dir ? &chip->ll_region_rd[ch] : &chip->ll_region_wr[ch];

			reg->vaddr.mem = kunit_kzalloc(test, LL_SIZE, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, reg->vaddr.mem);
			reg->paddr = LL_BUS(dir, ch);
			reg->sz = LL_SIZE;
		}
	}
	KUNIT_ASSERT_EQ(test, dw_edma_probe(chip), 0);
	p.dev = dev;
	p.id = 8;	/* read channel 0 */
	dma_cap_zero(mask);
	dma_cap_set(DMA_SLAVE, mask);
	chan = dma_request_channel(mask, pick_chan, &p);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	KUNIT_ASSERT_EQ(test, dmaengine_slave_config(chan, &cfg), 0);
	init_completion(&cb.all);

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		struct dma_async_tx_descriptor *tx;

		tx = dmaengine_prep_slave_single(chan, 0x1000300000ULL + i * 4096, 4096, DMA_DEV_TO_MEM,
						 DMA_PREP_INTERRUPT);
		KUNIT_ASSERT_NOT_NULL(test, tx);
		tx->callback_result = on_count;
		tx->callback_param = &cb;
		dmaengine_submit(tx);
		dma_async_issue_pending(chan);
	}
	/* dw-edma 7.3 handles "done" in deferred work (irq_work), which then
	 * starts the next descriptor: wait for each doorbell before the next
	 * interrupt. */
	for (i = 0; i < n; i++) {
		u64 until = ktime_get_ns() + NSEC_PER_SEC;

		while (!readl((void __iomem *)regs + 0x100 + db) && ktime_get_ns() < until)
			cpu_relax();
		if (readl((void __iomem *)regs + 0x100 + db)) {
			doorbells++;
			writel(0, (void __iomem *)regs + 0x100 + db);
		}
		writel(1, (void __iomem *)regs + 0x100 + st);	/* stop (done) */
		generic_handle_irq_safe(dw_virq);
		irqs++;
		/* The status bit falls when the deferred handler clears it. */
		until = ktime_get_ns() + NSEC_PER_SEC;
		while (atomic_read(&cb.calls) <= (int)i && ktime_get_ns() < until)
			cpu_relax();
		writel(0, (void __iomem *)regs + 0x100 + st);
	}
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&cb.all, HZ), 0ul);
	dw_ns = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, atomic_read(&cb.calls), (int)n);
	KUNIT_EXPECT_EQ(test, doorbells, n);
	KUNIT_EXPECT_EQ(test, irqs, n);
	dma_release_channel(chan);
	dw_edma_remove(chip);
	irq_free_desc(dw_virq);

	rig_up(test, r, EDMA_MF_HDMA_NATIVE, true);
	chan = get_chan(r, EDMA_DIR_READ, 0);
	KUNIT_ASSERT_NOT_NULL(test, chan);
	for (i = 0; i < n; i++) {
		v[i].src = 0x600000000ULL + i * 4096;
		v[i].dst = 0x1000300000ULL + i * 4096;
		v[i].len = 4096;
	}
	accesses = r->reads + r->writes;
	t0 = ktime_get_ns();
	submit_batch(test, chan, v, n, &d);
	dma_async_issue_pending(chan);
	engine_ran(r, EDMA_DIR_READ, 0, n, true);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&d.c, HZ), 0ul);
	rs_ns = ktime_get_ns() - t0;
	accesses = r->reads + r->writes - accesses;
	KUNIT_EXPECT_EQ(test, d.calls, 1);
	KUNIT_EXPECT_EQ(test, r->doorbells, 1u);
	kunit_info(test, "side-by-side n=%u: dw-edma one-per-buffer: %u prep+submit, %u doorbells, %u interrupts, %u callbacks, %llu ns/transfer | dw_edma_rs batch: 1 prep+submit, %u doorbells, 1 interrupt, %d callbacks, %u register accesses, %llu ns/transfer",
		   n, n, doorbells, irqs, atomic_read(&cb.calls), dw_ns / n, r->doorbells, d.calls,
		   accesses, rs_ns / n);
	dma_release_channel(chan);
	rig_down(r);
}

static void side_by_side_mhi(struct kunit *test)
{
	side_by_side(test, 2);
}

static void side_by_side_nvme(struct kunit *test)
{
	side_by_side(test, 32);
}

static struct kunit_case dw_edma_rs_cases[] = {
	KUNIT_CASE(probe_every_map),
	KUNIT_CASE(mhi_ring_wrap),
	KUNIT_CASE(nvme_prp_list),
	KUNIT_CASE(stream_behind_running_engine),
	KUNIT_CASE(bad_input_refused),
	KUNIT_CASE(terminate_in_flight),
	KUNIT_CASE(clients_linux_compatible),
	KUNIT_CASE(slave_sg_in_order),
	KUNIT_CASE(remote_imwr_target),
	KUNIT_CASE(abort_reports_residue),
	KUNIT_CASE(config_sg_uses_its_config),
	KUNIT_CASE(side_by_side_mhi),
	KUNIT_CASE(side_by_side_nvme),
	KUNIT_CASE(conformance_recordings),
	KUNIT_CASE(ring_recordings),
	{}
};

static struct kunit_suite dw_edma_rs_suite = {
	.name = "dw_edma_rs",
	.test_cases = dw_edma_rs_cases,
};
kunit_test_suite(dw_edma_rs_suite);
