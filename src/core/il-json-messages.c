/* il-json-messages.c — what a reading failure says, and where
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A failure names its JSON path ("tasks[0].blocks[2].units"), says what
 * was expected and what was found, and quotes the file's text bounded and
 * escaped: a shared file must not be able to make a message huge, or not
 * UTF-8, or hide text in control characters (docs/experiment-format.md,
 * "Limits and safety").  Only the first failure is kept; the loader turns
 * its path into FILE:LINE:COLUMN (il_json_locate()).
 */

#include <string.h>

#include "il-json-private.h"

/* Quoting user text in messages: at most this many characters. */
#define QUOTE_CHARS 80

/* Paths */

static void quote_append (GString    *out,
                          const char *text,
                          gssize      len,
                          guint       max_chars);

/* @display: member names as quoted in messages (bounded, escaped), not as
 * il_json_locate() needs them. */
static void
path_append (GString          *out,
             const IlJsonPath *path,
             gboolean          display)
{
  if (path == NULL)
    return;

  path_append (out, path->parent, display);

  if (path->member != NULL)
    {
      if (out->len > 0)
        g_string_append_c (out, '.');
      if (display)
        quote_append (out, path->member, -1, QUOTE_CHARS);
      else
        g_string_append (out, path->member);
    }
  else
    {
      g_string_append_printf (out, "[%" G_GINT64_FORMAT "]", path->index);
    }
}

char *
il_json_path_to_string (const IlJsonPath *path)
{
  GString *out = g_string_new (NULL);

  path_append (out, path, FALSE);

  return g_string_free (out, FALSE);
}

static char *
path_to_display (const IlJsonPath *path)
{
  GString *out = g_string_new (NULL);

  path_append (out, path, TRUE);

  return g_string_free (out, FALSE);
}

/* Appends @len bytes of @text (valid UTF-8) to @out, at most @max_chars
 * characters, control characters escaped, "…" when cut. */
static void
quote_append (GString    *out,
              const char *text,
              gssize      len,
              guint       max_chars)
{
  const char *end;
  guint       n = 0;

  if (len < 0)
    len = strlen (text);
  end = text + len;

  while (text < end)
    {
      gunichar ch = g_utf8_get_char_validated (text, end - text);

      if (n == max_chars)
        {
          g_string_append (out, "…");
          return;
        }
      if (ch == (gunichar) -1 || ch == (gunichar) -2)
        {
          /* Never copy invalid bytes into a message. */
          g_string_append (out, "\\uFFFD");
          text++;
        }
      else
        {
          if (ch < 0x20 || ch == 0x7F)
            g_string_append_printf (out, "\\u%04X", ch);
          else
            g_string_append_unichar (out, ch);
          text = g_utf8_next_char (text);
        }
      n++;
    }
}

char *
il_json_quote (const char *text)
{
  GString *out = g_string_new (NULL);

  if (text != NULL)
    quote_append (out, text, -1, QUOTE_CHARS);

  return g_string_free (out, FALSE);
}

char *
il_json_bound_message (const char *message)
{
  GString *out = g_string_new (NULL);

  quote_append (out, message, -1, IL_JSON_MAX_MESSAGE_CHARS);

  return g_string_free (out, FALSE);
}

/* Failures */

void
il_json_reader_clear (IlJsonReader *reader)
{
  g_clear_pointer (&reader->path, g_free);
  g_clear_pointer (&reader->message, g_free);
  reader->failed = FALSE;
}

static gboolean
reader_failv (IlJsonReader     *reader,
              const IlJsonPath *pos_path,
              IlJsonAt          at,
              const IlJsonPath *msg_path,
              const char       *format,
              va_list           args)
{
  g_autofree char *text = NULL;
  g_autofree char *where = NULL;

  if (reader->failed)
    return FALSE;

  text = g_strdup_vprintf (format, args);
  where = path_to_display (msg_path);

  reader->failed = TRUE;
  reader->path = il_json_path_to_string (pos_path);
  reader->at = at;
  /* Each quote of the file's text is bounded already; this bounds the
   * whole, whatever a caller quoted. */
  {
    g_autofree char *message = where[0] != '\0'
                                 ? g_strdup_printf ("%s: %s", where, text)
                                 : g_steal_pointer (&text);

    reader->message = il_json_bound_message (message);
  }

  return FALSE;
}

gboolean
il_json_fail (IlJsonReader     *reader,
              const IlJsonPath *path,
              IlJsonAt          at,
              const char       *format,
              ...)
{
  va_list args;

  va_start (args, format);
  reader_failv (reader, path, at, path, format, args);
  va_end (args);

  return FALSE;
}

gboolean
il_json_fail_full (IlJsonReader     *reader,
                   const IlJsonPath *pos_path,
                   IlJsonAt          at,
                   const IlJsonPath *msg_path,
                   const char       *format,
                   ...)
{
  va_list args;

  va_start (args, format);
  reader_failv (reader, pos_path, at, msg_path, format, args);
  va_end (args);

  return FALSE;
}

const char *
il_json_noted_literal (const IlJsonReader *reader,
                       const IlJsonPath   *path)
{
  g_autofree char *key = NULL;

  if (reader->scan == NULL || reader->scan->numbers == NULL)
    return NULL;

  key = il_json_path_to_string (path);

  return g_hash_table_lookup (reader->scan->numbers, key);
}

char *
il_json_describe (const IlJsonReader *reader,
                  JsonNode           *node,
                  const IlJsonPath   *path)
{
  const char *literal;

  if (node == NULL)
    return g_strdup ("nothing");

  switch (json_node_get_node_type (node))
    {
      case JSON_NODE_OBJECT:
        return g_strdup ("an object");
      case JSON_NODE_ARRAY:
        return g_strdup ("an array");
      case JSON_NODE_NULL:
        return g_strdup ("null");
      case JSON_NODE_VALUE:
      default:
        break;
    }

  literal = il_json_noted_literal (reader, path);
  if (literal != NULL)
    return il_json_quote (literal); /* a literal can be megabytes of digits */

  switch (json_node_get_value_type (node))
    {
      case G_TYPE_INT64:
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      case G_TYPE_DOUBLE:
        return il_json_format_double (json_node_get_double (node));
      case G_TYPE_BOOLEAN:
        return g_strdup (json_node_get_boolean (node) ? "true" : "false");
      case G_TYPE_STRING:
        {
          GString *out = g_string_new ("the string \"");

          quote_append (out, json_node_get_string (node), -1, 40);
          g_string_append_c (out, '"');
          return g_string_free (out, FALSE);
        }
      default:
        return g_strdup ("a value of an unknown type");
    }
}
