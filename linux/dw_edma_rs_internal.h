/* SPDX-License-Identifier: GPL-2.0 */
/* Between dw_edma_rs_main.c and its KUnit suite (same module). */
#ifndef DW_EDMA_RS_INTERNAL_H
#define DW_EDMA_RS_INTERNAL_H

#define EDMA_NO_LIBC_HEADERS
#include "edma.h"

extern const struct edma_reg_ops *dw_edma_rs_test_ops;
extern void *dw_edma_rs_test_ctx;
/* The linux_compat module parameter (probe reads it). */
extern bool dw_edma_rs_linux_compat;
u64 dw_edma_rs_doorbells_skipped(struct dma_chan *dchan);
u64 dw_edma_rs_test_next_index(struct dma_chan *dchan);

/* The crate's panic hook (freestanding builds call it; never returns). */
void __noreturn edma_panic(const uint8_t *file, size_t len, uint32_t line);

#endif
