// SPDX-License-Identifier: GPL-2.0
/*
 * edma conformance recorder.
 *
 * Compiles the unmodified dw-edma core (drivers/dma/dw-edma/dw-edma-core.c,
 * included below; the v0 and HDMA cores are in rec_v0_core.c and
 * rec_hdma_core.c) with readl/writel/readq/writeq routed through
 * edma_rec_log(), gives it plain kernel memory as its register block and LL
 * regions, drives it through the dmaengine API (probe, slave config,
 * prep_slave_sg, submit, issue_pending, done/abort interrupts, terminate,
 * remove) and prints every access as a line "EDMAREC ...". The Rust
 * crates' conformance tests compare their own accesses with these lines
 * (see conformance/README.md and conformance/record.sh).
 *
 * The register block is memory, not an engine: nothing runs. Interrupts are
 * delivered by storing the done/abort status bit into the memory (not
 * recorded) and calling the driver's per-direction interrupt handler, as
 * the engine's interrupt line would.
 */
/*
 * This suite *is* the dw-edma core (CONFIG_DW_EDMA stays off so the real
 * driver is not linked twice): make <linux/dma/edma.h> declare
 * dw_edma_probe()/dw_edma_remove() instead of its stubs.
 */
#define CONFIG_DW_EDMA 1
#include <kunit/test.h>
#include <kunit/device.h>
#include <linux/module.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/dmaengine.h>
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/dma/edma.h>
#include <linux/dma-mapping.h>
#include <linux/string_choices.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include "recorder.h"
#include "../dw-edma/dw-edma-core.c"

#define REC_REG_SZ	0x10000
#define REC_LL_BUF	4096
/* Bus addresses the recorded batches use (see conformance/README.md). */
#define REC_LOCAL_BASE	0x1000000000ULL
#define REC_PCI_BASE	0x200000000ULL
#define REC_LL_BASE	(REC_LOCAL_BASE + 0x80000)
#define REC_MSI_ADDR	0x12345670c0ULL
/* HDMA int_stat bits (dw-hdma-v0-regs.h): stop 0, abort 2. */
#define REC_HDMA_STOP	BIT(0)
#define REC_HDMA_ABORT	BIT(2)

static struct {
	void *regs;
	void *ll[2][8];
	bool on;
	unsigned int seq;
	int virq;
} rec;

void edma_rec_log(char op, int width, const volatile void __iomem *addr, u64 val)
{
	uintptr_t a = (uintptr_t)addr;
	uintptr_t r = (uintptr_t)rec.regs;
	int d, c;

	if (!rec.on)
		return;
	if (a >= r && a < r + REC_REG_SZ) {
		pr_info("EDMAREC %u a %c%d reg 0x%lx 0x%llx\n", rec.seq++, op,
			width, (unsigned long)(a - r), val);
		return;
	}
	for (d = 0; d < 2; d++) {
		for (c = 0; c < 8; c++) {
			uintptr_t l = (uintptr_t)rec.ll[d][c];

			if (l && a >= l && a < l + REC_LL_BUF) {
				pr_info("EDMAREC %u a %c%d ll 0x%lx 0x%llx\n",
					rec.seq++, op, width,
					(unsigned long)(a - l), val);
				return;
			}
		}
	}
	pr_info("EDMAREC %u a %c%d other 0x%lx 0x%llx\n", rec.seq++, op, width,
		(unsigned long)a, val);
}

static int rec_irq_vector(struct device *dev, unsigned int nr)
{
	return rec.virq;
}

static const struct dw_edma_plat_ops rec_ops = {
	.irq_vector = rec_irq_vector,
};

static void rec_step(const char *name)
{
	pr_info("EDMAREC %u step %s\n", rec.seq++, name);
}

enum rec_kind { REC_NORMAL, REC_ABORT, REC_TERMINATE };

struct rec_scenario {
	enum dw_edma_map_format mf;
	bool remote;
	int dir;		/* EDMA_DIR_WRITE or EDMA_DIR_READ */
	int ch;
	int slots;		/* LL region size in 24-byte slots */
	int shape;		/* 0: 3 entries, 1: 7 entries */
	enum rec_kind kind;
	bool non_ll;
};

static const u32 rec_len[2][7] = {
	{ 0x40, 0x1000, 0x24 },
	{ 0x10, 0x200, 0x30, 0x1000, 0x8, 0x100, 0x44 },
};
static const u32 rec_sg_off[2][7] = {
	{ 0x3000, 0x100, 0x8000 },
	{ 0x9000, 0x2000, 0x40, 0x5000, 0x7ff8, 0x3100, 0xa000 },
};
static const int rec_n[2] = { 3, 7 };

static const char *rec_mf_name(enum dw_edma_map_format mf)
{
	switch (mf) {
	case EDMA_MF_EDMA_LEGACY: return "legacy";
	case EDMA_MF_EDMA_UNROLL: return "unroll";
	case EDMA_MF_HDMA_COMPAT: return "compat";
	default: return "native";
	}
}

/* The interrupt status register of a channel (facts from the regs headers). */
static u32 *rec_status(const struct rec_scenario *s)
{
	if (s->mf == EDMA_MF_HDMA_NATIVE)
		return rec.regs + s->ch * 0x200 + (s->dir == EDMA_DIR_READ ? 0x100 : 0) + 0x84;
	return rec.regs + (s->dir == EDMA_DIR_READ ? 0xa0 : 0x4c);
}

static void rec_dump_ll(const struct rec_scenario *s)
{
	u8 *ll = rec.ll[s->dir][s->ch];
	int i;

	for (i = 0; i < s->slots; i++)
		pr_info("EDMAREC %u ll %d %*phN\n", rec.seq++, i, 24, ll + i * 24);
}

static void rec_irq(const struct rec_scenario *s, struct dw_edma *dw, bool abort)
{
	u32 *st = rec_status(s);
	u32 bit;

	if (s->mf == EDMA_MF_HDMA_NATIVE)
		bit = abort ? REC_HDMA_ABORT : REC_HDMA_STOP;
	else
		bit = abort ? BIT(16 + s->ch) : BIT(s->ch);
	rec_step(abort ? "irq-abort" : "irq-done");
	WRITE_ONCE(*st, READ_ONCE(*st) | bit);
	if (s->dir == EDMA_DIR_WRITE)
		dw_edma_interrupt_write_inner(rec.virq, &dw->irq[0]);
	else
		dw_edma_interrupt_read_inner(rec.virq, &dw->irq[0]);
	WRITE_ONCE(*st, READ_ONCE(*st) & ~bit);
	rec_dump_ll(s);
}

static void rec_run(struct kunit *test, const struct rec_scenario *s, int idx)
{
	enum dma_transfer_direction tdir;
	struct dma_slave_config cfg = { };
	struct dma_async_tx_descriptor *txd;
	struct dw_edma_chip *chip;
	struct dw_edma_chan *chan;
	struct scatterlist *sgl;
	struct dma_chan *dchan;
	struct device *dev;
	struct dw_edma *dw;
	dma_cookie_t cookie;
	u64 dev_base, sg_base, off;
	int i, d, c, n, per, chunks, err;
	bool dev_is_src, local_is_src;

	dev = kunit_device_register(test, kasprintf(GFP_KERNEL, "edma-rec-%d", idx));
	KUNIT_ASSERT_FALSE(test, IS_ERR(dev));
	dev->dma_parms = kunit_kzalloc(test, sizeof(*dev->dma_parms), GFP_KERNEL);
	chip = kunit_kzalloc(test, sizeof(*chip), GFP_KERNEL);
	rec.regs = kunit_kzalloc(test, REC_REG_SZ, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, chip);
	KUNIT_ASSERT_NOT_NULL(test, rec.regs);
	/* eDMA v0 CTRL (0x8): 8 write channels (3:0), 8 read channels (19:16). */
	if (s->mf != EDMA_MF_HDMA_NATIVE)
		*(u32 *)(rec.regs + 0x8) = 0x00080008;
	rec.virq = irq_alloc_desc(NUMA_NO_NODE);
	KUNIT_ASSERT_GT(test, rec.virq, 0);
	irq_set_chip_and_handler(rec.virq, &dummy_irq_chip, handle_simple_irq);
	irq_clear_status_flags(rec.virq, IRQ_NOREQUEST);

	chip->dev = dev;
	chip->ops = &rec_ops;
	chip->nr_irqs = 1;
	chip->flags = s->remote ? 0 : DW_EDMA_CHIP_LOCAL;
	chip->reg_base = rec.regs;
	chip->ll_wr_cnt = 8;
	chip->ll_rd_cnt = 8;
	chip->mf = s->mf;
	chip->cfg_non_ll = s->non_ll;
	for (d = 0; d < 2; d++) {
		for (c = 0; c < 8; c++) {
			struct dw_edma_region *r = d == EDMA_DIR_WRITE ?
				&chip->ll_region_wr[c] : &chip->ll_region_rd[c];

			rec.ll[d][c] = kunit_kzalloc(test, REC_LL_BUF, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, rec.ll[d][c]);
			r->vaddr.io = (void __iomem *)rec.ll[d][c];
			r->paddr = REC_LL_BASE + d * 0x8000 + c * 0x1000;
			r->sz = s->slots * 24;
		}
	}

	n = rec_n[s->shape];
	per = s->non_ll ? 1 : s->slots - 1;
	chunks = (n + per - 1) / per;
	pr_info("EDMAREC %u begin map=%s deploy=%s dir=%s ch=%d slots=%d kind=%s nonll=%d llbus=0x%llx chunks=%d\n",
		rec.seq++, rec_mf_name(s->mf), s->remote ? "remote" : "local",
		s->dir == EDMA_DIR_WRITE ? "write" : "read", s->ch, s->slots,
		s->kind == REC_ABORT ? "abort" :
		s->kind == REC_TERMINATE ? "terminate" : "normal",
		s->non_ll, REC_LL_BASE + s->dir * 0x8000 + s->ch * 0x1000, chunks);

	rec.on = true;
	rec_step("probe");
	err = dw_edma_probe(chip);
	KUNIT_ASSERT_EQ(test, err, 0);
	dw = chip->dw;
	chan = &dw->chan[s->dir == EDMA_DIR_WRITE ? s->ch : dw->wr_ch_cnt + s->ch];
	dchan = &chan->vc.chan;

	if (s->remote) {
		/* What probe programs when the vector has an MSI message. */
		rec_step("msi");
		chan->msi.address_lo = lower_32_bits(REC_MSI_ADDR);
		chan->msi.address_hi = upper_32_bits(REC_MSI_ADDR);
		chan->msi.data = 0x41 + s->ch;
		pr_info("EDMAREC %u msi 0x%llx 0x%x\n", rec.seq++, REC_MSI_ADDR, chan->msi.data);
		dw_edma_core_ch_config(chan);
	}

	rec_step("get");
	KUNIT_ASSERT_NOT_NULL(test, dma_get_slave_channel(dchan));

	/*
	 * Linux's direction logic (dw_edma_device_transfer): locally the write
	 * channel is MEM_TO_DEV and the read channel DEV_TO_MEM; remotely the
	 * other way round. The engine's local side is the endpoint memory.
	 */
	local_is_src = s->dir == EDMA_DIR_WRITE;
	dev_is_src = s->remote ? s->dir == EDMA_DIR_WRITE : s->dir == EDMA_DIR_READ;
	tdir = dev_is_src ? DMA_DEV_TO_MEM : DMA_MEM_TO_DEV;
	/* The device side is the engine's local side exactly when remote. */
	dev_base = (dev_is_src == local_is_src ? REC_LOCAL_BASE : REC_PCI_BASE) + 0x40000;
	sg_base = dev_is_src == local_is_src ? REC_PCI_BASE : REC_LOCAL_BASE;
	cfg.direction = tdir;
	if (dev_is_src)
		cfg.src_addr = dev_base;
	else
		cfg.dst_addr = dev_base;
	rec_step("config");
	KUNIT_ASSERT_EQ(test, dmaengine_slave_config(dchan, &cfg), 0);

	sgl = kunit_kcalloc(test, n, sizeof(*sgl), GFP_KERNEL);
	sg_init_table(sgl, n);
	off = 0;
	for (i = 0; i < n; i++) {
		u64 sg = sg_base + rec_sg_off[s->shape][i];
		u64 dv = dev_base + off;

		sg_dma_address(&sgl[i]) = sg;
		sg_dma_len(&sgl[i]) = rec_len[s->shape][i];
		pr_info("EDMAREC %u entry 0x%llx 0x%llx 0x%x\n", rec.seq++,
			dev_is_src ? dv : sg, dev_is_src ? sg : dv,
			rec_len[s->shape][i]);
		off += rec_len[s->shape][i];
	}
	rec_step("prep");
	txd = dmaengine_prep_slave_sg(dchan, sgl, n, tdir, DMA_PREP_INTERRUPT);
	KUNIT_ASSERT_NOT_NULL(test, txd);
	rec_step("submit");
	cookie = dmaengine_submit(txd);
	rec_step("issue");
	dma_async_issue_pending(dchan);
	rec_dump_ll(s);

	if (s->kind == REC_TERMINATE) {
		rec_step("terminate");
		KUNIT_EXPECT_EQ(test, dmaengine_terminate_async(dchan), 0);
		/* The chunk in flight ends; its done interrupt completes the stop. */
		rec_irq(s, dw, false);
		rec_step("synchronize");
		dmaengine_synchronize(dchan);
	} else {
		for (i = 0; i < chunks; i++) {
			bool abort = s->kind == REC_ABORT && i == 1;

			rec_irq(s, dw, abort);
			if (abort)
				break;
		}
	}
	pr_info("EDMAREC %u result %d\n", rec.seq++,
		dma_async_is_tx_complete(dchan, cookie, NULL, NULL));

	rec_step("release");
	dma_release_channel(dchan);
	rec_step("remove");
	dw_edma_remove(chip);
	rec.on = false;
	pr_info("EDMAREC %u end\n", rec.seq++);
	irq_free_desc(rec.virq);
	/* Let the console drain before the next scenario. */
	msleep(20);
}

static void edma_rec_all(struct kunit *test)
{
	static const enum dw_edma_map_format maps[] = {
		EDMA_MF_EDMA_LEGACY, EDMA_MF_EDMA_UNROLL,
		EDMA_MF_HDMA_COMPAT, EDMA_MF_HDMA_NATIVE,
	};
	struct rec_scenario s;
	int m, r, d, shape, idx = 0;

	pr_info("EDMAREC %u start\n", rec.seq++);
	for (m = 0; m < ARRAY_SIZE(maps); m++) {
		for (r = 0; r < 2; r++) {
			for (d = 0; d < 2; d++) {
				for (shape = 0; shape < 2; shape++) {
					s = (struct rec_scenario) {
						.mf = maps[m], .remote = r, .dir = d,
						.ch = d == EDMA_DIR_WRITE ? 1 : 2,
						.slots = shape ? 4 : 8,
						.shape = shape, .kind = REC_NORMAL,
					};
					rec_run(test, &s, idx++);
				}
			}
		}
		s = (struct rec_scenario) {
			.mf = maps[m], .remote = false, .dir = EDMA_DIR_WRITE,
			.ch = 3, .slots = 4, .shape = 1, .kind = REC_ABORT,
		};
		rec_run(test, &s, idx++);
		s = (struct rec_scenario) {
			.mf = maps[m], .remote = false, .dir = EDMA_DIR_READ,
			.ch = 0, .slots = 4, .shape = 1, .kind = REC_TERMINATE,
		};
		rec_run(test, &s, idx++);
	}
	s = (struct rec_scenario) {
		.mf = EDMA_MF_HDMA_NATIVE, .remote = false, .dir = EDMA_DIR_WRITE,
		.ch = 5, .slots = 4, .shape = 0, .kind = REC_NORMAL, .non_ll = true,
	};
	rec_run(test, &s, idx++);
	pr_info("EDMAREC %u done %d\n", rec.seq++, idx);
}

static struct kunit_case edma_rec_cases[] = {
	KUNIT_CASE(edma_rec_all),
	{}
};

static struct kunit_suite edma_rec_suite = {
	.name = "edma-rec",
	.test_cases = edma_rec_cases,
};
kunit_test_suite(edma_rec_suite);
