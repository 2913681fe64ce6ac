// SPDX-License-Identifier: GPL-2.0
/*
 * linux_cost: the unmodified Linux dw-edma core (compiled beside this file
 * from the downloaded tree, with shim/ standing in for the kernel) driven
 * through the dmaengine API on plain memory, for instruction counting
 * under callgrind (conformance/cost/run.sh).
 *
 *   linux_cost MAP N R MODE
 *
 * MAP: legacy, unroll, compat or native. N entries per round, R rounds.
 * MODE:
 *   batch   one prep_slave_sg of N scatterlist entries, submit,
 *           issue_pending, then per chunk the done interrupt (the engine's
 *           status bit set in the register memory, the registered handler
 *           called, the bit cleared) and the scheduled tasklet, which
 *           completes the descriptor and frees it.
 *   single  the same for each entry alone: N descriptors of one entry, one
 *           doorbell and one interrupt each (today's per-buffer pattern).
 *   floor   no driver: the N elements stored into the LL page, 24 bytes
 *           each (control, size, SAR, DAR), plus the link element of every
 *           chunk of 169 — what any driver must at least do.
 *
 * The counted function is linux_round (callgrind --toggle-collect); setup,
 * probe and the checks after each round are outside it. Every round must
 * end with the cookie complete and, for batch and single, the LL page's
 * elements equal to the entries (checked; a failure exits 1).
 *
 * The workload is the Rust cost examples' (edma-core/benches/support/
 * workload.rs): entry i has length 64 + (i * 997) % 4033, local address
 * i * 8192 + (i * 37) % 512; write channel 0, local deployment, a 4 KiB LL
 * page (169 data elements and the link per chunk). A scatterlist carries
 * one address per entry, so Linux gets the local addresses and lengths;
 * the device (PCI) side is the slave config's address, advanced by each
 * entry's length, as dw-edma does.
 */
#include <stdlib.h>
#include <linux/dmaengine.h>
#include <linux/dma/edma.h>
#include "dw-edma-core.h"

void kshim_reset(void);
int kshim_irq(void);
void kshim_run_tasklets(void);

#define REG_SZ 0x10000
#define LL_SZ 4096
#define PER_CHUNK (LL_SZ / 24 - 1)
#define PCI_BASE 0x100000000ULL

static struct {
	struct dw_edma_chip chip;
	struct device dev;
	struct device_dma_parameters parms;
	struct dma_chan *dchan;
	void *regs;
	void *ll;
	volatile u32 *status;
	u32 bit;
	struct scatterlist *sgl;
	u64 *src;
	u64 *dst;
	u32 *len;
} c;

static int cost_irq_vector(struct device *dev, unsigned int nr)
{
	(void)dev;
	(void)nr;
	return 33;
}

static const struct dw_edma_plat_ops cost_ops = {
	.irq_vector = cost_irq_vector,
};

static void setup(enum dw_edma_map_format mf, int n)
{
	struct dma_slave_config cfg = { 0 };
	struct dw_edma_chan *chan;
	int d, i;

	c.regs = aligned_alloc(4096, REG_SZ);
	memset(c.regs, 0, REG_SZ);
	/* eDMA CTRL (0x8): 8 write and 8 read channels. */
	if (mf != EDMA_MF_HDMA_NATIVE)
		*(u32 *)(c.regs + 0x8) = 0x00080008;
	c.dev.init_name = "edma-cost";
	c.dev.dma_parms = &c.parms;
	c.chip.dev = &c.dev;
	c.chip.ops = &cost_ops;
	c.chip.nr_irqs = 1;
	c.chip.flags = DW_EDMA_CHIP_LOCAL;
	c.chip.reg_base = c.regs;
	c.chip.ll_wr_cnt = 8;
	c.chip.ll_rd_cnt = 8;
	c.chip.mf = mf;
	for (d = 0; d < 8; d++) {
		void *w = aligned_alloc(4096, LL_SZ), *r = aligned_alloc(4096, LL_SZ);

		memset(w, 0, LL_SZ);
		memset(r, 0, LL_SZ);
		c.chip.ll_region_wr[d].vaddr.io = w;
		c.chip.ll_region_wr[d].paddr = 0x80000000ULL + d * 0x1000;
		c.chip.ll_region_wr[d].sz = LL_SZ;
		c.chip.ll_region_rd[d].vaddr.io = r;
		c.chip.ll_region_rd[d].paddr = 0x80010000ULL + d * 0x1000;
		c.chip.ll_region_rd[d].sz = LL_SZ;
	}
	c.ll = (void *)c.chip.ll_region_wr[0].vaddr.io;
	if (dw_edma_probe(&c.chip)) {
		fprintf(stderr, "dw_edma_probe failed\n");
		exit(1);
	}
	chan = &c.chip.dw->chan[0];
	c.dchan = &chan->vc.chan;
	if (c.dchan->device->device_alloc_chan_resources(c.dchan) < 0)
		exit(1);
	c.dchan->client_count = 1;
	cfg.direction = DMA_MEM_TO_DEV;
	cfg.dst_addr = PCI_BASE;
	if (dmaengine_slave_config(c.dchan, &cfg)) {
		fprintf(stderr, "slave config refused\n");
		exit(1);
	}
	/* The write channel 0's done bit (facts from the regs headers). */
	if (mf == EDMA_MF_HDMA_NATIVE) {
		c.status = c.regs + 0x84;
		c.bit = 1;
	} else {
		c.status = c.regs + 0x4c;
		c.bit = 1;
	}
	c.sgl = calloc(n, sizeof(*c.sgl));
	c.src = calloc(n, sizeof(u64));
	c.dst = calloc(n, sizeof(u64));
	c.len = calloc(n, sizeof(u32));
	sg_init_table(c.sgl, n);
	for (i = 0; i < n; i++) {
		c.src[i] = (u64)i * 8192 + ((u64)i * 37) % 512;
		c.len[i] = 64 + ((u32)i * 997) % 4033;
		c.dst[i] = PCI_BASE + (i ? c.dst[i - 1] - PCI_BASE + c.len[i - 1] : 0);
		sg_dma_address(&c.sgl[i]) = c.src[i];
		sg_dma_len(&c.sgl[i]) = c.len[i];
	}
}

/* One prep + submit + issue_pending + interrupts + completion of `k`
 * entries from `sg`. */
static dma_cookie_t run_one(struct scatterlist *sg, int k)
{
	struct dma_async_tx_descriptor *txd;
	dma_cookie_t cookie;
	int chunks = (k + PER_CHUNK - 1) / PER_CHUNK, i;

	txd = dmaengine_prep_slave_sg(c.dchan, sg, k, DMA_MEM_TO_DEV,
				      DMA_PREP_INTERRUPT);
	if (!txd)
		return -1;
	cookie = dmaengine_submit(txd);
	dma_async_issue_pending(c.dchan);
	for (i = 0; i < chunks; i++) {
		*c.status |= c.bit;
		kshim_irq();
		*c.status &= ~c.bit;
		kshim_run_tasklets();
	}
	return cookie;
}

/*
 * The store-only floor: each element's 24 bytes (control and size as one
 * 64-bit word, SAR, DAR) and a link element per chunk, as plain stores
 * the compiler may schedule freely; the barrier keeps them.
 */
static void floor_round(int n)
{
	u64 *ll = c.ll;
	const u32 *restrict len = c.len;
	const u64 *restrict src = c.src, *restrict dst = c.dst;
	int i = 0;

	while (i < n) {
		int k = n - i < PER_CHUNK ? n - i : PER_CHUNK, j;
		u64 *restrict e = ll;

		for (j = 0; j < k; j++, i++, e += 3) {
			e[0] = (u64)len[i] << 32 | 1;
			e[1] = src[i];
			e[2] = dst[i];
		}
		e[0] = 6;
		e[1] = 0x80000000ULL;
		e[2] = 0;
	}
	barrier();
}

noinline dma_cookie_t linux_round(int n, int mode)
{
	dma_cookie_t cookie = 0;
	int i;

	if (mode == 2) {
		floor_round(n);
		return 0;
	}
	if (mode == 0)
		return run_one(c.sgl, n);
	for (i = 0; i < n && cookie >= 0; i++)
		cookie = run_one(&c.sgl[i], 1);
	return cookie;
}

/* The last chunk's elements must be the entries' (the driver ran). */
static int check_ll(int n, int mode)
{
	const u8 *ll = c.ll;
	int first = mode == 1 ? n - 1 : ((n - 1) / PER_CHUNK) * PER_CHUNK;
	int i;

	for (i = first; i < n; i++) {
		const u8 *e = ll + (i - first) * 24;
		u32 size;
		u64 sar;

		memcpy(&size, e + 4, 4);
		memcpy(&sar, e + 8, 8);
		if (size != c.len[i] || sar != c.src[i]) {
			fprintf(stderr, "entry %d: LL has size %u SAR 0x%llx\n", i,
				size, (unsigned long long)sar);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; enum dw_edma_map_format mf; } maps[] = {
		{ "legacy", EDMA_MF_EDMA_LEGACY }, { "unroll", EDMA_MF_EDMA_UNROLL },
		{ "compat", EDMA_MF_HDMA_COMPAT }, { "native", EDMA_MF_HDMA_NATIVE },
	};
	enum dw_edma_map_format mf = EDMA_MF_EDMA_UNROLL;
	int n = argc > 2 ? atoi(argv[2]) : 64;
	int r = argc > 3 ? atoi(argv[3]) : 1;
	const char *m = argc > 4 ? argv[4] : "batch";
	int mode = !strcmp(m, "single") ? 1 : !strcmp(m, "floor") ? 2 : 0;
	unsigned int i;
	int k;

	for (i = 0; i < ARRAY_SIZE(maps); i++)
		if (argc > 1 && !strcmp(argv[1], maps[i].name))
			mf = maps[i].mf;
	if (n < 1 || r < 0) {
		fprintf(stderr, "usage: linux_cost MAP N R batch|single|floor\n");
		return 2;
	}
	kshim_reset();
	setup(mf, n);
	for (k = 0; k < r; k++) {
		dma_cookie_t cookie;

		kshim_reset();
		cookie = linux_round(n, mode);
		if (mode == 2)
			continue;
		if (cookie < 0 ||
		    dmaengine_tx_status(c.dchan, cookie, NULL) != DMA_COMPLETE) {
			fprintf(stderr, "round %d: cookie %d not complete\n", k, cookie);
			return 1;
		}
		if (check_ll(n, mode))
			return 1;
	}
	return 0;
}
