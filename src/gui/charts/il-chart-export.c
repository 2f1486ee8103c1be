/* il-chart-export.c — charts written to PNG and SVG files
 *
 * A chart exported is the chart drawn again on a cairo surface of its own,
 * with a caption band above it (the title, then who measured and when) and
 * the same words in the file's metadata, where viewers look for them: an
 * SVG's <title> and <desc>, a PNG's iTXt chunks. Files are written by the
 * atomic save, so a failed export never leaves half a picture behind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "il-chart.h"

#include <glib/gi18n.h>

#include <cairo-svg.h>

#include "il-atomic-file.h"
#include "il-error.h"

static cairo_status_t
write_stream_cb (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  GOutputStream *stream = closure;

  if (!g_output_stream_write_all (stream, data, length, NULL, NULL, NULL))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

typedef void (*IlPaintFunc) (cairo_t *cr, gpointer data);

/* PNG's CRC-32 (ISO 3309), for the text chunks below. */
static guint32
png_crc (const guint8 *data,
         gsize         length,
         guint32       crc)
{
  crc = ~crc;
  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  return ~crc;
}

static void
append_be32 (GByteArray *out,
             guint32     value)
{
  guint8 b[4] = { value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff };

  g_byte_array_append (out, b, 4);
}

/* An iTXt chunk (UTF-8, uncompressed): @keyword "Title" or "Description". */
static void
append_png_text (GByteArray *out,
                 const char *keyword,
                 const char *text)
{
  g_autoptr(GByteArray) chunk = g_byte_array_new ();
  static const guint8 flags[4] = { 0, 0, 0, 0 }; /* no compression; empty language; */

  g_byte_array_append (chunk, (const guint8 *) "iTXt", 4);
  g_byte_array_append (chunk, (const guint8 *) keyword, strlen (keyword) + 1);
  /* compression flag, method, language tag "" + NUL, translated keyword "" + NUL */
  g_byte_array_append (chunk, flags, 4);
  g_byte_array_append (chunk, (const guint8 *) text, strlen (text));
  append_be32 (out, chunk->len - 4);
  g_byte_array_append (out, chunk->data, chunk->len);
  append_be32 (out, png_crc (chunk->data, chunk->len, 0));
}

/* The exported file says what it shows where viewers look for it: an SVG's
 * <title> and <desc>, a PNG's Title and Description. */
static GBytes *
add_metadata (const char *bytes,
              gsize       length,
              gboolean    svg,
              const char *title,
              const char *caption)
{
  if (title == NULL && caption == NULL)
    return g_bytes_new (bytes, length);
  if (svg)
    {
      const char      *tag = g_strstr_len (bytes, length, "<svg");
      const char      *end = tag != NULL ? memchr (tag, '>', length - (tag - bytes)) : NULL;
      g_autofree char *t = g_markup_escape_text (title != NULL ? title : "", -1);
      g_autofree char *d = g_markup_escape_text (caption != NULL ? caption : "", -1);
      GString         *out;

      if (end == NULL)
        return g_bytes_new (bytes, length);
      out = g_string_new_len (bytes, end + 1 - bytes);
      g_string_append_printf (out, "\n<title>%s</title>\n<desc>%s</desc>", t, d);
      g_string_append_len (out, end + 1, length - (end + 1 - bytes));
      return g_string_free_to_bytes (out);
    }
  else
    {
      /* Signature (8) and IHDR (25): the text goes right after. */
      GByteArray *out;

      if (length < 33)
        return g_bytes_new (bytes, length);
      out = g_byte_array_sized_new (length + 256);
      g_byte_array_append (out, (const guint8 *) bytes, 33);
      if (title != NULL)
        append_png_text (out, "Title", title);
      if (caption != NULL)
        append_png_text (out, "Description", caption);
      g_byte_array_append (out, (const guint8 *) bytes + 33, length - 33);
      return g_byte_array_free_to_bytes (out);
    }
}

static gboolean
export_paint (GFile      *file,
              const char *format,
              int         width,
              int         height,
              IlPaintFunc paint,
              gpointer    data,
              const char *title,
              const char *caption,
              GError    **error)
{
  g_autoptr(GBytes) written = NULL;
  /* Drawn whole in memory, then written atomically (il-atomic-file.h). */
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  cairo_surface_t *surface;
  cairo_status_t   status;
  cairo_t         *cr;
  gboolean         svg;
  const char      *bytes;
  gsize            length;

  if (g_strcmp0 (format, "png") == 0)
    svg = FALSE;
  else if (g_strcmp0 (format, "svg") == 0)
    svg = TRUE;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Unknown chart format “%s” (use png or svg)"), format);
      return FALSE;
    }

  if (svg)
    surface = cairo_svg_surface_create_for_stream (write_stream_cb, stream, width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);

  cr = cairo_create (surface);
  paint (cr, data);
  cairo_destroy (cr);

  if (svg)
    cairo_surface_finish (surface);
  else
    cairo_surface_write_to_png_stream (surface, write_stream_cb, stream);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Could not write the chart: %s", cairo_status_to_string (status));
      return FALSE;
    }
  if (!g_output_stream_close (stream, NULL, error))
    return FALSE;
  bytes = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream));
  length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream));
  written = add_metadata (bytes != NULL ? bytes : "", length, svg, title, caption);
  bytes = g_bytes_get_data (written, &length);
  return il_atomic_file_write (file, bytes != NULL ? bytes : "", length, error);
}

typedef struct
{
  GPtrArray           *charts;
  int                  width;
  const IlChartColors *colors;
  gboolean             exact;
  const char          *title;   /* nullable: no caption band */
  const char          *caption; /* the machine, under the title */
} StackPaint;

/* The band above exported charts: the title, then who measured and when. */
#define CAPTION_H 54

static void
caption_paint (cairo_t    *cr,
               StackPaint *sp)
{
  cairo_rectangle (cr, 0, 0, sp->width, CAPTION_H);
  il_chart_set_source (cr, &sp->colors->bg, 1.0);
  cairo_fill (cr);
  il_chart_text (cr, sp->title, 12, 18, 0, 0.5, 1.25, TRUE, &sp->colors->fg);
  if (sp->caption != NULL)
    il_chart_text (cr, sp->caption, 12, 40, 0, 0.5, 0.9, FALSE, &sp->colors->dim);
}

static int
export_height_of (IlChart *chart,
                  gboolean exact)
{
  int h = gtk_widget_get_height (GTK_WIDGET (chart));
  int natural = 0;

  if (exact && h > 0)
    return h;

  /* A chart stretched by its container (the live timeline) exports at its
   * natural height: the picture has no empty band below the data. */
  gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
  if (h <= 0 || (natural > 0 && natural < h))
    h = natural;
  return MAX (h, 60);
}

static void
stack_paint (cairo_t *cr,
             gpointer data)
{
  StackPaint *sp = data;
  double      y = 0;

  if (sp->title != NULL)
    {
      caption_paint (cr, sp);
      y = CAPTION_H;
    }

  for (guint i = 0; i < sp->charts->len; i++)
    {
      IlChart *chart = g_ptr_array_index (sp->charts, i);
      int      h = export_height_of (chart, sp->exact);

      cairo_save (cr);
      cairo_translate (cr, 0, y);
      cairo_rectangle (cr, 0, 0, sp->width, h);
      cairo_clip (cr);
      il_chart_draw (chart, cr, sp->width, h, sp->colors);
      cairo_restore (cr);
      y += h;
    }
}

static gboolean
export_stack (GPtrArray           *charts,
              int                  width,
              const IlChartColors *colors,
              gboolean             exact,
              const char          *title,
              const char          *caption,
              GFile               *file,
              const char          *format,
              GError             **error)
{
  StackPaint sp = { charts, width, colors, exact, title, caption };
  int        height = title != NULL ? CAPTION_H : 0;

  for (guint i = 0; i < charts->len; i++)
    height += export_height_of (g_ptr_array_index (charts, i), exact);
  if (charts->len == 0 || width <= 0 || height <= (title != NULL ? CAPTION_H : 0))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("There is no chart to export"));
      return FALSE;
    }
  return export_paint (file, format, width, height, stack_paint, &sp, title, caption, error);
}

gboolean
il_chart_export_stack (GPtrArray           *charts,
                       int                  width,
                       const IlChartColors *colors,
                       GFile               *file,
                       const char          *format,
                       GError             **error)
{
  g_return_val_if_fail (charts != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return export_stack (charts, width, colors, FALSE, NULL, NULL, file, format, error);
}

gboolean
il_chart_export_stack_captioned (GPtrArray           *charts,
                                 int                  width,
                                 const IlChartColors *colors,
                                 const char          *title,
                                 const char          *caption,
                                 GFile               *file,
                                 const char          *format,
                                 GError             **error)
{
  g_return_val_if_fail (charts != NULL, FALSE);
  g_return_val_if_fail (title != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  return export_stack (charts, width, colors, FALSE, title, caption, file, format, error);
}

int
il_chart_export_caption_height (void)
{
  return CAPTION_H;
}

gboolean
il_chart_export (IlChart    *self,
                 GFile      *file,
                 const char *format,
                 GError    **error)
{
  g_autoptr(GPtrArray) charts = g_ptr_array_new ();
  int width;

  g_return_val_if_fail (IL_IS_CHART (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  width = gtk_widget_get_width (GTK_WIDGET (self));
  if (width <= 0)
    width = 800;
  g_ptr_array_add (charts, self);
  /* One chart: exactly what is on screen. */
  return export_stack (charts, width, il_chart_get_colors (self), TRUE, NULL, NULL, file, format, error);
}
