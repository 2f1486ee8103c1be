/* il-atomic-file.h — every save and export goes through here: a file is
 * either left as it was or replaced whole, never emptied
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How long a write to a FIFO or a device may make no progress (its reader
 * stalled) before it fails with G_IO_ERROR_TIMED_OUT. */
#define IL_ATOMIC_FILE_STALL_TIMEOUT_MS 10000

/* Writes @length bytes of @data to @path, by what @path is:
 * - "-": standard output (flushed first, so it follows what stdio wrote);
 * - a regular file or a path that does not exist yet: atomically. A
 *   temporary file in the same folder is written whole (every write
 *   checked), fsync()ed and closed, then renamed over the target, and the
 *   folder is fsync()ed. On any failure (a full disk…) the temporary is
 *   removed and the target is untouched. An existing target keeps its mode
 *   (and, where permitted, its owner). Temporaries that a killed process
 *   left beside the same target (named ".NAME.~PID-XXXXXX", PID gone) are
 *   removed, so they do not accumulate;
 * - a symbolic link: followed; its target is written atomically as above
 *   and the link stays a link;
 * - a FIFO, a character or block device: written directly, no temporary,
 *   no rename, no truncation. The open does not block: a FIFO without a
 *   reader fails at once (G_IO_ERROR_NOT_CONNECTED), and a reader that
 *   takes nothing for IL_ATOMIC_FILE_STALL_TIMEOUT_MS fails the write;
 * - a folder or a socket: an error.
 * A reader gone (EPIPE) is an error, never a SIGPIPE. Errors name @path. */
gboolean il_atomic_file_write_path (const char *path,
                                    const void *data,
                                    gsize       length,
                                    GError    **error);

/* The same for a GFile (never standard output). A location with no local
 * path (a GVfs mount) falls back to g_file_replace_contents(), the best
 * GIO offers there. */
gboolean il_atomic_file_write (GFile      *file,
                               const void *data,
                               gsize       length,
                               GError    **error);

/* Streamed saves: @func writes the content to the stream it is given
 * (buffered; it must not close it) and returns FALSE with @error set on a
 * failure of its own. The rules above apply alike: a regular file is
 * replaced only when @func succeeded and every byte reached the disk. */
typedef gboolean (*IlAtomicWriteFunc) (GOutputStream *out,
                                       gpointer       user_data,
                                       GError       **error);

gboolean il_atomic_file_write_path_with (const char       *path,
                                         IlAtomicWriteFunc func,
                                         gpointer          user_data,
                                         GError          **error);
gboolean il_atomic_file_write_with (GFile            *file,
                                    IlAtomicWriteFunc func,
                                    gpointer          user_data,
                                    GError          **error);

G_END_DECLS
