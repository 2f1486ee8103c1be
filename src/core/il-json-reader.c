/* il-json-reader.c — typed, positioned reading of a parsed JSON document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the experiment and results readers share (il-json-private.h): JSON
 * paths rendered only on failure, messages that quote the file's text
 * bounded and escaped, typed getters that say what was expected and what
 * was found, and the readers of optional members and arrays.  The messages
 * are those docs/experiment-format.md and docs/results-format.md show.
 */

#include <math.h>
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

/* The reader */

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

static const char *
noted_literal (const IlJsonReader *reader,
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

  literal = noted_literal (reader, path);
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

/* Integers json-glib wrapped around (it reads 18446744073709551617 as 1)
 * are only known to the strict scan. */
static gboolean
is_wrapped (const IlJsonReader *reader,
            const IlJsonPath   *path)
{
  return reader->scan != NULL && reader->scan->n_wrapped > 0 &&
         noted_literal (reader, path) != NULL;
}

static gboolean
node_is_int (const IlJsonReader *reader,
             JsonNode           *node,
             const IlJsonPath   *path)
{
  return node != NULL &&
         JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64 &&
         !is_wrapped (reader, path);
}

static char *
describe_int_range (gint64 min,
                    gint64 max)
{
  if (min == max)
    return g_strdup_printf ("%" G_GINT64_FORMAT, min);
  if (min == G_MININT64 && max == G_MAXINT64)
    return g_strdup ("an integer");
  if (max == G_MAXINT64)
    return g_strdup_printf ("an integer of at least %" G_GINT64_FORMAT, min);

  return g_strdup_printf ("an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                          min, max);
}

gboolean
il_json_check_range (IlJsonReader     *reader,
                     const IlJsonPath *path,
                     gint64            value,
                     gint64            min,
                     gint64            max)
{
  g_autofree char *expected = NULL;

  if (value >= min && value <= max)
    return TRUE;

  expected = describe_int_range (min, max);

  return il_json_fail (reader, path, IL_JSON_AT_VALUE,
                       "expected %s, got %" G_GINT64_FORMAT, expected, value);
}

gboolean
il_json_get_int (IlJsonReader     *reader,
                 JsonNode         *node,
                 const IlJsonPath *path,
                 gint64            min,
                 gint64            max,
                 gint64           *out)
{
  if (!node_is_int (reader, node, path))
    {
      g_autofree char *expected = describe_int_range (min, max);
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected %s, got %s", expected, got);
    }

  if (!il_json_check_range (reader, path, json_node_get_int (node), min, max))
    return FALSE;

  *out = json_node_get_int (node);

  return TRUE;
}

gboolean
il_json_get_uint (IlJsonReader     *reader,
                  JsonNode         *node,
                  const IlJsonPath *path,
                  gint64            min,
                  gint64            max,
                  guint            *out)
{
  gint64 value;

  g_assert (min >= 0 && max <= G_MAXUINT);

  if (!il_json_get_int (reader, node, path, min, max, &value))
    return FALSE;

  *out = (guint) value;

  return TRUE;
}

gboolean
il_json_get_double (IlJsonReader     *reader,
                    JsonNode         *node,
                    const IlJsonPath *path,
                    gboolean          nullable,
                    double           *out)
{
  if (nullable && node != NULL && JSON_NODE_HOLDS_NULL (node))
    {
      *out = NAN;
      return TRUE;
    }

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
       json_node_get_value_type (node) == G_TYPE_INT64))
    {
      double value = json_node_get_value_type (node) == G_TYPE_DOUBLE
                       ? json_node_get_double (node)
                       : (double) json_node_get_int (node);
      /* A wrapped integer literal: read the real value from the text. */
      if (json_node_get_value_type (node) == G_TYPE_INT64 && is_wrapped (reader, path))
        value = g_ascii_strtod (noted_literal (reader, path), NULL);

      if (isfinite (value))
        {
          *out = value;
          return TRUE;
        }
    }

  {
    g_autofree char *got = il_json_describe (reader, node, path);

    return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected a number%s, got %s",
                         nullable ? " or null" : "", got);
  }
}

gboolean
il_json_get_bool (IlJsonReader     *reader,
                  JsonNode         *node,
                  const IlJsonPath *path,
                  gboolean         *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected true or false, got %s", got);
    }

  *out = json_node_get_boolean (node);

  return TRUE;
}

gboolean
il_json_check_chars (IlJsonReader     *reader,
                     const IlJsonPath *path,
                     const char       *value,
                     gint64            min_chars,
                     gint64            max_chars)
{
  glong chars = value != NULL ? g_utf8_strlen (value, -1) : 0;

  if (chars < min_chars)
    {
      if (min_chars == 1)
        return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected a non-empty string");
      return il_json_fail (reader, path, IL_JSON_AT_VALUE,
                           "expected at least %" G_GINT64_FORMAT " characters, got %ld",
                           min_chars, chars);
    }

  if (max_chars >= 0 && chars > max_chars)
    return il_json_fail (reader, path, IL_JSON_AT_VALUE,
                         "expected at most %" G_GINT64_FORMAT " characters, got %ld",
                         max_chars, chars);

  return TRUE;
}

gboolean
il_json_get_string (IlJsonReader     *reader,
                    JsonNode         *node,
                    const IlJsonPath *path,
                    gint64            min_chars,
                    gint64            max_chars,
                    gboolean          nullable,
                    char            **out)
{
  const char *value;

  if (nullable && node != NULL && JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected a string%s, got %s",
                           nullable ? " or null" : "", got);
    }

  value = json_node_get_string (node);
  if (!il_json_check_chars (reader, path, value, min_chars, max_chars))
    return FALSE;

  *out = g_strdup (value);

  return TRUE;
}

static char *
quote_list (const char *const *names,
            const char        *conjunction)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (i > 0 && names[i + 1] != NULL)
        g_string_append (out, ", ");
      else if (i > 0)
        g_string_append_printf (out, " %s ", conjunction);
      g_string_append_printf (out, "\"%s\"", names[i]);
    }

  return g_string_free (out, FALSE);
}

gboolean
il_json_get_enum (IlJsonReader      *reader,
                  JsonNode          *node,
                  const IlJsonPath  *path,
                  const char *const *names,
                  guint             *out)
{
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *value = json_node_get_string (node);

      for (guint i = 0; names[i] != NULL; i++)
        {
          if (g_str_equal (names[i], value))
            {
              *out = i;
              return TRUE;
            }
        }
    }

  {
    g_autofree char *expected = quote_list (names, "or");
    g_autofree char *got = il_json_describe (reader, node, path);

    return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected %s, got %s", expected, got);
  }
}

gboolean
il_json_get_object (IlJsonReader     *reader,
                    JsonNode         *node,
                    const IlJsonPath *path,
                    JsonObject      **out)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected an object { … }, got %s", got);
    }

  *out = json_node_get_object (node);

  return TRUE;
}

gboolean
il_json_get_array (IlJsonReader     *reader,
                   JsonNode         *node,
                   const IlJsonPath *path,
                   JsonArray       **out)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected an array [ … ], got %s", got);
    }

  *out = json_node_get_array (node);

  return TRUE;
}

static guint
edit_distance (const char *a,
               const char *b)
{
  gsize             la = strlen (a);
  gsize             lb = strlen (b);
  g_autofree guint *row = NULL;

  if (la > 64 || lb > 64)
    return G_MAXUINT;

  row = g_new (guint, lb + 1);
  for (gsize j = 0; j <= lb; j++)
    row[j] = j;

  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }

  return row[lb];
}

gboolean
il_json_check_members (IlJsonReader          *reader,
                       JsonObject            *object,
                       const IlJsonPath      *path,
                       const char            *what,
                       const char *const     *allowed,
                       const IlJsonMisplaced *misplaced)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      IlJsonPath  member = IL_JSON_MEMBER (path, name);
      const char *suggestion = NULL;
      guint       best = 3;
      gboolean    known = FALSE;

      for (guint i = 0; allowed[i] != NULL && !known; i++)
        known = g_str_equal (allowed[i], name);
      if (known)
        continue;

      for (guint i = 0; misplaced != NULL && misplaced[i].name != NULL; i++)
        {
          if (g_str_equal (misplaced[i].name, name))
            return il_json_fail (reader, &member, IL_JSON_AT_NAME,
                                 "\"%s\" does not apply to %s, only to %s",
                                 name, what, misplaced[i].where);
        }

      for (guint i = 0; allowed[i] != NULL; i++)
        {
          guint distance = edit_distance (name, allowed[i]);

          if (distance < best && distance < strlen (allowed[i]))
            {
              best = distance;
              suggestion = allowed[i];
            }
        }

      {
        g_autofree char *list = quote_list (allowed, "and");

        if (suggestion != NULL)
          return il_json_fail (reader, &member, IL_JSON_AT_NAME,
                               "unknown field; did you mean \"%s\"? (%s has %s)",
                               suggestion, what, list);

        return il_json_fail (reader, &member, IL_JSON_AT_NAME,
                             "unknown field (%s has %s)", what, list);
      }
    }

  return TRUE;
}

gboolean
il_json_require (IlJsonReader     *reader,
                 JsonObject       *object,
                 const IlJsonPath *path,
                 const char       *member,
                 const char       *hint)
{
  IlJsonPath member_path = IL_JSON_MEMBER (path, member);

  if (json_object_has_member (object, member))
    return TRUE;

  return il_json_fail_full (reader, path, IL_JSON_AT_VALUE, &member_path,
                            "required field is missing%s%s",
                            hint != NULL ? "; " : "", hint != NULL ? hint : "");
}

/* Optional members */

/* The member's node and path, or NULL when @object lacks it. */
static JsonNode *
opt_member (JsonObject       *object,
            const IlJsonPath *path,
            const char       *member,
            IlJsonPath       *p)
{
  *p = IL_JSON_MEMBER (path, member);

  return json_object_has_member (object, member) ? json_object_get_member (object, member) : NULL;
}

gboolean
il_json_opt_int (IlJsonReader     *reader,
                 JsonObject       *object,
                 const IlJsonPath *path,
                 const char       *member,
                 gint64            min,
                 gint64            max,
                 gint64           *out)
{
  IlJsonPath p;
  JsonNode  *node = opt_member (object, path, member, &p);

  return node == NULL || il_json_get_int (reader, node, &p, min, max, out);
}

gboolean
il_json_opt_uint (IlJsonReader     *reader,
                  JsonObject       *object,
                  const IlJsonPath *path,
                  const char       *member,
                  gint64            min,
                  gint64            max,
                  guint            *out)
{
  IlJsonPath p;
  JsonNode  *node = opt_member (object, path, member, &p);

  return node == NULL || il_json_get_uint (reader, node, &p, min, max, out);
}

gboolean
il_json_opt_double (IlJsonReader     *reader,
                    JsonObject       *object,
                    const IlJsonPath *path,
                    const char       *member,
                    double           *out)
{
  IlJsonPath p;
  JsonNode  *node = opt_member (object, path, member, &p);

  return node == NULL || il_json_get_double (reader, node, &p, TRUE, out);
}

gboolean
il_json_opt_bool (IlJsonReader     *reader,
                  JsonObject       *object,
                  const IlJsonPath *path,
                  const char       *member,
                  gboolean         *out)
{
  IlJsonPath p;
  JsonNode  *node = opt_member (object, path, member, &p);

  return node == NULL || il_json_get_bool (reader, node, &p, out);
}

gboolean
il_json_opt_string (IlJsonReader     *reader,
                    JsonObject       *object,
                    const IlJsonPath *path,
                    const char       *member,
                    gint64            min_chars,
                    gint64            max_chars,
                    gboolean          nullable,
                    char            **out)
{
  IlJsonPath p;
  JsonNode  *node = opt_member (object, path, member, &p);
  char      *value = NULL;

  if (node == NULL)
    return TRUE;

  if (!il_json_get_string (reader, node, &p, min_chars, max_chars, nullable, &value))
    return FALSE;

  g_free (*out);
  *out = value;

  return TRUE;
}

gboolean
il_json_opt_enum (IlJsonReader      *reader,
                  JsonObject        *object,
                  const IlJsonPath  *path,
                  const char        *member,
                  const char *const *names,
                  guint             *out)
{
  IlJsonPath p;
  JsonNode  *node = opt_member (object, path, member, &p);

  return node == NULL || il_json_get_enum (reader, node, &p, names, out);
}

/* Arrays */

gboolean
il_json_read_objects (IlJsonReader     *reader,
                      JsonArray        *array,
                      const IlJsonPath *path,
                      IlJsonReadNew     read,
                      GPtrArray        *out)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IlJsonPath p = IL_JSON_INDEX (path, i);
      gpointer   item = read (reader, json_array_get_element (array, i), &p);

      if (item == NULL)
        return FALSE;
      g_ptr_array_add (out, item);
    }

  return TRUE;
}

gboolean
il_json_read_structs (IlJsonReader     *reader,
                      JsonArray        *array,
                      const IlJsonPath *path,
                      IlJsonReadInto    read,
                      GArray           *out)
{
  guint size = g_array_get_element_size (out);

  g_array_set_size (out, json_array_get_length (array));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IlJsonPath p = IL_JSON_INDEX (path, i);

      if (!read (reader, json_array_get_element (array, i), &p, out->data + (gsize) i * size))
        return FALSE;
    }

  return TRUE;
}

gboolean
il_json_read_uints (IlJsonReader     *reader,
                    JsonArray        *array,
                    const IlJsonPath *path,
                    gint64            min,
                    gint64            max,
                    GArray           *out)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IlJsonPath p = IL_JSON_INDEX (path, i);
      guint      value;

      if (!il_json_get_uint (reader, json_array_get_element (array, i), &p, min, max, &value))
        return FALSE;
      g_array_append_val (out, value);
    }

  return TRUE;
}

gboolean
il_json_read_strings (IlJsonReader     *reader,
                      JsonArray        *array,
                      const IlJsonPath *path,
                      gint64            min_chars,
                      gint64            max_chars,
                      char           ***out)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IlJsonPath       p = IL_JSON_INDEX (path, i);
      g_autofree char *value = NULL;

      if (!il_json_get_string (reader, json_array_get_element (array, i), &p,
                               min_chars, max_chars, FALSE, &value))
        return FALSE;
      g_strv_builder_add (builder, value);
    }

  *out = g_strv_builder_end (builder);

  return TRUE;
}
