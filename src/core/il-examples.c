/* il-examples.c — the built-in example experiments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Examples are ordinary .interleave files compiled into the core as
 * resources: the lessons of a course, listed in the order below. Adding one
 * is a file in data/examples/, a line in the gresource description and its
 * place in the course here: no front end changes.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "il-core-resources.h"
#include "il-examples.h"
#include "il-json-private.h"

#define EXAMPLES_PATH "/io/github/interleave/Interleave/examples/"

/* The course: lessons in the order they are taught, from "concurrency is
 * structure" to the mixed workload. Each name is an example in
 * data/examples/; a name whose example is not built in (a lesson still being
 * written) is skipped, so a new lesson is a file, its gresource line and
 * its place here. An example missing from this list still appears, after
 * the course (tests/test-examples.c insists that none is). */
static const char *const course_order[] = {
  "structure",
  "cpu-bound",
  "io-bound",
  "time-slicing",
  "context-switch",
  "gil",
  "gil-real",
  "marshalling",
  "shared-state",
  "shared-state-lock",
  "cooperative-counter",
  "processes-memory",
  "cooperative",
  "io-beside-cpu",
  "http",
  "mixed",
  "beyond-one-machine",
  NULL,
};

static void
ensure_registered (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      il_core_register_resource ();
      g_once_init_leave (&once, 1);
    }
}

/* Where @name stands in the course; after every lesson when it has no place. */
static guint
course_position (const char *name)
{
  guint i;

  for (i = 0; course_order[i] != NULL; i++)
    if (g_str_equal (course_order[i], name))
      return i;
  return i;
}

static gint
compare_course (gconstpointer a,
                gconstpointer b)
{
  const char *na = *(const char *const *) a;
  const char *nb = *(const char *const *) b;
  guint       pa = course_position (na);
  guint       pb = course_position (nb);

  if (pa != pb)
    return pa < pb ? -1 : 1;
  return strcmp (na, nb);
}

const char *const *
il_examples_course (void)
{
  return course_order;
}

GStrv
il_examples_names (void)
{
  g_auto(GStrv) children = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  ensure_registered ();
  children = g_resources_enumerate_children (EXAMPLES_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  for (guint i = 0; children != NULL && children[i] != NULL; i++)
    if (g_str_has_suffix (children[i], ".interleave"))
      g_ptr_array_add (names, g_strndup (children[i], strlen (children[i]) - strlen (".interleave")));
  g_ptr_array_sort (names, compare_course);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_steal (names, NULL);
}

void
il_example_info_free (IlExampleInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->title);
  g_free (info->summary);
  g_free (info);
}

GBytes *
il_example_get_bytes (const char *name,
                      GError    **error)
{
  g_autofree char *path = NULL;
  GBytes          *bytes;

  g_return_val_if_fail (name != NULL, NULL);

  ensure_registered ();
  path = g_strconcat (EXAMPLES_PATH, name, ".interleave", NULL);
  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL)
    {
      g_auto(GStrv) all = il_examples_names ();
      g_autofree char *names = g_strjoinv (", ", all);
      g_autofree char *quoted = NULL;

      {
        /* The name comes from a command line: any bytes, any length. */
        g_autofree char *valid = g_utf8_make_valid (name, -1);

        quoted = il_json_quote (valid);
      }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no built-in example “%s” (examples: %s)"), quoted, names);
    }
  return bytes;
}

/* The example as shipped, in English. */
static IlExperiment *
load_untranslated (const char *name,
                   GError    **error)
{
  g_autoptr(GBytes) bytes = il_example_get_bytes (name, error);
  g_autofree char *display = NULL;
  gsize            len;
  const char      *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  display = g_strconcat ("example:", name, NULL);
  return il_experiment_load_data (data, (gssize) len, display, error);
}

/* Replaces *@text by its translation (the catalogue has it from
 * il-examples-strings.c, generated from the examples). */
static void
translate (char **text)
{
  const char *translated;

  if (*text == NULL || **text == '\0')
    return;
  translated = g_dgettext (GETTEXT_PACKAGE, *text);
  if (translated != *text)
    {
      char *copy = g_strdup (translated);

      g_free (*text);
      *text = copy;
    }
}

/* The user-visible prose of a built-in example in the user's language:
 * name, description, run labels and quiz. Task group names stay: files and
 * messages refer to them. */
static void
translate_example (IlExperiment *exp)
{
  translate (&exp->name);
  translate (&exp->description);
  for (guint i = 0; i < exp->runs->len; i++)
    {
      IlRunConfig *run = g_ptr_array_index (exp->runs, i);

      translate (&run->label);
    }
  if (exp->quiz != NULL)
    {
      translate (&exp->quiz->question);
      for (guint i = 0; exp->quiz->choices != NULL && exp->quiz->choices[i] != NULL; i++)
        translate (&exp->quiz->choices[i]);
      translate (&exp->quiz->explanation);
    }
}

IlExperiment *
il_example_load (const char *name,
                 GError    **error)
{
  IlExperiment *exp = load_untranslated (name, error);

  if (exp != NULL)
    translate_example (exp);
  return exp;
}

static char *
first_sentence (const char *text)
{
  const char *end;

  if (text == NULL)
    return g_strdup ("");
  end = strstr (text, ". ");
  if (end == NULL)
    return g_strdup (text);
  return g_strndup (text, (gsize) (end - text) + 1);
}

GPtrArray *
il_examples_list (void)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) il_example_info_free);
  g_auto(GStrv) names = il_examples_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IlExperiment) exp = il_example_load (names[i], &error);
      IlExampleInfo *info;

      if (exp == NULL)
        {
          /* A broken built-in example is a build bug the tests catch. */
          g_critical ("Built-in example %s: %s", names[i], error->message);
          continue;
        }
      info = g_new0 (IlExampleInfo, 1);
      info->name = g_strdup (names[i]);
      info->title = g_strdup (exp->name);
      info->summary = first_sentence (exp->description);
      g_ptr_array_add (list, info);
    }
  return list;
}

char *
il_examples_find_lesson (const IlExperiment *experiment)
{
  g_autoptr(GPtrArray) list = NULL;

  g_return_val_if_fail (experiment != NULL, NULL);

  if (experiment->name == NULL)
    return NULL;
  list = il_examples_list ();
  for (guint i = 0; i < list->len; i++)
    {
      const IlExampleInfo *info = g_ptr_array_index (list, i);

      g_autoptr(IlExperiment) original = NULL;

      if (g_strcmp0 (info->title, experiment->name) == 0)
        return g_strdup (info->name);
      /* A lesson saved in another language keeps the name it had then:
       * the English one is found too. */
      original = load_untranslated (info->name, NULL);
      if (original != NULL && g_strcmp0 (original->name, experiment->name) == 0)
        return g_strdup (info->name);
    }
  return NULL;
}

IlExampleInfo *
il_examples_next_lesson (const char *name)
{
  g_autoptr(GPtrArray) list = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  list = il_examples_list ();
  for (guint i = 0; i + 1 < list->len; i++)
    {
      const IlExampleInfo *info = g_ptr_array_index (list, i);

      if (g_str_equal (info->name, name))
        return g_ptr_array_steal_index (list, i + 1);
    }
  return NULL;
}

IlExperiment *
il_experiment_load_path_or_example (const char *path,
                                    GError    **error)
{
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_has_prefix (path, "example:"))
    return il_example_load (path + strlen ("example:"), error);
  /* Messages name the file as the user typed it, not its absolute path. */
  file = g_file_new_for_commandline_arg (path);
  {
    g_autofree char *contents = NULL;
    gsize            length;

    if (!il_experiment_read_text (file, path, &contents, &length, error))
      return NULL;
    return il_experiment_load_data (contents, (gssize) length, path, error);
  }
}
