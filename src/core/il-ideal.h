/* il-ideal.h — the "ideal" reference of the comparison and scaling charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ideal is the sequential baseline shared perfectly by the cores the
 * runs may use: no run of CPU work can finish sooner. It only means that
 * where cores are what limits a run. A run confined to one core has no
 * ideal above ×1, and a run that mostly waits (sleep, HTTP, files) is
 * limited by the waits, not the cores: drawing "ideal for 2 cores" beside
 * an I/O-bound run that finishes 10× faster teaches the wrong lesson. The
 * charts draw the ideal only where il_ideal_compute() says it applies, and
 * otherwise show il_ideal_explain()'s reason.
 */
#pragma once

#include "il-results.h"

G_BEGIN_DECLS

/* A baseline whose tasks want the CPU (running, or ready to run) at least
 * this share of their time counts as CPU-bound. */
#define IL_IDEAL_MIN_CPU_SHARE 0.8

typedef enum
{
  IL_IDEAL_APPLIES,
  IL_IDEAL_NO_BASELINE, /* no sequential run to share out */
  IL_IDEAL_ONE_CORE,    /* the runs may use a single core */
  IL_IDEAL_NOT_CPU_BOUND,
} IlIdealKind;

typedef struct
{
  IlIdealKind kind;
  guint       cores;       /* the cores the runs may use, at least 1 */
  double      baseline_ms; /* the sequential run's median makespan; NAN: none */
  double      cpu_share;   /* 1 − blocked ÷ task time in the baseline; NAN: not known */
} IlIdeal;

/* @cpu_affinity (guint core indices, nullable or empty: all cores) is the
 * experiment's settings.cpu_affinity: the results alone do not say which
 * cores the runs were confined to. A baseline whose state accounting is
 * unknown (cpu_share NAN) counts as CPU-bound. */
void il_ideal_compute (const IlResults *results,
                       const GArray    *cpu_affinity,
                       IlIdeal         *ideal);
/* The ideal makespan for the comparison chart: baseline ÷ cores. NAN
 * unless the ideal applies. */
double il_ideal_makespan_ms (const IlIdeal *ideal);
/* The ideal speedup at @workers: min (workers, cores). NAN unless the
 * ideal applies. */
double il_ideal_speedup (const IlIdeal *ideal,
                         double         workers);
/* Why the charts draw no ideal, as a sentence for the user (translated);
 * NULL when it applies. */
char *il_ideal_explain (const IlIdeal *ideal);

G_END_DECLS
