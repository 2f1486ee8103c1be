/* il-network.h — which hosts an experiment contacts, and the consent rule
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one place that decides whether a run may contact something. An http
 * block without a url talks to the embedded latency server (127.0.0.1, a
 * port of the run's own): that needs no consent. Every explicit url needs
 * consent naming its host, loopback included: a shared file must not be
 * able to send requests to this machine's services (a local admin page, a
 * printer, a database) or its network's without the user saying yes. The
 * GUI asks with a dialog, the CLI with --allow-network, and the runner
 * refuses to start without it whatever the front end did.
 */
#pragma once

#include <gio/gio.h>

#include "il-experiment.h"

G_BEGIN_DECLS

/* Hosts named in a consent message, at most; the rest are counted. */
#define IL_NETWORK_MAX_NAMED_HOSTS 10

/* The host that the http(s) @url contacts, as consent names it: lower
 * case; an international name in its ASCII ("xn--") form, so that
 * look-alike letters cannot pass for another name; an IPv6 address in
 * brackets; ":PORT" when the port is not the scheme's default. The URL is
 * read the way libsoup reads it (percent-encoded hosts decoded, userinfo
 * skipped). NULL with @error (IL_ERROR_INVALID) when @url is not an http
 * or https URL with a host. */
char *il_network_url_host (const char *url,
                           GError    **error);

/* Whether @url's host is this machine: localhost, *.localhost, 127.0.0.0/8,
 * ::1, 0.0.0.0, :: (and IPv4-mapped forms). Used to keep loopback requests
 * away from proxies, never to skip consent. FALSE for an invalid URL. */
gboolean il_network_url_is_loopback (const char *url);

/* The distinct hosts (il_network_url_host) that @experiment's explicit
 * urls contact, in the order of first use; an empty vector when it needs
 * no consent. A url without a host counts as itself (validation refuses
 * it anyway). */
GStrv il_experiment_network_hosts (const IlExperiment *experiment);

/* "a, b and c", at most IL_NETWORK_MAX_NAMED_HOSTS named ("…, and 3 more
 * hosts"), each shortened to 80 characters. */
char *il_network_describe_hosts (const char *const *hosts);

/* TRUE when @experiment contacts no host, or @allowed. Otherwise FALSE with
 * IL_ERROR_CONSENT, the message naming the hosts. */
gboolean il_experiment_check_network_consent (const IlExperiment *experiment,
                                              gboolean            allowed,
                                              GError            **error);

G_END_DECLS
