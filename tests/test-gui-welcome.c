/* test-gui-welcome.c — the welcome page lists recent experiments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "il-welcome-page.h"

#include "il-test-utils.h"

static guint
count_rows (GtkWidget *widget)
{
  guint n = 0;

  if (GTK_IS_LIST_BOX_ROW (widget))
    return 1;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += count_rows (c);
  return n;
}

/* Several recent .interleave files are sorted by date: GTK 4 lends the dates
 * (transfer none), and unreffing them crashed the page. */
static void
test_recent_sorted (void)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  g_autofree char  *dir = g_dir_make_tmp ("il-welcome-XXXXXX", NULL);
  GtkWidget        *page;
  guint             before, after;

  page = il_welcome_page_new ();
  g_object_ref_sink (page);
  before = count_rows (page);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("recent-%u.interleave", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);

      g_assert_true (g_file_set_contents (path, "{}", -1, NULL));
      g_assert_true (gtk_recent_manager_add_item (manager, uri));
    }
  /* Adding is asynchronous (GTK asks GIO for the file's type first). */
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    do
      {
        g_main_context_iteration (NULL, FALSE);
        il_welcome_page_refresh_recent (IL_WELCOME_PAGE (page));
      }
    while (count_rows (page) < before + 3 && g_get_monotonic_time () < deadline);
  }
  il_welcome_page_refresh_recent (IL_WELCOME_PAGE (page));
  after = count_rows (page);
  g_assert_cmpuint (after, >=, before + 3);

  g_object_unref (page);
}

int
main (int    argc,
      char **argv)
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/welcome/recent-sorted", test_recent_sorted);

  return g_test_run ();
}
