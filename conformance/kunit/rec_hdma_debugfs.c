// SPDX-License-Identifier: GPL-2.0
#include "recorder.h"
#include "../dw-edma/dw-hdma-v0-debugfs.c"
