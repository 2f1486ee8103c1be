/* il-json-scan.c — strict JSON scanning, positions, typed reading, writing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See il-json-private.h for why this exists: json-glib 1.6 knows no node
 * positions, and is more lenient than JSON (comments, single quotes,
 * assignments, wrapped integers) — a file another tool cannot read must not
 * be accepted here either.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "il-json-private.h"

/* Quoting user text in messages: at most this many characters. */
#define QUOTE_CHARS 80

/* Paths */

static void quote_append (GString    *out,
                          const char *text,
                          gssize      len,
                          guint       max_chars);

/* @display: member names as quoted in messages (bounded, escaped), not as
 * il_json_locate() needs them. */
static void
path_append (GString          *out,
             const IlJsonPath *path,
             gboolean          display)
{
  if (path == NULL)
    return;

  path_append (out, path->parent, display);

  if (path->member != NULL)
    {
      if (out->len > 0)
        g_string_append_c (out, '.');
      if (display)
        quote_append (out, path->member, -1, QUOTE_CHARS);
      else
        g_string_append (out, path->member);
    }
  else
    {
      g_string_append_printf (out, "[%" G_GINT64_FORMAT "]", path->index);
    }
}

char *
il_json_path_to_string (const IlJsonPath *path)
{
  GString *out = g_string_new (NULL);

  path_append (out, path, FALSE);

  return g_string_free (out, FALSE);
}

static char *
path_to_display (const IlJsonPath *path)
{
  GString *out = g_string_new (NULL);

  path_append (out, path, TRUE);

  return g_string_free (out, FALSE);
}

/* The scanner */

typedef struct
{
  const char *p;
  const char *end;
  guint       line;
  guint       column;
  guint       depth;
  guint       n_values;

  GString *path;

  /* strict mode */
  IlJsonScan *scan;

  /* locate mode */
  const char *target;
  gsize       target_len;
  IlJsonAt    at;
  gboolean    found;
  guint       found_line;
  guint       found_column;

  gboolean failed;
  guint    error_line;
  guint    error_column;
  char    *error_message;
} Scanner;

/* Appends @len bytes of @text (valid UTF-8) to @out, at most @max_chars
 * characters, control characters escaped, "…" when cut. */
static void
quote_append (GString    *out,
              const char *text,
              gssize      len,
              guint       max_chars)
{
  const char *end;
  guint       n = 0;

  if (len < 0)
    len = strlen (text);
  end = text + len;

  while (text < end)
    {
      gunichar ch = g_utf8_get_char_validated (text, end - text);

      if (n == max_chars)
        {
          g_string_append (out, "…");
          return;
        }
      if (ch == (gunichar) -1 || ch == (gunichar) -2)
        {
          /* Never copy invalid bytes into a message. */
          g_string_append (out, "\\uFFFD");
          text++;
        }
      else
        {
          if (ch < 0x20 || ch == 0x7F)
            g_string_append_printf (out, "\\u%04X", ch);
          else
            g_string_append_unichar (out, ch);
          text = g_utf8_next_char (text);
        }
      n++;
    }
}

char *
il_json_quote (const char *text)
{
  GString *out = g_string_new (NULL);

  if (text != NULL)
    quote_append (out, text, -1, QUOTE_CHARS);

  return g_string_free (out, FALSE);
}

char *
il_json_bound_message (const char *message)
{
  GString *out = g_string_new (NULL);

  quote_append (out, message, -1, IL_JSON_MAX_MESSAGE_CHARS);

  return g_string_free (out, FALSE);
}

static gboolean
scanner_fail (Scanner    *s,
              const char *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
scanner_fail (Scanner    *s,
              const char *format,
              ...)
{
  va_list args;

  if (s->failed)
    return FALSE;

  s->failed = TRUE;
  s->error_line = s->line;
  s->error_column = s->column;
  va_start (args, format);
  s->error_message = g_strdup_vprintf (format, args);
  va_end (args);

  return FALSE;
}

static inline void
scanner_advance (Scanner *s)
{
  if (*s->p == '\n')
    {
      s->line++;
      s->column = 1;
      s->p++;
    }
  else
    {
      /* Columns count characters: skip UTF-8 continuation bytes. */
      s->p++;
      while (s->p < s->end && ((guchar) *s->p & 0xC0) == 0x80)
        s->p++;
      s->column++;
    }
}

static gboolean
scanner_skip_space (Scanner *s)
{
  while (s->p < s->end)
    {
      char c = *s->p;

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        scanner_advance (s);
      else if (c == '/' && s->p + 1 < s->end && (s->p[1] == '/' || s->p[1] == '*'))
        return scanner_fail (s, "comments are not allowed in JSON");
      else
        break;
    }

  return TRUE;
}

static char
describe_char (Scanner *s,
               char    *buf,
               gsize    size)
{
  if (s->p >= s->end)
    {
      g_strlcpy (buf, "the end of the file", size);
      return 0;
    }

  if ((guchar) *s->p < 0x20)
    g_snprintf (buf, size, "a control character (U+%04X)", (guint) (guchar) *s->p);
  else
    {
      gunichar ch = g_utf8_get_char_validated (s->p, s->end - s->p);
      char     utf8[8] = { 0 };

      if (ch == (gunichar) -1 || ch == (gunichar) -2)
        ch = '?';
      g_unichar_to_utf8 (ch, utf8);
      g_snprintf (buf, size, "'%s'", utf8);
    }

  return *s->p;
}

static gboolean
scanner_unexpected (Scanner    *s,
                    const char *expected)
{
  char what[64];

  describe_char (s, what, sizeof what);

  if (s->p < s->end && *s->p == '\'')
    return scanner_fail (s, "strings must be in double quotes (\"), not single quotes");

  return scanner_fail (s, "expected %s, got %s", expected, what);
}

static gboolean
read_hex4 (const char *p,
           const char *end,
           guint      *out)
{
  guint value = 0;

  if (end - p < 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return FALSE;
      value = value * 16 + (guint) g_ascii_xdigit_value (p[i]);
    }

  *out = value;
  return TRUE;
}

/* Scans a string starting at its opening quote; appends the decoded text
 * to @decoded when non-NULL (member names only, to build paths). */
static gboolean
scanner_string (Scanner *s,
                GString *decoded)
{
  g_assert (*s->p == '"');
  scanner_advance (s);

  while (s->p < s->end)
    {
      const char *start = s->p;
      char        c = *s->p;

      if (c == '"')
        {
          scanner_advance (s);
          return TRUE;
        }

      if ((guchar) c < 0x20)
        return scanner_fail (s, "control characters must be escaped inside strings (for example \\n)");

      if (c != '\\')
        {
          scanner_advance (s);
          if (decoded != NULL)
            g_string_append_len (decoded, start, s->p - start);
          continue;
        }

      /* An escape sequence */
      if (s->p + 1 >= s->end)
        break;

      switch (s->p[1])
        {
          case '"':
          case '\\':
          case '/':
            if (decoded != NULL)
              g_string_append_c (decoded, s->p[1]);
            break;
          case 'b':
            if (decoded != NULL)
              g_string_append_c (decoded, '\b');
            break;
          case 'f':
            if (decoded != NULL)
              g_string_append_c (decoded, '\f');
            break;
          case 'n':
            if (decoded != NULL)
              g_string_append_c (decoded, '\n');
            break;
          case 'r':
            if (decoded != NULL)
              g_string_append_c (decoded, '\r');
            break;
          case 't':
            if (decoded != NULL)
              g_string_append_c (decoded, '\t');
            break;
          case 'u':
            {
              guint value;

              if (!read_hex4 (s->p + 2, s->end, &value))
                return scanner_fail (s, "expected four hexadecimal digits after \\u");

              /* json-glib would cut the string at a NUL and turn a lone
               * surrogate into invalid UTF-8 (eating the next character):
               * neither is text. */
              if (value == 0)
                return scanner_fail (s, "\\u0000 (a NUL character) is not allowed in strings");
              if (value >= 0xDC00 && value < 0xE000)
                return scanner_fail (s, "\\u%04X is the second half of a surrogate pair, "
                                        "but no first half (\\uD800–\\uDBFF) comes before it",
                                     value);

              /* A surrogate pair spells one character in two escapes. */
              if (value >= 0xD800 && value < 0xDC00)
                {
                  guint low = 0;

                  if (s->end - s->p < 12 || s->p[6] != '\\' || s->p[7] != 'u' ||
                      !read_hex4 (s->p + 8, s->end, &low) || low < 0xDC00 || low >= 0xE000)
                    return scanner_fail (s, "\\u%04X is the first half of a surrogate pair, "
                                            "but no second half (\\uDC00–\\uDFFF) follows it",
                                         value);
                  value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00);
                  for (guint i = 0; i < 6; i++)
                    scanner_advance (s);
                }

              for (guint i = 0; i < 4; i++)
                scanner_advance (s);

              if (decoded != NULL)
                g_string_append_unichar (decoded, value);
            }
            break;
          default:
            scanner_advance (s);
            return scanner_fail (s, "invalid escape sequence in a string (valid ones are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }

      scanner_advance (s);
      scanner_advance (s);
    }

  return scanner_fail (s, "the string is not closed: expected '\"' before the end of the file");
}

static void
note_number (Scanner    *s,
             const char *start,
             gsize       len,
             gboolean    integer_form)
{
  g_autofree char *literal = g_strndup (start, len);
  gboolean         note = FALSE;

  if (s->scan == NULL)
    return;

  if (integer_form)
    {
      errno = 0;
      g_ascii_strtoll (literal, NULL, 10);
      note = errno == ERANGE;
    }
  else
    {
      double value = g_ascii_strtod (literal, NULL);

      note = !isfinite (value) || value == floor (value);
    }

  if (!note)
    return;

  if (integer_form)
    s->scan->n_wrapped++;

  if (s->scan->numbers == NULL)
    s->scan->numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (s->scan->numbers, g_strdup (s->path->str), g_steal_pointer (&literal));
}

static gboolean
scanner_number (Scanner *s)
{
  const char *start = s->p;
  gboolean    integer_form = TRUE;

  if (*s->p == '-')
    scanner_advance (s);

  if (s->p >= s->end || !g_ascii_isdigit (*s->p))
    return scanner_unexpected (s, "a digit");

  if (*s->p == '0')
    {
      scanner_advance (s);
      if (s->p < s->end && g_ascii_isdigit (*s->p))
        return scanner_fail (s, "numbers cannot start with 0 (write 7, not 07)");
    }
  else
    {
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        scanner_advance (s);
    }

  if (s->p < s->end && *s->p == '.')
    {
      integer_form = FALSE;
      scanner_advance (s);
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        return scanner_unexpected (s, "a digit after the decimal point");
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        scanner_advance (s);
    }

  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      integer_form = FALSE;
      scanner_advance (s);
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        scanner_advance (s);
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        return scanner_unexpected (s, "a digit in the exponent");
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        scanner_advance (s);
    }

  note_number (s, start, s->p - start, integer_form);

  return TRUE;
}

static gboolean
scanner_literal (Scanner    *s,
                 const char *word)
{
  gsize len = strlen (word);

  if ((gsize) (s->end - s->p) < len || strncmp (s->p, word, len) != 0 ||
      (s->p + len < s->end && g_ascii_isalnum (s->p[len])))
    return scanner_unexpected (s, "a JSON value (an object, array, string, number, true, false or null)");

  for (gsize i = 0; i < len; i++)
    scanner_advance (s);

  return TRUE;
}

static inline gboolean
scanner_at_target (Scanner *s)
{
  return s->target != NULL && !s->found &&
         s->path->len == s->target_len &&
         memcmp (s->path->str, s->target, s->target_len) == 0;
}

static gboolean scanner_value (Scanner *s);

typedef enum
{
  ITEM_MORE,
  ITEM_DONE,
  ITEM_FAILED,
} ItemEnd;

/* What follows an object's field or an array's value: a ',' and another
 * @item, or the closing @close. */
static ItemEnd
scanner_item_end (Scanner    *s,
                  char        close,
                  const char *item)
{
  if (!scanner_skip_space (s))
    return ITEM_FAILED;
  if (s->p < s->end && *s->p == ',')
    {
      scanner_advance (s);
      if (!scanner_skip_space (s))
        return ITEM_FAILED;
      if (s->p < s->end && *s->p == close)
        {
          scanner_fail (s, "expected another %s after ',' (JSON allows no trailing comma)", item);
          return ITEM_FAILED;
        }
      return ITEM_MORE;
    }
  if (s->p < s->end && *s->p == close)
    {
      scanner_advance (s);
      return ITEM_DONE;
    }
  {
    char expected[32];

    g_snprintf (expected, sizeof expected, "',' or '%c' after the %s", close, item);
    scanner_unexpected (s, expected);
  }
  return ITEM_FAILED;
}

static gboolean
scanner_object (Scanner *s)
{
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GString) key = g_string_new (NULL);
  gsize parent_len = s->path->len;

  scanner_advance (s); /* { */
  if (!scanner_skip_space (s))
    return FALSE;

  if (s->p < s->end && *s->p == '}')
    {
      scanner_advance (s);
      return TRUE;
    }

  for (;;)
    {
      guint name_line = s->line;
      guint name_column = s->column;

      if (s->p >= s->end || *s->p != '"')
        return scanner_unexpected (s, "a field name in double quotes");

      g_string_truncate (key, 0);
      if (!scanner_string (s, key))
        return FALSE;

      if (parent_len > 0)
        g_string_append_c (s->path, '.');
      g_string_append_len (s->path, key->str, key->len);

      /* A set, not a list: an object of a million fields must not take
       * a million squared comparisons. */
      if (s->scan != NULL && keys == NULL)
        keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (keys != NULL && !g_hash_table_add (keys, g_strdup (key->str)) &&
          s->scan->duplicate == NULL)
        {
          s->scan->duplicate = il_json_quote (s->path->str);
          s->scan->duplicate_line = name_line;
          s->scan->duplicate_column = name_column;
        }

      if (scanner_at_target (s) && s->at == IL_JSON_AT_NAME)
        {
          s->found = TRUE;
          s->found_line = name_line;
          s->found_column = name_column;
        }

      if (!scanner_skip_space (s))
        return FALSE;
      if (s->p >= s->end || *s->p != ':')
        return scanner_unexpected (s, "':' after the field name");
      scanner_advance (s);

      if (!scanner_value (s))
        return FALSE;

      g_string_truncate (s->path, parent_len);

      switch (scanner_item_end (s, '}', "field"))
        {
          case ITEM_MORE:
            continue;
          case ITEM_DONE:
            return TRUE;
          case ITEM_FAILED:
          default:
            return FALSE;
        }
    }
}

static gboolean
scanner_array (Scanner *s)
{
  gsize parent_len = s->path->len;
  guint index = 0;

  scanner_advance (s); /* [ */
  if (!scanner_skip_space (s))
    return FALSE;

  if (s->p < s->end && *s->p == ']')
    {
      scanner_advance (s);
      return TRUE;
    }

  for (;; index++)
    {
      g_string_append_printf (s->path, "[%u]", index);

      if (!scanner_value (s))
        return FALSE;

      g_string_truncate (s->path, parent_len);

      switch (scanner_item_end (s, ']', "value"))
        {
          case ITEM_MORE:
            continue;
          case ITEM_DONE:
            return TRUE;
          case ITEM_FAILED:
          default:
            return FALSE;
        }
    }
}

static gboolean
scanner_value (Scanner *s)
{
  gboolean ok;

  if (!scanner_skip_space (s))
    return FALSE;

  if (s->p >= s->end)
    return scanner_unexpected (s, "a JSON value");

  if (scanner_at_target (s))
    {
      /* Array elements have no name: point at the value either way. */
      s->found = TRUE;
      s->found_line = s->line;
      s->found_column = s->column;
    }

  if (s->depth >= IL_JSON_MAX_DEPTH)
    return scanner_fail (s, "the document is nested more than %d levels deep (the limit)",
                         IL_JSON_MAX_DEPTH);

  /* json-glib needs about 100 bytes per value, whatever its size in the text. */
  if (++s->n_values > IL_JSON_MAX_VALUES)
    {
      if (g_str_has_prefix (s->path->str, "results") &&
          (s->path->str[7] == '\0' || s->path->str[7] == '.' || s->path->str[7] == '['))
        return scanner_fail (s, "the results hold more than %d JSON values (the limit); "
                                "keep fewer runs or repetitions in the file",
                             IL_JSON_MAX_VALUES);
      return scanner_fail (s, "the document holds more than %d JSON values (the limit)",
                           IL_JSON_MAX_VALUES);
    }

  s->depth++;

  switch (*s->p)
    {
      case '{':
        ok = scanner_object (s);
        break;
      case '[':
        ok = scanner_array (s);
        break;
      case '"':
        ok = scanner_string (s, NULL);
        break;
      case '-':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        ok = scanner_number (s);
        break;
      case 't':
        ok = scanner_literal (s, "true");
        break;
      case 'f':
        ok = scanner_literal (s, "false");
        break;
      case 'n':
        ok = scanner_literal (s, "null");
        break;
      default:
        ok = scanner_unexpected (s, "a JSON value (an object, array, string, number, true, false or null)");
        break;
    }

  s->depth--;

  return ok;
}

static void
scanner_init (Scanner    *s,
              const char *text,
              gsize       length)
{
  memset (s, 0, sizeof *s);
  s->p = text;
  s->end = text + length;
  s->line = 1;
  s->column = 1;
  s->path = g_string_new (NULL);

  /* A byte order mark is not JSON, but editors add it; skip it. */
  if (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    s->p += 3;
}

static void
scanner_clear (Scanner *s)
{
  g_string_free (s->path, TRUE);
  g_free (s->error_message);
}

static gboolean
scanner_document (Scanner *s)
{
  if (!scanner_skip_space (s))
    return FALSE;

  if (s->p >= s->end)
    {
      /* Nothing but white space: point at the start, not at its end. */
      s->line = 1;
      s->column = 1;
      return scanner_fail (s, "the file is empty; expected a JSON object");
    }

  if (!scanner_value (s))
    return FALSE;

  if (!scanner_skip_space (s))
    return FALSE;

  if (s->p < s->end)
    return scanner_unexpected (s, "the end of the file after the JSON document");

  return TRUE;
}

void
il_json_scan_clear (IlJsonScan *scan)
{
  g_clear_pointer (&scan->numbers, g_hash_table_unref);
  g_clear_pointer (&scan->duplicate, g_free);
}

gboolean
il_json_scan (const char *text,
              gsize       length,
              IlJsonScan *scan,
              guint      *line,
              guint      *column,
              char      **message)
{
  Scanner  s;
  gboolean ok;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (scan != NULL, FALSE);

  scanner_init (&s, text, length);
  s.scan = scan;

  ok = scanner_document (&s);
  if (!ok)
    {
      *line = s.error_line;
      *column = s.error_column;
      *message = g_steal_pointer (&s.error_message);
    }

  scanner_clear (&s);

  return ok;
}

static gboolean
locate_exact (const char *text,
              gsize       length,
              const char *path,
              IlJsonAt    at,
              guint      *line,
              guint      *column)
{
  Scanner  s;
  gboolean found;

  scanner_init (&s, text, length);
  s.target = path;
  s.target_len = strlen (path);
  s.at = at;

  scanner_document (&s);

  found = s.found;
  if (found)
    {
      *line = s.found_line;
      *column = s.found_column;
    }

  scanner_clear (&s);

  return found;
}

void
il_json_locate (const char *text,
                gsize       length,
                const char *path,
                IlJsonAt    at,
                guint      *line,
                guint      *column)
{
  g_autofree char *current = g_strdup (path != NULL ? path : "");

  *line = 1;
  *column = 1;

  for (;;)
    {
      char *cut;

      if (locate_exact (text, length, current, at, line, column))
        return;

      if (current[0] == '\0')
        return;

      /* The enclosing value: drop the last ".name" or "[i]". */
      cut = strrchr (current, '.');
      {
        char *bracket = strrchr (current, '[');

        if (bracket != NULL && (cut == NULL || bracket > cut))
          cut = bracket;
      }
      if (cut == NULL)
        current[0] = '\0';
      else
        *cut = '\0';
      at = IL_JSON_AT_VALUE;
    }
}

/* The reader */

void
il_json_reader_clear (IlJsonReader *reader)
{
  g_clear_pointer (&reader->path, g_free);
  g_clear_pointer (&reader->message, g_free);
  reader->failed = FALSE;
}

static gboolean
reader_failv (IlJsonReader     *reader,
              const IlJsonPath *pos_path,
              IlJsonAt          at,
              const IlJsonPath *msg_path,
              const char       *format,
              va_list           args)
{
  g_autofree char *text = NULL;
  g_autofree char *where = NULL;

  if (reader->failed)
    return FALSE;

  text = g_strdup_vprintf (format, args);
  where = path_to_display (msg_path);

  reader->failed = TRUE;
  reader->path = il_json_path_to_string (pos_path);
  reader->at = at;
  /* Each quote of the file's text is bounded already; this bounds the
   * whole, whatever a caller quoted. */
  {
    g_autofree char *message = where[0] != '\0'
                                 ? g_strdup_printf ("%s: %s", where, text)
                                 : g_steal_pointer (&text);

    reader->message = il_json_bound_message (message);
  }

  return FALSE;
}

gboolean
il_json_fail (IlJsonReader     *reader,
              const IlJsonPath *path,
              IlJsonAt          at,
              const char       *format,
              ...)
{
  va_list args;

  va_start (args, format);
  reader_failv (reader, path, at, path, format, args);
  va_end (args);

  return FALSE;
}

gboolean
il_json_fail_full (IlJsonReader     *reader,
                   const IlJsonPath *pos_path,
                   IlJsonAt          at,
                   const IlJsonPath *msg_path,
                   const char       *format,
                   ...)
{
  va_list args;

  va_start (args, format);
  reader_failv (reader, pos_path, at, msg_path, format, args);
  va_end (args);

  return FALSE;
}

static const char *
noted_literal (const IlJsonReader *reader,
               const IlJsonPath   *path)
{
  g_autofree char *key = NULL;

  if (reader->scan == NULL || reader->scan->numbers == NULL)
    return NULL;

  key = il_json_path_to_string (path);

  return g_hash_table_lookup (reader->scan->numbers, key);
}

static char *
format_double (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* The shortest form that reads back as the same double. */
  for (int precision = 15; precision <= 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  return g_strdup (buf);
}

char *
il_json_describe (const IlJsonReader *reader,
                  JsonNode           *node,
                  const IlJsonPath   *path)
{
  const char *literal;

  if (node == NULL)
    return g_strdup ("nothing");

  switch (json_node_get_node_type (node))
    {
      case JSON_NODE_OBJECT:
        return g_strdup ("an object");
      case JSON_NODE_ARRAY:
        return g_strdup ("an array");
      case JSON_NODE_NULL:
        return g_strdup ("null");
      case JSON_NODE_VALUE:
      default:
        break;
    }

  literal = noted_literal (reader, path);
  if (literal != NULL)
    return il_json_quote (literal); /* a literal can be megabytes of digits */

  switch (json_node_get_value_type (node))
    {
      case G_TYPE_INT64:
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      case G_TYPE_DOUBLE:
        return format_double (json_node_get_double (node));
      case G_TYPE_BOOLEAN:
        return g_strdup (json_node_get_boolean (node) ? "true" : "false");
      case G_TYPE_STRING:
        {
          GString *out = g_string_new ("the string \"");

          quote_append (out, json_node_get_string (node), -1, 40);
          g_string_append_c (out, '"');
          return g_string_free (out, FALSE);
        }
      default:
        return g_strdup ("a value of an unknown type");
    }
}

/* Integers json-glib wrapped around (it reads 18446744073709551617 as 1)
 * are only known to the strict scan. */
static gboolean
is_wrapped (const IlJsonReader *reader,
            const IlJsonPath   *path)
{
  return reader->scan != NULL && reader->scan->n_wrapped > 0 &&
         noted_literal (reader, path) != NULL;
}

static gboolean
node_is_int (const IlJsonReader *reader,
             JsonNode           *node,
             const IlJsonPath   *path)
{
  return node != NULL &&
         JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64 &&
         !is_wrapped (reader, path);
}

static char *
describe_int_range (gint64 min,
                    gint64 max)
{
  if (min == max)
    return g_strdup_printf ("%" G_GINT64_FORMAT, min);
  if (min == G_MININT64 && max == G_MAXINT64)
    return g_strdup ("an integer");
  if (max == G_MAXINT64)
    return g_strdup_printf ("an integer of at least %" G_GINT64_FORMAT, min);

  return g_strdup_printf ("an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                          min, max);
}

gboolean
il_json_check_range (IlJsonReader     *reader,
                     const IlJsonPath *path,
                     gint64            value,
                     gint64            min,
                     gint64            max)
{
  g_autofree char *expected = NULL;

  if (value >= min && value <= max)
    return TRUE;

  expected = describe_int_range (min, max);

  return il_json_fail (reader, path, IL_JSON_AT_VALUE,
                       "expected %s, got %" G_GINT64_FORMAT, expected, value);
}

gboolean
il_json_get_int (IlJsonReader     *reader,
                 JsonNode         *node,
                 const IlJsonPath *path,
                 gint64            min,
                 gint64            max,
                 gint64           *out)
{
  if (!node_is_int (reader, node, path))
    {
      g_autofree char *expected = describe_int_range (min, max);
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected %s, got %s", expected, got);
    }

  if (!il_json_check_range (reader, path, json_node_get_int (node), min, max))
    return FALSE;

  *out = json_node_get_int (node);

  return TRUE;
}

gboolean
il_json_get_uint (IlJsonReader     *reader,
                  JsonNode         *node,
                  const IlJsonPath *path,
                  gint64            min,
                  gint64            max,
                  guint            *out)
{
  gint64 value;

  g_assert (min >= 0 && max <= G_MAXUINT);

  if (!il_json_get_int (reader, node, path, min, max, &value))
    return FALSE;

  *out = (guint) value;

  return TRUE;
}

gboolean
il_json_get_double (IlJsonReader     *reader,
                    JsonNode         *node,
                    const IlJsonPath *path,
                    gboolean          nullable,
                    double           *out)
{
  if (nullable && node != NULL && JSON_NODE_HOLDS_NULL (node))
    {
      *out = NAN;
      return TRUE;
    }

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
       json_node_get_value_type (node) == G_TYPE_INT64))
    {
      double value = json_node_get_value_type (node) == G_TYPE_DOUBLE
                       ? json_node_get_double (node)
                       : (double) json_node_get_int (node);
      /* A wrapped integer literal: read the real value from the text. */
      if (json_node_get_value_type (node) == G_TYPE_INT64 && is_wrapped (reader, path))
        value = g_ascii_strtod (noted_literal (reader, path), NULL);

      if (isfinite (value))
        {
          *out = value;
          return TRUE;
        }
    }

  {
    g_autofree char *got = il_json_describe (reader, node, path);

    return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected a number%s, got %s",
                         nullable ? " or null" : "", got);
  }
}

gboolean
il_json_get_bool (IlJsonReader     *reader,
                  JsonNode         *node,
                  const IlJsonPath *path,
                  gboolean         *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected true or false, got %s", got);
    }

  *out = json_node_get_boolean (node);

  return TRUE;
}

gboolean
il_json_check_chars (IlJsonReader     *reader,
                     const IlJsonPath *path,
                     const char       *value,
                     gint64            min_chars,
                     gint64            max_chars)
{
  glong chars = value != NULL ? g_utf8_strlen (value, -1) : 0;

  if (chars < min_chars)
    {
      if (min_chars == 1)
        return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected a non-empty string");
      return il_json_fail (reader, path, IL_JSON_AT_VALUE,
                           "expected at least %" G_GINT64_FORMAT " characters, got %ld",
                           min_chars, chars);
    }

  if (max_chars >= 0 && chars > max_chars)
    return il_json_fail (reader, path, IL_JSON_AT_VALUE,
                         "expected at most %" G_GINT64_FORMAT " characters, got %ld",
                         max_chars, chars);

  return TRUE;
}

gboolean
il_json_get_string (IlJsonReader     *reader,
                    JsonNode         *node,
                    const IlJsonPath *path,
                    gint64            min_chars,
                    gint64            max_chars,
                    gboolean          nullable,
                    char            **out)
{
  const char *value;

  if (nullable && node != NULL && JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected a string%s, got %s",
                           nullable ? " or null" : "", got);
    }

  value = json_node_get_string (node);
  if (!il_json_check_chars (reader, path, value, min_chars, max_chars))
    return FALSE;

  *out = g_strdup (value);

  return TRUE;
}

static char *
quote_list (const char *const *names,
            const char        *conjunction)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (i > 0 && names[i + 1] != NULL)
        g_string_append (out, ", ");
      else if (i > 0)
        g_string_append_printf (out, " %s ", conjunction);
      g_string_append_printf (out, "\"%s\"", names[i]);
    }

  return g_string_free (out, FALSE);
}

gboolean
il_json_get_enum (IlJsonReader      *reader,
                  JsonNode          *node,
                  const IlJsonPath  *path,
                  const char *const *names,
                  guint             *out)
{
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *value = json_node_get_string (node);

      for (guint i = 0; names[i] != NULL; i++)
        {
          if (g_str_equal (names[i], value))
            {
              *out = i;
              return TRUE;
            }
        }
    }

  {
    g_autofree char *expected = quote_list (names, "or");
    g_autofree char *got = il_json_describe (reader, node, path);

    return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected %s, got %s", expected, got);
  }
}

gboolean
il_json_get_object (IlJsonReader     *reader,
                    JsonNode         *node,
                    const IlJsonPath *path,
                    JsonObject      **out)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected an object { … }, got %s", got);
    }

  *out = json_node_get_object (node);

  return TRUE;
}

gboolean
il_json_get_array (IlJsonReader     *reader,
                   JsonNode         *node,
                   const IlJsonPath *path,
                   JsonArray       **out)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *got = il_json_describe (reader, node, path);

      return il_json_fail (reader, path, IL_JSON_AT_VALUE, "expected an array [ … ], got %s", got);
    }

  *out = json_node_get_array (node);

  return TRUE;
}

static guint
edit_distance (const char *a,
               const char *b)
{
  gsize             la = strlen (a);
  gsize             lb = strlen (b);
  g_autofree guint *row = NULL;

  if (la > 64 || lb > 64)
    return G_MAXUINT;

  row = g_new (guint, lb + 1);
  for (gsize j = 0; j <= lb; j++)
    row[j] = j;

  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }

  return row[lb];
}

gboolean
il_json_check_members (IlJsonReader          *reader,
                       JsonObject            *object,
                       const IlJsonPath      *path,
                       const char            *what,
                       const char *const     *allowed,
                       const IlJsonMisplaced *misplaced)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      IlJsonPath  member = IL_JSON_MEMBER (path, name);
      const char *suggestion = NULL;
      guint       best = 3;
      gboolean    known = FALSE;

      for (guint i = 0; allowed[i] != NULL && !known; i++)
        known = g_str_equal (allowed[i], name);
      if (known)
        continue;

      for (guint i = 0; misplaced != NULL && misplaced[i].name != NULL; i++)
        {
          if (g_str_equal (misplaced[i].name, name))
            return il_json_fail (reader, &member, IL_JSON_AT_NAME,
                                 "\"%s\" does not apply to %s, only to %s",
                                 name, what, misplaced[i].where);
        }

      for (guint i = 0; allowed[i] != NULL; i++)
        {
          guint distance = edit_distance (name, allowed[i]);

          if (distance < best && distance < strlen (allowed[i]))
            {
              best = distance;
              suggestion = allowed[i];
            }
        }

      {
        g_autofree char *list = quote_list (allowed, "and");

        if (suggestion != NULL)
          return il_json_fail (reader, &member, IL_JSON_AT_NAME,
                               "unknown field; did you mean \"%s\"? (%s has %s)",
                               suggestion, what, list);

        return il_json_fail (reader, &member, IL_JSON_AT_NAME,
                             "unknown field (%s has %s)", what, list);
      }
    }

  return TRUE;
}

gboolean
il_json_require (IlJsonReader     *reader,
                 JsonObject       *object,
                 const IlJsonPath *path,
                 const char       *member,
                 const char       *hint)
{
  IlJsonPath member_path = IL_JSON_MEMBER (path, member);

  if (json_object_has_member (object, member))
    return TRUE;

  return il_json_fail_full (reader, path, IL_JSON_AT_VALUE, &member_path,
                            "required field is missing%s%s",
                            hint != NULL ? "; " : "", hint != NULL ? hint : "");
}

/* Rounding */

double
il_json_round (double value,
               int    decimals)
{
  double scale;
  double rounded;

  if (!isfinite (value))
    return NAN;

  scale = pow (10.0, decimals);
  rounded = round (value * scale) / scale;

  /* Avoid writing "-0". */
  return rounded == 0.0 ? 0.0 : rounded;
}

gboolean
il_json_double_equal (double a,
                      double b,
                      int    decimals)
{
  double ra = il_json_round (a, decimals);
  double rb = il_json_round (b, decimals);

  if (isnan (ra) || isnan (rb))
    return isnan (ra) && isnan (rb);

  return ra == rb;
}

/* Writing */

static void
write_string (GString    *out,
              const char *str)
{
  g_string_append_c (out, '"');

  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
          case '"':
            g_string_append (out, "\\\"");
            break;
          case '\\':
            g_string_append (out, "\\\\");
            break;
          case '\n':
            g_string_append (out, "\\n");
            break;
          case '\r':
            g_string_append (out, "\\r");
            break;
          case '\t':
            g_string_append (out, "\\t");
            break;
          case '\b':
            g_string_append (out, "\\b");
            break;
          case '\f':
            g_string_append (out, "\\f");
            break;
          default:
            if (c < 0x20 || c == 0x7F)
              g_string_append_printf (out, "\\u%04x", c);
            else
              g_string_append_c (out, (char) c);
            break;
        }
    }

  g_string_append_c (out, '"');
}

static gboolean
node_is_scalar (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) || JSON_NODE_HOLDS_NULL (node);
}

static void
write_indent (GString *out,
              guint    level)
{
  for (guint i = 0; i < level; i++)
    g_string_append (out, "  ");
}

/* Lines are kept within this width when small objects are inlined. */
#define WRITE_WIDTH 100

static void write_node (GString  *out,
                        JsonNode *node,
                        guint     level,
                        gsize     column);

/* Scalars, and arrays of scalars, render on one line anyway. */
static gboolean
node_is_flat (JsonNode *node)
{
  JsonArray *array;

  if (node_is_scalar (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!node_is_scalar (json_array_get_element (array, i)))
      return FALSE;

  return TRUE;
}

/* A small object of flat members on one line, as the format's examples write blocks:
 * { "type": "cpu", "kernel": "spin", "units": 40 }. FALSE if it would not
 * fit or has nested structure. */
static gboolean
write_inline_object (GString    *out,
                     JsonObject *object,
                     GList      *members,
                     gsize       column)
{
  g_autoptr(GString) line = g_string_new ("{ ");

  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (object, l->data);

      if (!node_is_flat (value))
        return FALSE;

      write_string (line, l->data);
      g_string_append (line, ": ");
      write_node (line, value, 0, 0);
      g_string_append (line, l->next != NULL ? ", " : " }");

      if (column + line->len > WRITE_WIDTH)
        return FALSE;
    }

  g_string_append_len (out, line->str, line->len);

  return TRUE;
}

static void
write_node (GString  *out,
            JsonNode *node,
            guint     level,
            gsize     column)
{
  switch (json_node_get_node_type (node))
    {
      case JSON_NODE_NULL:
        g_string_append (out, "null");
        break;

      case JSON_NODE_VALUE:
        switch (json_node_get_value_type (node))
          {
            case G_TYPE_INT64:
              g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
              break;
            case G_TYPE_DOUBLE:
              {
                double value = json_node_get_double (node);

                if (!isfinite (value))
                  g_string_append (out, "null");
                else
                  {
                    g_autofree char *text = format_double (value == 0.0 ? 0.0 : value);

                    g_string_append (out, text);
                    /* Keep a double recognisable as one ("805.0", as docs/results-format.md
                     * writes it), so other readers give it a float type. */
                    if (strpbrk (text, ".eE") == NULL)
                      g_string_append (out, ".0");
                  }
              }
              break;
            case G_TYPE_BOOLEAN:
              g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
              break;
            case G_TYPE_STRING:
              write_string (out, json_node_get_string (node));
              break;
            default:
              g_string_append (out, "null");
              break;
          }
        break;

      case JSON_NODE_ARRAY:
        {
          JsonArray *array = json_node_get_array (node);
          guint      n = json_array_get_length (array);
          gboolean   flat = TRUE;

          if (n == 0)
            {
              g_string_append (out, "[]");
              break;
            }

          for (guint i = 0; i < n && flat; i++)
            flat = node_is_scalar (json_array_get_element (array, i));

          if (flat)
            {
              g_string_append_c (out, '[');
              for (guint i = 0; i < n; i++)
                {
                  if (i > 0)
                    g_string_append (out, ", ");
                  write_node (out, json_array_get_element (array, i), level + 1, 0);
                }
              g_string_append_c (out, ']');
              break;
            }

          g_string_append (out, "[\n");
          for (guint i = 0; i < n; i++)
            {
              write_indent (out, level + 1);
              write_node (out, json_array_get_element (array, i), level + 1, 2 * (level + 1));
              g_string_append (out, i + 1 < n ? ",\n" : "\n");
            }
          write_indent (out, level);
          g_string_append_c (out, ']');
        }
        break;

      case JSON_NODE_OBJECT:
        {
          JsonObject *object = json_node_get_object (node);
          g_autoptr(GList) members = json_object_get_members (object);

          if (members == NULL)
            {
              g_string_append (out, "{}");
              break;
            }

          if (level > 0 && write_inline_object (out, object, members, column))
            break;

          g_string_append (out, "{\n");
          for (const GList *l = members; l != NULL; l = l->next)
            {
              gsize start;

              write_indent (out, level + 1);
              start = out->len;
              write_string (out, l->data);
              g_string_append (out, ": ");
              write_node (out, json_object_get_member (object, l->data), level + 1,
                          2 * (level + 1) + (out->len - start));
              g_string_append (out, l->next != NULL ? ",\n" : "\n");
            }
          write_indent (out, level);
          g_string_append_c (out, '}');
        }
        break;

      default:
        g_assert_not_reached ();
    }
}

char *
il_json_write (JsonNode *node,
               gsize    *length)
{
  GString *out = g_string_new (NULL);

  write_node (out, node, 0, 0);
  g_string_append_c (out, '\n');

  if (length != NULL)
    *length = out->len;

  return g_string_free (out, FALSE);
}
