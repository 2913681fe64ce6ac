/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edma conformance recorder: every readl/writel/readq/writeq of the
 * dw-edma driver files compiled after this header goes through a logger.
 * The "I/O memory" the recorder is given is ordinary kernel memory, so the
 * accessors are plain volatile loads and stores.
 */
#ifndef EDMA_REC_RECORDER_H
#define EDMA_REC_RECORDER_H

#include <linux/types.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>

void edma_rec_log(char op, int width, const volatile void __iomem *addr, u64 val);

static inline u32 edma_rec_readl(const volatile void __iomem *a)
{
	u32 v = *(const volatile u32 __force *)a;

	edma_rec_log('r', 32, a, v);
	return v;
}

static inline void edma_rec_writel(u32 v, volatile void __iomem *a)
{
	edma_rec_log('w', 32, a, v);
	*(volatile u32 __force *)a = v;
}

static inline u64 edma_rec_readq(const volatile void __iomem *a)
{
	u64 v = *(const volatile u64 __force *)a;

	edma_rec_log('r', 64, a, v);
	return v;
}

static inline void edma_rec_writeq(u64 v, volatile void __iomem *a)
{
	edma_rec_log('w', 64, a, v);
	*(volatile u64 __force *)a = v;
}

#undef readl
#undef writel
#undef readq
#undef writeq
#define readl(a) edma_rec_readl(a)
#define writel(v, a) edma_rec_writel((v), (a))
#define readq(a) edma_rec_readq(a)
#define writeq(v, a) edma_rec_writeq((v), (a))

#endif
