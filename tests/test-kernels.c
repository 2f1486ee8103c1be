/* test-kernels.c — CPU kernels, seeds, checksums and calibration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "il-kernels.h"

typedef struct
{
  IlKernel kernel;
  guint64  seed;
  guint64  expected;
} KernelCase;

/* A unit's work never changes within format version 1: these values were
 * computed once (gcc -O0/-O2/-O3 and clang agree) and lock it forever. If
 * this test fails, the change breaks every recorded result. */
static const KernelCase kernel_cases[] = {
  { IL_KERNEL_SPIN, G_GUINT64_CONSTANT (0x0000000000000000), G_GUINT64_CONSTANT (0x8e079695c7c0e706) },
  { IL_KERNEL_SPIN, G_GUINT64_CONSTANT (0x0000000000000001), G_GUINT64_CONSTANT (0xfba957e9df9e9107) },
  { IL_KERNEL_SPIN, G_GUINT64_CONSTANT (0x000000000000002a), G_GUINT64_CONSTANT (0x03ee48664f006145) },
  { IL_KERNEL_SPIN, G_GUINT64_CONSTANT (0xdeadbeefcafef00d), G_GUINT64_CONSTANT (0xdc091bed91128391) },
  { IL_KERNEL_PRIMES, G_GUINT64_CONSTANT (0x0000000000000000), G_GUINT64_CONSTANT (0xc935b34fdda06ee0) },
  { IL_KERNEL_PRIMES, G_GUINT64_CONSTANT (0x0000000000000001), G_GUINT64_CONSTANT (0x7d9680e3e287d390) },
  { IL_KERNEL_PRIMES, G_GUINT64_CONSTANT (0x000000000000002a), G_GUINT64_CONSTANT (0x82cebc3fb928385a) },
  { IL_KERNEL_PRIMES, G_GUINT64_CONSTANT (0xdeadbeefcafef00d), G_GUINT64_CONSTANT (0xd02d74684f660834) },
  { IL_KERNEL_HASH, G_GUINT64_CONSTANT (0x0000000000000000), G_GUINT64_CONSTANT (0x85ab34e5320e88f0) },
  { IL_KERNEL_HASH, G_GUINT64_CONSTANT (0x0000000000000001), G_GUINT64_CONSTANT (0x4fc034fc7e92983d) },
  { IL_KERNEL_HASH, G_GUINT64_CONSTANT (0x000000000000002a), G_GUINT64_CONSTANT (0xf48c2427320abb5d) },
  { IL_KERNEL_HASH, G_GUINT64_CONSTANT (0xdeadbeefcafef00d), G_GUINT64_CONSTANT (0xf42fb88029b9eca8) },
  { IL_KERNEL_MATMUL, G_GUINT64_CONSTANT (0x0000000000000000), G_GUINT64_CONSTANT (0x3cc64e84b4d5377c) },
  { IL_KERNEL_MATMUL, G_GUINT64_CONSTANT (0x0000000000000001), G_GUINT64_CONSTANT (0x119a05b0b4fc4315) },
  { IL_KERNEL_MATMUL, G_GUINT64_CONSTANT (0x000000000000002a), G_GUINT64_CONSTANT (0x0a2f9799dc4cdb61) },
  { IL_KERNEL_MATMUL, G_GUINT64_CONSTANT (0xdeadbeefcafef00d), G_GUINT64_CONSTANT (0xcaa983d0c7324754) },
};

static void
test_kernels_fixed_checksums (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kernel_cases); i++)
    {
      const KernelCase *c = &kernel_cases[i];
      guint64           got = il_kernel_run_unit (c->kernel, c->seed);

      if (got != c->expected)
        g_test_message ("kernel %d seed %016" G_GINT64_MODIFIER "x: got %016" G_GINT64_MODIFIER "x, expected %016" G_GINT64_MODIFIER "x",
                        c->kernel, c->seed, got, c->expected);
      g_assert_cmphex (got, ==, c->expected);
    }
}

static void
test_kernels_determinism (void)
{
  /* Same input twice, in the same thread: no hidden state leaks between
   * units (the per-thread scratch buffers must be fully rewritten). */
  for (IlKernel k = 0; k < IL_N_KERNELS; k++)
    {
      guint64 a = il_kernel_run_unit (k, 7);
      guint64 b = il_kernel_run_unit (k, 8);
      guint64 a2 = il_kernel_run_unit (k, 7);

      g_assert_cmphex (a, ==, a2);
      g_assert_cmphex (a, !=, b);
    }
}

static void
test_kernels_seed (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) keep = g_array_sized_new (FALSE, FALSE, sizeof (guint64), 4 * 4 * 4 * 8);

  /* Locked, like the kernels: seeds decide each unit's work. */
  g_assert_cmphex (il_kernel_seed (0, 0, 0, 0), ==, G_GUINT64_CONSTANT (0xf11f3adbaa5592e3));
  g_assert_cmphex (il_kernel_seed (1, 2, 3, 4), ==, G_GUINT64_CONSTANT (0xe4f05eabe0c7f3fa));

  /* Swapped fields give different seeds. */
  g_assert_cmphex (il_kernel_seed (1, 0, 0, 0), !=, il_kernel_seed (0, 1, 0, 0));
  g_assert_cmphex (il_kernel_seed (0, 0, 1, 0), !=, il_kernel_seed (0, 0, 0, 1));

  /* No collisions over a small grid. */
  for (guint g = 0; g < 4; g++)
    for (guint i = 0; i < 4; i++)
      for (guint b = 0; b < 4; b++)
        for (guint64 u = 0; u < 8; u++)
          {
            guint64 s = il_kernel_seed (g, i, b, u);

            g_array_append_val (keep, s);
          }
  for (guint i = 0; i < keep->len; i++)
    {
      guint64 *s = &g_array_index (keep, guint64, i);

      g_assert_false (g_hash_table_contains (seen, s));
      g_hash_table_add (seen, s);
    }
}

static void
test_kernels_checksum_fold (void)
{
  guint64 ab = il_checksum_fold (il_checksum_fold (0, 1), 2);
  guint64 ba = il_checksum_fold (il_checksum_fold (0, 2), 1);
  guint64 acc = 0;

  /* Order matters within a task. */
  g_assert_cmphex (ab, !=, ba);
  g_assert_cmphex (il_checksum_fold (0, 1), ==, G_GUINT64_CONSTANT (0x910a2dec89025cc1));

  for (guint64 u = 0; u < 3; u++)
    acc = il_checksum_fold (acc, il_kernel_run_unit (IL_KERNEL_SPIN, il_kernel_seed (0, 0, 0, u)));
  g_assert_cmphex (acc, ==, G_GUINT64_CONSTANT (0x1e3f69a81102582a));
}

static void
test_kernels_checksum_combine (void)
{
  guint64 values[64];
  guint64 in_order = 0;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);

  g_assert_cmphex (il_checksum_combine (0, 1), ==, G_GUINT64_CONSTANT (0xe39b5998e7625f38));

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      values[i] = il_checksum_fold (0, i);
      in_order = il_checksum_combine (in_order, values[i]);
    }

  for (guint round = 0; round < 20; round++)
    {
      guint64 shuffled = 0;

      /* Fisher–Yates */
      for (guint i = G_N_ELEMENTS (values) - 1; i > 0; i--)
        {
          guint   j = g_rand_int_range (rand, 0, i + 1);
          guint64 t = values[i];

          values[i] = values[j];
          values[j] = t;
        }

      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        shuffled = il_checksum_combine (shuffled, values[i]);
      g_assert_cmphex (shuffled, ==, in_order);
    }

  /* A missing or duplicated task shows. */
  g_assert_cmphex (il_checksum_combine (in_order, values[0]), !=, in_order);
}

static void
test_kernels_checksum_string (void)
{
  g_autofree char *zero = il_checksum_to_string (0);
  g_autofree char *some = il_checksum_to_string (G_GUINT64_CONSTANT (0xDEADBEEF0012ABCD));

  g_assert_cmpstr (zero, ==, "0000000000000000");
  g_assert_cmpstr (some, ==, "deadbeef0012abcd");
}

static void
test_kernels_unit_time (void)
{
  /* A generous sanity bound; `interleave-cli calibrate` reports the real
   * figure. Sized for about 1 ms on a desktop core. */
  for (IlKernel k = 0; k < IL_N_KERNELS; k++)
    {
      double ms = il_kernel_calibrate (k, 150);

      g_test_message ("kernel %d: %.3f ms per unit", k, ms);
      g_assert_false (isnan (ms));
      g_assert_cmpfloat (ms, >=, 0.05);
      g_assert_cmpfloat (ms, <=, 20.0);
    }
}

#define THREAD_UNITS 24

typedef struct
{
  IlKernel kernel;
  guint64  results[THREAD_UNITS];
} ThreadWork;

static gpointer
kernels_thread_worker (gpointer data)
{
  ThreadWork *work = data;

  for (guint u = 0; u < THREAD_UNITS; u++)
    work->results[u] = il_kernel_run_unit (work->kernel, il_kernel_seed (3, 1, 0, u));

  return NULL;
}

static void
test_kernels_threads (void)
{
  for (IlKernel k = 0; k < IL_N_KERNELS; k++)
    {
      ThreadWork expected = { k, { 0 } };
      ThreadWork work[2] = { { k, { 0 } }, { k, { 0 } } };
      GThread   *threads[2];

      kernels_thread_worker (&expected);

      /* Both threads at once, on the same seeds: any shared scratch state
       * would corrupt one of them. */
      for (guint t = 0; t < 2; t++)
        threads[t] = g_thread_new ("kernel", kernels_thread_worker, &work[t]);
      for (guint t = 0; t < 2; t++)
        g_thread_join (threads[t]);

      for (guint t = 0; t < 2; t++)
        for (guint u = 0; u < THREAD_UNITS; u++)
          g_assert_cmphex (work[t].results[u], ==, expected.results[u]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/kernels/fixed-checksums", test_kernels_fixed_checksums);
  g_test_add_func ("/il/kernels/determinism", test_kernels_determinism);
  g_test_add_func ("/il/kernels/seed", test_kernels_seed);
  g_test_add_func ("/il/kernels/checksum-fold", test_kernels_checksum_fold);
  g_test_add_func ("/il/kernels/checksum-combine", test_kernels_checksum_combine);
  g_test_add_func ("/il/kernels/checksum-string", test_kernels_checksum_string);
  g_test_add_func ("/il/kernels/unit-time", test_kernels_unit_time);
  g_test_add_func ("/il/kernels/threads", test_kernels_threads);

  return g_test_run ();
}
