// SPDX-License-Identifier: GPL-2.0
/*
 * dw_edma_rs: dmaengine provider for DesignWare eDMA/HDMA on the edma crate.
 *
 * Everything that touches the engine (register programming, LL encoding,
 * interrupts, progress, residue) is the edma crate, called through its C
 * ABI (edma.h); this file is the dmaengine side: channels, descriptors,
 * locking, callbacks.
 *
 * Locking: every call into the crate for a channel is made under that
 * channel's vc.lock taken with spin_lock_irqsave, in thread context and in
 * the interrupt handler alike, which is what the crate's contract asks
 * (calls on one channel serialised; the controller's internal spin lock
 * only taken with interrupts masked on the local CPU).
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/msi.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "dmaengine.h"
#include "virt-dma.h"

#include "dw_edma_rs.h"
#include "dw_edma_rs_internal.h"

static unsigned int max_batch_entries = 65536;
module_param(max_batch_entries, uint, 0644);
MODULE_PARM_DESC(max_batch_entries,
		 "most entries one descriptor may carry (a batch call or a scatterlist); more are refused");

bool dw_edma_rs_linux_compat;
module_param_named(linux_compat, dw_edma_rs_linux_compat, bool, 0444);
MODULE_PARM_DESC(linux_compat,
		 "program every channel as dw-edma does: one descriptor at a time, restarted per chunk (default: rings)");

struct dw_edma_rs_desc {
	struct virt_dma_desc vd;	/* vd.node: vchan lists, or the in-flight list */
	struct edma_entry *entries;
	unsigned int n;
	u64 total;
	/* Ring mode: entries appended so far and the ring index of the first. */
	unsigned int appended;
	u64 first_index;
	bool started;
};

struct dw_edma_rs_chan {
	struct virt_dma_chan vc;
	struct dw_edma_rs *rs;
	u32 dir;			/* EDMA_DIR_WRITE / EDMA_DIR_READ */
	u8 index;
	bool ring_mode;
	bool live;			/* the crate handle below is initialised */
	struct dma_slave_config config;
	bool configured;
	struct edma_channel_config cfg;
	struct edma_ll ll;
	union {
		struct edma_channel ch;	/* Linux-compatible mode */
		struct edma_ring ring;	/* ring mode */
	} h;
	struct dw_edma_rs_desc *active;	/* Linux-compatible mode: in flight */
	struct list_head inflight;	/* ring mode: appended, oldest first */
	u64 completed_entries;		/* ring mode: entries completed (index space) */
	bool unrung;			/* ring mode: appended behind a busy engine, no doorbell yet */
	u64 doorbells_skipped;		/* ring mode: appends that needed no doorbell */
};

struct dw_edma_rs {
	struct dma_device dma;
	struct dw_edma_chip *chip;
	struct edma_controller ctrl;
	struct dw_edma_rs_chan *chans;
	unsigned int wr_cnt, rd_cnt;
	int irq_count;
	int irqs[EDMA_MAX_WR_CH + EDMA_MAX_RD_CH];
};

static struct dw_edma_rs *chip_rs(struct dw_edma_chip *chip)
{
	/* chip->dw belongs to whoever probed the chip; here, this provider. */
	return (struct dw_edma_rs *)chip->dw;
}

static struct dw_edma_rs_chan *to_rs_chan(struct dma_chan *c)
{
	return container_of(c, struct dw_edma_rs_chan, vc.chan);
}

static struct dw_edma_rs_desc *to_rs_desc(struct virt_dma_desc *vd)
{
	return container_of(vd, struct dw_edma_rs_desc, vd);
}

static const char *edma_status_name(enum edma_status s)
{
	switch (s) {
	case EDMA_ERR_ZERO_LENGTH: return "zero length";
	case EDMA_ERR_SOURCE_OUT_OF_RANGE: return "source range wraps or is beyond the address width";
	case EDMA_ERR_DESTINATION_OUT_OF_RANGE: return "destination range wraps or is beyond the address width";
	case EDMA_ERR_OVERLAPS_LL: return "local side overlaps the channel's LL region";
	case EDMA_ERR_TOO_MANY_CHUNKS: return "more chunks than allowed";
	case EDMA_ERR_TOTAL_TOO_LARGE: return "total length beyond 2^64 - 1";
	case EDMA_ERR_EMPTY_BATCH: return "no entries";
	case EDMA_ERR_TOO_LARGE: return "needs more LL slots than the ring has";
	case EDMA_ERR_NO_REMOTE_INTERRUPT: return "no remote interrupt target";
	case EDMA_ERR_BUSY: return "busy";
	default: return "refused";
	}
}

/* --- register access: readl/writel on the chip's register block --- */

static u32 rs_read32(void *ctx, size_t off)
{
	return readl((void __iomem *)ctx + off);
}

static void rs_write32(void *ctx, size_t off, u32 v)
{
	writel(v, (void __iomem *)ctx + off);
}

static const struct edma_reg_ops rs_reg_ops = {
	.read32 = rs_read32,
	.write32 = rs_write32,
};

/* Test hook (dw_edma_rs_test.c, same module): register functions and
 * context the next probe uses instead of readl/writel on reg_base. */
const struct edma_reg_ops *dw_edma_rs_test_ops;
void *dw_edma_rs_test_ctx;

/* --- descriptors --- */

static void rs_desc_free(struct virt_dma_desc *vd)
{
	struct dw_edma_rs_desc *d = to_rs_desc(vd);

	kfree(d->entries);
	kfree(d);
}

static struct dw_edma_rs_desc *rs_desc_alloc(struct dw_edma_rs_chan *c, unsigned int n)
{
	struct dw_edma_rs_desc *d;

	if (n > max_batch_entries) {
		dev_err(c->rs->dma.dev, "%s: %u entries: more than max_batch_entries (%u)\n",
			dma_chan_name(&c->vc.chan), n, max_batch_entries);
		return NULL;
	}
	d = kzalloc(sizeof(*d), GFP_NOWAIT);
	if (!d)
		return NULL;
	d->entries = kcalloc(n, sizeof(*d->entries), GFP_NOWAIT);
	if (!d->entries) {
		kfree(d);
		return NULL;
	}
	d->n = n;
	return d;
}

/* The crate's answer to a whole vector, before a descriptor exists: the
 * same checks submit/append make, run on the planner alone. */
static bool rs_check_entries(struct dw_edma_rs_chan *c, const struct edma_entry *e, unsigned int n)
{
	struct edma_error err = { 0 };
	enum edma_status s;
	unsigned long flags;

	if (!n) {
		dev_err(c->rs->dma.dev, "%s: no entries\n", dma_chan_name(&c->vc.chan));
		return false;
	}
	spin_lock_irqsave(&c->vc.lock, flags);
	if (!c->live)
		s = EDMA_ERR_RELEASED;
	else if (c->ring_mode)
		s = edma_ring_check(&c->h.ring, e, n, NULL, &err);
	else
		s = edma_channel_check(&c->h.ch, e, n, NULL, &err);
	spin_unlock_irqrestore(&c->vc.lock, flags);
	if (s != EDMA_OK) {
		dev_err(c->rs->dma.dev, "%s: entry %llu refused: %s (status %d)\n",
			dma_chan_name(&c->vc.chan), err.entry, edma_status_name(s), s);
		return false;
	}
	return true;
}

static struct dma_async_tx_descriptor *rs_prep(struct dw_edma_rs_chan *c, struct dw_edma_rs_desc *d,
					       unsigned long flags)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		d->total += d->entries[i].len;
	if (!rs_check_entries(c, d->entries, d->n)) {
		rs_desc_free(&d->vd);
		return NULL;
	}
	return vchan_tx_prep(&c->vc, &d->vd, flags);
}

/* dmaengine's direction against the channel's (dw-edma's rule: a local
 * chip reads with read channels, a remote one with write channels). */
static bool rs_dir_ok(struct dw_edma_rs_chan *c, enum dma_transfer_direction dir)
{
	bool local = c->rs->chip->flags & DW_EDMA_CHIP_LOCAL;

	if (dir != DMA_DEV_TO_MEM && dir != DMA_MEM_TO_DEV)
		return false;
	if (local)
		return (c->dir == EDMA_DIR_READ) == (dir == DMA_DEV_TO_MEM);
	return (c->dir == EDMA_DIR_WRITE) == (dir == DMA_DEV_TO_MEM);
}

static u64 rs_pci_address(struct dw_edma_rs_chan *c, u64 addr)
{
	const struct dw_edma_plat_ops *ops = c->rs->chip->ops;

	if (ops && ops->pci_address)
		return ops->pci_address(c->rs->chip->dev, (phys_addr_t)addr);
	return addr;
}

static struct dma_async_tx_descriptor *
rs_prep_sg_cfg(struct dma_chan *dchan, struct scatterlist *sgl, unsigned int len,
	       enum dma_transfer_direction dir, unsigned long flags,
	       const struct dma_slave_config *config)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);
	struct dw_edma_rs_desc *d;
	struct scatterlist *sg;
	u64 dev_addr;
	unsigned int i;

	if (!config || !rs_dir_ok(c, dir) || !len)
		return NULL;
	/* The device side, as dw-edma: translated by the platform, linear. */
	dev_addr = rs_pci_address(c, dir == DMA_DEV_TO_MEM ? config->src_addr : config->dst_addr);
	d = rs_desc_alloc(c, len);
	if (!d)
		return NULL;
	for_each_sg(sgl, sg, len, i) {
		struct edma_entry *e = &d->entries[i];

		e->len = sg_dma_len(sg);
		if (dir == DMA_DEV_TO_MEM) {
			e->src = dev_addr;
			e->dst = sg_dma_address(sg);
		} else {
			e->src = sg_dma_address(sg);
			e->dst = dev_addr;
		}
		dev_addr += sg_dma_len(sg);
	}
	return rs_prep(c, d, flags);
}

static struct dma_async_tx_descriptor *
rs_prep_slave_sg(struct dma_chan *dchan, struct scatterlist *sgl, unsigned int len,
		 enum dma_transfer_direction dir, unsigned long flags, void *context)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);

	if (!c->configured)
		return NULL;
	return rs_prep_sg_cfg(dchan, sgl, len, dir, flags, &c->config);
}

static int rs_config(struct dma_chan *dchan, struct dma_slave_config *config)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);

	memcpy(&c->config, config, sizeof(*config));
	c->configured = true;
	return 0;
}

static struct dma_async_tx_descriptor *
rs_prep_config_sg(struct dma_chan *dchan, struct scatterlist *sgl, unsigned int len,
		  enum dma_transfer_direction dir, unsigned long flags,
		  struct dma_slave_config *config)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);

	if (config)
		return rs_prep_sg_cfg(dchan, sgl, len, dir, flags, config);
	if (!c->configured)
		return NULL;
	return rs_prep_sg_cfg(dchan, sgl, len, dir, flags, &c->config);
}

struct dma_async_tx_descriptor *dw_edma_rs_prep_batch(struct dma_chan *dchan,
						       const struct dw_edma_rs_entry *v,
						       unsigned int n, unsigned long flags)
{
	struct dw_edma_rs_chan *c;
	struct dw_edma_rs_desc *d;
	unsigned int i;

	if (!dchan || !v || !n)
		return NULL;
	if (dchan->device->device_prep_slave_sg != rs_prep_slave_sg)
		return NULL;	/* not one of our channels */
	c = to_rs_chan(dchan);
	d = rs_desc_alloc(c, n);
	if (!d)
		return NULL;
	for (i = 0; i < n; i++) {
		d->entries[i].src = v[i].src;
		d->entries[i].dst = v[i].dst;
		d->entries[i].len = v[i].len;
	}
	return rs_prep(c, d, flags);
}
EXPORT_SYMBOL_GPL(dw_edma_rs_prep_batch);

static void rs_complete_desc(struct dw_edma_rs_desc *d, enum dmaengine_tx_result r, u64 residue);
static u64 rs_entries_bytes(const struct dw_edma_rs_desc *d, u64 upto);

/* --- starting work (vc.lock held) --- */

/* Linux-compatible mode: the next issued descriptor, whole, as one batch. */
static void rs_start_batch(struct dw_edma_rs_chan *c)
{
	struct virt_dma_desc *vd;
	struct dw_edma_rs_desc *d;
	struct edma_error err;
	enum edma_status s;

	while (!c->active && (vd = vchan_next_desc(&c->vc))) {
		d = to_rs_desc(vd);
		s = edma_channel_submit(&c->h.ch, d->entries, d->n, NULL, &err);
		if (s == EDMA_OK) {
			c->active = d;
			return;
		}
		/* Checked at prep: only a changed channel can refuse it now. */
		dev_err(c->rs->dma.dev, "%s: entry %llu refused at start: %s\n",
			dma_chan_name(&c->vc.chan), err.entry, edma_status_name(s));
		list_del(&vd->node);
		vd->tx_result.result = DMA_TRANS_ABORTED;
		vd->tx_result.residue = d->total;
		vchan_cookie_complete(vd);
	}
}

/* The in-flight descriptor still being appended (ring mode), if any. */
static struct dw_edma_rs_desc *rs_partial(struct dw_edma_rs_chan *c)
{
	struct dw_edma_rs_desc *d;

	if (list_empty(&c->inflight))
		return NULL;
	d = list_last_entry(&c->inflight, struct dw_edma_rs_desc, vd.node);
	return d->appended < d->n ? d : NULL;
}

/* Ring mode: append what fits, oldest first (the rest of a descriptor
 * already begun, then the issued ones), and ring the doorbell once. A
 * running engine is never stopped. */
static void rs_feed_ring(struct dw_edma_rs_chan *c)
{
	struct virt_dma_desc *vd;
	struct dw_edma_rs_desc *d;
	struct edma_appended a;
	struct edma_ring_info info;
	struct edma_error err;
	enum edma_status s;
	bool any = false, busy;

	/* Work queued and not yet retired: the engine is running, or its
	 * completion interrupt is on the way. Elements appended now are run by
	 * the running engine without a doorbell (their cycle bit is the one it
	 * expects); if it stopped just before them, the interrupt path rings
	 * (below, and the crate's erratum handling). */
	busy = edma_ring_info(&c->h.ring, &info) == EDMA_OK && info.queued > 0;
	for (;;) {
		d = rs_partial(c);
		if (!d) {
			vd = vchan_next_desc(&c->vc);
			if (!vd)
				break;
			d = to_rs_desc(vd);
		}
		s = edma_ring_append_some(&c->h.ring, d->entries + d->appended,
					  d->n - d->appended, EDMA_NOTIFY_END, &a, &err);
		if (s == EDMA_ERR_FULL)
			break;
		if (s != EDMA_OK) {
			/* Checked at prep: only a reset channel can refuse it. */
			dev_err(c->rs->dma.dev, "%s: entry %llu refused at append: %s\n",
				dma_chan_name(&c->vc.chan), d->appended + err.entry, edma_status_name(s));
			rs_complete_desc(d, DMA_TRANS_ABORTED, d->total - rs_entries_bytes(d, d->appended));
			continue;
		}
		if (!d->started) {
			d->first_index = a.first;
			d->started = true;
			list_move_tail(&d->vd.node, &c->inflight);
		}
		d->appended += a.entries;
		any = true;
	}
	if (any && busy) {
		c->unrung = true;
		c->doorbells_skipped++;
		return;
	}
	if ((any || c->unrung) && edma_ring_submit(&c->h.ring, &err) != EDMA_OK)
		dev_err(c->rs->dma.dev, "%s: doorbell refused\n", dma_chan_name(&c->vc.chan));
	c->unrung = false;
}

static void rs_issue_pending(struct dma_chan *dchan)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);
	unsigned long flags;

	spin_lock_irqsave(&c->vc.lock, flags);
	if (vchan_issue_pending(&c->vc)) {
		if (c->ring_mode)
			rs_feed_ring(c);
		else
			rs_start_batch(c);
	}
	spin_unlock_irqrestore(&c->vc.lock, flags);
}

/* --- completion (vc.lock held) --- */

static void rs_complete_desc(struct dw_edma_rs_desc *d, enum dmaengine_tx_result r, u64 residue)
{
	list_del(&d->vd.node);
	d->vd.tx_result.result = r;
	d->vd.tx_result.residue = residue;
	vchan_cookie_complete(&d->vd);
}

static void rs_batch_irq(struct dw_edma_rs_chan *c, const struct edma_outcome *o)
{
	struct dw_edma_rs_desc *d = c->active;

	if (o->kind != EDMA_OUTCOME_COMPLETE || !d)
		return;
	c->active = NULL;
	rs_complete_desc(d, o->completion.status == EDMA_BATCH_DONE ? DMA_TRANS_NOERROR :
			 o->completion.status == EDMA_BATCH_ABORTED ? DMA_TRANS_READ_FAILED :
			 DMA_TRANS_ABORTED, o->completion.residue);
	rs_start_batch(c);
}

static u64 rs_entries_bytes(const struct dw_edma_rs_desc *d, u64 upto)
{
	u64 b = 0, i;

	for (i = 0; i < upto && i < d->n; i++)
		b += d->entries[i].len;
	return b;
}

static void rs_ring_report(struct dw_edma_rs_chan *c, const struct edma_ring_completed *r)
{
	struct dw_edma_rs_desc *d, *t;

	if (r->completed)
		c->completed_entries = r->last + 1;
	list_for_each_entry_safe(d, t, &c->inflight, vd.node) {
		u64 end = d->first_index + d->n;

		if (d->appended == d->n && c->completed_entries >= end) {
			rs_complete_desc(d, DMA_TRANS_NOERROR, 0);
			continue;
		}
		if (!r->fail_kind)
			break;
		/* Abort or termination: the ring was reset; what did not
		 * complete is reported with its residue. */
		{
			u64 done_entries = c->completed_entries > d->first_index ?
					   c->completed_entries - d->first_index : 0;
			u64 done = rs_entries_bytes(d, done_entries);

			if (r->fail_entry >= d->first_index && r->fail_entry < end)
				done += r->fail_entry_bytes_done;
			rs_complete_desc(d, r->fail_kind == EDMA_FAIL_ABORTED ?
					 DMA_TRANS_READ_FAILED : DMA_TRANS_ABORTED,
					 d->total - done);
		}
	}
	if (r->fail_kind) {
		struct edma_ring_info info;

		/* Reset: every index handed out so far is accounted for. */
		if (edma_ring_info(&c->h.ring, &info) == EDMA_OK)
			c->completed_entries = info.next_index;
	}
	rs_feed_ring(c);
}

/* Doorbells the provider did not need (test and debug counter). */
u64 dw_edma_rs_doorbells_skipped(struct dma_chan *dchan)
{
	return to_rs_chan(dchan)->doorbells_skipped;
}

/* Entries appended to the channel's ring so far, its next index (tests). */
u64 dw_edma_rs_test_next_index(struct dma_chan *dchan)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);
	struct edma_ring_info info = { 0 };
	unsigned long flags;

	spin_lock_irqsave(&c->vc.lock, flags);
	if (c->live && c->ring_mode)
		edma_ring_info(&c->h.ring, &info);
	spin_unlock_irqrestore(&c->vc.lock, flags);
	return info.next_index;
}

static void rs_chan_irq(struct dw_edma_rs_chan *c)
{
	unsigned long flags;

	spin_lock_irqsave(&c->vc.lock, flags);
	if (c->live) {
		if (c->ring_mode) {
			struct edma_ring_completed r;

			if (edma_ring_on_interrupt(&c->h.ring, &r) == EDMA_OK && r.mine)
				rs_ring_report(c, &r);
		} else {
			struct edma_outcome o;

			if (edma_channel_on_interrupt(&c->h.ch, &o) == EDMA_OK)
				rs_batch_irq(c, &o);
		}
	}
	spin_unlock_irqrestore(&c->vc.lock, flags);
}

int dw_edma_rs_handle_irq(struct dw_edma_chip *chip)
{
	struct dw_edma_rs *rs = chip_rs(chip);
	u8 pending[2] = { 0, 0 };
	unsigned int i;
	int handled = 0;

	if (!rs)
		return 0;
	edma_controller_pending(&rs->ctrl, EDMA_DIR_WRITE, &pending[EDMA_DIR_WRITE]);
	edma_controller_pending(&rs->ctrl, EDMA_DIR_READ, &pending[EDMA_DIR_READ]);
	for (i = 0; i < rs->wr_cnt + rs->rd_cnt; i++) {
		struct dw_edma_rs_chan *c = &rs->chans[i];

		if (pending[c->dir] & BIT(c->index)) {
			rs_chan_irq(c);
			handled++;
		}
	}
	return handled;
}
EXPORT_SYMBOL_GPL(dw_edma_rs_handle_irq);

static irqreturn_t rs_irq(int irq, void *data)
{
	return dw_edma_rs_handle_irq(data) ? IRQ_HANDLED : IRQ_NONE;
}

/* --- status, terminate --- */

static enum dma_status rs_tx_status(struct dma_chan *dchan, dma_cookie_t cookie,
				    struct dma_tx_state *txstate)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);
	struct virt_dma_desc *vd;
	enum dma_status ret;
	unsigned long flags;
	u64 residue = 0;

	ret = dma_cookie_status(dchan, cookie, txstate);
	if (ret == DMA_COMPLETE || !txstate)
		return ret;
	spin_lock_irqsave(&c->vc.lock, flags);
	/* Not started (submitted or issued, not yet appended): all of it. */
	vd = vchan_find_desc(&c->vc, cookie);
	if (!vd) {
		struct virt_dma_desc *v;

		list_for_each_entry(v, &c->vc.desc_submitted, node)
			if (v->tx.cookie == cookie)
				vd = v;
	}
	if (vd && !(c->active && &c->active->vd == vd)) {
		residue = to_rs_desc(vd)->total;
	} else {
		struct dw_edma_rs_desc *d;

		/* In flight: the bytes of entries reported complete are done
		 * (never more than the engine moved). */
		if (c->active && c->active->vd.tx.cookie == cookie)
			residue = c->active->total;
		list_for_each_entry(d, &c->inflight, vd.node) {
			if (d->vd.tx.cookie == cookie) {
				u64 done = c->completed_entries > d->first_index ?
					   c->completed_entries - d->first_index : 0;

				residue = d->total - rs_entries_bytes(d, done);
			}
		}
	}
	spin_unlock_irqrestore(&c->vc.lock, flags);
	dma_set_residue(txstate, residue);
	return ret;
}

static int rs_terminate_all(struct dma_chan *dchan)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);
	unsigned long flags;
	LIST_HEAD(head);
	int tries;

	spin_lock_irqsave(&c->vc.lock, flags);
	for (tries = 0; c->live && tries < 1000; tries++) {
		if (c->ring_mode) {
			struct edma_ring_terminate t;

			edma_ring_terminate(&c->h.ring, &t);
			if (t.kind != EDMA_TERMINATE_STOPPING)
				break;
		} else {
			struct edma_terminate t;

			edma_channel_terminate(&c->h.ch, &t);
			if (t.kind != EDMA_TERMINATE_STOPPING)
				break;
			/* The stop is pending: its completion comes through
			 * the interrupt path; poll it here. */
			{
				struct edma_outcome o;

				edma_channel_on_interrupt(&c->h.ch, &o);
				if (o.kind == EDMA_OUTCOME_COMPLETE)
					break;
			}
		}
		spin_unlock_irqrestore(&c->vc.lock, flags);
		udelay(1);
		spin_lock_irqsave(&c->vc.lock, flags);
	}
	c->active = NULL;
	list_splice_tail_init(&c->inflight, &c->vc.desc_issued);
	if (c->live && c->ring_mode) {
		struct edma_ring_info info;

		if (edma_ring_info(&c->h.ring, &info) == EDMA_OK)
			c->completed_entries = info.next_index;
	}
	vchan_get_all_descriptors(&c->vc, &head);
	spin_unlock_irqrestore(&c->vc.lock, flags);
	vchan_dma_desc_free_list(&c->vc, &head);
	return 0;
}

static void rs_synchronize(struct dma_chan *dchan)
{
	vchan_synchronize(to_virt_chan(dchan));
}

/* --- channel resources --- */

static int rs_alloc_chan_resources(struct dma_chan *dchan)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);
	struct edma_error err;
	enum edma_status s;

	if (c->ring_mode)
		s = edma_ring_init(&c->h.ring, &c->rs->ctrl, &c->cfg, &c->ll, NULL, &err);
	else
		s = edma_channel_init(&c->h.ch, &c->rs->ctrl, &c->cfg, c->ll.slots ? &c->ll : NULL,
				      NULL, &err);
	if (s != EDMA_OK) {
		dev_err(c->rs->dma.dev, "%s: cannot claim the channel (status %d)\n",
			dma_chan_name(dchan), s);
		return -EBUSY;
	}
	c->live = true;
	return 0;
}

static void rs_free_chan_resources(struct dma_chan *dchan)
{
	struct dw_edma_rs_chan *c = to_rs_chan(dchan);
	struct edma_error err;
	unsigned long flags;

	rs_terminate_all(dchan);
	vchan_free_chan_resources(&c->vc);
	spin_lock_irqsave(&c->vc.lock, flags);
	if (c->live) {
		if (c->ring_mode)
			edma_ring_release(&c->h.ring, &err);
		else
			edma_channel_release(&c->h.ch, &err);
		c->live = false;
	}
	spin_unlock_irqrestore(&c->vc.lock, flags);
}

/* --- probe / remove --- */

static void rs_init_chan(struct dw_edma_rs *rs, struct dw_edma_rs_chan *c, u32 dir, u8 index)
{
	struct dw_edma_chip *chip = rs->chip;
	const struct dw_edma_region *r = dir == EDMA_DIR_WRITE ? &chip->ll_region_wr[index] :
							       &chip->ll_region_rd[index];
	bool local = chip->flags & DW_EDMA_CHIP_LOCAL;

	c->rs = rs;
	c->dir = dir;
	c->index = index;
	c->ring_mode = !dw_edma_rs_linux_compat && !chip->cfg_non_ll;
	INIT_LIST_HEAD(&c->inflight);
	c->cfg.dir = dir;
	c->cfg.index = index;
	c->cfg.limits = edma_limits_default();
	c->ll.kind = local ? EDMA_LL_RAM : EDMA_LL_DEVICE;
	c->ll.base = local ? r->vaddr.mem : (void __force *)r->vaddr.io;
	c->ll.slots = chip->cfg_non_ll ? 0 : r->sz / 24;
	c->ll.bus = r->paddr;
	c->vc.desc_free = rs_desc_free;
	vchan_init(&c->vc, &rs->dma);
}

int dw_edma_rs_probe(struct dw_edma_chip *chip)
{
	struct device *dev;
	struct dw_edma_rs *rs;
	u8 wr = 0, rd = 0;
	unsigned int i;
	int ret;

	if (!chip || !chip->dev || !chip->reg_base)
		return -EINVAL;
	dev = chip->dev;
	rs = devm_kzalloc(dev, sizeof(*rs), GFP_KERNEL);
	if (!rs)
		return -ENOMEM;
	rs->chip = chip;
	if (edma_controller_init_callbacks(&rs->ctrl, chip->mf,
					   chip->flags & DW_EDMA_CHIP_LOCAL ? EDMA_DEPLOYMENT_LOCAL :
									      EDMA_DEPLOYMENT_REMOTE,
					   dw_edma_rs_test_ops ?: &rs_reg_ops,
					   dw_edma_rs_test_ops ? dw_edma_rs_test_ctx :
								 (void __force *)chip->reg_base) != EDMA_OK)
		return -EINVAL;
	edma_controller_channel_counts(&rs->ctrl, &wr, &rd);
	/* The engine off, every interrupt masked and cleared, as dw-edma's
	 * probe leaves it. */
	edma_controller_off(&rs->ctrl);
	rs->wr_cnt = min_t(unsigned int, wr, chip->ll_wr_cnt);
	rs->rd_cnt = min_t(unsigned int, rd, chip->ll_rd_cnt);
	if (!rs->wr_cnt && !rs->rd_cnt) {
		ret = -EINVAL;
		goto err_ctrl;
	}
	rs->chans = devm_kcalloc(dev, rs->wr_cnt + rs->rd_cnt, sizeof(*rs->chans), GFP_KERNEL);
	if (!rs->chans) {
		ret = -ENOMEM;
		goto err_ctrl;
	}
	INIT_LIST_HEAD(&rs->dma.channels);
	for (i = 0; i < rs->wr_cnt + rs->rd_cnt; i++) {
		bool w = i < rs->wr_cnt;

		rs_init_chan(rs, &rs->chans[i], w ? EDMA_DIR_WRITE : EDMA_DIR_READ,
			     w ? i : i - rs->wr_cnt);
	}
	/* Remote deployment: each channel's done/abort message (IMWr) goes to
	 * the MSI of its interrupt vector, as dw-edma's ch_config programs it;
	 * a glue driver without vectors sets targets with
	 * dw_edma_rs_set_remote_irq(). */
	if (!(chip->flags & DW_EDMA_CHIP_LOCAL) && chip->ops && chip->ops->irq_vector && chip->nr_irqs > 0) {
		for (i = 0; i < rs->wr_cnt + rs->rd_cnt; i++) {
			struct dw_edma_rs_chan *c = &rs->chans[i];
			int irq = chip->ops->irq_vector(dev, i % chip->nr_irqs);
			struct msi_msg msg;

			if (irq < 0 || !irq_get_msi_desc(irq))
				continue;
			get_cached_msi_msg(irq, &msg);
			edma_controller_configure_remote_interrupt(&rs->ctrl, c->dir, c->index,
								   (u64)msg.address_hi << 32 | msg.address_lo,
								   (u16)msg.data);
		}
	}

	dma_cap_zero(rs->dma.cap_mask);
	dma_cap_set(DMA_SLAVE, rs->dma.cap_mask);
	dma_cap_set(DMA_PRIVATE, rs->dma.cap_mask);
	rs->dma.directions = BIT(DMA_DEV_TO_MEM) | BIT(DMA_MEM_TO_DEV);
	rs->dma.src_addr_widths = BIT(DMA_SLAVE_BUSWIDTH_4_BYTES);
	rs->dma.dst_addr_widths = BIT(DMA_SLAVE_BUSWIDTH_4_BYTES);
	rs->dma.residue_granularity = DMA_RESIDUE_GRANULARITY_SEGMENT;
	rs->dma.dev = dev;
	rs->dma.device_alloc_chan_resources = rs_alloc_chan_resources;
	rs->dma.device_free_chan_resources = rs_free_chan_resources;
	rs->dma.device_config = rs_config;
	rs->dma.device_prep_slave_sg = rs_prep_slave_sg;
	rs->dma.device_prep_config_sg = rs_prep_config_sg;
	rs->dma.device_issue_pending = rs_issue_pending;
	rs->dma.device_tx_status = rs_tx_status;
	rs->dma.device_terminate_all = rs_terminate_all;
	rs->dma.device_synchronize = rs_synchronize;
	chip->dw = (struct dw_edma *)rs;

	ret = dma_async_device_register(&rs->dma);
	if (ret)
		goto err_dw;
	for (i = 0; chip->ops && chip->ops->irq_vector && i < chip->nr_irqs &&
		    i < ARRAY_SIZE(rs->irqs); i++) {
		int irq = chip->ops->irq_vector(dev, i);

		if (irq < 0)
			continue;
		ret = request_irq(irq, rs_irq, IRQF_SHARED, "dw-edma-rs", chip);
		if (ret)
			goto err_irq;
		rs->irqs[rs->irq_count++] = irq;
	}
	dev_info(dev, "dw_edma_rs: %u write, %u read channels, %s mode\n", rs->wr_cnt, rs->rd_cnt,
		 dw_edma_rs_linux_compat ? "linux-compatible" : "ring");
	return 0;

err_irq:
	while (rs->irq_count)
		free_irq(rs->irqs[--rs->irq_count], chip);
	dma_async_device_unregister(&rs->dma);
err_dw:
	chip->dw = NULL;
err_ctrl:
	edma_controller_deinit(&rs->ctrl);
	return ret;
}
EXPORT_SYMBOL_GPL(dw_edma_rs_probe);

int dw_edma_rs_set_remote_irq(struct dw_edma_chip *chip, u32 dir, u8 index, u64 addr, u16 data)
{
	struct dw_edma_rs *rs = chip_rs(chip);

	if (!rs)
		return -ENODEV;
	return edma_controller_configure_remote_interrupt(&rs->ctrl, dir, index, addr, data) == EDMA_OK ?
	       0 : -EINVAL;
}
EXPORT_SYMBOL_GPL(dw_edma_rs_set_remote_irq);

int dw_edma_rs_remove(struct dw_edma_chip *chip)
{
	struct dw_edma_rs *rs = chip_rs(chip);

	if (!rs)
		return -ENODEV;
	while (rs->irq_count)
		free_irq(rs->irqs[--rs->irq_count], chip);
	edma_controller_off(&rs->ctrl);
	dma_async_device_unregister(&rs->dma);
	edma_controller_deinit(&rs->ctrl);
	chip->dw = NULL;
	return 0;
}
EXPORT_SYMBOL_GPL(dw_edma_rs_remove);

/* The crate's freestanding panic hook: never reached (the crate has no
 * panicking path); if it were, the engine state is unknown. */
void __noreturn edma_panic(const uint8_t *file, size_t len, uint32_t line)
{
	panic("edma: Rust panic at %.*s:%u\n", (int)len, file, line);
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("dmaengine provider for DesignWare eDMA/HDMA on the edma crate");
