/* il-json-writer.c — the files' readable layout, and rounding of doubles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib's generator writes either everything on one line or every array
 * element on its own line; the files are meant to be read and edited by
 * hand, so they are written here in the layout docs/experiment-format.md
 * shows (il-json-private.h describes it).
 */

#include <math.h>

#include "il-json-private.h"

/* Rounding */

double
il_json_round (double value,
               int    decimals)
{
  double scale;
  double rounded;

  if (!isfinite (value))
    return NAN;

  scale = pow (10.0, decimals);
  rounded = round (value * scale) / scale;

  /* Avoid writing "-0". */
  return rounded == 0.0 ? 0.0 : rounded;
}

gboolean
il_json_double_equal (double a,
                      double b,
                      int    decimals)
{
  double ra = il_json_round (a, decimals);
  double rb = il_json_round (b, decimals);

  if (isnan (ra) || isnan (rb))
    return isnan (ra) && isnan (rb);

  return ra == rb;
}

/* Writing */

JsonNode *
il_json_object_node (JsonObject *object)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);

  return node;
}

JsonNode *
il_json_array_node (JsonArray *array)
{
  JsonNode *node = json_node_init_array (json_node_alloc (), array);

  json_array_unref (array);

  return node;
}

/* The shortest form that reads back as the same double. */
char *
il_json_format_double (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  return g_strdup (buf);
}

static void
write_string (GString    *out,
              const char *str)
{
  g_string_append_c (out, '"');

  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
          case '"':
            g_string_append (out, "\\\"");
            break;
          case '\\':
            g_string_append (out, "\\\\");
            break;
          case '\n':
            g_string_append (out, "\\n");
            break;
          case '\r':
            g_string_append (out, "\\r");
            break;
          case '\t':
            g_string_append (out, "\\t");
            break;
          case '\b':
            g_string_append (out, "\\b");
            break;
          case '\f':
            g_string_append (out, "\\f");
            break;
          default:
            if (c < 0x20 || c == 0x7F)
              g_string_append_printf (out, "\\u%04x", c);
            else
              g_string_append_c (out, (char) c);
            break;
        }
    }

  g_string_append_c (out, '"');
}

static gboolean
node_is_scalar (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) || JSON_NODE_HOLDS_NULL (node);
}

/* Where write_node() writes: @out, flushed to @stream (if any) between
 * the elements of streamed arrays; @streams maps a JsonArray to the
 * IlJsonStreamed that produces its elements. */
typedef struct
{
  GString       *out;
  GHashTable    *streams;
  GOutputStream *stream;
  GCancellable  *cancellable;
  GError        *error;
} Writer;

typedef struct
{
  guint             n;
  IlJsonElementFunc func;
  gconstpointer     data;
} Streamed;

/* Bytes gathered before they go to the stream. */
#define FLUSH_BYTES (64 * 1024)

static void
flush (Writer  *w,
       gboolean all)
{
  gsize written = 0;

  if (w->stream == NULL || w->error != NULL || (!all && w->out->len < FLUSH_BYTES))
    return;
  if (!g_output_stream_write_all (w->stream, w->out->str, w->out->len, &written, w->cancellable,
                                  &w->error))
    return;
  g_string_truncate (w->out, 0);
}

static void
write_indent (GString *out,
              guint    level)
{
  for (guint i = 0; i < level; i++)
    g_string_append (out, "  ");
}

/* Lines are kept within this width when small objects are inlined. */
#define WRITE_WIDTH 100

static void write_node (Writer   *w,
                        JsonNode *node,
                        guint     level,
                        gsize     column);

/* Scalars, and arrays of scalars, render on one line anyway. */
static gboolean
node_is_flat (JsonNode *node)
{
  JsonArray *array;

  if (node_is_scalar (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!node_is_scalar (json_array_get_element (array, i)))
      return FALSE;

  return TRUE;
}

/* A small object of flat members on one line, as the format's examples write blocks:
 * { "type": "cpu", "kernel": "spin", "units": 40 }. FALSE if it would not
 * fit or has nested structure. */
static gboolean
write_inline_object (GString    *out,
                     JsonObject *object,
                     GList      *members,
                     gsize       column)
{
  g_autoptr(GString) line = g_string_new ("{ ");
  Writer inline_writer = { line, NULL, NULL, NULL, NULL };

  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);

      if (!node_is_flat (value))
        return FALSE;

      write_string (line, l->data);
      g_string_append (line, ": ");
      write_node (&inline_writer, value, 0, 0);
      g_string_append (line, l->next != NULL ? ", " : " }");

      if (column + line->len > WRITE_WIDTH)
        return FALSE;
    }

  g_string_append_len (out, line->str, line->len);

  return TRUE;
}

/* The elements of an array that a callback produces one by one, each
 * written as write_node() writes an array of non-scalars. */
static void
write_streamed (Writer         *w,
                const Streamed *streamed,
                guint           level)
{
  GString *out = w->out;

  if (streamed->n == 0)
    {
      g_string_append (out, "[]");
      return;
    }
  g_string_append (out, "[\n");
  for (guint i = 0; i < streamed->n && w->error == NULL; i++)
    {
      g_autoptr(JsonNode) element = streamed->func (streamed->data, i);

      write_indent (out, level + 1);
      write_node (w, element, level + 1, 2 * (level + 1));
      g_string_append (out, i + 1 < streamed->n ? ",\n" : "\n");
      flush (w, FALSE);
    }
  write_indent (out, level);
  g_string_append_c (out, ']');
}

static void
write_node (Writer   *w,
            JsonNode *node,
            guint     level,
            gsize     column)
{
  GString *out = w->out;

  switch (json_node_get_node_type (node))
    {
      case JSON_NODE_NULL:
        g_string_append (out, "null");
        break;

      case JSON_NODE_VALUE:
        switch (json_node_get_value_type (node))
          {
            case G_TYPE_INT64:
              g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
              break;
            case G_TYPE_DOUBLE:
              {
                double value = json_node_get_double (node);

                if (!isfinite (value))
                  g_string_append (out, "null");
                else
                  {
                    g_autofree char *text = il_json_format_double (value == 0.0 ? 0.0 : value);

                    g_string_append (out, text);
                    /* Keep a double recognisable as one ("805.0", as docs/results-format.md
                     * writes it), so other readers give it a float type. */
                    if (strpbrk (text, ".eE") == NULL)
                      g_string_append (out, ".0");
                  }
              }
              break;
            case G_TYPE_BOOLEAN:
              g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
              break;
            case G_TYPE_STRING:
              write_string (out, json_node_get_string (node));
              break;
            default:
              g_string_append (out, "null");
              break;
          }
        break;

      case JSON_NODE_ARRAY:
        {
          JsonArray      *array = json_node_get_array (node);
          guint           n = json_array_get_length (array);
          gboolean        flat = TRUE;
          const Streamed *streamed = w->streams != NULL ? g_hash_table_lookup (w->streams, array) : NULL;

          if (streamed != NULL)
            {
              write_streamed (w, streamed, level);
              break;
            }
          if (n == 0)
            {
              g_string_append (out, "[]");
              break;
            }

          for (guint i = 0; i < n && flat; i++)
            flat = node_is_scalar (json_array_get_element (array, i));

          if (flat)
            {
              g_string_append_c (out, '[');
              for (guint i = 0; i < n; i++)
                {
                  if (i > 0)
                    g_string_append (out, ", ");
                  write_node (w, json_array_get_element (array, i), level + 1, 0);
                }
              g_string_append_c (out, ']');
              break;
            }

          g_string_append (out, "[\n");
          for (guint i = 0; i < n; i++)
            {
              write_indent (out, level + 1);
              write_node (w, json_array_get_element (array, i), level + 1, 2 * (level + 1));
              g_string_append (out, i + 1 < n ? ",\n" : "\n");
            }
          write_indent (out, level);
          g_string_append_c (out, ']');
        }
        break;

      case JSON_NODE_OBJECT:
        {
          JsonObject *object = json_node_get_object (node);
          g_autoptr(GList) members = json_object_get_members (object);

          if (members == NULL)
            {
              g_string_append (out, "{}");
              break;
            }

          if (level > 0 && write_inline_object (out, object, members, column))
            break;

          g_string_append (out, "{\n");
          for (const GList *l = members; l != NULL; l = l->next)
            {
              gsize start;

              write_indent (out, level + 1);
              start = out->len;
              write_string (out, l->data);
              g_string_append (out, ": ");
              write_node (w, json_object_get_member (object, l->data), level + 1,
                          2 * (level + 1) + (out->len - start));
              g_string_append (out, l->next != NULL ? ",\n" : "\n");
            }
          write_indent (out, level);
          g_string_append_c (out, '}');
        }
        break;

      default:
        g_assert_not_reached ();
    }
}

char *
il_json_write (JsonNode *node,
               gsize    *length)
{
  Writer w = { g_string_new (NULL), NULL, NULL, NULL, NULL };

  write_node (&w, node, 0, 0);
  g_string_append_c (w.out, '\n');

  if (length != NULL)
    *length = w.out->len;

  return g_string_free (w.out, FALSE);
}

GHashTable *
il_json_streams_new (void)
{
  return g_hash_table_new_full (NULL, NULL, NULL, g_free);
}

void
il_json_streams_add (GHashTable       *streams,
                     JsonArray        *array,
                     guint             n,
                     IlJsonElementFunc func,
                     gconstpointer     data)
{
  Streamed *streamed = g_new (Streamed, 1);

  streamed->n = n;
  streamed->func = func;
  streamed->data = data;
  g_hash_table_insert (streams, array, streamed);
}

gboolean
il_json_write_stream (JsonNode      *node,
                      GHashTable    *streams,
                      GOutputStream *stream,
                      GCancellable  *cancellable,
                      GError       **error)
{
  Writer w = { g_string_sized_new (FLUSH_BYTES + 4096), streams, stream, cancellable, NULL };

  write_node (&w, node, 0, 0);
  g_string_append_c (w.out, '\n');
  flush (&w, TRUE);
  g_string_free (w.out, TRUE);
  if (w.error != NULL)
    {
      g_propagate_error (error, w.error);
      return FALSE;
    }
  return TRUE;
}
