# SPDX-License-Identifier: GPL-3.0-or-later
"""What the scripts that drive the app through AT-SPI share: when they can
run at all, how dogtail is set up, and the private environment the app gets."""

import os
import subprocess
import sys

SKIP = 77


def skip(why):
    print(f"1..0 # SKIP {why}")
    sys.exit(SKIP)


def require_atspi(script):
    """The interleave binary from the command line; exits 77 (skip) without
    a display, a session bus or the accessibility bus."""
    if len(sys.argv) < 2:
        print(f"usage: {script} INTERLEAVE-BINARY", file=sys.stderr)
        sys.exit(2)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        skip("no display")
    bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not bus or bus.startswith("disabled"):
        skip("no session bus")
    try:
        subprocess.run(["dbus-send", "--session", "--dest=org.a11y.Bus", "--print-reply",
                        "/org/a11y/bus", "org.a11y.Bus.GetAddress"],
                       check=True, capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        skip("no AT-SPI bus")
    return sys.argv[1]


def load_dogtail(tmp, search_cutoff):
    """dogtail's tree module, configured to write under @tmp and to search
    @search_cutoff times, half a second apart."""
    # AT-SPI warns (dbind, "Error in GetItems") while the app's objects come
    # and go: under the suite's G_DEBUG=fatal-warnings that would abort this
    # script with SIGTRAP and leave the app running. GLib reads it on first use.
    os.environ.pop("G_DEBUG", None)
    # dogtail must be configured before dogtail.tree is imported.
    from dogtail.config import config
    config.checkForA11y = False
    for key in ("logDir", "scratchDir", "dataDir"):
        setattr(config, key, os.path.join(tmp, key) + "/")
        os.makedirs(getattr(config, key), exist_ok=True)
    config.searchCutoffCount = search_cutoff
    config.searchBackoffDuration = 0.5
    config.logDebugToFile = False
    from dogtail import tree
    return tree


def app_env(tmp):
    """The app's environment: its own home and XDG folders under @tmp."""
    env = dict(os.environ)
    for var, sub in (("HOME", "home"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        env[var] = os.path.join(tmp, sub)
        os.makedirs(env[var], exist_ok=True)
    env["GSETTINGS_BACKEND"] = "memory"
    env.pop("G_DEBUG", None)   # the app is not a test: warnings must not abort it
    env.pop("GTK_A11Y", None)
    return env
