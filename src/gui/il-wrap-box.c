/* il-wrap-box.c — a row of widgets that wraps onto more lines when narrow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lines are broken on the children's minimum widths, so that whatever a
 * horizontal GtkBox of the same children could show on one line stays on
 * one line; each line is then allocated as GtkBox would (minimum widths,
 * then towards natural widths, then the rest to expanding children).
 */
#include "config.h"

#include "il-wrap-box.h"

struct _IlWrapBox
{
  GtkWidget parent_instance;

  int      spacing;
  int      row_spacing;
  gboolean homogeneous;
  guint    n_lines;
};

G_DEFINE_FINAL_TYPE (IlWrapBox, il_wrap_box, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SPACING,
  PROP_ROW_SPACING,
  PROP_HOMOGENEOUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  GtkWidget *widget;
  int        min;
  int        nat;
  int        width; /* allocated in its line */
  gboolean   expand;
  gboolean   glued; /* never starts a line: it belongs to the one before */
} Item;

/* A field a label can name: an entry, a spin button, a drop-down. */
static gboolean
is_field (GtkWidget *widget)
{
  return GTK_IS_EDITABLE (widget) || GTK_IS_DROP_DOWN (widget);
}

/* A dim label, this app's caption of a field, stays on the line of the
 * field it names. After a spin button that no other spin button follows,
 * it is that spin button's unit ([10] "units", [30] "ms" [url]); otherwise
 * it names the field after it ("Repeat" [12], [12] "Payload" [0],
 * "Workers" [2, 4]). Other labels (a block's type, a heading) do not hold
 * on to a field. */
static gboolean
is_caption (GtkWidget *widget)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "dim-label");
}

static void
glue_labels (GArray *items)
{
  gboolean unit = FALSE; /* the previous item is a caption taken as a unit */

  for (guint i = 1; i < items->len; i++)
    {
      Item      *item = &g_array_index (items, Item, i);
      GtkWidget *before = g_array_index (items, Item, i - 1).widget;
      GtkWidget *after = i + 1 < items->len ? g_array_index (items, Item, i + 1).widget : NULL;
      gboolean   was_unit = unit;

      unit = FALSE;
      if (is_caption (item->widget) && GTK_IS_SPIN_BUTTON (before) && !GTK_IS_SPIN_BUTTON (after))
        item->glued = unit = TRUE;
      else if (is_caption (before) && !was_unit && is_field (item->widget))
        item->glued = TRUE;
    }
}

/* The visible children with their horizontal sizes. */
static GArray *
collect_items (IlWrapBox *self)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (Item));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      Item item = { child, 0, 0, 0, FALSE, FALSE };

      if (!gtk_widget_should_layout (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &item.min, &item.nat, NULL, NULL);
      item.expand = gtk_widget_compute_expand (child, GTK_ORIENTATION_HORIZONTAL);
      g_array_append_val (items, item);
    }
  glue_labels (items);
  /* Homogeneous: every child asks for the most any of them asks for. */
  if (self->homogeneous)
    {
      int min = 0;
      int nat = 0;

      for (guint i = 0; i < items->len; i++)
        {
          min = MAX (min, g_array_index (items, Item, i).min);
          nat = MAX (nat, g_array_index (items, Item, i).nat);
        }
      for (guint i = 0; i < items->len; i++)
        {
          g_array_index (items, Item, i).min = min;
          g_array_index (items, Item, i).nat = nat;
        }
    }
  return items;
}

/* The index after the last item glued to the one at @start, and their
 * minimum width on one line. */
static guint
segment_end (IlWrapBox *self,
             GArray    *items,
             guint      start,
             int       *width)
{
  guint i = start + 1;

  *width = g_array_index (items, Item, start).min;
  for (; i < items->len && g_array_index (items, Item, i).glued; i++)
    *width += self->spacing + g_array_index (items, Item, i).min;
  return i;
}

/* The index after the last item of the line that starts at @start. */
static guint
line_end (IlWrapBox *self,
          GArray    *items,
          guint      start,
          int        width)
{
  int   used = 0;
  guint i = start;

  while (i < items->len)
    {
      int   need = 0;
      guint end = segment_end (self, items, i, &need);

      if (i > start)
        need += self->spacing;
      if (i > start && used + need > width)
        break;
      used += need;
      i = end;
    }
  return i;
}

/* Sets the widths of items [@start, @end) in a line @width wide. */
static void
distribute_line (IlWrapBox *self,
                 GArray    *items,
                 guint      start,
                 guint      end,
                 int        width)
{
  guint                        n = end - start;
  g_autofree GtkRequestedSize *sizes = g_new0 (GtkRequestedSize, n);
  int                          extra = width - self->spacing * (int) (n - 1);
  guint                        n_expand = 0;

  if (self->homogeneous)
    {
      for (guint i = 0; i < n; i++)
        g_array_index (items, Item, start + i).width = extra / (int) n + (i < (guint) (extra % (int) n) ? 1 : 0);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      Item *item = &g_array_index (items, Item, start + i);

      sizes[i].data = item;
      sizes[i].minimum_size = item->min;
      sizes[i].natural_size = item->nat;
      extra -= item->min;
      if (item->expand)
        n_expand++;
    }
  if (extra > 0)
    extra = gtk_distribute_natural_allocation (extra, n, sizes);
  /* What is left goes to the expanding children, the remainder of the
   * division to the first of them. */
  for (guint i = 0, k = 0; i < n; i++)
    {
      Item *item = &g_array_index (items, Item, start + i);
      int   share = 0;

      if (extra > 0 && item->expand)
        {
          share = extra / (int) n_expand + (k < (guint) (extra % (int) n_expand) ? 1 : 0);
          k++;
        }
      item->width = sizes[i].minimum_size + share;
    }
}

/* The height of the line's tallest child at its width in the line. */
static void
measure_line (GArray *items,
              guint   start,
              guint   end,
              int    *minimum,
              int    *natural)
{
  *minimum = 0;
  *natural = 0;
  for (guint i = start; i < end; i++)
    {
      const Item *item = &g_array_index (items, Item, i);
      int         min = 0;
      int         nat = 0;

      gtk_widget_measure (item->widget, GTK_ORIENTATION_VERTICAL, item->width, &min, &nat, NULL, NULL);
      *minimum = MAX (*minimum, min);
      *natural = MAX (*natural, nat);
    }
}

/* Lays @items out @width wide; returns the number of lines and their
 * total heights. */
static guint
layout (IlWrapBox *self,
        GArray    *items,
        int        width,
        int       *minimum,
        int       *natural)
{
  guint lines = 0;

  *minimum = 0;
  *natural = 0;
  for (guint start = 0; start < items->len;)
    {
      guint end = line_end (self, items, start, width);
      int   min = 0;
      int   nat = 0;

      distribute_line (self, items, start, end, width);
      measure_line (items, start, end, &min, &nat);
      if (lines > 0)
        {
          *minimum += self->row_spacing;
          *natural += self->row_spacing;
        }
      *minimum += min;
      *natural += nat;
      lines++;
      start = end;
    }
  return lines;
}

static GtkSizeRequestMode
il_wrap_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
il_wrap_box_measure (GtkWidget     *widget,
                     GtkOrientation orientation,
                     int            for_size,
                     int           *minimum,
                     int           *natural,
                     int           *minimum_baseline,
                     int           *natural_baseline)
{
  IlWrapBox *self = IL_WRAP_BOX (widget);
  g_autoptr(GArray) items = collect_items (self);

  *minimum = 0;
  *natural = 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* At least the widest run of glued children; at best everything
       * on one line. */
      for (guint i = 0; i < items->len;)
        {
          int width = 0;

          i = segment_end (self, items, i, &width);
          *minimum = MAX (*minimum, width);
        }
      for (guint i = 0; i < items->len; i++)
        *natural += g_array_index (items, Item, i).nat + (i > 0 ? self->spacing : 0);
    }
  else
    {
      int min_width = 0;
      int nat_width = 0;
      int unused = 0;

      if (for_size >= 0)
        {
          layout (self, items, for_size, minimum, natural);
          return;
        }
      /* Unconstrained, as for a wrapping GtkLabel: the least height is
       * that of the narrowest layout, the natural one that of one line. */
      il_wrap_box_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, &nat_width, NULL, NULL);
      layout (self, items, min_width, minimum, &unused);
      layout (self, items, nat_width, &unused, natural);
      *natural = MAX (*natural, *minimum);
    }
}

/* Whether a child of the line that starts at @start expands vertically. */
static gboolean
line_expands (IlWrapBox *self,
              GArray    *items,
              guint      start,
              int        width)
{
  guint end = line_end (self, items, start, width);

  for (guint i = start; i < end; i++)
    if (gtk_widget_compute_expand (g_array_index (items, Item, i).widget, GTK_ORIENTATION_VERTICAL))
      return TRUE;
  return FALSE;
}

static void
il_wrap_box_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  IlWrapBox *self = IL_WRAP_BOX (widget);
  g_autoptr(GArray) items = collect_items (self);
  g_autoptr(GArray) lines = g_array_new (FALSE, TRUE, sizeof (GtkRequestedSize));
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int      extra = height;
  int      y = 0;
  guint    start = 0;

  /* The lines get their minimum heights, then what is left towards their
   * natural heights, like the children of a vertical GtkBox. */
  for (start = 0; start < items->len;)
    {
      GtkRequestedSize line = { GUINT_TO_POINTER (start), 0, 0 };
      guint            end = line_end (self, items, start, width);

      distribute_line (self, items, start, end, width);
      measure_line (items, start, end, &line.minimum_size, &line.natural_size);
      extra -= line.minimum_size + (lines->len > 0 ? self->row_spacing : 0);
      g_array_append_val (lines, line);
      start = end;
    }
  if (extra > 0 && lines->len > 0)
    extra = gtk_distribute_natural_allocation (extra, lines->len, (GtkRequestedSize *) (gpointer) lines->data);
  /* The rest goes to the lines with a child that expands vertically (the
   * live curves fill the height their row is given). */
  if (extra > 0)
    {
      guint n_expand = 0;

      for (guint l = 0; l < lines->len; l++)
        if (line_expands (self, items, GPOINTER_TO_UINT (g_array_index (lines, GtkRequestedSize, l).data), width))
          n_expand++;
      for (guint l = 0, k = 0; l < lines->len && n_expand > 0; l++)
        {
          GtkRequestedSize *line = &g_array_index (lines, GtkRequestedSize, l);

          if (!line_expands (self, items, GPOINTER_TO_UINT (line->data), width))
            continue;
          line->minimum_size += extra / (int) n_expand + (k < (guint) (extra % (int) n_expand) ? 1 : 0);
          k++;
        }
    }

  self->n_lines = lines->len;
  for (guint l = 0; l < lines->len; l++)
    {
      const GtkRequestedSize *line = &g_array_index (lines, GtkRequestedSize, l);
      guint                   end;
      int                     x = 0;

      start = GPOINTER_TO_UINT (line->data);
      end = line_end (self, items, start, width);
      distribute_line (self, items, start, end, width);
      for (guint i = start; i < end; i++)
        {
          const Item   *item = &g_array_index (items, Item, i);
          GtkAllocation child = { rtl ? width - x - item->width : x, y, item->width, line->minimum_size };

          gtk_widget_size_allocate (item->widget, &child, -1);
          x += item->width + self->spacing;
        }
      y += line->minimum_size + self->row_spacing;
    }
}

static void
il_wrap_box_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  IlWrapBox *self = IL_WRAP_BOX (object);

  switch (prop_id)
    {
      case PROP_SPACING:
        g_value_set_int (value, self->spacing);
        break;
      case PROP_ROW_SPACING:
        g_value_set_int (value, self->row_spacing);
        break;
      case PROP_HOMOGENEOUS:
        g_value_set_boolean (value, self->homogeneous);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_wrap_box_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  IlWrapBox *self = IL_WRAP_BOX (object);

  switch (prop_id)
    {
      case PROP_SPACING:
        if (self->spacing == g_value_get_int (value))
          return;
        self->spacing = g_value_get_int (value);
        break;
      case PROP_ROW_SPACING:
        if (self->row_spacing == g_value_get_int (value))
          return;
        self->row_spacing = g_value_get_int (value);
        break;
      case PROP_HOMOGENEOUS:
        if (self->homogeneous == g_value_get_boolean (value))
          return;
        self->homogeneous = g_value_get_boolean (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
        return;
    }
  g_object_notify_by_pspec (object, pspec);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
il_wrap_box_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (il_wrap_box_parent_class)->dispose (object);
}

static void
il_wrap_box_class_init (IlWrapBoxClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_wrap_box_dispose;
  object_class->get_property = il_wrap_box_get_property;
  object_class->set_property = il_wrap_box_set_property;
  widget_class->get_request_mode = il_wrap_box_get_request_mode;
  widget_class->measure = il_wrap_box_measure;
  widget_class->size_allocate = il_wrap_box_size_allocate;

  properties[PROP_SPACING] = g_param_spec_int ("spacing", NULL, NULL, 0, G_MAXINT, 0,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROW_SPACING] = g_param_spec_int ("row-spacing", NULL, NULL, 0, G_MAXINT, 0,
                                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOMOGENEOUS] = g_param_spec_boolean ("homogeneous", NULL, NULL, FALSE,
                                                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "box");
}

static void
il_wrap_box_init (IlWrapBox *self)
{
}

GtkWidget *
il_wrap_box_new (int spacing,
                 int row_spacing)
{
  return g_object_new (IL_TYPE_WRAP_BOX, "spacing", spacing, "row-spacing", row_spacing, NULL);
}

void
il_wrap_box_append (IlWrapBox *self,
                    GtkWidget *child)
{
  g_return_if_fail (IL_IS_WRAP_BOX (self));
  g_return_if_fail (GTK_IS_WIDGET (child));
  gtk_widget_set_parent (child, GTK_WIDGET (self));
}

void
il_wrap_box_set_homogeneous (IlWrapBox *self,
                             gboolean   homogeneous)
{
  g_return_if_fail (IL_IS_WRAP_BOX (self));
  g_object_set (self, "homogeneous", homogeneous, NULL);
}

guint
il_wrap_box_get_n_lines (IlWrapBox *self)
{
  g_return_val_if_fail (IL_IS_WRAP_BOX (self), 0);
  return self->n_lines;
}
