// SPDX-License-Identifier: GPL-2.0
/* The unmodified HDMA v0 core, with its register accesses recorded. */
#include <linux/bitfield.h>
#include <linux/irqreturn.h>
#include "recorder.h"
#include "../dw-edma/dw-hdma-v0-core.c"
