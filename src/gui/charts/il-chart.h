/* il-chart.h — base of every chart: theme colours, accessible description,
 * one cairo draw function used both on screen and for export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Subclassing is the point here (STYLE.md): each chart only implements
 * draw() and describe(); the base turns draw() into a snapshot, into PNG and
 * SVG files, and keeps colours in step with dark mode and high contrast.
 */
#pragma once

#include <gtk/gtk.h>

#include "il-experiment.h"

G_BEGIN_DECLS

#define IL_CHART_N_SERIES 8

typedef struct
{
  GdkRGBA  fg;  /* text, axes */
  GdkRGBA  dim; /* secondary text, grid */
  GdkRGBA  grid;
  GdkRGBA  bg; /* chart background (view_bg_color) */
  GdkRGBA  accent;
  GdkRGBA  block[IL_N_BLOCK_TYPES];
  GdkRGBA  ready;   /* waiting for a core */
  GdkRGBA  blocked; /* sleeping / I/O */
  GdkRGBA  gil_wait;
  GdkRGBA  lock_wait; /* waiting for a counter block's lock */
  GdkRGBA  gil_hold;  /* il_state_gil_held */
  GdkRGBA  failed;
  GdkRGBA  series[IL_CHART_N_SERIES];
  GdkRGBA  overhead; /* Interleave's own CPU share */
  GdkRGBA  recorded; /* the author's recorded results */
  gboolean dark;
  gboolean high_contrast;
} IlChartColors;

/* The style's colours for @widget: the palette's named colours
 * (ui/style.css and its dark and high-contrast variants) and libadwaita's
 * view and accent colours, as the style context resolves them now. */
void il_chart_colors_fill (IlChartColors *colors,
                           GtkWidget     *widget);
/* The first palette colour the stylesheets loaded for @widget do not
 * define, or %NULL when all are there. */
const char *il_chart_colors_missing (GtkWidget *widget);

#define IL_TYPE_CHART (il_chart_get_type ())
G_DECLARE_DERIVABLE_TYPE (IlChart, il_chart, IL, CHART, GtkWidget)

struct _IlChartClass
{
  GtkWidgetClass parent_class;

  /* Draws the whole chart in (0, 0, width, height). Called from snapshot and
   * from export: no widget state beyond the data may be used. */
  void (*draw) (IlChart             *self,
                cairo_t             *cr,
                int                  width,
                int                  height,
                const IlChartColors *colors);
  /* The accessible description: what the chart shows, in one sentence. */
  char *(*describe) (IlChart *self);

  gpointer padding[4];
};

void il_chart_draw (IlChart             *self,
                    cairo_t             *cr,
                    int                  width,
                    int                  height,
                    const IlChartColors *colors);
/* Queues a redraw and refreshes the accessible description (at most a few
 * times per second unless @now). */
void                 il_chart_invalidate (IlChart *self,
                                          gboolean now);
const IlChartColors *il_chart_get_colors (IlChart *self);
/* The description last given to assistive technologies. */
const char *il_chart_get_description (IlChart *self);
/* The label (also the accessible label). */
void        il_chart_set_title (IlChart    *self,
                                const char *title);
const char *il_chart_get_title (IlChart *self);

/* PNG or SVG of the chart alone, at the widget's size (or 800 × its
 * natural height when not allocated). */
gboolean il_chart_export (IlChart    *self,
                          GFile      *file,
                          const char *format,
                          GError    **error);

/* Several charts stacked vertically into one file (results and live views):
 * @charts are IlChart*, each drawn at @width × its allocated height, or its
 * natural height when smaller (no empty band under a stretched chart). */
gboolean il_chart_export_stack (GPtrArray           *charts,
                                int                  width,
                                const IlChartColors *colors,
                                GFile               *file,
                                const char          *format,
                                GError             **error);

/* The same under a caption band: @title (bold), then @caption (nullable:
 * who measured, when). The file carries both as text too: an SVG's <title>
 * and <desc>, a PNG's Title and Description (iTXt). */
gboolean il_chart_export_stack_captioned (GPtrArray           *charts,
                                          int                  width,
                                          const IlChartColors *colors,
                                          const char          *title,
                                          const char          *caption,
                                          GFile               *file,
                                          const char          *format,
                                          GError             **error);
/* How much taller than its charts a captioned export is, px. */
int il_chart_export_caption_height (void);

/* ---- drawing helpers shared by the charts ---- */
void il_chart_set_source (cairo_t       *cr,
                          const GdkRGBA *color,
                          double         alpha);
/* Draws @text with its top-left (or, by @xalign/@yalign in 0 … 1, another
 * anchor) at x, y; returns the text's width. @scale 1.0 is the base size. */
double il_chart_text (cairo_t       *cr,
                      const char    *text,
                      double         x,
                      double         y,
                      double         xalign,
                      double         yalign,
                      double         scale,
                      gboolean       bold,
                      const GdkRGBA *color);
double il_chart_text_width (cairo_t    *cr,
                            const char *text,
                            double      scale);
/* Legend item: a swatch and a label; returns the advance. */
double il_chart_legend_item (cairo_t       *cr,
                             double         x,
                             double         y,
                             const GdkRGBA *swatch,
                             gboolean       line,
                             gboolean       dashed,
                             const char    *label,
                             const GdkRGBA *fg);

G_END_DECLS
