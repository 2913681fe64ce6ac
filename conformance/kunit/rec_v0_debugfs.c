// SPDX-License-Identifier: GPL-2.0
#include "recorder.h"
#include "../dw-edma/dw-edma-v0-debugfs.c"
