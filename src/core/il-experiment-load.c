/* il-experiment-load.c — experiment files (format version 1): text to model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is documented for users in docs/experiment-format.md, its
 * limits in "Limits and safety".  Loading happens in three passes over one
 * document:
 *   1. a strict scan rejects what json-glib tolerates but JSON does not, and
 *      what json-glib would crash on or decode wrongly (deep nesting, lone
 *      surrogates, \u0000), and notes duplicate names and integers too large
 *      for 64 bits;
 *   2. json-glib parses it;
 *   3. the reader checks types, presence and applicability while building
 *      the model, then the model's validation (the same function the GUI's
 *      editor calls) checks ranges and cross-field rules.
 * Every failure carries a JSON path; only then is the text scanned again to
 * turn that path into a line and column, so that every message starts with
 * FILE:LINE:COLUMN.  Files are read only when regular and within the size
 * limit, whatever they grow to while being read.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-experiment-private.h"

/* Where byte @offset of @text is, counting characters. */
static void
offset_to_position (const char *text,
                    gsize       offset,
                    guint      *line,
                    guint      *column)
{
  *line = 1;
  *column = 1;

  for (gsize i = 0; i < offset; i++)
    {
      if (text[i] == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else if (((guchar) text[i] & 0xC0) != 0x80)
        (*column)++;
    }
}

/* Only for what the strict scan let through (it refuses everything
 * json-glib does, as far as is known): json-glib's "<data>:LINE:COLUMN:
 * Parse error: what", with the file's name and a bounded message. */
static void
set_parse_error (GError    **error,
                 const char *display_name,
                 GError     *parse_error)
{
  g_autofree char *bounded = NULL;
  const char      *message = parse_error->message;
  guint            line = 1, column = 1;
  int              consumed = 0;

  if (g_str_has_prefix (message, "<data>:") &&
      sscanf (message + strlen ("<data>:"), "%u:%u: %n", &line, &column, &consumed) == 2 &&
      consumed > 0)
    {
      message += strlen ("<data>:") + consumed;
      if (g_str_has_prefix (message, "Parse error: "))
        message += strlen ("Parse error: ");
    }

  bounded = il_json_bound_message (message);
  g_set_error (error, IL_ERROR, IL_ERROR_PARSE, "%s:%u:%u: malformed JSON: %s",
               display_name, line, column, bounded);
}

/* g_utf8_validate_len() by pieces, so that the pages read can be dropped
 * (@dropper) as it goes. */
static gboolean
validate_utf8 (const char       *data,
               gsize             length,
               const IlJsonScan *dropper,
               const char      **invalid)
{
  const gsize piece = 4 * 1024 * 1024;
  gsize       pos = 0, dropped = 0;

  while (pos < length)
    {
      gsize       n = MIN (length - pos, piece);
      const char *bad;

      if (!g_utf8_validate_len (data + pos, n, &bad))
        {
          /* A character cut by the piece's end: go on from it. */
          if (pos + n < length && bad > data + pos && bad + 4 > data + pos + n && *bad != '\0')
            {
              pos = bad - data;
              continue;
            }
          *invalid = bad;
          return FALSE;
        }
      pos += n;
      il_json_drop_behind (dropper, data + pos, &dropped);
    }
  return TRUE;
}

/* @drop_behind: @data is a private mapping of a file, whose pages may be
 * dropped once read (IlJsonScan). */
static IlExperiment *
load_text (const char *data,
           gssize      length,
           const char *display_name,
           gboolean    drop_behind,
           GError    **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *scan_message = NULL;
  IlJsonScan       scan = { 0 };
  IlJsonReader     r = { 0 };
  IlExperiment    *experiment;
  const char      *invalid = NULL;
  g_autofree char *shown_name = NULL;
  guint            line, column;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if (display_name == NULL)
    display_name = "<data>";
  /* A file name need not be UTF-8; messages must be. */
  shown_name = g_utf8_make_valid (display_name, -1);
  display_name = shown_name;

  scan.text = data;
  scan.drop_behind = drop_behind;
  if (!validate_utf8 (data, length, &scan, &invalid))
    {
      offset_to_position (data, invalid - data, &line, &column);
      g_set_error (error, IL_ERROR, IL_ERROR_PARSE,
                   "%s:%u:%u: malformed JSON: the file is not UTF-8 text (%s)",
                   display_name, line, column,
                   *invalid == '\0' ? "it contains a NUL byte" : "invalid byte sequence");
      return NULL;
    }

  /* The strict scan first: it also refuses what json-glib's recursive
   * parser cannot survive (deep nesting) or would decode wrongly (lone
   * surrogates, \u0000), and what would take too much memory. */
  scan.length = length;
  il_json_drop_all (&scan);
  if (!il_json_scan (data, length, &scan, &line, &column, &scan_message))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_PARSE, "%s:%u:%u: malformed JSON: %s",
                   display_name, line, column, scan_message);
      il_json_scan_clear (&scan);
      return NULL;
    }

  /* Without the big arrays of the results (read later, element by
   * element): json-glib builds a tree of what remains. */
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, scan.elided != NULL ? scan.elided->str : data,
                                   scan.elided != NULL ? (gssize) scan.elided->len : length,
                                   &parse_error))
    {
      set_parse_error (error, display_name, parse_error);
      il_json_scan_clear (&scan);
      return NULL;
    }

  il_json_drop_all (&scan);
  /* json-glib keeps the last of two equal names: a silent loss. */
  if (scan.duplicate != NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   "%s:%u:%u: %s: this field appears twice in the same object",
                   display_name, scan.duplicate_line, scan.duplicate_column, scan.duplicate);
      il_json_scan_clear (&scan);
      return NULL;
    }

  r.scan = &scan;
  experiment = il_experiment_read (&r, json_parser_get_root (parser));

  il_json_drop_all (&scan);
  if (experiment == NULL)
    {
      il_json_locate (data, length, r.path, r.at, drop_behind, &line, &column);
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, "%s:%u:%u: %s",
                   display_name, line, column, r.message);
    }

  il_json_reader_clear (&r);
  il_json_scan_clear (&scan);

  return experiment;
}

IlExperiment *
il_experiment_load_data (const char *data,
                         gssize      length,
                         const char *display_name,
                         GError    **error)
{
  return load_text (data, length, display_name, FALSE, error);
}

#define MAP_AT_BYTES (4 * 1024 * 1024)

static int open_regular (const char  *path,
                         const char  *display_name,
                         struct stat *st,
                         GError     **error);

IlExperiment *
il_experiment_load_file (GFile   *file,
                         GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *uri = NULL;
  const char      *display_name;
  gsize            length;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_file_peek_path (file);
  if (display_name == NULL)
    display_name = uri = g_file_get_uri (file);

  /* A big local file is mapped rather than read: a million recorded tasks
   * take hundreds of MiB of text, read once from start to end, and the
   * pages read are given back as the reading goes (load_text). */
  if (g_file_peek_path (file) != NULL)
    {
      g_autoptr(GMappedFile) mapped = NULL;
      g_autofree char *shown_name = g_utf8_make_valid (display_name, -1);
      struct stat      st;
      int              fd = open_regular (g_file_peek_path (file), shown_name, &st, error);

      if (fd < 0)
        return NULL;
      if (st.st_size >= MAP_AT_BYTES)
        mapped = g_mapped_file_new_from_fd (fd, FALSE, NULL);
      close (fd);
      if (mapped != NULL)
        return load_text (g_mapped_file_get_contents (mapped), g_mapped_file_get_length (mapped),
                          display_name, TRUE, error);
    }

  if (!il_experiment_read_text (file, display_name, &contents, &length, error))
    return NULL;

  return il_experiment_load_data (contents, length, display_name, error);
}

static const char *
describe_file_type (mode_t mode)
{
  if (S_ISDIR (mode))
    return ("a folder");
  if (S_ISFIFO (mode))
    return ("a pipe (FIFO)");
  if (S_ISCHR (mode))
    return ("a character device");
  if (S_ISBLK (mode))
    return ("a block device");
  if (S_ISSOCK (mode))
    return ("a socket");
  return ("not a regular file");
}

static gboolean
refuse_size (const char *display_name,
             guint64     size,
             GError    **error)
{
  g_autofree char *have = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);

  g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
               ("%s: the file is larger than %d MiB (%s), the limit for an experiment file"),
               display_name, IL_MAX_EXPERIMENT_FILE_MIB, have);
  return FALSE;
}

/* @path opened for reading when it is a regular file within the limit,
 * -1 (and @error) otherwise. */
static int
open_regular (const char  *path,
              const char  *display_name,
              struct stat *st,
              GError     **error)
{
  int fd;
  int saved_errno;

  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   ("%s: cannot open the file: %s"), display_name, g_strerror (saved_errno));
      return -1;
    }

  if (fstat (fd, st) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   ("%s: cannot read the file: %s"), display_name, g_strerror (saved_errno));
      return -1;
    }

  if (!S_ISREG (st->st_mode))
    {
      close (fd);
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   ("%s: is %s, not a regular file; experiments are read only from regular files"),
                   display_name, describe_file_type (st->st_mode));
      return -1;
    }

  if ((guint64) st->st_size > IL_MAX_EXPERIMENT_FILE_BYTES)
    {
      close (fd);
      refuse_size (display_name, st->st_size, error);
      return -1;
    }

  return fd;
}

static gboolean
read_local (const char *path,
            const char *display_name,
            char      **contents,
            gsize      *length,
            GError    **error)
{
  g_autoptr(GByteArray) buffer = NULL;
  struct stat st;
  int         fd;
  int         saved_errno;

  fd = open_regular (path, display_name, &st, error);
  if (fd < 0)
    return FALSE;

  /* The file may grow while it is read: never read past the limit. */
  buffer = g_byte_array_sized_new ((guint) st.st_size + 1);
  for (;;)
    {
      guint8 chunk[65536];
      gssize n = read (fd, chunk, sizeof chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved_errno = errno;
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       ("%s: cannot read the file: %s"), display_name, g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        break;
      if (buffer->len + (guint64) n > IL_MAX_EXPERIMENT_FILE_BYTES)
        {
          close (fd);
          return refuse_size (display_name, buffer->len + (guint64) n, error);
        }
      g_byte_array_append (buffer, chunk, (guint) n);
    }
  close (fd);

  *length = buffer->len;
  g_byte_array_append (buffer, (const guint8 *) "", 1);
  *contents = (char *) g_byte_array_free (g_steal_pointer (&buffer), FALSE);
  return TRUE;
}

gboolean
il_experiment_read_text (GFile      *file,
                         const char *display_name,
                         char      **contents,
                         gsize      *length,
                         GError    **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *buffer = NULL;
  g_autofree char *shown_name = NULL;
  gsize            n = 0;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (display_name != NULL, FALSE);
  g_return_val_if_fail (contents != NULL && length != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  shown_name = g_utf8_make_valid (display_name, -1);
  display_name = shown_name;

  if (g_file_peek_path (file) != NULL)
    return read_local (g_file_peek_path (file), display_name, contents, length, error);

  /* Other locations (GVfs): the same checks through GIO. */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, NULL, error);
  if (info == NULL)
    return FALSE;
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   ("%s: is not a regular file; experiments are read only from regular files"),
                   display_name);
      return FALSE;
    }
  if ((guint64) g_file_info_get_size (info) > IL_MAX_EXPERIMENT_FILE_BYTES)
    return refuse_size (display_name, g_file_info_get_size (info), error);

  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return FALSE;
  /* Never more than the limit, whatever the size said. */
  {
    gsize size = MIN ((guint64) g_file_info_get_size (info), IL_MAX_EXPERIMENT_FILE_BYTES) + 2;

    for (;;)
      {
        gsize got = 0;

        buffer = g_realloc (buffer, size);
        if (!g_input_stream_read_all (G_INPUT_STREAM (stream), buffer + n, size - 1 - n, &got, NULL, error))
          return FALSE;
        n += got;
        if (n > IL_MAX_EXPERIMENT_FILE_BYTES)
          return refuse_size (display_name, n, error);
        if (n < size - 1)
          break;
        size = MIN (size * 2, IL_MAX_EXPERIMENT_FILE_BYTES + 2);
      }
  }
  buffer[n] = '\0';
  *length = n;
  *contents = g_realloc (g_steal_pointer (&buffer), n + 1);
  return TRUE;
}
