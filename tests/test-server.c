/* test-server.c — the embedded latency server releases every connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2's SoupServer keeps a connection that its client closed in
 * CLOSE-WAIT, descriptor and all, and so does a delayed answer whose client
 * went away. The server lives as long as the app: each leaked descriptor
 * stays until exit, and a local process could exhaust them. These tests
 * count this process's descriptors (the server runs in a thread of it)
 * before and after clients that close or give up.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>

#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-server.h"
#include "il-test-utils.h"

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  /* Minus the one g_dir_open holds. */
  return n - 1;
}

/* Waits (up to 10 s) for the descriptor count to come down to @expected:
 * the server closes in its own thread, a moment after the client. Returns
 * the last count seen. */
static guint
wait_fds (guint expected)
{
  gint64 t0 = g_get_monotonic_time ();
  guint  n;

  while ((n = count_fds ()) > expected && g_get_monotonic_time () - t0 < 10 * G_USEC_PER_SEC)
    g_usleep (20000);
  return n;
}

static GSocket *
connect_to (IlServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, (guint16) il_server_get_port (server));
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 10);
  g_socket_connect (socket, addr, NULL, &error);
  g_assert_no_error (error);
  return socket;
}

static void
send_text (GSocket    *socket,
           const char *text)
{
  g_autoptr(GError) error = NULL;
  gsize  len = strlen (text);
  gssize n = g_socket_send (socket, text, len, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (n, ==, (gssize) len);
}

/* Reads until the end of a response with a 10-byte body (or EOF). */
static void
read_response (GSocket *socket)
{
  g_autoptr(GString) got = g_string_new (NULL);
  char buf[4096];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize      n = g_socket_receive (socket, buf, sizeof buf, NULL, &error);
      const char *end;

      g_assert_no_error (error);
      if (n <= 0)
        break;
      g_string_append_len (got, buf, n);
      end = strstr (got->str, "\r\n\r\n");
      if (end != NULL && got->len - (gsize) (end + 4 - got->str) >= 10)
        break;
    }
  g_assert_true (g_str_has_prefix (got->str, "HTTP/1.1 200"));
}

#define GET_10 "GET /delay?bytes=10 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/* Clients that make a request (keep-alive), read the answer and close;
 * clients that connect and close without a word; clients that close in the
 * middle of their request headers. */
static void
test_closed_connections (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlServer) server = il_server_new (&error);
  guint before, after;

  g_assert_no_error (error);
  before = count_fds ();
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(GSocket) socket = connect_to (server);

      if (i % 4 == 0)
        {
          send_text (socket, GET_10);
          read_response (socket);
          send_text (socket, GET_10);
          read_response (socket);
        }
      else if (i % 4 == 1)
        {
          send_text (socket, GET_10);
          read_response (socket);
        }
      else if (i % 4 == 2)
        send_text (socket, "GET /delay HTTP/1.1\r\nHost: 1");
      /* else: nothing at all */
      g_socket_close (socket, NULL);
    }
  after = wait_fds (before);
  g_test_message ("descriptors: %u before, %u after 40 closed connections", before, after);
  g_assert_cmpuint (after, <=, before);
}

/* Clients that ask for a delayed answer and leave before it comes: the
 * connection goes when the client does, or at the latest when the delay
 * ends. */
static void
test_abandoned_delays (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlServer) server = il_server_new (&error);
  guint before, after;

  g_assert_no_error (error);
  before = count_fds ();
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(GSocket) socket = connect_to (server);

      send_text (socket, i % 2 == 0 ? "GET /delay?ms=200&bytes=10 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                    : "GET /delay?ms=100000&bytes=10 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      g_socket_close (socket, NULL);
    }
  /* Wait until the server has seen them all. */
  {
    gint64 t0 = g_get_monotonic_time ();

    while (il_server_get_n_requests (server) < 30)
      {
        g_usleep (10000);
        g_assert_cmpint (g_get_monotonic_time () - t0, <, 10 * G_USEC_PER_SEC);
      }
  }
  after = wait_fds (before);
  g_test_message ("descriptors: %u before, %u after 30 abandoned delayed requests", before, after);
  g_assert_cmpuint (after, <=, before);

  /* It still answers. */
  {
    g_autoptr(GSocket) socket = connect_to (server);

    send_text (socket, GET_10);
    read_response (socket);
  }
}

/* Under a limit of 128 descriptors, 2,000 connections that close one after
 * the other: the server keeps answering and the process does not abort
 * (GLib aborts when it cannot create a wakeup pipe). */
static void
test_flood (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      struct rlimit lim = { 128, 128 };
      g_autoptr(IlServer) server = NULL;

      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &lim), ==, 0);
      server = il_server_new (&error);
      g_assert_no_error (error);
      for (guint i = 0; i < 2000; i++)
        {
          g_autoptr(GSocket) socket = connect_to (server);

          if (i % 2 == 0)
            {
              send_text (socket, GET_10);
              read_response (socket);
            }
          g_socket_close (socket, NULL);
          /* Descriptors come back a moment later, in the server's thread:
           * never keep more than ~50 closing at once. */
          if (i % 50 == 49)
            g_assert_cmpuint (wait_fds (40), <=, 40);
        }
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Another local process opens many connections and says nothing: under
 * a limit of 256 descriptors (a cap of 64 connections) the server sheds
 * the oldest, its descriptors stay bounded, and it keeps answering. */
static void
test_silent_flood (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      struct rlimit lim;
      g_autoptr(IlServer) server = NULL;
      guint16 port;
      pid_t   child;
      int     status;
      guint   before, most = 0;

      /* The soft limit only: the child raises its own again. */
      g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &lim), ==, 0);
      if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < 1024)
        {
          g_test_skip ("the descriptor limit is too low for the flood");
          return;
        }
      lim.rlim_cur = 256;
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &lim), ==, 0);
      server = il_server_new (&error);
      g_assert_no_error (error);
      port = (guint16) il_server_get_port (server);
      before = count_fds ();
      child = fork ();
      g_assert_cmpint (child, >=, 0);
      if (child == 0)
        {
          /* Async-signal-safe calls only: the parent has threads. */
          struct sockaddr_in sa = { 0 };
          struct rlimit      more = { 1024, 1024 };

          setrlimit (RLIMIT_NOFILE, &more);
          sa.sin_family = AF_INET;
          sa.sin_port = htons (port);
          sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
          for (int i = 0; i < 600; i++)
            {
              int fd = socket (AF_INET, SOCK_STREAM, 0);

              if (fd < 0)
                _exit (2);
              if (connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
                _exit (3 + i / 10);
            }
          sleep (4);
          _exit (0);
        }
      for (guint i = 0; i < 30; i++)
        {
          g_usleep (100000);
          most = MAX (most, count_fds ());
        }
      /* It answers while the flood holds. */
      {
        g_autoptr(GSocket) socket = connect_to (server);

        send_text (socket, GET_10);
        read_response (socket);
      }
      g_assert_cmpint (waitpid (child, &status, 0), ==, child);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      g_test_message ("descriptors: %u before, at most %u during a flood of 600", before, most);
      g_assert_cmpuint (most, <, 256 - 32);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* As in the app: one server for its lifetime, and runs that use it one
 * after the other. Each run's clients close their connections when the run
 * ends; the server must not keep them. */
static void
test_runs_against_lifetime_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlServer) server = il_server_new (&error);
  g_autoptr(IlExperiment) exp = NULL;
  guint before = 0;

  g_assert_no_error (error);
  exp = il_experiment_load_data ("{ \"interleave\": 1, \"name\": \"http\","
                                 "  \"tasks\": [ { \"repeat\": 40, \"blocks\": [ { \"type\": \"http\", \"delay_ms\": 5, \"bytes\": 1024 } ] } ],"
                                 "  \"runs\": [ { \"executor\": \"threads\", \"workers\": 8 }, { \"executor\": \"async\" } ],"
                                 "  \"settings\": { \"repetitions\": 1, \"warmup\": 0 } }",
                                 -1, "lifetime.interleave", &error);
  g_assert_no_error (error);
  for (guint run = 0; run < 4; run++)
    {
      IlRunOptions options = { .server_url = il_server_get_url (server) };
      g_autoptr(IlRunner) runner = il_runner_new (exp, &options);
      g_autoptr(IlResults) results = il_runner_run (runner, NULL, &error);
      guint after;

      g_assert_no_error (error);
      g_assert_nonnull (results);
      if (run == 0)
        {
          /* The first run sets the baseline, once settled: GLib and
           * libsoup keep a few descriptors of their own once used. */
          g_usleep (G_USEC_PER_SEC);
          before = count_fds ();
        }
      after = wait_fds (before);
      g_test_message ("run %u: %u descriptors (requests so far: %u)", run, after, il_server_get_n_requests (server));
      g_assert_cmpuint (after, <=, before);
    }
  g_assert_cmpuint (il_server_get_n_requests (server), ==, 4 * 80);
}

/* In a subprocess, as a user id nobody runs as, with no room for one more
 * thread: the server's thread cannot be made, and il_server_new() says so
 * instead of aborting the process (g_thread_new's behaviour). */
static void
test_thread_refused_child (void)
{
  g_autoptr(GError) error = NULL;
  IlServer *server;

  if (!il_test_limit_threads (0))
    return;
  server = il_server_new (&error);
  g_assert_null (server);
  g_assert_nonnull (error);
  g_print ("error: %s\n", error->message);
}

static void
test_thread_refused (void)
{
  if (geteuid () != 0)
    {
      g_test_skip ("needs root (to run under an unused user id with a low process limit)");
      return;
    }
  g_test_trap_subprocess ("/il/server/thread-refused/subprocess", 30 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*Could not start the embedded latency server*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/il/server/closed-connections", test_closed_connections);
  g_test_add_func ("/il/server/abandoned-delays", test_abandoned_delays);
  g_test_add_func ("/il/server/flood", test_flood);
  g_test_add_func ("/il/server/silent-flood", test_silent_flood);
  g_test_add_func ("/il/server/runs-against-lifetime-server", test_runs_against_lifetime_server);
  g_test_add_func ("/il/server/thread-refused", test_thread_refused);
  g_test_add_func ("/il/server/thread-refused/subprocess", test_thread_refused_child);

  return g_test_run ();
}
