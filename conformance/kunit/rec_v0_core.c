// SPDX-License-Identifier: GPL-2.0
/* The unmodified eDMA v0 core, with its register accesses recorded. */
#include <linux/bitfield.h>
#include <linux/irqreturn.h>
#include "recorder.h"
#include "../dw-edma/dw-edma-v0-core.c"
