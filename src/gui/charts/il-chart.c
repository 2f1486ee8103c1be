/* il-chart.c — base of every chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "il-chart.h"

#include <glib/gi18n.h>

#include <adwaita.h>
#include <cairo-svg.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "il-atomic-file.h"
#include "il-error.h"

typedef struct
{
  IlChartColors colors;
  char         *title;
  char         *description;
  gint64        description_time;
  guint         description_timeout;
} IlChartPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (IlChart, il_chart, GTK_TYPE_WIDGET)

/* ------------------------------------------------------------------------ */
/* Colours: the palette is defined once, as named colours in the app's
 * stylesheet (ui/style.css, with style-dark.css, style-hc.css and
 * style-hc-dark.css for the other styles), and read here through the
 * widget's style context. The editor's blocks use the same names, so a block
 * type has one colour on every page and in every export. */

static const struct
{
  const char *name;
  gsize       offset;
} palette[] = {
  { "il_block_cpu", G_STRUCT_OFFSET (IlChartColors, block[IL_BLOCK_CPU]) },
  { "il_block_sleep", G_STRUCT_OFFSET (IlChartColors, block[IL_BLOCK_SLEEP]) },
  { "il_block_http", G_STRUCT_OFFSET (IlChartColors, block[IL_BLOCK_HTTP]) },
  { "il_block_file_write", G_STRUCT_OFFSET (IlChartColors, block[IL_BLOCK_FILE_WRITE]) },
  { "il_block_file_read", G_STRUCT_OFFSET (IlChartColors, block[IL_BLOCK_FILE_READ]) },
  { "il_block_counter", G_STRUCT_OFFSET (IlChartColors, block[IL_BLOCK_COUNTER]) },
  { "il_block_yield", G_STRUCT_OFFSET (IlChartColors, block[IL_BLOCK_YIELD]) },
  { "il_state_ready", G_STRUCT_OFFSET (IlChartColors, ready) },
  { "il_state_blocked", G_STRUCT_OFFSET (IlChartColors, blocked) },
  { "il_state_gil_wait", G_STRUCT_OFFSET (IlChartColors, gil_wait) },
  { "il_state_lock_wait", G_STRUCT_OFFSET (IlChartColors, lock_wait) },
  { "il_state_gil_held", G_STRUCT_OFFSET (IlChartColors, gil_hold) },
  { "il_failed", G_STRUCT_OFFSET (IlChartColors, failed) },
  { "il_recorded", G_STRUCT_OFFSET (IlChartColors, recorded) },
  { "il_core_1", G_STRUCT_OFFSET (IlChartColors, series[0]) },
  { "il_core_2", G_STRUCT_OFFSET (IlChartColors, series[1]) },
  { "il_core_3", G_STRUCT_OFFSET (IlChartColors, series[2]) },
  { "il_core_4", G_STRUCT_OFFSET (IlChartColors, series[3]) },
  { "il_core_5", G_STRUCT_OFFSET (IlChartColors, series[4]) },
  { "il_core_6", G_STRUCT_OFFSET (IlChartColors, series[5]) },
  { "il_core_7", G_STRUCT_OFFSET (IlChartColors, series[6]) },
  { "il_core_8", G_STRUCT_OFFSET (IlChartColors, series[7]) },
};

G_STATIC_ASSERT (IL_N_BLOCK_TYPES == 7 && IL_CHART_N_SERIES == 8);

static gboolean
lookup (GtkStyleContext *context,
        const char      *name,
        GdkRGBA         *out)
{
  gboolean found;

  /* GTK 4.10 deprecates named colours without a replacement that reads a
   * @define-color by name; the floor is 4.8, so this stays the one call. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  found = gtk_style_context_lookup_color (context, name, out);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return found;
}

const char *
il_chart_colors_missing (GtkWidget *widget)
{
  GtkStyleContext *context;
  GdkRGBA          color;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (widget);
  G_GNUC_END_IGNORE_DEPRECATIONS
  for (guint i = 0; i < G_N_ELEMENTS (palette); i++)
    if (!lookup (context, palette[i].name, &color))
      return palette[i].name;
  return NULL;
}

void
il_chart_colors_fill (IlChartColors *c,
                      GtkWidget     *widget)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkStyleContext *context;
  gboolean         hc = adw_style_manager_get_high_contrast (manager);
  GdkRGBA          color;
  static gboolean  warned;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  memset (c, 0, sizeof *c);
  c->dark = adw_style_manager_get_dark (manager);
  c->high_contrast = hc;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (widget);
  gtk_style_context_get_color (context, &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  c->fg = color;
  lookup (context, "view_fg_color", &c->fg);
  if (!lookup (context, "view_bg_color", &c->bg))
    c->bg = (GdkRGBA){ 1 - c->fg.red, 1 - c->fg.green, 1 - c->fg.blue, 1 };
  if (!lookup (context, "accent_color", &c->accent))
    c->accent = c->fg;
  if (hc)
    c->fg.alpha = 1.0f;

  for (guint i = 0; i < G_N_ELEMENTS (palette); i++)
    {
      GdkRGBA *out = G_STRUCT_MEMBER_P (c, palette[i].offset);

      if (!lookup (context, palette[i].name, out))
        {
          /* Only without the app's stylesheet (a program that is not
           * IlApplication and did not load it): say so once, draw in the
           * text colour rather than in a made-up one. */
          if (!warned)
            g_warning ("The palette colour @%s is not defined: is the app's stylesheet loaded?", palette[i].name);
          warned = TRUE;
          *out = c->fg;
        }
    }

  c->dim = c->fg;
  c->dim.alpha = hc ? 0.85f : 0.6f;
  c->grid = c->fg;
  c->grid.alpha = hc ? 0.35f : 0.12f;
  c->overhead = c->fg;
  c->overhead.alpha = 1.0f;
}

/* ------------------------------------------------------------------------ */

static void
il_chart_refresh_colors (IlChart *self)
{
  IlChartPrivate *priv = il_chart_get_instance_private (self);

  il_chart_colors_fill (&priv->colors, GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
il_chart_style_changed_cb (IlChart *self)
{
  il_chart_refresh_colors (self);
}

static void
il_chart_css_changed (GtkWidget         *widget,
                      GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (il_chart_parent_class)->css_changed (widget, change);
  il_chart_refresh_colors (IL_CHART (widget));
}

static void
il_chart_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  IlChart        *self = IL_CHART (widget);
  IlChartPrivate *priv = il_chart_get_instance_private (self);
  int             width = gtk_widget_get_width (widget);
  int             height = gtk_widget_get_height (widget);
  cairo_t        *cr;

  if (width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  il_chart_draw (self, cr, width, height, &priv->colors);
  cairo_destroy (cr);
}

static void
il_chart_measure (GtkWidget     *widget,
                  GtkOrientation orientation,
                  int            for_size,
                  int           *minimum,
                  int           *natural,
                  int           *minimum_baseline,
                  int           *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 640;
    }
  else
    {
      *minimum = 120;
      *natural = 200;
    }
}

static void
il_chart_dispose (GObject *object)
{
  IlChart        *self = IL_CHART (object);
  IlChartPrivate *priv = il_chart_get_instance_private (self);

  g_clear_handle_id (&priv->description_timeout, g_source_remove);

  G_OBJECT_CLASS (il_chart_parent_class)->dispose (object);
}

static void
il_chart_finalize (GObject *object)
{
  IlChart        *self = IL_CHART (object);
  IlChartPrivate *priv = il_chart_get_instance_private (self);

  g_clear_pointer (&priv->title, g_free);
  g_clear_pointer (&priv->description, g_free);

  G_OBJECT_CLASS (il_chart_parent_class)->finalize (object);
}

static void
il_chart_class_init (IlChartClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_chart_dispose;
  object_class->finalize = il_chart_finalize;
  widget_class->snapshot = il_chart_snapshot;
  widget_class->measure = il_chart_measure;
  widget_class->css_changed = il_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "ilchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
il_chart_init (IlChart *self)
{
  IlChartPrivate  *priv = il_chart_get_instance_private (self);
  AdwStyleManager *manager = adw_style_manager_get_default ();

  il_chart_colors_fill (&priv->colors, GTK_WIDGET (self));
  /* css_changed covers theme switches and the style sheets AdwApplication
   * swaps for dark and high contrast; the style manager's notifications
   * are kept for the flags in IlChartColors. */
  g_signal_connect_object (manager, "notify::dark",
                           G_CALLBACK (il_chart_style_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::high-contrast",
                           G_CALLBACK (il_chart_style_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
}

void
il_chart_draw (IlChart             *self,
               cairo_t             *cr,
               int                  width,
               int                  height,
               const IlChartColors *colors)
{
  g_return_if_fail (IL_IS_CHART (self));

  cairo_save (cr);
  il_chart_set_source (cr, &colors->bg, 1.0);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
  if (IL_CHART_GET_CLASS (self)->draw != NULL)
    IL_CHART_GET_CLASS (self)->draw (self, cr, width, height, colors);
  cairo_restore (cr);
}

static void
update_description (IlChart *self)
{
  IlChartPrivate  *priv = il_chart_get_instance_private (self);
  g_autofree char *text = NULL;

  priv->description_time = g_get_monotonic_time ();
  if (IL_CHART_GET_CLASS (self)->describe != NULL)
    text = IL_CHART_GET_CLASS (self)->describe (self);
  if (g_strcmp0 (text, priv->description) == 0)
    return;
  g_free (priv->description);
  priv->description = g_steal_pointer (&text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  priv->description != NULL ? priv->description : "",
                                  -1);
}

static gboolean
description_timeout_cb (gpointer data)
{
  IlChart        *self = data;
  IlChartPrivate *priv = il_chart_get_instance_private (self);

  priv->description_timeout = 0;
  update_description (self);
  return G_SOURCE_REMOVE;
}

void
il_chart_invalidate (IlChart *self,
                     gboolean now)
{
  IlChartPrivate *priv;

  g_return_if_fail (IL_IS_CHART (self));
  priv = il_chart_get_instance_private (self);

  gtk_widget_queue_draw (GTK_WIDGET (self));

  /* Assistive technologies need the gist, not 60 updates a second. */
  if (now || g_get_monotonic_time () - priv->description_time > G_USEC_PER_SEC / 2)
    {
      g_clear_handle_id (&priv->description_timeout, g_source_remove);
      update_description (self);
    }
  else if (priv->description_timeout == 0)
    {
      priv->description_timeout = g_timeout_add (500, description_timeout_cb, self);
    }
}

const IlChartColors *
il_chart_get_colors (IlChart *self)
{
  IlChartPrivate *priv;

  g_return_val_if_fail (IL_IS_CHART (self), NULL);
  priv = il_chart_get_instance_private (self);
  return &priv->colors;
}

const char *
il_chart_get_description (IlChart *self)
{
  IlChartPrivate *priv;

  g_return_val_if_fail (IL_IS_CHART (self), NULL);
  priv = il_chart_get_instance_private (self);
  return priv->description;
}

void
il_chart_set_title (IlChart    *self,
                    const char *title)
{
  IlChartPrivate *priv;

  g_return_if_fail (IL_IS_CHART (self));
  priv = il_chart_get_instance_private (self);
  if (g_strcmp0 (priv->title, title) == 0)
    return;
  g_free (priv->title);
  priv->title = g_strdup (title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title != NULL ? title : "",
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
il_chart_get_title (IlChart *self)
{
  IlChartPrivate *priv;

  g_return_val_if_fail (IL_IS_CHART (self), NULL);
  priv = il_chart_get_instance_private (self);
  return priv->title;
}

/* ------------------------------------------------------------------------ */
/* Export */

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
  IlChartPrivate *priv;
  int             width;

  g_return_val_if_fail (IL_IS_CHART (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  priv = il_chart_get_instance_private (self);

  width = gtk_widget_get_width (GTK_WIDGET (self));
  if (width <= 0)
    width = 800;
  g_ptr_array_add (charts, self);
  /* One chart: exactly what is on screen. */
  return export_stack (charts, width, &priv->colors, TRUE, NULL, NULL, file, format, error);
}

/* ------------------------------------------------------------------------ */
/* Drawing helpers */

void
il_chart_set_source (cairo_t       *cr,
                     const GdkRGBA *color,
                     double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

/* Text is laid out once and kept: the live charts draw the same axis
 * labels every frame, and shaping them again costs more than the bars.
 * One main-thread cache, emptied when it grows past a bound. */
#define LAYOUT_CACHE_MAX 1024

static PangoLayout *
make_layout (cairo_t    *cr,
             const char *text,
             double      scale,
             gboolean    bold)
{
  static PangoContext         *context;
  static GHashTable           *cache;
  static PangoFontDescription *base;
  g_autoptr(PangoFontDescription) font = NULL;
  g_autofree char *key = NULL;
  PangoLayout     *layout;

  if (context == NULL)
    {
      cairo_font_options_t *options = cairo_font_options_create ();

      context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
      pango_cairo_context_set_resolution (context, 96);
      /* Grey-scale antialiasing and no hinting: the same glyphs on screen,
       * in PNG and in SVG. */
      cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
      cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
      pango_cairo_context_set_font_options (context, options);
      cairo_font_options_destroy (options);
      cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      base = pango_font_description_from_string ("Sans 9");
    }

  key = g_strdup_printf ("%.2f|%d|%s", scale, bold, text);
  layout = g_hash_table_lookup (cache, key);
  if (layout != NULL)
    return g_object_ref (layout);

  if (g_hash_table_size (cache) >= LAYOUT_CACHE_MAX)
    g_hash_table_remove_all (cache);

  layout = pango_layout_new (context);
  font = pango_font_description_copy_static (base);
  pango_font_description_set_size (font, (int) (pango_font_description_get_size (base) * scale));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  g_hash_table_insert (cache, g_steal_pointer (&key), g_object_ref (layout));
  return layout;
}

double
il_chart_text (cairo_t       *cr,
               const char    *text,
               double         x,
               double         y,
               double         xalign,
               double         yalign,
               double         scale,
               gboolean       bold,
               const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = make_layout (cr, text, scale, bold);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  il_chart_set_source (cr, color, 1.0);
  cairo_move_to (cr, round (x - w * xalign), round (y - h * yalign));
  pango_cairo_show_layout (cr, layout);
  cairo_new_path (cr);
  return w;
}

double
il_chart_text_width (cairo_t    *cr,
                     const char *text,
                     double      scale)
{
  g_autoptr(PangoLayout) layout = make_layout (cr, text, scale, FALSE);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  return w;
}

double
il_chart_legend_item (cairo_t       *cr,
                      double         x,
                      double         y,
                      const GdkRGBA *swatch,
                      gboolean       line,
                      gboolean       dashed,
                      const char    *label,
                      const GdkRGBA *fg)
{
  double w;

  cairo_save (cr);
  il_chart_set_source (cr, swatch, 1.0);
  if (line)
    {
      static const double dash[] = { 4, 3 };

      cairo_set_line_width (cr, 2);
      if (dashed)
        cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, x, y + 0.5);
      cairo_line_to (cr, x + 14, y + 0.5);
      cairo_stroke (cr);
    }
  else
    {
      cairo_rectangle (cr, x, y - 5, 12, 10);
      cairo_fill (cr);
    }
  cairo_restore (cr);
  w = il_chart_text (cr, label, x + 18, y, 0, 0.5, 0.9, FALSE, fg);
  return 18 + w + 14;
}
