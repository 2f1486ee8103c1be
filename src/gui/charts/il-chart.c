/* il-chart.c — base of every chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "il-chart.h"

#include <adwaita.h>
#include <math.h>
#include <pango/pangocairo.h>

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
