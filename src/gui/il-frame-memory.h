/* il-frame-memory.h — reuse the memory GTK's cairo renderer draws each frame into
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The malloc thresholds set by il_frame_memory_tune_malloc (). */
#define IL_FRAME_MMAP_THRESHOLD (32 * 1024 * 1024)
#define IL_FRAME_TRIM_THRESHOLD (64 * 1024 * 1024)

gboolean il_frame_memory_tune_malloc (void);
gboolean il_frame_memory_keep_shm (GdkDisplay *display);
void     il_frame_memory_release (void);

G_END_DECLS
