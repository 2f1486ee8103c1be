/* il-examples.c — the built-in example experiments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Examples are ordinary .interleave files compiled into the core as
 * resources, listed in course order by the index below. Adding one is a
 * file in data/examples/, a line in the gresource description and a line
 * here: no front end changes.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-core-resources.h"
#include "il-examples.h"
#include "il-json-private.h"

#define EXAMPLES_PATH "/io/github/interleave/Interleave/examples/"

/* Course order. */
static const char *const example_names[] = {
  "cpu-bound",
  "io-bound",
  "gil",
  "time-slicing",
  "marshalling",
  "cooperative",
  "http",
  "mixed",
  "gil-real",
  "io-beside-cpu",
  "structure",
  "shared-state",
  "shared-state-lock",
  "cooperative-counter",
  "processes-memory",
  "beyond-one-machine",
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
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (example_names); i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", example_names[i]);
      g_autofree char *quoted = NULL;

      {
        /* The name comes from a command line: any bytes, any length. */
        g_autofree char *valid = g_utf8_make_valid (name, -1);

        quoted = il_json_quote (valid);
      }
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no built-in example “%s” (examples: %s)"), quoted, names->str);
    }
  return bytes;
}

IlExperiment *
il_example_load (const char *name,
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

  for (guint i = 0; i < G_N_ELEMENTS (example_names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IlExperiment) exp = il_example_load (example_names[i], &error);
      IlExampleInfo *info;

      if (exp == NULL)
        {
          /* A broken built-in example is a build bug the tests catch. */
          g_critical ("Built-in example %s: %s", example_names[i], error->message);
          continue;
        }
      info = g_new0 (IlExampleInfo, 1);
      info->name = g_strdup (example_names[i]);
      info->title = g_strdup (exp->name);
      info->summary = first_sentence (exp->description);
      g_ptr_array_add (list, info);
    }
  return list;
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
