/* test-network.c — the one network-consent rule, for every form of URL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the embedded latency server (http blocks without a url) runs
 * without consent. Every explicit url needs it, loopback included, and the
 * consent names the hosts exactly as libsoup would contact them.
 */
#include "config.h"

#include <sys/wait.h>

#include <glib/gstdio.h>

#include "il-error.h"
#include "il-experiment.h"
#include "il-network.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-server.h"

typedef struct
{
  const char *url;
  const char *host;     /* NULL: invalid */
  gboolean    loopback; /* for the proxy decision only */
} UrlCase;

static const UrlCase url_cases[] = {
  /* A missing or empty host. */
  { "http:///x", NULL, FALSE },
  { "http://", NULL, FALSE },
  { "http://:8080/", NULL, FALSE },
  { "http:x", NULL, FALSE },
  { "http://a@/", NULL, FALSE },
  /* Loopback in every spelling. */
  { "http://localhost/", "localhost", TRUE },
  { "http://LocalHost:8080/admin", "localhost:8080", TRUE },
  { "http://foo.localhost/", "foo.localhost", TRUE },
  { "http://127.0.0.1:631/", "127.0.0.1:631", TRUE },
  { "http://127.0.0.2/", "127.0.0.2", TRUE },
  { "http://[::1]/", "[::1]", TRUE },
  { "http://[::1]:8080/x", "[::1]:8080", TRUE },
  { "http://[::ffff:127.0.0.1]/", "[::ffff:127.0.0.1]", TRUE },
  { "http://0.0.0.0/", "0.0.0.0", TRUE },
  { "http://[::]/", "[::]", TRUE },
  /* Public names and addresses. */
  { "https://example.org/", "example.org", FALSE },
  { "http://93.184.216.34/", "93.184.216.34", FALSE },
  { "http://[2001:db8::1]/", "[2001:db8::1]", FALSE },
  { "HTTPS://EXAMPLE.ORG/", "example.org", FALSE },
  /* Ports: the scheme's default is not named. */
  { "http://example.org:80/", "example.org", FALSE },
  { "https://example.org:443/", "example.org", FALSE },
  { "https://example.org:80/", "example.org:80", FALSE },
  { "http://example.org:8443/", "example.org:8443", FALSE },
  /* Userinfo is not the host. */
  { "http://a@b/", "b", FALSE },
  { "http://localhost@example.org/", "example.org", FALSE },
  { "http://user:pass@127.0.0.1:9/", "127.0.0.1:9", TRUE },
  /* International and percent-encoded names: the ASCII form. */
  { "http://bücher.example/", "xn--bcher-kva.example", FALSE },
  { "http://b%C3%BCcher.example/", "xn--bcher-kva.example", FALSE },
  { "http://%65xample.org/", "example.org", FALSE },
  { "http://%6c%6f%63%61%6c%68%6f%73%74/", "localhost", TRUE },
  { "http://%zz/", NULL, FALSE },
  { "http://exa%2Fmple.org/", NULL, FALSE },
  /* Not http. */
  { "ftp://example.org/", NULL, FALSE },
  { "file:///etc/passwd", NULL, FALSE },
};

static void
test_url_host (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (url_cases); i++)
    {
      const UrlCase *c = &url_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *host = il_network_url_host (c->url, &error);

      g_test_message ("%s → %s%s", c->url, host != NULL ? host : "(invalid) ", error != NULL ? error->message : "");
      g_assert_cmpstr (host, ==, c->host);
      if (c->host == NULL)
        {
          g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
        }
      else
        g_assert_no_error (error);
      g_assert_cmpint (il_network_url_is_loopback (c->url), ==, c->loopback);
    }
}

static IlExperiment *
load (const char *json,
      GError    **error)
{
  return il_experiment_load_data (json, -1, "net.interleave", error);
}

static char *
one_url_experiment (const char *url)
{
  return g_strdup_printf ("{ \"interleave\": 1, \"name\": \"n\","
                          "  \"tasks\": [ { \"blocks\": [ { \"type\": \"http\", \"url\": \"%s\" } ] } ],"
                          "  \"runs\": [ { \"executor\": \"sequential\" } ] }",
                          url);
}

/* Every valid explicit url needs consent, loopback included, and the
 * refusal names its host; with consent the rule lets it through. */
static void
test_every_url_needs_consent (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (url_cases); i++)
    {
      const UrlCase   *c = &url_cases[i];
      g_autofree char *json = one_url_experiment (c->url);
      g_autoptr(GError) error = NULL;
      g_autoptr(IlExperiment) exp = load (json, &error);
      g_auto(GStrv) hosts = NULL;

      if (c->host == NULL)
        {
          /* Refused at validation, with a position. */
          g_assert_null (exp);
          g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
          g_assert_true (g_str_has_prefix (error->message, "net.interleave:1:"));
          g_assert_nonnull (strstr (error->message, "tasks[0].blocks[0].url"));
          continue;
        }
      g_assert_no_error (error);
      hosts = il_experiment_network_hosts (exp);
      g_assert_cmpuint (g_strv_length (hosts), ==, 1);
      g_assert_cmpstr (hosts[0], ==, c->host);
      g_assert_false (il_experiment_check_network_consent (exp, FALSE, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_CONSENT);
      g_assert_nonnull (strstr (error->message, c->host));
      g_assert_nonnull (strstr (error->message, "--allow-network"));
      g_clear_error (&error);
      g_assert_true (il_experiment_check_network_consent (exp, TRUE, &error));
      g_assert_no_error (error);

      /* The runner applies the same rule itself. */
      {
        IlRunOptions options = { 0 };
        g_autoptr(IlRunner) runner = il_runner_new (exp, &options);

        g_assert_false (il_runner_check (runner, &error));
        g_assert_error (error, IL_ERROR, IL_ERROR_CONSENT);
      }
    }
}

/* Blocks without a url (the embedded server) need nothing; hosts are
 * distinct, in the order of first use, and a long list is cut short. */
static void
test_hosts_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) local = load ("{ \"interleave\": 1, \"name\": \"n\","
                                         "  \"tasks\": [ { \"blocks\": [ { \"type\": \"http\", \"delay_ms\": 5 } ] } ],"
                                         "  \"runs\": [ { \"executor\": \"sequential\" } ] }",
                                         &error);
  g_autoptr(IlExperiment) many = NULL;
  g_auto(GStrv) hosts = NULL;
  g_autoptr(GString) json = g_string_new ("{ \"interleave\": 1, \"name\": \"n\", \"tasks\": [ { \"blocks\": [ ");
  g_autofree char *described = NULL;

  g_assert_no_error (error);
  hosts = il_experiment_network_hosts (local);
  g_assert_cmpuint (g_strv_length (hosts), ==, 0);
  g_assert_true (il_experiment_check_network_consent (local, FALSE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&hosts, g_strfreev);

  for (guint i = 0; i < 14; i++)
    g_string_append_printf (json, "%s{ \"type\": \"http\", \"url\": \"http://h%u.example/%u\" }",
                            i > 0 ? ", " : "", i % 12, i);
  g_string_append (json, " ] } ], \"runs\": [ { \"executor\": \"sequential\" } ] }");
  many = load (json->str, &error);
  g_assert_no_error (error);
  hosts = il_experiment_network_hosts (many);
  g_assert_cmpuint (g_strv_length (hosts), ==, 12);
  g_assert_cmpstr (hosts[0], ==, "h0.example");
  g_assert_cmpstr (hosts[11], ==, "h11.example");
  described = il_network_describe_hosts ((const char *const *) hosts);
  g_test_message ("%s", described);
  g_assert_true (g_str_has_prefix (described, "h0.example, h1.example, "));
  g_assert_nonnull (strstr (described, "h9.example, and 2 more hosts"));
  g_assert_null (strstr (described, "h10.example"));
  g_clear_pointer (&described, g_free);

  {
    const char *const two[] = { "a.example", "b.example", NULL };
    const char *const one[] = { "a.example", NULL };

    described = il_network_describe_hosts (two);
    g_assert_cmpstr (described, ==, "a.example and b.example");
    g_clear_pointer (&described, g_free);
    described = il_network_describe_hosts (one);
    g_assert_cmpstr (described, ==, "a.example");
  }
}

/* ---------------------------------------------------------------- */
/* Redirects: consent names hosts, so requests never go elsewhere       */

typedef struct
{
  GSocket *listener;
  char    *location;
  guint    served;
} Redirector;

/* Answers one connection with a 302 to @location. */
static gpointer
redirector_thread (gpointer data)
{
  Redirector *r = data;

  for (guint i = 0; i < 1; i++)
    {
      g_autoptr(GSocket) conn = g_socket_accept (r->listener, NULL, NULL);
      g_autofree char *reply = NULL;
      char             buf[4096];

      if (conn == NULL)
        break;
      g_socket_set_timeout (conn, 10);
      if (g_socket_receive (conn, buf, sizeof buf, NULL, NULL) <= 0)
        continue;
      reply = g_strdup_printf ("HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n"
                               "Connection: close\r\n\r\n",
                               r->location);
      g_socket_send (conn, reply, strlen (reply), NULL, NULL);
      g_socket_close (conn, NULL);
      r->served++;
    }
  return NULL;
}

static void
test_redirect_not_followed (gconstpointer data)
{
  const char *executor = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlServer) other = il_server_new (&error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  g_autofree char    *json = NULL;
  IlRunOptions        options = { .allow_network = TRUE };
  Redirector          r = { 0 };
  GThread            *thread;
  const IlRunResult  *rr;
  const IlRepetition *rep;
  const IlTaskRecord *t;

  g_assert_no_error (error);
  r.listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (r.listener, addr, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (r.listener, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (r.listener, 20);
  bound = g_socket_get_local_address (r.listener, &error);
  g_assert_no_error (error);
  r.location = g_strdup_printf ("%s/delay?bytes=10", il_server_get_url (other));
  thread = g_thread_new ("redirector", redirector_thread, &r);

  json = g_strdup_printf ("{ \"interleave\": 1, \"name\": \"redirect\","
                          "  \"tasks\": [ { \"blocks\": [ { \"type\": \"http\", \"url\": \"http://127.0.0.1:%u/go\" } ] } ],"
                          "  \"runs\": [ { \"executor\": \"%s\" } ], \"settings\": { \"warmup\": 0, \"repetitions\": 1 } }",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)), executor);
  exp = load (json, &error);
  g_assert_no_error (error);
  runner = il_runner_new (exp, &options);
  results = il_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  g_socket_close (r.listener, NULL);
  g_thread_join (thread);

  rr = g_ptr_array_index (results->runs, 0);
  rep = g_ptr_array_index (rr->repetitions, 0);
  t = &g_array_index (rep->tasks, IlTaskRecord, 0);
  g_test_message ("%s: served %u, other host got %u, task: %s", executor, r.served,
                  il_server_get_n_requests (other), il_task_record_error (t) != NULL ? il_task_record_error (t) : "ok");
  g_assert_cmpuint (r.served, >=, 1);
  g_assert_cmpuint (il_server_get_n_requests (other), ==, 0);
  g_assert_true (t->failed);
  g_assert_nonnull (strstr (il_task_record_error (t), "HTTP 302"));
  g_assert_nonnull (strstr (il_task_record_error (t), "redirects are not followed"));
  g_object_unref (r.listener);
  g_free (r.location);
}

/* ---------------------------------------------------------------- */
/* The CLI, against a loopback server that counts what reaches it      */

static int
run_cli (const char *const *args,
         char             **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status = 0;

  g_ptr_array_add (argv, (gpointer) g_getenv ("IL_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* A shared file that sends GET /admin/delete?id=1 to a local service: it
 * is refused without --allow-network (exit 2, the host named, no request
 * reaches the service), and sent with it. */
static void
test_cli_loopback_needs_consent (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlServer) server = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *json = NULL;
  g_autofree char *host = NULL;
  int              code;

  if (g_getenv ("IL_CLI") == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }
  server = il_server_new (&error);
  g_assert_no_error (error);
  dir = g_dir_make_tmp ("il-net-XXXXXX", &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("%s/admin/delete?id=1", il_server_get_url (server));
  json = one_url_experiment (url);
  path = g_build_filename (dir, "local.interleave", NULL);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
  host = g_strdup_printf ("127.0.0.1:%u", il_server_get_port (server));

  {
    g_autofree char *err = NULL;

    code = run_cli ((const char *const[]){ "run", path, "--quiet", NULL }, &err);
    g_test_message ("exit %d: %s", code, err);
    g_assert_cmpint (code, ==, 2);
    g_assert_nonnull (strstr (err, host));
    g_assert_nonnull (strstr (err, "--allow-network"));
    g_assert_cmpuint (il_server_get_n_requests (server), ==, 0);
  }
  {
    g_autofree char *err = NULL;

    /* Allowed: the request goes (and gets the server's 404: exit 1). */
    code = run_cli ((const char *const[]){ "run", path, "--quiet", "--allow-network", NULL }, &err);
    g_test_message ("exit %d: %s", code, err);
    g_assert_cmpint (code, ==, 1);
    g_assert_cmpuint (il_server_get_n_requests (server), >=, 1);
  }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/il/network/url-host", test_url_host);
  g_test_add_func ("/il/network/every-url-needs-consent", test_every_url_needs_consent);
  g_test_add_func ("/il/network/hosts-list", test_hosts_list);
  g_test_add_data_func ("/il/network/redirect-not-followed/sequential", "sequential", test_redirect_not_followed);
  g_test_add_data_func ("/il/network/redirect-not-followed/async", "async", test_redirect_not_followed);
  g_test_add_func ("/il/network/cli-loopback-needs-consent", test_cli_loopback_needs_consent);

  return g_test_run ();
}
