/* il-json-stream.c — a results document's big arrays, read element by element
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See IlJsonStreamed in il-json-private.h: the strict scan (il-json-scan.c)
 * notes where each repetition's tasks, gil_holds and loop_lag stand in the
 * text; json-glib parses the text with them left out (il_json_scan_elide);
 * the results reader then reads their elements a batch at a time
 * (il_json_read_streamed).  A big file is a private mapping whose pages
 * each pass gives back once read (il_json_drop_behind), so neither the
 * text nor a tree of a million tasks is held in memory.
 */

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "il-json-private.h"

/* "results.runs[N].repetitions[N]." then a streamed array's name. */
gboolean
il_json_path_is_streamed (const char *path)
{
  static const char *const names[] = { "tasks", "gil_holds", "loop_lag" };
  const char              *p = path;

  if (!g_str_has_prefix (p, "results.runs["))
    return FALSE;
  p += strlen ("results.runs[");
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (!g_str_has_prefix (p, "].repetitions["))
    return FALSE;
  p += strlen ("].repetitions[");
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (!g_str_has_prefix (p, "]."))
    return FALSE;
  p += 2;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (p, names[i]))
      return TRUE;
  return FALSE;
}

#define DROP_KEEP  ((gsize) 1024 * 1024)
#define DROP_CHUNK ((gsize) 2 * 1024 * 1024)

void
il_json_drop_all (const IlJsonScan *scan)
{
  if (scan != NULL && scan->drop_behind && scan->text != NULL && scan->length > 0 &&
      ((guintptr) scan->text % (guintptr) sysconf (_SC_PAGESIZE)) == 0)
    madvise ((char *) scan->text, scan->length, MADV_DONTNEED);
}

void
il_json_drop_behind (const IlJsonScan *scan,
                     const char       *upto,
                     gsize            *dropped)
{
  static gsize page;
  gsize        offset, to;

  if (scan == NULL || !scan->drop_behind || scan->text == NULL || upto < scan->text)
    return;
  offset = upto - scan->text;
  if (offset < *dropped + DROP_KEEP + DROP_CHUNK)
    return;
  if (page == 0)
    page = (gsize) sysconf (_SC_PAGESIZE);
  /* Whole pages of the mapping, which starts on a page. */
  if (((guintptr) scan->text % page) != 0)
    return;
  to = (offset - DROP_KEEP) / page * page;
  if (to > *dropped)
    madvise ((char *) scan->text + *dropped, to - *dropped, MADV_DONTNEED);
  *dropped = to;
}

static int
compare_streamed (gconstpointer a,
                  gconstpointer b)
{
  const IlJsonStreamed *x = *(const IlJsonStreamed *const *) a;
  const IlJsonStreamed *y = *(const IlJsonStreamed *const *) b;

  return x->start < y->start ? -1 : x->start > y->start;
}

void
il_json_scan_elide (IlJsonScan *scan)
{
  if (scan->streamed == NULL)
    return;
  {
    g_autoptr(GPtrArray) arrays = g_ptr_array_new ();
    GHashTableIter iter;
    gpointer       value;
    gsize          at = 0;

    g_hash_table_iter_init (&iter, scan->streamed);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_ptr_array_add (arrays, value);

    /* In the order of the text. */
    g_ptr_array_sort (arrays, compare_streamed);
    scan->elided = g_string_sized_new (4096);
    for (guint i = 0; i < arrays->len; i++)
      {
        const IlJsonStreamed *streamed = g_ptr_array_index (arrays, i);

        g_string_append_len (scan->elided, scan->text + at, streamed->start - at);
        g_string_append (scan->elided, "[]");
        at = streamed->end;
      }
    g_string_append_len (scan->elided, scan->text + at, scan->length - at);
  }
}

/* Arrays read element by element (il-json-private.h, IlJsonStreamed) */

const IlJsonStreamed *
il_json_streamed_at (IlJsonReader     *reader,
                     const IlJsonPath *path)
{
  g_autofree char *key = NULL;

  if (reader->scan == NULL || reader->scan->streamed == NULL)
    return NULL;
  key = il_json_path_to_string (path);
  return g_hash_table_lookup (reader->scan->streamed, key);
}

/* Past one value of text the scan found strict JSON: strings, nesting and
 * plain words (numbers, true, false, null). */
static const char *
skip_value (const char *p,
            const char *end)
{
  guint depth = 0;

  while (p < end)
    {
      char c = *p;

      if (c == '"')
        {
          for (p++; p < end && *p != '"'; p++)
            if (*p == '\\')
              p++;
          p++;
          if (depth == 0)
            return p;
        }
      else if (c == '[' || c == '{')
        {
          depth++;
          p++;
        }
      else if (c == ']' || c == '}')
        {
          if (depth == 0)
            return p;
          p++;
          if (--depth == 0)
            return p;
        }
      else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'))
        return p;
      else
        p++;
    }
  return p;
}

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* Text per batch handed to json-glib: its tree takes about ten times that. */
#define STREAM_BATCH_BYTES ((gsize) 256 * 1024)

gboolean
il_json_read_streamed (IlJsonReader         *reader,
                       const IlJsonPath     *path,
                       const IlJsonStreamed *streamed,
                       IlJsonReadElement     read,
                       gpointer              data)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GString) batch = g_string_new (NULL);
  const IlJsonScan *scan = reader->scan;
  const char       *p = scan->text + streamed->start + 1; /* past '[' */
  const char       *end = scan->text + streamed->end - 1; /* the ']' */
  gsize             dropped = 0;
  guint             index = 0;

  for (;;)
    {
      const char *first;
      const char *last_end = NULL;
      JsonArray  *elements;
      guint       n;

      p = skip_space (p, end);
      if (p >= end)
        break;
      /* Whole elements, up to STREAM_BATCH_BYTES (at least one). */
      first = p;
      while (p < end && (last_end == NULL || (gsize) (p - first) < STREAM_BATCH_BYTES))
        {
          last_end = skip_value (p, end);
          p = skip_space (last_end, end);
          if (p < end && *p == ',')
            p = skip_space (p + 1, end);
        }
      g_string_truncate (batch, 0);
      g_string_append_c (batch, '[');
      g_string_append_len (batch, first, last_end - first);
      g_string_append_c (batch, ']');

      if (!json_parser_load_from_data (parser, batch->str, batch->len, NULL) ||
          !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
        return il_json_fail (reader, path, IL_JSON_AT_VALUE, "the array could not be read");
      elements = json_node_get_array (json_parser_get_root (parser));
      n = json_array_get_length (elements);
      for (guint i = 0; i < n; i++, index++)
        {
          IlJsonPath p_element = IL_JSON_INDEX (path, index);

          if (!read (reader, json_array_get_element (elements, i), &p_element, data))
            return FALSE;
        }
      il_json_drop_behind (scan, p, &dropped);
    }

  return TRUE;
}
