/* il-help-window.c — the user guide, in the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The guide is written once, as Mallard pages (the .page files in help/C): installed
 * for Yelp, and compiled into the app's resources for this window, which
 * shows them where Yelp or the installed pages are missing (a build tree,
 * a Flatpak without a help viewer), in the user's language where the guide
 * is translated (help/LANG/ in the resources). It reads the small part of
 * Mallard the pages use: titles, sections, paragraphs, lists, terms, inline
 * emphasis and links, and the index's topic links. Anything else is shown
 * as text.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "il-help-window.h"

#define HELP_RESOURCE_DIR "/io/github/interleave/Interleave/help/"

typedef enum
{
  BLOCK_TITLE,
  BLOCK_HEADING,
  BLOCK_PARA,
  BLOCK_TERM,
  BLOCK_TERM_PARA,
  BLOCK_BULLET,
  BLOCK_TOPICS,
} BlockKind;

typedef struct
{
  BlockKind kind;
  char     *markup; /* Pango markup; NULL for BLOCK_TOPICS */
} Block;

typedef struct
{
  char      *id;
  char      *title; /* plain text */
  char      *desc;  /* plain text, nullable */
  gboolean   topic; /* listed on the index (a guide link to it) */
  GPtrArray *blocks;
} Page;

struct _IlHelpWindow
{
  AdwWindow parent_instance;

  /* owned */
  GPtrArray *pages; /* Page*, the index first */

  /* borrowed */
  AdwWindowTitle *window_title;
  GtkWidget      *back_button;
  GtkWidget      *scroller;
  GtkWidget      *content;
  const Page     *page;
};

G_DEFINE_FINAL_TYPE (IlHelpWindow, il_help_window, ADW_TYPE_WINDOW)

static void
block_free (gpointer data)
{
  Block *block = data;

  g_free (block->markup);
  g_free (block);
}

static void
page_free (gpointer data)
{
  Page *page = data;

  g_free (page->id);
  g_free (page->title);
  g_free (page->desc);
  g_clear_pointer (&page->blocks, g_ptr_array_unref);
  g_free (page);
}

/* ---------------------------------------------------------------- parsing */

typedef struct
{
  Page    *page;
  GString *text;    /* markup of the block being read */
  int      capture; /* the BlockKind being read, -1: none, -2: desc */
  guint    in_info; /* depth inside <info> */
  GSList  *closers; /* closing markup of open inline elements */
} Parser;

static const char *
parent_of (GMarkupParseContext *context)
{
  const GSList *stack = g_markup_parse_context_get_element_stack (context);

  return stack != NULL && stack->next != NULL ? stack->next->data : "";
}

/* The item's container: "list" or "terms". */
static const char *
grandparent_of (GMarkupParseContext *context)
{
  const GSList *stack = g_markup_parse_context_get_element_stack (context);

  if (stack == NULL || stack->next == NULL || stack->next->next == NULL)
    return "";
  return stack->next->next->data;
}

static const char *
attr (const char **names,
      const char **values,
      const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return values[i];
  return NULL;
}

static void
start_capture (Parser *p,
               int     kind)
{
  p->capture = kind;
  g_string_truncate (p->text, 0);
}

static void
start_element (GMarkupParseContext *context,
               const char          *name,
               const char         **names,
               const char         **values,
               gpointer             data,
               GError             **error)
{
  Parser     *p = data;
  const char *parent = parent_of (context);

  if (g_str_equal (name, "page"))
    {
      g_free (p->page->id);
      p->page->id = g_strdup (attr (names, values, "id"));
      return;
    }
  if (p->in_info > 0 || g_str_equal (name, "info"))
    {
      p->in_info++;
      if (g_str_equal (name, "desc"))
        start_capture (p, -2);
      else if (g_str_equal (name, "link") && g_strcmp0 (attr (names, values, "type"), "guide") == 0 &&
               g_strcmp0 (attr (names, values, "xref"), "index") == 0)
        p->page->topic = TRUE;
      return;
    }

  if (p->capture != -1)
    {
      /* Inline markup inside a block. */
      const char      *open = NULL, *close = NULL;
      g_autofree char *link = NULL;

      if (g_str_equal (name, "em"))
        open = "<i>", close = "</i>";
      else if (g_str_equal (name, "gui") || g_str_equal (name, "sys"))
        open = "<b>", close = "</b>";
      else if (g_str_equal (name, "key") || g_str_equal (name, "code") || g_str_equal (name, "cmd") ||
               g_str_equal (name, "file"))
        open = "<tt>", close = "</tt>";
      else if (g_str_equal (name, "link"))
        {
          const char      *xref = attr (names, values, "xref");
          const char      *href = attr (names, values, "href");
          g_autofree char *target = xref != NULL ? g_strconcat ("xref:", xref, NULL) : g_strdup (href);

          if (target != NULL)
            {
              g_autofree char *escaped = g_markup_escape_text (target, -1);

              link = g_strdup_printf ("<a href=\"%s\">", escaped);
              open = link, close = "</a>";
            }
        }
      if (open != NULL)
        g_string_append (p->text, open);
      p->closers = g_slist_prepend (p->closers, (gpointer) (close != NULL ? close : ""));
      return;
    }

  if (g_str_equal (name, "title"))
    {
      if (g_str_equal (parent, "page"))
        start_capture (p, BLOCK_TITLE);
      else if (g_str_equal (parent, "item"))
        start_capture (p, BLOCK_TERM);
      else
        start_capture (p, BLOCK_HEADING);
    }
  else if (g_str_equal (name, "p"))
    {
      if (g_str_equal (parent, "item") && g_str_equal (grandparent_of (context), "terms"))
        start_capture (p, BLOCK_TERM_PARA);
      else if (g_str_equal (parent, "item"))
        start_capture (p, BLOCK_BULLET);
      else
        start_capture (p, BLOCK_PARA);
    }
}

static void
add_block (Page       *page,
           BlockKind   kind,
           const char *markup)
{
  Block *block = g_new0 (Block, 1);

  block->kind = kind;
  block->markup = g_strdup (markup);
  g_ptr_array_add (page->blocks, block);
}

static void
end_element (GMarkupParseContext *context,
             const char          *name,
             gpointer             data,
             GError             **error)
{
  Parser *p = data;

  if (p->in_info > 0)
    {
      p->in_info--;
      if (g_str_equal (name, "desc") && p->capture == -2)
        {
          p->page->desc = g_strdup (g_strstrip (p->text->str));
          p->capture = -1;
        }
      return;
    }
  if (p->closers != NULL)
    {
      g_string_append (p->text, p->closers->data);
      p->closers = g_slist_delete_link (p->closers, p->closers);
      return;
    }
  if (g_str_equal (name, "links"))
    {
      add_block (p->page, BLOCK_TOPICS, NULL);
      return;
    }
  if (p->capture >= 0 && (g_str_equal (name, "title") || g_str_equal (name, "p")))
    {
      char *markup = g_strstrip (p->text->str);

      if (p->capture == BLOCK_TITLE && p->page->title == NULL)
        {
          char *plain = NULL;

          if (!pango_parse_markup (markup, -1, 0, NULL, &plain, NULL, NULL))
            plain = g_strdup (markup);
          p->page->title = plain;
        }
      add_block (p->page, p->capture, markup);
      p->capture = -1;
    }
}

/* Mallard's text is indented XML: runs of white space are one space. */
static void
text (GMarkupParseContext *context,
      const char          *text,
      gsize                length,
      gpointer             data,
      GError             **error)
{
  Parser          *p = data;
  g_autofree char *escaped = NULL;
  gboolean         space = p->text->len > 0 && p->text->str[p->text->len - 1] == ' ';

  if (p->capture == -1 || (p->in_info > 0 && p->capture != -2))
    return;
  escaped = p->capture == -2 ? g_strndup (text, length) : g_markup_escape_text (text, (gssize) length);
  for (const char *c = escaped; *c != '\0'; c++)
    {
      if (g_ascii_isspace (*c))
        {
          if (!space)
            g_string_append_c (p->text, ' ');
          space = TRUE;
        }
      else
        {
          g_string_append_c (p->text, *c);
          space = FALSE;
        }
    }
}

static Page *
page_parse (const char *data,
            gsize       length,
            GError    **error)
{
  static const GMarkupParser parser_funcs = { start_element, end_element, text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  Parser p = { 0 };
  Page  *page = g_new0 (Page, 1);

  page->blocks = g_ptr_array_new_with_free_func (block_free);
  p.page = page;
  p.text = g_string_new (NULL);
  p.capture = -1;
  context = g_markup_parse_context_new (&parser_funcs, 0, &p, NULL);
  if (!g_markup_parse_context_parse (context, data, (gssize) length, error) ||
      !g_markup_parse_context_end_parse (context, error) || page->id == NULL || page->title == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "a page needs an id and a title");
      g_string_free (p.text, TRUE);
      g_slist_free (p.closers);
      page_free (page);
      return NULL;
    }
  g_string_free (p.text, TRUE);
  g_slist_free (p.closers);
  return page;
}

static int
compare_pages (gconstpointer a,
               gconstpointer b)
{
  const Page *x = *(Page **) a;
  const Page *y = *(Page **) b;

  /* The index first, then by title, as Yelp lists topics. */
  if (g_str_equal (x->id, "index") != g_str_equal (y->id, "index"))
    return g_str_equal (x->id, "index") ? -1 : 1;
  return g_utf8_collate (x->title, y->title);
}

/* The guide in the first of the user's languages that has it (help/LANG/,
 * translated from help/LANG/LANG.po at build time), else the original. */
static char *
help_resource_dir (void)
{
  const char *const *languages = g_get_language_names ();

  for (guint i = 0; languages[i] != NULL; i++)
    {
      g_autofree char *dir = g_strconcat (HELP_RESOURCE_DIR, languages[i], "/", NULL);
      g_autofree char *index = g_strconcat (dir, "index.page", NULL);

      if (g_resources_get_info (index, 0, NULL, NULL, NULL))
        return g_steal_pointer (&dir);
    }
  return g_strdup (HELP_RESOURCE_DIR);
}

static GPtrArray *
load_pages (void)
{
  GPtrArray       *pages = g_ptr_array_new_with_free_func (page_free);
  g_autofree char *dir = help_resource_dir ();
  g_auto(GStrv) names = g_resources_enumerate_children (dir, 0, NULL);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (dir, names[i], NULL);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, NULL);
      g_autoptr(GError) error = NULL;
      Page       *page;
      gsize       length = 0;
      const char *data;

      if (bytes == NULL || !g_str_has_suffix (names[i], ".page"))
        continue;
      data = g_bytes_get_data (bytes, &length);
      page = page_parse (data, length, &error);
      if (page == NULL)
        {
          g_warning ("help page %s: %s", names[i], error->message);
          continue;
        }
      g_ptr_array_add (pages, page);
    }
  g_ptr_array_sort (pages, compare_pages);
  return pages;
}

/* ---------------------------------------------------------------- view */

static const Page *
find_page (IlHelpWindow *self,
           const char   *id)
{
  for (guint i = 0; i < self->pages->len; i++)
    {
      const Page *page = g_ptr_array_index (self->pages, i);

      if (g_strcmp0 (page->id, id) == 0)
        return page;
    }
  return NULL;
}

static gboolean
activate_link_cb (GtkLabel     *label,
                  const char   *uri,
                  IlHelpWindow *self)
{
  if (g_str_has_prefix (uri, "xref:"))
    {
      il_help_window_show_page (self, uri + strlen ("xref:"));
      return TRUE;
    }
  /* Web addresses open in the browser (GTK's default). */
  return FALSE;
}

static GtkWidget *
block_label (IlHelpWindow *self,
             const char   *markup,
             gboolean      heading)
{
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL,
                                   "accessible-role", heading ? GTK_ACCESSIBLE_ROLE_HEADING : GTK_ACCESSIBLE_ROLE_LABEL,
                                   NULL);

  gtk_label_set_markup (GTK_LABEL (label), markup);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_halign (label, GTK_ALIGN_FILL);
  g_signal_connect_object (label, "activate-link", G_CALLBACK (activate_link_cb), self, 0);
  return label;
}

static void
add_topics (IlHelpWindow *self,
            GtkBox       *box)
{
  for (guint i = 0; i < self->pages->len; i++)
    {
      const Page      *page = g_ptr_array_index (self->pages, i);
      g_autofree char *title = NULL;
      g_autofree char *desc = NULL;
      g_autofree char *markup = NULL;

      if (!page->topic)
        continue;
      title = g_markup_escape_text (page->title, -1);
      desc = page->desc != NULL ? g_markup_escape_text (page->desc, -1) : g_strdup ("");
      markup = g_strdup_printf ("<a href=\"xref:%s\">%s</a>\n<small>%s</small>", page->id, title, desc);
      gtk_box_append (box, block_label (self, markup, FALSE));
    }
}

static void
il_help_window_render (IlHelpWindow *self)
{
  GtkBox *box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 12));

  for (guint i = 0; i < self->page->blocks->len; i++)
    {
      const Block *block = g_ptr_array_index (self->page->blocks, i);
      GtkWidget   *label;

      if (block->kind == BLOCK_TOPICS)
        {
          add_topics (self, box);
          continue;
        }
      if (block->kind == BLOCK_BULLET)
        {
          g_autofree char *bullet = g_strconcat ("•  ", block->markup, NULL);

          label = block_label (self, bullet, FALSE);
          gtk_widget_set_margin_start (label, 12);
        }
      else
        label = block_label (self, block->markup,
                             block->kind == BLOCK_TITLE || block->kind == BLOCK_HEADING);
      switch (block->kind)
        {
          case BLOCK_TITLE:
            gtk_widget_add_css_class (label, "title-1");
            break;
          case BLOCK_HEADING:
            gtk_widget_add_css_class (label, "title-3");
            gtk_widget_set_margin_top (label, 12);
            break;
          case BLOCK_TERM:
            gtk_widget_add_css_class (label, "heading");
            break;
          case BLOCK_TERM_PARA:
            gtk_widget_set_margin_start (label, 18);
            break;
          case BLOCK_PARA:
          case BLOCK_BULLET:
          case BLOCK_TOPICS:
          default:
            break;
        }
      gtk_box_append (box, label);
    }
  /* The focus leaves the old page first: a focused link destroyed with it
   * made GTK 4.8 report a critical at the next frame. */
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (self));

    if (focus != NULL && gtk_widget_is_ancestor (focus, self->content))
      gtk_window_set_focus (GTK_WINDOW (self), NULL);
  }
  adw_clamp_set_child (ADW_CLAMP (self->content), GTK_WIDGET (box));
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scroller)), 0);
}

gboolean
il_help_window_show_page (IlHelpWindow *self,
                          const char   *id)
{
  const Page *page;

  g_return_val_if_fail (IL_IS_HELP_WINDOW (self), FALSE);

  if ((page = find_page (self, id)) == NULL)
    return FALSE;
  self->page = page;
  adw_window_title_set_subtitle (self->window_title, g_str_equal (page->id, "index") ? NULL : page->title);
  gtk_widget_set_visible (self->back_button, !g_str_equal (page->id, "index"));
  il_help_window_render (self);
  return TRUE;
}

const char *
il_help_window_get_page (IlHelpWindow *self)
{
  g_return_val_if_fail (IL_IS_HELP_WINDOW (self), NULL);
  return self->page != NULL ? self->page->id : NULL;
}

char *
il_help_window_dup_text (IlHelpWindow *self)
{
  GString   *s = g_string_new (NULL);
  GtkWidget *box;

  g_return_val_if_fail (IL_IS_HELP_WINDOW (self), NULL);

  box = adw_clamp_get_child (ADW_CLAMP (self->content));
  for (GtkWidget *child = box ? gtk_widget_get_first_child (box) : NULL; child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LABEL (child))
      {
        g_string_append (s, gtk_label_get_text (GTK_LABEL (child)));
        g_string_append_c (s, '\n');
      }
  return g_string_free (s, FALSE);
}

static void
back_clicked_cb (IlHelpWindow *self)
{
  il_help_window_show_page (self, "index");
}

static void
il_help_window_dispose (GObject *object)
{
  IlHelpWindow *self = IL_HELP_WINDOW (object);

  self->page = NULL;
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  G_OBJECT_CLASS (il_help_window_parent_class)->dispose (object);
}

static void
il_help_window_class_init (IlHelpWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_help_window_dispose;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
il_help_window_init (IlHelpWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();

  self->pages = load_pages ();

  gtk_window_set_title (GTK_WINDOW (self), _("Interleave Help"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 680);
  self->window_title = ADW_WINDOW_TITLE (adw_window_title_new (_("Interleave Help"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->window_title));

  self->back_button = gtk_button_new_from_icon_name ("go-previous-symbolic");
  gtk_widget_set_tooltip_text (self->back_button, _("Back to the Contents"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->back_button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back"), -1);
  g_signal_connect_object (self->back_button, "clicked", G_CALLBACK (back_clicked_cb), self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->back_button);
  gtk_box_append (GTK_BOX (box), header);

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (self->scroller, TRUE);
  self->content = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (self->content), 640);
  gtk_widget_set_margin_top (self->content, 18);
  gtk_widget_set_margin_bottom (self->content, 24);
  gtk_widget_set_margin_start (self->content, 18);
  gtk_widget_set_margin_end (self->content, 18);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->content);
  gtk_box_append (GTK_BOX (box), self->scroller);
  adw_window_set_content (ADW_WINDOW (self), box);

  if (self->pages->len > 0)
    il_help_window_show_page (self, ((Page *) g_ptr_array_index (self->pages, 0))->id);
}

IlHelpWindow *
il_help_window_new (GtkWindow *parent)
{
  return g_object_new (IL_TYPE_HELP_WINDOW, "transient-for", parent, NULL);
}

/* ---------------------------------------------------------------- opening */

/* Whether the pages are installed where Yelp looks for them. */
static gboolean
help_installed (void)
{
  const char *const *dirs = g_get_system_data_dirs ();
  g_autofree char   *user = g_build_filename (g_get_user_data_dir (), "help", "C", APP_ID, "index.page", NULL);

  if (g_file_test (user, G_FILE_TEST_EXISTS))
    return TRUE;
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], "help", "C", APP_ID, "index.page", NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  return FALSE;
}

/* Yelp could not be started after all: the guide in the app instead. */
static void
show_uri_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error))
    {
      g_debug ("help viewer: %s", error->message);
      gtk_window_present (GTK_WINDOW (il_help_window_new (GTK_WINDOW (source))));
    }
}

void
il_help_show (GtkWindow *parent)
{
  g_autoptr(GAppInfo) viewer = g_app_info_get_default_for_uri_scheme ("help");

  g_return_if_fail (GTK_IS_WINDOW (parent));

  if (viewer != NULL && help_installed ())
    {
      gtk_show_uri_full (parent, "help:" APP_ID, GDK_CURRENT_TIME, NULL, show_uri_cb, NULL);
      return;
    }
  gtk_window_present (GTK_WINDOW (il_help_window_new (parent)));
}
