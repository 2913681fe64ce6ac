// SPDX-License-Identifier: GPL-2.0
/*
 * kshim.c: the out-of-line kernel functions the dw-edma core calls, as
 * userspace stand-ins (see kshim.h). Memory comes from one of two
 * allocators, chosen at build time, because the kernel's slab allocator
 * cannot run here and dw-edma allocates per entry:
 *
 *   -DKSHIM_ALLOC=1  bump: kmalloc advances a pointer in an arena, kfree
 *                    does nothing (a lower bound for any allocator);
 *                    kshim_reset() rewinds the arena between rounds.
 *   -DKSHIM_ALLOC=2  glibc malloc/calloc/free (a general allocator; the
 *                    kernel's per-CPU slab fast path lies between the two).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <linux/dmaengine.h>
#include "kshim.h"

unsigned long jiffies;

#if KSHIM_ALLOC == 1
#define KSHIM_ARENA (256UL << 20)
static char *arena, *arena_next;

void kshim_reset(void)
{
	if (!arena)
		arena = aligned_alloc(64, KSHIM_ARENA);
	arena_next = arena;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	char *p = arena_next;

	(void)gfp;
	size = (size + 15) & ~(size_t)15;
	if ((size_t)(arena + KSHIM_ARENA - p) < size)
		return NULL;
	arena_next = p + size;
	return p;
}

void *kzalloc(size_t size, gfp_t gfp)
{
	void *p = kmalloc(size, gfp);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(const void *p)
{
	(void)p;
}
#else
void kshim_reset(void)
{
}

void *kmalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	return malloc(size);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	return calloc(1, size);
}

void kfree(const void *p)
{
	free((void *)p);
}
#endif

/* devm memory lives as long as the program (the harness probes once). */
void *devm_kzalloc(struct device *dev, size_t size, gfp_t gfp)
{
	(void)dev;
	(void)gfp;
	return calloc(1, size);
}

int dma_set_max_seg_size(struct device *dev, unsigned int size)
{
	if (dev->dma_parms)
		dev->dma_parms->max_segment_size = size;
	return 0;
}

void kshim_log(const char *fmt, ...)
{
	(void)fmt;
}

/* One interrupt line: the harness calls kshim_irq() as the line would. */
static irq_handler_t irq_handler;
static void *irq_dev;
static int irq_num;

int request_irq(unsigned int irq, irq_handler_t h, unsigned long flags,
		const char *name, void *dev)
{
	(void)flags;
	(void)name;
	irq_handler = h;
	irq_dev = dev;
	irq_num = irq;
	return 0;
}

const void *free_irq(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	irq_handler = NULL;
	return NULL;
}

int kshim_irq(void)
{
	return irq_handler(irq_num, irq_dev);
}

int irq_alloc_desc(int node)
{
	(void)node;
	return 77;
}

void handle_level_irq(void *desc)
{
	(void)desc;
}

int generic_handle_irq(unsigned int irq)
{
	(void)irq;
	return 0;
}

/* Tasklets: kept until the harness runs them (kshim_run_tasklets). */
static struct tasklet_struct *tasklet_pending;

void tasklet_schedule(struct tasklet_struct *t)
{
	if (t->state)
		return;
	t->state = 1;
	t->next = tasklet_pending;
	tasklet_pending = t;
}

void kshim_run_tasklets(void)
{
	while (tasklet_pending) {
		struct tasklet_struct *t = tasklet_pending;

		tasklet_pending = t->next;
		t->state = 0;
		if (t->use_callback)
			t->callback(t);
		else
			t->func(t->data);
	}
}

/* dmaengine core (drivers/dma/dmaengine.c), the parts a provider calls. */
int dma_async_device_register(struct dma_device *device)
{
	struct dma_chan *chan;
	int id = 0;

	list_for_each_entry(chan, &device->channels, device_node)
		chan->chan_id = id++;
	return 0;
}

void dma_async_device_unregister(struct dma_device *device)
{
	(void)device;
}

void dma_async_tx_descriptor_init(struct dma_async_tx_descriptor *tx,
				  struct dma_chan *chan)
{
	tx->chan = chan;
}
