/*
 * The C example (docs/guides/c.md): a batch of three independent
 * transfers, then the same buffers through a ring, on the mock engine.
 * Endpoint firmware would pass its own register functions (or
 * edma_controller_init_mmio) and its LL memory instead of the mock's.
 *
 * Build: scripts/c-tests.sh (or see docs/guides/c.md).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "edma.h"

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,     \
				#cond);                                        \
			return 1;                                              \
		}                                                              \
	} while (0)

int main(void)
{
	CHECK(edma_abi_version() >> 16 == EDMA_ABI_VERSION_MAJOR);

	/* An engine with the unrolled eDMA map; its registers through callbacks. */
	struct edma_mock *mock = edma_mock_new(EDMA_MAP_EDMA_UNROLL, EDMA_MOCK_RUN_ON_DOORBELL);
	struct edma_reg_ops ops;
	edma_mock_reg_ops(mock, &ops);

	/* Handles live in our storage: here, on the stack of main. */
	struct edma_controller ctrl;
	CHECK(edma_controller_init_callbacks(&ctrl, EDMA_MAP_EDMA_UNROLL, EDMA_DEPLOYMENT_LOCAL,
					     &ops, mock) == EDMA_OK);

	/* Read channel 0 (PCI -> local), its LL region: 16 slots of RAM. */
	struct edma_ll ll;
	CHECK(edma_mock_ll_ram(mock, EDMA_DIR_READ, 0, 16, &ll));
	struct edma_channel_config cfg = { .dir = EDMA_DIR_READ, .index = 0,
					   .limits = edma_limits_default() };
	struct edma_channel ch;
	struct edma_error err;
	CHECK(edma_channel_init(&ch, &ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);

	/* Three host buffers (an MHI ring's tail and head, a payload) into one
	 * local buffer: one doorbell, one interrupt. */
	edma_mock_pci_write(mock, 0x1f00, (const uint8_t *)"tail|", 5);
	edma_mock_pci_write(mock, 0x1000, (const uint8_t *)"head|", 5);
	edma_mock_pci_write(mock, 0x9000, (const uint8_t *)"payload", 7);
	const struct edma_entry batch[] = {
		{ .src = 0x1f00, .dst = 0x8000, .len = 5 },
		{ .src = 0x1000, .dst = 0x8005, .len = 5 },
		{ .src = 0x9000, .dst = 0x800a, .len = 7 },
	};
	CHECK(edma_channel_submit(&ch, batch, 3, NULL, &err) == EDMA_OK);

	/* The channel's interrupt fired. */
	struct edma_outcome out;
	CHECK(edma_channel_on_interrupt(&ch, &out) == EDMA_OK);
	CHECK(out.kind == EDMA_OUTCOME_COMPLETE);
	CHECK(out.completion.status == EDMA_BATCH_DONE && out.completion.residue == 0);
	uint8_t local[17];
	edma_mock_local_read(mock, 0x8000, local, sizeof local);
	CHECK(memcmp(local, "tail|head|payload", 17) == 0);

	/* A bad entry is refused by index; nothing reaches the engine. */
	const struct edma_entry bad[] = { batch[0], { .src = 0x1000, .dst = 0x9000, .len = 0 } };
	CHECK(edma_channel_submit(&ch, bad, 2, NULL, &err) == EDMA_ERR_ZERO_LENGTH);
	CHECK(err.entry == 1);
	CHECK(edma_channel_release(&ch, &err) == EDMA_OK);

	/* The same channel as a ring: entries appended behind a running engine. */
	struct edma_ring ring;
	CHECK(edma_ring_init(&ring, &ctrl, &cfg, &ll, NULL, &err) == EDMA_OK);
	struct edma_appended a;
	CHECK(edma_ring_push(&ring, batch, 2, EDMA_NOTIFY_END, &a, &err) == EDMA_OK);
	CHECK(edma_ring_push(&ring, &batch[2], 1, EDMA_NOTIFY_END, &a, &err) == EDMA_OK);
	CHECK(a.first == 2);
	struct edma_ring_completed done;
	CHECK(edma_ring_on_interrupt(&ring, &done) == EDMA_OK);
	CHECK(done.mine && done.completed == 3 && done.last == 2 && done.fail_kind == 0);
	CHECK(edma_ring_release(&ring, &err) == EDMA_OK);

	CHECK(edma_controller_deinit(&ctrl) == EDMA_OK);
	edma_mock_free(mock);
	puts("example: ok");
	return 0;
}
