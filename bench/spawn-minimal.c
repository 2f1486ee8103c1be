/* spawn-minimal.c — the cheapest process bench-dispatch-processes starts:
 * a dynamically linked binary that needs only libc (as every program on
 * the system does), and returns at once. /bin/true is the same but for
 * its locale set-up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
int
main (void)
{
  return 0;
}
