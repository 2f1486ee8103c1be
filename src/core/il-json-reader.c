/* il-json-reader.c — typed reading of a parsed JSON document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the experiment and results readers share (il-json-private.h): typed
 * getters that check a value's type and range and say what was expected
 * and what was found, the check of an object's members (with a suggestion
 * for a near-miss), and the readers of optional members and arrays.  The
 * messages are those docs/experiment-format.md and docs/results-format.md
 * show; il-json-messages.c words and records them.
 */

#include <math.h>
#include <string.h>

#include "il-json-private.h"

/* Integers json-glib wrapped around (it reads 18446744073709551617 as 1)
 * are only known to the strict scan. */
static gboolean
is_wrapped (const IlJsonReader *reader,
            const IlJsonPath   *path)
{
  return reader->scan != NULL && reader->scan->n_wrapped > 0 &&
         il_json_noted_literal (reader, path) != NULL;
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
        value = g_ascii_strtod (il_json_noted_literal (reader, path), NULL);

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
