/* il-gil-validation.c — the workloads that hold the simulated GIL to
 * CPython's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each workload is one experiment with two runs of the threads executor:
 * native threads under the simulated GIL, and the cpython engine's
 * `threading`, with the same workers and switch interval. Figures compared:
 * the makespan (median over the repetitions) and, where there are several
 * task groups, each group's mean latency (queued → end, over every
 * repetition).
 */
#include "config.h"

#include <math.h>

#include "il-experiment.h"
#include "il-gil-validation.h"
#include "il-runner.h"

typedef struct
{
  const char *name;
  const char *tasks;
  guint       workers;
  guint       interval_ms;
} Workload;

#define CPU_ONLY_TASKS \
  "[ { \"name\": \"cpu\", \"repeat\": 8, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 25 } ] } ]"
#define CPU_AND_IO_TASKS                                                                                                 \
  "[ { \"name\": \"cpu\", \"repeat\": 2, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 200 } ] }," \
  "  { \"name\": \"io\", \"repeat\": 24, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20 }, "                            \
  "{ \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 1 } ] } ]"

static const Workload workloads[] = {
  { "CPU only, 1 thread, switch 1 ms", CPU_ONLY_TASKS, 1, 1 },
  { "CPU only, 1 thread, switch 5 ms", CPU_ONLY_TASKS, 1, 5 },
  { "CPU only, 1 thread, switch 20 ms", CPU_ONLY_TASKS, 1, 20 },
  { "CPU only, 2 threads, switch 1 ms", CPU_ONLY_TASKS, 2, 1 },
  { "CPU only, 2 threads, switch 5 ms", CPU_ONLY_TASKS, 2, 5 },
  { "CPU only, 2 threads, switch 20 ms", CPU_ONLY_TASKS, 2, 20 },
  { "CPU only, 4 threads, switch 1 ms", CPU_ONLY_TASKS, 4, 1 },
  { "CPU only, 4 threads, switch 5 ms", CPU_ONLY_TASKS, 4, 5 },
  { "CPU only, 4 threads, switch 20 ms", CPU_ONLY_TASKS, 4, 20 },
  { "I/O only, 8 threads",
    "[ { \"name\": \"io\", \"repeat\": 40, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20 }, "
    "{ \"type\": \"http\", \"delay_ms\": 5, \"bytes\": 1024 } ] } ]",
    8, 5 },
  { "CPU and I/O threads together, switch 5 ms", CPU_AND_IO_TASKS, 8, 5 },
  { "CPU and I/O threads together, switch 1 ms", CPU_AND_IO_TASKS, 8, 1 },
  { "many short tasks, 4 threads",
    "[ { \"name\": \"short\", \"repeat\": 2000, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 1 } ] } ]",
    4, 5 },
};

guint
il_gil_validation_n_workloads (void)
{
  return G_N_ELEMENTS (workloads);
}

const char *
il_gil_validation_name (guint workload)
{
  g_return_val_if_fail (workload < G_N_ELEMENTS (workloads), NULL);
  return workloads[workload].name;
}

void
il_gil_validation_prefer_system_python (void)
{
  if (g_getenv ("INTERLEAVE_PYTHON") == NULL && g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    g_setenv ("INTERLEAVE_PYTHON", "/usr/bin/python3", TRUE);
}

static IlExperiment *
workload_experiment (const Workload *w,
                     guint           repetitions,
                     GError        **error)
{
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"validation\", \"tasks\": %s,"
    "  \"runs\": [ { \"executor\": \"threads\", \"workers\": %u, \"gil\": true, \"switch_interval_ms\": %u },"
    "              { \"executor\": \"threads\", \"workers\": %u, \"engine\": \"cpython\", \"switch_interval_ms\": %u } ],"
    "  \"settings\": { \"repetitions\": %u, \"warmup\": 1 } }",
    w->tasks, w->workers, w->interval_ms, w->workers, w->interval_ms, repetitions);

  return il_experiment_load_data (json, -1, "validation.interleave", error);
}

IlResults *
il_gil_validation_run (guint    workload,
                       guint    repetitions,
                       GError **error)
{
  const Workload *w;
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  const IlRunResult *sim, *real;

  g_return_val_if_fail (workload < G_N_ELEMENTS (workloads), NULL);
  w = &workloads[workload];
  exp = workload_experiment (w, repetitions, error);
  if (exp == NULL)
    return NULL;
  runner = il_runner_new (exp, NULL);
  results = il_runner_run (runner, NULL, error);
  if (results == NULL)
    return NULL;
  sim = g_ptr_array_index (results->runs, 0);
  real = g_ptr_array_index (results->runs, 1);
  if (g_strcmp0 (sim->summary.checksum, real->summary.checksum) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: checksum %s simulated, %s on CPython", w->name,
                   sim->summary.checksum, real->summary.checksum);
      return NULL;
    }
  return g_steal_pointer (&results);
}

static double
group_latency_ms (const IlRunResult *run,
                  guint              group)
{
  double sum = 0;
  guint  n = 0;

  for (guint r = 0; r < run->repetitions->len; r++)
    {
      const IlRepetition *rep = g_ptr_array_index (run->repetitions, r);

      for (guint i = 0; i < rep->tasks->len; i++)
        {
          const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

          if (t->group == group)
            {
              sum += (double) (t->end_us - t->queued_us) / 1000.0;
              n++;
            }
        }
    }
  return n > 0 ? sum / n : NAN;
}

static void
figure_clear (gpointer data)
{
  IlGilFigure *f = data;

  g_clear_pointer (&f->workload, g_free);
  g_clear_pointer (&f->figure, g_free);
}

GArray *
il_gil_figures_new (void)
{
  GArray *figures = g_array_new (FALSE, TRUE, sizeof (IlGilFigure));

  g_array_set_clear_func (figures, figure_clear);
  return figures;
}

static void
add_figure (GArray     *figures,
            const char *workload,
            char       *figure,
            double      simulated_ms,
            double      cpython_ms)
{
  IlGilFigure f = { g_strdup (workload), figure, simulated_ms, cpython_ms };

  g_array_append_val (figures, f);
}

void
il_gil_validation_figures (guint            workload,
                           const IlResults *results,
                           GArray          *figures)
{
  const char        *name = il_gil_validation_name (workload);
  const IlRunResult *sim = g_ptr_array_index (results->runs, 0);
  const IlRunResult *real = g_ptr_array_index (results->runs, 1);
  g_autoptr(IlExperiment) exp = workload_experiment (&workloads[workload], 1, NULL);
  const GPtrArray *groups = exp->tasks;

  add_figure (figures, name, g_strdup ("makespan"), sim->summary.makespan_ms.median,
              real->summary.makespan_ms.median);
  if (groups->len < 2)
    return;
  for (guint g = 0; g < groups->len; g++)
    {
      g_autofree char *group = il_task_group_display_name (g_ptr_array_index (groups, g), g);

      add_figure (figures, name, g_strdup_printf ("%s latency (mean)", group), group_latency_ms (sim, g),
                  group_latency_ms (real, g));
    }
}

double
il_gil_figure_ratio (const IlGilFigure *figure)
{
  return figure->simulated_ms / figure->cpython_ms;
}

gboolean
il_gil_figure_ok (const IlGilFigure *figure)
{
  double ratio = il_gil_figure_ratio (figure);

  return ratio >= IL_GIL_VALIDATION_LOW && ratio <= IL_GIL_VALIDATION_HIGH;
}

char *
il_gil_figure_row (const IlGilFigure *figure)
{
  return g_strdup_printf ("| %s | %s | %.1f ms | %.1f ms | %.2f%s |", figure->workload, figure->figure,
                          figure->simulated_ms, figure->cpython_ms, il_gil_figure_ratio (figure),
                          il_gil_figure_ok (figure) ? "" : " ✗");
}
