/* il-machine.h — describing the machine results were measured on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-results.h"

G_BEGIN_DECLS

/* Reads /proc/cpuinfo, /sys/devices/system/cpu/cpu0/cpufreq, /proc/loadavg,
 * uname and /etc/os-release into @machine (cleared first). Never fails:
 * unknown fields stay NULL / 0. */
void il_machine_describe (IlMachine *machine);

/* Online cores this process may use (sched_getaffinity), at least 1. */
guint il_machine_count_cores (void);

/* Warnings about @machine that make figures less trustworthy: frequency
 * scaling on (a governor other than "performance"), a busy machine
 * (load average above half the cores). Appended to @warnings (char*). */
void il_machine_warnings (const IlMachine *machine,
                          GPtrArray       *warnings);

G_END_DECLS
