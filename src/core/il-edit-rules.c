/* il-edit-rules.c — what the editor shows about an experiment as it is edited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules themselves live with the validation (il-experiment-validate.c,
 * il-experiment-private.h); this file applies them to every block rather
 * than stopping at the first, and says them in the editor's words.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-edit-rules.h"
#include "il-experiment-private.h"
#include "il-network.h"

void
il_problem_free (IlProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->message);
  g_free (problem);
}

static void
add_problem (GPtrArray    *problems,
             IlProblemKind kind,
             guint         group,
             guint         block,
             char         *message)
{
  IlProblem *problem = g_new0 (IlProblem, 1);

  problem->kind = kind;
  problem->group = group;
  problem->block = block;
  problem->message = message;
  g_ptr_array_add (problems, problem);
}

/* The validation's message for one block's value, without its place. */
static char *
block_value_problem (const IlBlock *block)
{
  IlJsonReader r = { 0 };
  char        *message;

  if (il_experiment_validate_block (&r, block, NULL))
    return NULL;
  message = g_steal_pointer (&r.message);
  il_json_reader_clear (&r);
  return message;
}

GPtrArray *
il_experiment_find_problems (const IlExperiment *experiment)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) il_problem_free);
  guint      n_groups;
  guint      over_group = G_MAXUINT;
  guint64    total = 0;

  g_return_val_if_fail (experiment != NULL, problems);

  n_groups = experiment->tasks != NULL ? experiment->tasks->len : 0;
  if (il_experiment_count_tasks_upto (experiment, &over_group, &total))
    over_group = G_MAXUINT;

  for (guint g = 0; g < n_groups; g++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, g);
      guint              n_blocks = group->blocks != NULL ? group->blocks->len : 0;
      guint              first_write = il_task_group_first_write (group);

      for (guint b = 0; b < n_blocks; b++)
        {
          const IlBlock *block = g_ptr_array_index (group->blocks, b);
          char          *value = block_value_problem (block);

          if (value != NULL)
            add_problem (problems, IL_PROBLEM_VALUE, g, b, value);
          if (block->type == IL_BLOCK_FILE_READ && b < first_write)
            add_problem (problems, IL_PROBLEM_READ_BEFORE_WRITE, g, b,
                         g_strdup (_("Reads back a file that no File Write before it in this task "
                                     "group has written: add a File Write block above it")));
        }

      if (g == over_group)
        add_problem (problems, IL_PROBLEM_TOO_MANY_TASKS, g, IL_PROBLEM_WHOLE_GROUP,
                     g_strdup_printf (_("With this task group the experiment has %" PRIu64 " tasks, "
                                        "more than the limit of %d in all task groups together: "
                                        "lower a repeat count"),
                                         total, IL_MAX_TOTAL_TASKS));
    }

  return problems;
}

char *
il_problems_text_for (const IlExperiment *experiment,
                      GPtrArray          *problems,
                      guint               group,
                      guint               block)
{
  GString *text = NULL;

  g_return_val_if_fail (experiment != NULL, NULL);
  g_return_val_if_fail (problems != NULL, NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      const IlProblem *problem = g_ptr_array_index (problems, i);

      if (problem->group != group || problem->block != block)
        continue;
      if (text == NULL)
        text = g_string_new (NULL);
      else
        g_string_append_c (text, '\n');
      {
        g_autofree char *line = il_problem_to_string (experiment, problem);

        g_string_append (text, line);
      }
    }
  return text != NULL ? g_string_free (text, FALSE) : NULL;
}

static char *
group_name (const IlExperiment *experiment,
            guint               group)
{
  const IlTaskGroup *g = NULL;

  if (experiment->tasks != NULL && group < experiment->tasks->len)
    g = g_ptr_array_index (experiment->tasks, group);
  if (g != NULL && g->name != NULL && g->name[0] != '\0')
    return g_strdup (g->name);
  /* TRANSLATORS: the name of an unnamed task group, as its card shows it */
  return g_strdup_printf (_("task %u"), group + 1);
}

char *
il_experiment_describe_place (const IlExperiment *experiment,
                              guint               group,
                              guint               block)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (experiment != NULL, NULL);

  name = group_name (experiment, group);
  if (block == IL_PROBLEM_WHOLE_GROUP)
    return g_steal_pointer (&name);
  /* TRANSLATORS: where a block is: "job, block 4" (its task group's name
   * and its place in it, from 1) */
  return g_strdup_printf (_("%s, block %u"), name, block + 1);
}

char *
il_experiment_describe_run (const IlExperiment *experiment,
                            guint               run)
{
  const IlRunConfig *config = NULL;
  g_autofree char   *label = NULL;

  g_return_val_if_fail (experiment != NULL, NULL);

  if (experiment->runs != NULL && run < experiment->runs->len)
    config = g_ptr_array_index (experiment->runs, run);
  if (config != NULL && config->label != NULL)
    label = g_strdup (config->label);
  else if (config != NULL && config->workers != NULL && config->workers->len > 1)
    {
      g_autofree char *list = il_workers_format (config->workers);

      /* TRANSLATORS: "threads: sweep over 1, 2, 4, 8 workers" */
      label = g_strdup_printf (_("%s: sweep over %s workers"), il_executor_to_string (config->executor), list);
    }
  else if (config != NULL)
    label = il_run_config_derive_label (config, config->workers != NULL && config->workers->len == 1
                                                  ? g_array_index (config->workers, guint, 0)
                                                  : 0);
  if (label == NULL)
    /* TRANSLATORS: a run configuration, counted from 1 */
    return g_strdup_printf (_("run %u"), run + 1);
  /* TRANSLATORS: "run 2 (threads ×4)": a run configuration, from 1 */
  return g_strdup_printf (_("run %u (%s)"), run + 1, label);
}

char *
il_problem_to_string (const IlExperiment *experiment,
                      const IlProblem    *problem)
{
  g_autofree char *place = NULL;

  g_return_val_if_fail (experiment != NULL, NULL);
  g_return_val_if_fail (problem != NULL, NULL);

  place = il_experiment_describe_place (experiment, problem->group, problem->block);
  /* TRANSLATORS: "job, block 4: what is wrong" */
  return g_strdup_printf (_("%s: %s"), place, problem->message);
}

/* Reads "NAME[INDEX]" at *p (after a '.' or at the start). */
static gboolean
path_element (const char **p,
              const char  *name,
              guint       *index)
{
  gsize   len = strlen (name);
  char   *end = NULL;
  guint64 value;

  if (strncmp (*p, name, len) != 0 || (*p)[len] != '[')
    return FALSE;
  value = g_ascii_strtoull (*p + len + 1, &end, 10);
  if (end == *p + len + 1 || *end != ']' || value > G_MAXUINT)
    return FALSE;
  *index = (guint) value;
  *p = end + 1;
  if (**p == '.')
    (*p)++;
  return TRUE;
}

/* A validation path ("tasks[0].blocks[3].units", "runs[1].workers[0]",
 * "settings.repetitions") as the editor names the place. */
static char *
place_of_path (const IlExperiment *experiment,
               const char         *path)
{
  const char      *p = path;
  g_autofree char *where = NULL;
  guint            group, block, run;

  if (path_element (&p, "tasks", &group))
    {
      if (path_element (&p, "blocks", &block))
        where = il_experiment_describe_place (experiment, group, block);
      else
        where = il_experiment_describe_place (experiment, group, IL_PROBLEM_WHOLE_GROUP);
    }
  else if (path_element (&p, "runs", &run))
    where = il_experiment_describe_run (experiment, run);
  else if (g_str_has_prefix (p, "settings"))
    {
      where = g_strdup (_("Settings"));
      p += strlen ("settings");
      if (*p == '.')
        p++;
    }
  else if (g_str_has_prefix (p, "quiz"))
    {
      where = g_strdup (_("Quiz"));
      p += strlen ("quiz");
      if (*p == '.')
        p++;
    }

  if (where == NULL)
    return g_strdup (path);
  if (*p == '\0')
    return g_steal_pointer (&where);
  /* TRANSLATORS: a place and the field there: "job, block 2, units" */
  return g_strdup_printf (_("%s, %s"), where, p);
}

gboolean
il_experiment_check (const IlExperiment *experiment,
                     GError            **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  IlJsonReader     r = { 0 };
  const char      *text;
  g_autofree char *place = NULL;
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (experiment != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  problems = il_experiment_find_problems (experiment);
  if (problems->len > 0)
    {
      g_autofree char *message = il_problem_to_string (experiment, g_ptr_array_index (problems, 0));

      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, message);
      return FALSE;
    }

  if (il_experiment_validate_with (&r, experiment))
    return TRUE;

  /* The message starts with the path the failure names. */
  text = r.message;
  prefix = g_strconcat (r.path != NULL ? r.path : "", ": ", NULL);
  if (r.path != NULL && r.path[0] != '\0' && g_str_has_prefix (text, prefix))
    {
      text += strlen (prefix);
      place = place_of_path (experiment, r.path);
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s: %s"), place, text);
    }
  else
    g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, text);
  il_json_reader_clear (&r);
  return FALSE;
}

gboolean
il_workers_parse (const char *text,
                  GArray     *workers,
                  GError    **error)
{
  g_auto(GStrv) parts = NULL;
  guint n = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (workers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_array_set_size (workers, 0);
  parts = g_strsplit_set (text, ", \t", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      guint64 value;
      guint   worker;

      if (parts[i][0] == '\0')
        continue;
      if (!g_ascii_string_to_unsigned (parts[i], 10, 1, IL_MAX_WORKERS, &value, &local_error))
        {
          gboolean         number = g_error_matches (local_error, G_NUMBER_PARSER_ERROR,
                                                     G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS);
          g_autofree char *quoted = g_utf8_make_valid (parts[i], -1);

          g_array_set_size (workers, 0);
          if (g_utf8_strlen (quoted, -1) > 20)
            {
              char *cut = g_utf8_offset_to_pointer (quoted, 19);

              strcpy (cut, "…");
            }
          if (number)
            g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                         _("“%s” is not from 1 to %d workers"), quoted, IL_MAX_WORKERS);
          else
            g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                         _("“%s” is not a number: write a count, or several separated by commas (1, 2, 4)"),
                            quoted);
          return FALSE;
        }
      if (++n > IL_MAX_WORKERS)
        {
          g_array_set_size (workers, 0);
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("A sweep has at most %d worker counts"), IL_MAX_WORKERS);
          return FALSE;
        }
      worker = (guint) value;
      g_array_append_val (workers, worker);
    }
  return TRUE;
}

char *
il_workers_format (const GArray *workers)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; workers != NULL && i < workers->len; i++)
    g_string_append_printf (out, i > 0 ? ", %u" : "%u", g_array_index (workers, guint, i));
  return g_string_free (out, FALSE);
}

gboolean
il_http_url_parse (const char *text,
                   char      **url,
                   GError    **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stripped = g_strstrip (g_strdup (text));
  if (stripped[0] == '\0')
    {
      if (url != NULL)
        *url = NULL;
      return TRUE;
    }
  if (!g_utf8_validate (stripped, -1, NULL))
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("not valid UTF-8 text"));
      return FALSE;
    }
  if (g_utf8_strlen (stripped, -1) > IL_MAX_URL_CHARS)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("longer than %d characters"), IL_MAX_URL_CHARS);
      return FALSE;
    }
  /* The validation's three steps (il-experiment-validate.c): GLib's
   * strict parse, an http or https scheme, a host libsoup would reach. */
  uri = g_uri_parse (stripped, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID,
                           _("not a URL: write http:// or https:// and a host name"));
      return FALSE;
    }
  if ((host = il_network_url_host (stripped, error)) == NULL)
    return FALSE;
  if (url != NULL)
    *url = g_steal_pointer (&stripped);
  return TRUE;
}

double
il_block_estimate_ms (const IlBlock *block,
                      const double  *ms_per_unit)
{
  g_return_val_if_fail (block != NULL, -1);

  switch (block->type)
    {
      case IL_BLOCK_CPU:
        if (ms_per_unit == NULL || (guint) block->kernel >= IL_N_KERNELS ||
            !(ms_per_unit[block->kernel] > 0))
          return -1;
        return (double) block->units * ms_per_unit[block->kernel];
      case IL_BLOCK_SLEEP:
        return (double) block->ms;
      case IL_BLOCK_HTTP:
        return block->url == NULL ? (double) block->delay_ms : -1;
      case IL_BLOCK_FILE_WRITE:
      case IL_BLOCK_FILE_READ:
      case IL_BLOCK_COUNTER:
      case IL_BLOCK_YIELD:
      case IL_N_BLOCK_TYPES:
      default:
        return -1;
    }
}

char *
il_format_estimate (double ms)
{
  double seconds = ms / 1000.0;

  if (!(ms >= 0))
    return g_strdup ("—");
  if (seconds < 60)
    /* TRANSLATORS: an estimated duration in seconds */
    return g_strdup_printf (_("≈ %.1f s"), seconds);
  if (seconds < 3600)
    {
      guint whole = (guint) (seconds + 0.5);

      /* TRANSLATORS: an estimated duration, minutes and seconds */
      return g_strdup_printf (_("≈ %u min %02u s"), whole / 60, whole % 60);
    }
  /* TRANSLATORS: an estimated duration in hours */
  return g_strdup_printf (_("≈ %.1f h"), seconds / 3600.0);
}
