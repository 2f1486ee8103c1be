/* il-results-table.c — one row per run: the figures the CLI's table prints (docs/cli.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows hold preformatted text: the table is read, not sorted or edited, and
 * formatting once keeps binding cheap when rows scroll.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-results-table.h"

#define IL_TYPE_RESULT_ROW (il_result_row_get_type ())
G_DECLARE_FINAL_TYPE (IlResultRow, il_result_row, IL, RESULT_ROW, GObject)

struct _IlResultRow
{
  GObject parent_instance;
  char   *text[IL_N_RESULTS_COLUMNS];
};

G_DEFINE_FINAL_TYPE (IlResultRow, il_result_row, G_TYPE_OBJECT)

static void
il_result_row_finalize (GObject *object)
{
  IlResultRow *self = IL_RESULT_ROW (object);

  for (guint i = 0; i < IL_N_RESULTS_COLUMNS; i++)
    g_free (self->text[i]);
  G_OBJECT_CLASS (il_result_row_parent_class)->finalize (object);
}

static void
il_result_row_class_init (IlResultRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = il_result_row_finalize;
}

static void
il_result_row_init (IlResultRow *self)
{
}

struct _IlResultsTable
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget     *box;
  GtkLabel      *title_label;
  GtkColumnView *column_view;
  GtkLabel      *notes_label;

  /* owned */
  GListStore *rows;
};

G_DEFINE_FINAL_TYPE (IlResultsTable, il_results_table, GTK_TYPE_WIDGET)

static IlResultRow *
il_result_row_new (const IlRunResult *run)
{
  IlResultRow *row = g_object_new (IL_TYPE_RESULT_ROW, NULL);

  for (guint i = 0; i < IL_N_RESULTS_COLUMNS; i++)
    row->text[i] = il_results_format_cell (run, i);
  if (run->summary.failed_tasks > 0)
    {
      g_autofree char *checksum = row->text[IL_RESULTS_COLUMN_CHECKSUM];
      g_autofree char *failed = il_format_failed_tasks (run->summary.failed_tasks);

      row->text[IL_RESULTS_COLUMN_CHECKSUM] = g_strdup_printf ("%s (%s)", checksum, failed);
    }
  {
    g_autofree char *cancelled = il_format_cancelled_repetitions (run);

    if (cancelled != NULL)
      {
        g_autofree char *checksum = row->text[IL_RESULTS_COLUMN_CHECKSUM];

        row->text[IL_RESULTS_COLUMN_CHECKSUM] = g_strdup_printf ("%s (%s)", checksum, cancelled);
      }
  }
  return row;
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  guint      column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == IL_RESULTS_COLUMN_LABEL ? 0.0 : 1.0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  if (column != IL_RESULTS_COLUMN_LABEL)
    gtk_widget_add_css_class (label, "numeric");
  if (column == IL_RESULTS_COLUMN_CHECKSUM)
    gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  guint        column = GPOINTER_TO_UINT (user_data);
  IlResultRow *row = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), row->text[column]);
}

static void
il_set_wrapped_tooltip (GtkWidget  *widget,
                        const char *text)
{
  g_autofree char *wrapped = il_format_wrap (text, 60);

  gtk_widget_set_tooltip_text (widget, wrapped);
}

/* GTK 4.8 gives a column no tooltip: the header's title widgets, one per
 * column in order, get what the column means (il_results_column_description,
 * the CLI's help prints the same). */
static void
set_header_tooltips (IlResultsTable *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      guint column = 0;

      if (g_strcmp0 (gtk_widget_get_css_name (child), "header") != 0)
        continue;
      for (GtkWidget *title = gtk_widget_get_first_child (child);
           title != NULL && column < IL_N_RESULTS_COLUMNS;
           title = gtk_widget_get_next_sibling (title), column++)
        {
          /* GTK 4.8 does not wrap a tooltip's text. */
          g_autofree char *wrapped = il_format_wrap (il_results_column_description (column), 60);

          gtk_widget_set_tooltip_text (title, wrapped);
          gtk_accessible_update_property (GTK_ACCESSIBLE (title), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                          il_results_column_description (column), -1);
        }
    }
}

const char *
il_results_table_get_header_tooltip (IlResultsTable *self,
                                     IlResultsColumn column)
{
  guint i = 0;

  g_return_val_if_fail (IL_IS_RESULTS_TABLE (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (g_strcmp0 (gtk_widget_get_css_name (child), "header") != 0)
        continue;
      for (GtkWidget *title = gtk_widget_get_first_child (child); title != NULL;
           title = gtk_widget_get_next_sibling (title), i++)
        if (i == column)
          return gtk_widget_get_tooltip_text (title);
    }
  return NULL;
}

static void
il_results_table_dispose (GObject *object)
{
  IlResultsTable *self = IL_RESULTS_TABLE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_RESULTS_TABLE);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (il_results_table_parent_class)->dispose (object);
}

static void
il_results_table_class_init (IlResultsTableClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_results_table_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-results-table.ui");
  gtk_widget_class_bind_template_child (widget_class, IlResultsTable, box);
  gtk_widget_class_bind_template_child (widget_class, IlResultsTable, title_label);
  gtk_widget_class_bind_template_child (widget_class, IlResultsTable, column_view);
  gtk_widget_class_bind_template_child (widget_class, IlResultsTable, notes_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
il_results_table_init (IlResultsTable *self)
{
  const char *titles[IL_N_RESULTS_COLUMNS] = {
    N_("Run"), N_("Makespan (min–max)"), N_("Speedup"), N_("Latency mean / p95"),
                                                               N_("CPU Time"), N_("Context Switches"), N_("Checksum"),
                                                               };
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_list_store_new (IL_TYPE_RESULT_ROW);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  for (guint i = 0; i < IL_N_RESULTS_COLUMNS; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (i));
      /* "Run" is also the verb on the Run button: a context of its own
       * lets a translation tell the noun apart. */
      column = gtk_column_view_column_new (i == IL_RESULTS_COLUMN_LABEL ? C_ ("results column", "Run") : _(titles[i]), factory);
      gtk_column_view_column_set_expand (column, i == IL_RESULTS_COLUMN_LABEL);
      gtk_column_view_append_column (self->column_view, column);
    }
  set_header_tooltips (self);
  il_set_wrapped_tooltip (GTK_WIDGET (self->notes_label),
                          _("Lost updates: increments of a shared counter that another worker's write "
                                 "overwrote (counter blocks). Context switches of yield blocks: how often the "
                                 "yielding threads gave up the CPU, and what one switch cost. From the median "
                                 "repetition"));
}

GtkWidget *
il_results_table_new (void)
{
  return g_object_new (IL_TYPE_RESULTS_TABLE, NULL);
}

void
il_results_table_set_results (IlResultsTable  *self,
                              const IlResults *results,
                              const char      *title)
{
  g_return_if_fail (IL_IS_RESULTS_TABLE (self));

  g_list_store_remove_all (self->rows);
  gtk_label_set_label (self->title_label, title ? title : "");
  gtk_widget_set_visible (GTK_WIDGET (self->title_label), title != NULL && title[0] != '\0');
  gtk_label_set_label (self->notes_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->notes_label), FALSE);
  if (results == NULL)
    return;
  for (guint i = 0; i < results->runs->len; i++)
    {
      g_autoptr(IlResultRow) row = il_result_row_new (g_ptr_array_index (results->runs, i));

      g_list_store_append (self->rows, row);
    }

  /* Lost updates and context switches, as the CLI prints them under its
   * table (il_results_append_notes). */
  {
    g_autoptr(GString) notes = g_string_new (NULL);

    il_results_append_notes (notes, results, FALSE);
    g_strstrip (notes->str);
    gtk_label_set_label (self->notes_label, notes->str);
    gtk_widget_set_visible (GTK_WIDGET (self->notes_label), notes->str[0] != '\0');
  }
}

const char *
il_results_table_get_notes (IlResultsTable *self)
{
  g_return_val_if_fail (IL_IS_RESULTS_TABLE (self), NULL);
  return gtk_label_get_label (self->notes_label);
}

guint
il_results_table_get_n_rows (IlResultsTable *self)
{
  g_return_val_if_fail (IL_IS_RESULTS_TABLE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->rows));
}

const char *
il_results_table_get_text (IlResultsTable *self,
                           guint           row,
                           IlResultsColumn column)
{
  g_autoptr(IlResultRow) item = NULL;

  g_return_val_if_fail (IL_IS_RESULTS_TABLE (self), NULL);
  g_return_val_if_fail (column < IL_N_RESULTS_COLUMNS, NULL);

  item = g_list_model_get_item (G_LIST_MODEL (self->rows), row);
  /* The store keeps the row alive after our reference is dropped. */
  return item ? item->text[column] : NULL;
}
