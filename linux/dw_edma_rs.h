/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dw_edma_rs: a dmaengine provider for Synopsys DesignWare eDMA/HDMA
 * engines whose hardware side is the edma crate (linked as one object
 * through its C ABI, edma-capi/include/edma.h).
 *
 * A glue driver hands it the same struct dw_edma_chip it would hand to
 * dw_edma_probe(). Channels run as rings by default: issue_pending appends
 * behind a running engine. With the module parameter linux_compat=1 each
 * channel runs one descriptor at a time and restarts per chunk, as
 * dw-edma does.
 */
#ifndef DW_EDMA_RS_H
#define DW_EDMA_RS_H

#include <linux/dma/edma.h>
#include <linux/dmaengine.h>
#include <linux/types.h>

/**
 * struct dw_edma_rs_entry - one independent transfer of a batch
 * @src: source bus address, as the engine uses it
 * @dst: destination bus address, as the engine uses it
 * @len: bytes (at least 1)
 *
 * On a write channel (EDMA_DIR_WRITE) @src is local (AXI) memory and @dst
 * a PCI address; on a read channel the other way round. No translation is
 * applied: the caller gives the addresses the engine must put on its
 * buses (the device side of dmaengine_slave_config does not apply).
 */
struct dw_edma_rs_entry {
	u64 src;
	u64 dst;
	u64 len;
};

int dw_edma_rs_probe(struct dw_edma_chip *chip);
int dw_edma_rs_remove(struct dw_edma_chip *chip);

/**
 * dw_edma_rs_set_remote_irq - where a remote chip's channel reports completion
 * @chip: a remote chip (no DW_EDMA_CHIP_LOCAL) given to dw_edma_rs_probe()
 * @dir: EDMA_DIR_WRITE (0) or EDMA_DIR_READ (1)
 * @index: channel number
 * @addr: PCI address of the done/abort message (an MSI address, or a word
 *        of host memory the driver polls)
 * @data: 16-bit message data
 *
 * Probe programs each channel's MSI when the chip has interrupt vectors;
 * this sets (or replaces) a target by hand.
 */
int dw_edma_rs_set_remote_irq(struct dw_edma_chip *chip, u32 dir, u8 index, u64 addr, u16 data);

/**
 * dw_edma_rs_prep_batch - prepare N independent transfers as one descriptor
 * @chan: a channel of this provider
 * @v: the entries; copied, so the array may be freed after the call
 * @n: number of entries (at least 1)
 * @flags: DMA_PREP_* flags, as for any prep call
 *
 * Returns one descriptor with one callback and one residue for the whole
 * vector (the per-entry configuration travels in the entries; the
 * per-batch configuration is the channel's), or NULL when the vector is
 * refused (the reason and the entry index are logged; nothing is written
 * to the engine and the channel stays usable).
 *
 * A proposal for a generic dmaengine operation (device_prep_batch): a
 * scatterlist describes memory and cannot carry two addresses per entry;
 * a vector of (src, dst, len) can.
 */
struct dma_async_tx_descriptor *dw_edma_rs_prep_batch(struct dma_chan *chan,
						       const struct dw_edma_rs_entry *v,
						       unsigned int n,
						       unsigned long flags);

/**
 * dw_edma_rs_handle_irq - handle the engine's (shared) interrupt
 * @chip: the chip given to dw_edma_rs_probe()
 *
 * Routes the pending done/abort status of every channel to it. The
 * provider's own IRQ handler calls it; a glue driver that polls (or a
 * test) may call it directly. Returns the number of channels handled.
 */
int dw_edma_rs_handle_irq(struct dw_edma_chip *chip);

#endif /* DW_EDMA_RS_H */
