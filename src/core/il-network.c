/* il-network.c — which hosts an experiment contacts, and the consent rule
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "il-network.h"

#define MAX_HOST_CHARS 80

char *
il_network_url_host (const char *url,
                     GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *ascii = NULL;
  const char      *scheme;
  const char      *host;
  int              port;
  int              default_port;
  GString         *out;

  g_return_val_if_fail (url != NULL, NULL);

  /* The flags libsoup parses a request's URL with: the host checked here
   * is the host it connects to. */
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("not a valid URL (%s)"), local_error->message);
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    default_port = 80;
  else if (g_ascii_strcasecmp (scheme, "https") == 0)
    default_port = 443;
  else
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("not an http:// or https:// URL"));
      return NULL;
    }
  host = g_uri_get_host (uri);
  if (host == NULL || host[0] == '\0')
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("the URL has no host name"));
      return NULL;
    }
  if (!g_utf8_validate (host, -1, NULL) || (ascii = g_hostname_to_ascii (host)) == NULL ||
      strpbrk (ascii, "/\\?#@ \t\r\n") != NULL)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("the URL's host name is not valid"));
      return NULL;
    }

  out = g_string_new (NULL);
  if (strchr (ascii, ':') != NULL)
    g_string_append_printf (out, "[%s]", ascii);
  else
    g_string_append (out, ascii);
  for (gsize i = 0; i < out->len; i++)
    out->str[i] = g_ascii_tolower (out->str[i]);
  port = g_uri_get_port (uri);
  if (port > 0 && port != default_port)
    g_string_append_printf (out, ":%d", port);
  return g_string_free (out, FALSE);
}

static gboolean
address_is_local (GInetAddress *address)
{
  if (g_inet_address_get_is_loopback (address) || g_inet_address_get_is_any (address))
    return TRUE;
  /* ::ffff:127.0.0.1 and ::ffff:0.0.0.0 */
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8       *b = g_inet_address_to_bytes (address);
      static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      if (memcmp (b, mapped, sizeof mapped) == 0)
        return b[12] == 127 || (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0);
    }
  return FALSE;
}

gboolean
il_network_url_is_loopback (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;
  const char      *h;

  if (url == NULL)
    return FALSE;
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  h = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (h == NULL || h[0] == '\0')
    return FALSE;
  host = g_ascii_strdown (h, -1);
  if (g_str_has_suffix (host, "."))
    host[strlen (host) - 1] = '\0';
  if (g_str_equal (host, "localhost") || g_str_has_suffix (host, ".localhost"))
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && address_is_local (address);
}

GStrv
il_experiment_network_hosts (const IlExperiment *experiment)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (experiment != NULL, NULL);

  for (guint i = 0; i < experiment->tasks->len; i++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, i);

      for (guint j = 0; j < group->blocks->len; j++)
        {
          const IlBlock *block = g_ptr_array_index (group->blocks, j);
          char          *host;

          if (block->type != IL_BLOCK_HTTP || block->url == NULL)
            continue;
          host = il_network_url_host (block->url, NULL);
          if (host == NULL)
            host = g_strdup (block->url);
          if (g_hash_table_contains (seen, host))
            {
              g_free (host);
              continue;
            }
          g_ptr_array_add (hosts, host);
          g_hash_table_add (seen, host);
        }
    }
  g_ptr_array_add (hosts, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&hosts), FALSE);
}

static char *
shorten (const char *text)
{
  if (g_utf8_strlen (text, -1) <= MAX_HOST_CHARS)
    return g_strdup (text);
  {
    g_autofree char *head = g_utf8_substring (text, 0, MAX_HOST_CHARS - 1);

    return g_strconcat (head, "…", NULL);
  }
}

char *
il_network_describe_hosts (const char *const *hosts)
{
  guint    n = hosts != NULL ? g_strv_length ((char **) hosts) : 0;
  guint    named = MIN (n, IL_NETWORK_MAX_NAMED_HOSTS);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < named; i++)
    {
      g_autofree char *valid = g_utf8_make_valid (hosts[i], -1);
      g_autofree char *host = shorten (valid);

      if (i > 0)
        g_string_append (s, i + 1 == named && named == n ? _(" and ") : ", ");
      g_string_append (s, host);
    }
  if (n > named)
    g_string_append_printf (s, ngettext (", and %u more host", ", and %u more hosts", n - named), n - named);
  return g_string_free (s, FALSE);
}

gboolean
il_experiment_check_network_consent (const IlExperiment *experiment,
                                     gboolean            allowed,
                                     GError            **error)
{
  g_auto(GStrv) hosts = il_experiment_network_hosts (experiment);
  g_autofree char *names = NULL;

  if (allowed || hosts[0] == NULL)
    return TRUE;
  names = il_network_describe_hosts ((const char *const *) hosts);
  g_set_error (error, IL_ERROR, IL_ERROR_CONSENT,
               _("this experiment would send HTTP requests to %s; a file may only do that "
                 "with your consent (interleave-cli run --allow-network)"),
                  names);
  return FALSE;
}
