# SPDX-License-Identifier: GPL-3.0-or-later
"""Interleave's cpython engine: the same executors on the real interpreter.

Started by the application (src/core/il-executor-cpython.c) as
``python3 -I -c <bootstrap> PACKAGE_DIR KERNELS_LIB EXECUTOR WORKERS
SWITCH_MS SPAWN SLICE``. It speaks Interleave's worker wire protocol
(protocol.py) on its standard input and output: HELLO → READY, then TASK
frames in, EVENT and RESULT frames out, until END (the repetition is over:
DONE, then the next repetition's HELLO) or BYE or end of input (it leaves).
One interpreter runs every repetition of a run (engine.py).
"""
