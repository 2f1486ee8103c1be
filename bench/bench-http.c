/* bench-http.c — HTTP at scale: many concurrent requests to the embedded
 * server under the async executor, against libsoup's own minimum
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures, for N concurrent GET requests that the server answers after
 * DELAY ms with 64 bytes:
 *  - interleave: the async executor running N tasks of one http block
 *    against the embedded server (makespan of one repetition), and the
 *    CPU the whole run took per request (client and server: both are in
 *    this process);
 *  - libsoup: the same N requests from one SoupSession (async, keep-alive,
 *    enough connections) to a SoupServer in this process that pauses each
 *    message for DELAY ms: the least libsoup itself needs, timed in the
 *    same run;
 *  - Python: asyncio streams against an asyncio server (for scale).
 * The target: N = 500, DELAY = 20 ms in ≤ 4× one delay. Best of ROUNDS;
 * the last line is the figures as JSON.
 *
 * Usage: bench-http [N [DELAY_MS [ROUNDS]]]
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <libsoup/soup.h>

#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"

#include "bench-python.h"

static gint64
process_cpu_us (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (gint64) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_USEC_PER_SEC + ru.ru_utime.tv_usec +
         ru.ru_stime.tv_usec;
}

static double
interleave_ms (guint   n,
               guint   delay_ms,
               double *cpu_us)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"http at scale\","
    "  \"tasks\": [ { \"repeat\": %u, \"blocks\": [ { \"type\": \"http\", \"delay_ms\": %u, \"bytes\": 64 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ],"
    "  \"settings\": { \"sample_hz\": 1 } }",
    n, delay_ms);
  g_autoptr(IlExperiment) exp = il_experiment_load_data (json, -1, "bench", &error);
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  IlRunOptions        options = { 0 };
  const IlRepetition *rep;
  gint64              c0;

  if (exp == NULL)
    g_error ("%s", error->message);
  runner = il_runner_new (exp, &options);
  c0 = process_cpu_us ();
  results = il_runner_run (runner, NULL, &error);
  if (results == NULL)
    g_error ("%s", error->message);
  *cpu_us = (double) (process_cpu_us () - c0) / n;
  rep = g_ptr_array_index (((IlRunResult *) g_ptr_array_index (results->runs, 0))->repetitions, 0);
  if (rep->failed_tasks > 0)
    g_error ("%u of the requests failed", rep->failed_tasks);
  return rep->makespan_ms;
}

/* libsoup's own minimum */

typedef struct
{
  guint      delay_ms;
  guint      left;
  GMainLoop *loop;
} Soup;

static gboolean
answer (gpointer data)
{
  SoupServerMessage *msg = data;
  static const char  body[64] = { 0 };

  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_STATIC, body, sizeof body);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Soup *s = user_data;

  soup_server_message_pause (msg);
  g_timeout_add (s->delay_ms, answer, g_object_ref (msg));
}

static void
got_bytes (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Soup *s = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (bytes == NULL || g_bytes_get_size (bytes) != 64)
    g_error ("libsoup request: %s", error != NULL ? error->message : "short body");
  if (--s->left == 0)
    g_main_loop_quit (s->loop);
}

static double
soup_ms (guint   n,
         guint   delay_ms,
         double *cpu_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns", (int) n + 16,
                                                                   "max-conns-per-host", (int) n + 16, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Soup             s = { delay_ms, n, loop };
  GSList          *uris;
  g_autofree char *url = NULL;
  gint64           t0, c0;
  double           ms;

  soup_server_add_handler (server, NULL, handler, &s, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("%s", error->message);
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  soup_session_set_proxy_resolver (session, NULL);

  c0 = process_cpu_us ();
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, got_bytes, &s);
    }
  g_main_loop_run (loop);
  ms = (double) (g_get_monotonic_time () - t0) / 1000.0;
  *cpu_us = (double) (process_cpu_us () - c0) / n;
  soup_server_disconnect (server);
  return ms;
}

int
main (int   argc,
      char *argv[])
{
  guint            n = argc > 1 ? (guint) atoi (argv[1]) : 500;
  guint            delay = argc > 2 ? (guint) atoi (argv[2]) : 20;
  guint            rounds = argc > 3 ? (guint) atoi (argv[3]) : 5;
  double           il = G_MAXDOUBLE, il_cpu = G_MAXDOUBLE, soup = G_MAXDOUBLE, soup_cpu = G_MAXDOUBLE;
  g_autofree char *delay_arg = NULL;
  g_autofree char *py = NULL;

  setlocale (LC_ALL, "");
  n = CLAMP (n, 1, 100000);
  delay = CLAMP (delay, 1, 10000);
  rounds = CLAMP (rounds, 1, 100);

  for (guint r = 0; r < rounds; r++)
    {
      double c;

      soup = MIN (soup, soup_ms (n, delay, &c));
      soup_cpu = MIN (soup_cpu, c);
      il = MIN (il, interleave_ms (n, delay, &c));
      il_cpu = MIN (il_cpu, c);
    }
  delay_arg = g_strdup_printf ("%u", delay);
  py = bench_python_peers ("http", n, 1, MIN (rounds, 3), delay_arg);

  g_print ("%u concurrent HTTP requests, the server answering after %u ms, best of %u\n", n, delay, rounds);
  g_print ("  libsoup alone (one session, in-process server)  %8.1f ms  (%.2f× one delay), %.1f µs CPU/request\n",
           soup, soup / delay, soup_cpu);
  g_print ("  async executor, embedded server                 %8.1f ms  (%.2f× one delay), %.1f µs CPU/request\n",
           il, il / delay, il_cpu);
  g_print ("  Python peers: %s\n", py);
  g_print ("ratio %.2f× one delay (target ≤ 4), %.2f× libsoup's own\n", il / delay, il / soup);
  g_print ("{\"bench\": \"http\", \"requests\": %u, \"delay_ms\": %u, \"rounds\": %u, \"libsoup_ms\": %.2f, "
           "\"libsoup_cpu_us_per_request\": %.1f, \"async_ms\": %.2f, \"async_cpu_us_per_request\": %.1f, "
           "\"async_delay_ratio\": %.3f, \"async_libsoup_ratio\": %.3f, \"target\": 4, \"python\": %s}\n",
           n, delay, rounds, soup, soup_cpu, il, il_cpu, il / delay, il / soup, py);
  return 0;
}
