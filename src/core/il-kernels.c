/* il-kernels.c — deterministic CPU kernels measured in units of work
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every kernel works on integers only, with explicit widths and byte
 * orders, so that a (kernel, seed) pair gives the same checksum on every
 * machine, compiler and optimization level. The sizes below define what a
 * unit *is* in format version 1: changing any of them changes results that
 * users have recorded and shared, so they must never change within it.
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "il-kernels.h"
#include "il-stats.h"

/* Work per unit (format version 1; do not change). Each was sized to take
 * about 1 ms on one core of a current desktop CPU. */
#define SPIN_ITERATIONS   600000
#define PRIMES_BASE       1000000u
#define PRIMES_SPAN       1000000u
#define PRIMES_COUNT      6400u
#define HASH_BUFFER_BYTES 1024
#define HASH_ROUNDS       500
#define MATMUL_N          96
#define MATMUL_ROUNDS     3

/* splitmix64's finalizer: a cheap bijective mix with good avalanche. */
static inline guint64
il_mix64 (guint64 x)
{
  x ^= x >> 30;
  x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}

#define GOLDEN G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)

static inline guint64
il_splitmix_next (guint64 *state)
{
  *state += GOLDEN;
  return il_mix64 (*state);
}

guint64
il_kernel_seed (guint   group,
                guint   index,
                guint   block,
                guint64 unit)
{
  guint64 h = G_GUINT64_CONSTANT (0x696e7465726c6561); /* "interlea" */

  /* Chained so that swapping two fields changes the seed too. */
  h = il_mix64 (h + GOLDEN * ((guint64) group + 1));
  h = il_mix64 (h + GOLDEN * ((guint64) index + 1));
  h = il_mix64 (h + GOLDEN * ((guint64) block + 1));
  h = il_mix64 (h + GOLDEN * (unit + 1));
  return h;
}

guint64
il_checksum_fold (guint64 acc,
                  guint64 value)
{
  /* Multiplying the accumulator before mixing makes the fold depend on
   * the order of values, as the units of a task run in order. */
  return il_mix64 (acc * G_GUINT64_CONSTANT (0x100000001b3) + value + GOLDEN);
}

guint64
il_checksum_combine (guint64 acc,
                     guint64 task_checksum)
{
  /* Wrapping addition is commutative and associative; mixing first keeps
   * two tasks with related checksums from cancelling each other out. */
  return acc + il_mix64 (task_checksum ^ G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f));
}

char *
il_checksum_to_string (guint64 checksum)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", checksum);
}

/* spin: a long dependency chain of multiply/xor/shift, which no compiler
 * can shorten or precompute. */
static guint64
il_kernel_spin (guint64 seed)
{
  guint64 x = seed;

  for (guint32 i = 0; i < SPIN_ITERATIONS; i++)
    {
      x ^= x >> 29;
      x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
      x ^= x >> 32;
      x += i;
    }

  return il_mix64 (x);
}

/* primes: trial division of PRIMES_COUNT consecutive odd numbers starting
 * at a seed-dependent point between 10^6 and 2·10^6, so that every unit
 * does about the same amount of division. */
static guint64
il_kernel_primes (guint64 seed)
{
  guint32 start = PRIMES_BASE + (guint32) (il_mix64 (seed) % PRIMES_SPAN);
  guint64 acc = seed;
  guint32 found = 0;

  start |= 1;
  for (guint32 k = 0; k < PRIMES_COUNT; k++)
    {
      guint32  n = start + 2 * k;
      gboolean prime = TRUE;

      for (guint32 d = 3; d * d <= n; d += 2)
        {
          if (n % d == 0)
            {
              prime = FALSE;
              break;
            }
        }

      if (prime)
        {
          found++;
          acc = acc * G_GUINT64_CONSTANT (0x100000001b3) + n;
        }
    }

  return il_mix64 (acc ^ found);
}

/* One GChecksum per thread, reset for each unit: no allocation per unit,
 * and no state shared between threads. */
static GPrivate hash_checksum_key = G_PRIVATE_INIT ((GDestroyNotify) g_checksum_free);

/* hash: HASH_ROUNDS chained SHA-256 digests over a seed-derived buffer;
 * each round hashes the previous digest and the buffer. */
static guint64
il_kernel_hash (guint64 seed)
{
  GChecksum *checksum = g_private_get (&hash_checksum_key);
  guint8     buffer[HASH_BUFFER_BYTES];
  guint8     digest[32] = { 0 };
  guint64    state = seed;
  guint64    result = 0;

  if (checksum == NULL)
    {
      checksum = g_checksum_new (G_CHECKSUM_SHA256);
      g_private_set (&hash_checksum_key, checksum);
    }

  /* Bytes are taken from the words explicitly (little-endian order), so
   * the buffer is the same on every architecture. */
  for (gsize i = 0; i < HASH_BUFFER_BYTES; i += 8)
    {
      guint64 word = il_splitmix_next (&state);

      for (gsize b = 0; b < 8; b++)
        buffer[i + b] = (guint8) (word >> (8 * b));
    }

  for (guint r = 0; r < HASH_ROUNDS; r++)
    {
      gsize len = sizeof digest;

      g_checksum_reset (checksum);
      g_checksum_update (checksum, digest, sizeof digest);
      g_checksum_update (checksum, buffer, sizeof buffer);
      g_checksum_get_digest (checksum, digest, &len);
      g_assert (len == sizeof digest);
    }

  for (gsize b = 0; b < 8; b++)
    result |= (guint64) digest[b] << (8 * b);

  return il_mix64 (result);
}

typedef struct
{
  guint64 a[MATMUL_N * MATMUL_N];
  guint64 b[MATMUL_N * MATMUL_N];
  guint64 c[MATMUL_N * MATMUL_N];
} MatmulScratch;

/* Per-thread scratch: three matrices are too big to be polite on the
 * stack of arbitrary threads, and allocating per unit would measure the
 * allocator. */
static GPrivate matmul_scratch_key = G_PRIVATE_INIT (g_free);

/* matmul: MATMUL_ROUNDS products of N×N matrices of 64-bit integers
 * (wrapping arithmetic is exact and identical everywhere); each product
 * becomes the next left operand. The three matrices (216 KiB) spill out of
 * L1 into L2, so the kernel leans on memory more than the others. 64-bit
 * elements also keep its speed from depending on how well a compiler
 * vectorizes (SIMD units multiply 32-bit lanes far better). */
static guint64
il_kernel_matmul (guint64 seed)
{
  MatmulScratch *s = g_private_get (&matmul_scratch_key);
  guint64        state = seed;
  guint64        acc = seed;

  if (s == NULL)
    {
      s = g_new (MatmulScratch, 1);
      g_private_set (&matmul_scratch_key, s);
    }

  for (gsize i = 0; i < MATMUL_N * MATMUL_N; i++)
    {
      guint64 word = il_splitmix_next (&state);

      s->a[i] = word;
      s->b[i] = il_mix64 (word);
    }

  for (guint r = 0; r < MATMUL_ROUNDS; r++)
    {
      for (gsize i = 0; i < MATMUL_N; i++)
        {
          guint64 *crow = &s->c[i * MATMUL_N];

          memset (crow, 0, MATMUL_N * sizeof (guint64));
          for (gsize k = 0; k < MATMUL_N; k++)
            {
              guint64        aik = s->a[i * MATMUL_N + k];
              const guint64 *brow = &s->b[k * MATMUL_N];

              for (gsize j = 0; j < MATMUL_N; j++)
                crow[j] += aik * brow[j];
            }
        }
      memcpy (s->a, s->c, sizeof s->a);
    }

  for (gsize i = 0; i < MATMUL_N * MATMUL_N; i++)
    acc = acc * G_GUINT64_CONSTANT (0x100000001b3) + s->c[i];

  return il_mix64 (acc);
}

guint64
il_kernel_run_unit (IlKernel kernel,
                    guint64  seed)
{
  switch (kernel)
    {
      case IL_KERNEL_SPIN:
        return il_kernel_spin (seed);
      case IL_KERNEL_PRIMES:
        return il_kernel_primes (seed);
      case IL_KERNEL_HASH:
        return il_kernel_hash (seed);
      case IL_KERNEL_MATMUL:
        return il_kernel_matmul (seed);
      case IL_N_KERNELS:
      default:
        break;
    }

  g_return_val_if_reached (0);
}

/* Calibration uses the thread's CPU time, not wall time: it asks how much
 * computing a unit is, and on a busy machine (or a 2-core VM with noisy
 * neighbours) wall time would add whatever time the scheduler gave to
 * others. The median over batches removes the remaining outliers (cache
 * warm-up, frequency changes). Falls back to the monotonic clock where the
 * thread CPU clock is missing. */
static gint64
il_kernel_now_us (void)
{
#ifdef CLOCK_THREAD_CPUTIME_ID
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
    return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
#endif
  return g_get_monotonic_time ();
}

double
il_kernel_calibrate (IlKernel kernel,
                     guint    budget_ms)
{
  g_autoptr(GArray) per_unit = g_array_new (FALSE, FALSE, sizeof (double));
  volatile guint64 sink = 0;
  gint64           deadline;
  gint64           t0;
  gint64           first_us;
  guint64          unit = 0;
  guint            batch;

  g_return_val_if_fail (kernel < IL_N_KERNELS, NAN);

  budget_ms = MAX (budget_ms, 1);
  deadline = g_get_monotonic_time () + (gint64) budget_ms * 1000;

  /* One unit first, to warm caches and to size the batches so that about
   * ten fit in the budget, each long enough for the clock's resolution. */
  t0 = il_kernel_now_us ();
  sink += il_kernel_run_unit (kernel, il_kernel_seed (0, 0, 0, unit++));
  first_us = MAX (il_kernel_now_us () - t0, 1);
  batch = (guint) CLAMP ((gint64) budget_ms * 100 / first_us, 1, 10000);

  do
    {
      double ms;

      t0 = il_kernel_now_us ();
      for (guint i = 0; i < batch; i++)
        sink += il_kernel_run_unit (kernel, il_kernel_seed (0, 0, 0, unit++));
      ms = (double) (il_kernel_now_us () - t0) / 1000.0 / batch;
      g_array_append_val (per_unit, ms);
    }
  while (per_unit->len < 3 || g_get_monotonic_time () < deadline);

  (void) sink;
  return il_stats_median ((const double *) per_unit->data, per_unit->len);
}
