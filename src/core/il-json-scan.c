/* il-json-scan.c — the strict pre-scan of a JSON document, and positions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See il-json-private.h for why this exists: json-glib 1.6 knows no node
 * positions, and is more lenient than JSON (comments, single quotes,
 * assignments, wrapped integers) — a file another tool cannot read must not
 * be accepted here either.  The limits it enforces are those of
 * docs/experiment-format.md, "Limits and safety".
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "il-json-private.h"

/* The scanner */

typedef struct
{
  const char *p;
  const char *end;
  guint       line;
  guint       column;
  guint       depth;
  guint       n_values;
  const char *text;
  gboolean    drop_behind;
  gsize       dropped;

  /* Inside an array read element by element (il_json_path_is_streamed):
   * the depth of its elements (0: not inside one), the values of the
   * current element and the elements of all such arrays so far. */
  guint elements_depth;
  guint element_values;
  guint n_records;

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

  if (s->elements_depth != 0 && s->depth == s->elements_depth)
    {
      s->element_values = 0;
      if (++s->n_records > IL_JSON_MAX_RECORDS)
        return scanner_fail (s, "the results hold more than %d entries in their tasks, gil_holds "
                                "and loop_lag arrays (the limit); keep fewer runs or repetitions in the file",
                             IL_JSON_MAX_RECORDS);
      if (s->drop_behind)
        {
          IlJsonScan drop = { .text = s->text, .drop_behind = TRUE };

          il_json_drop_behind (&drop, s->p, &s->dropped);
        }
    }

  /* json-glib needs about 100 bytes per value, whatever its size in the
   * text: what it holds at once is the tree without the streamed arrays,
   * or one batch of their elements. */
  if (s->elements_depth != 0 ? ++s->element_values > IL_JSON_MAX_VALUES
                             : ++s->n_values > IL_JSON_MAX_VALUES)
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
        if (s->elements_depth == 0 && il_json_path_is_streamed (s->path->str))
          {
            gsize start = s->p - s->text;
            guint first = s->n_records;

            /* s->depth already counts the array: its elements'. */
            s->elements_depth = s->depth;
            ok = scanner_array (s);
            s->elements_depth = 0;
            if (ok && s->scan != NULL)
              {
                IlJsonStreamed *streamed = g_new (IlJsonStreamed, 1);

                streamed->start = start;
                streamed->end = s->p - s->text;
                streamed->n = s->n_records - first;
                if (s->scan->streamed == NULL)
                  s->scan->streamed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
                g_hash_table_replace (s->scan->streamed, g_strdup (s->path->str), streamed);
              }
          }
        else
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
  s->text = text;
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
  g_clear_pointer (&scan->streamed, g_hash_table_unref);
  if (scan->elided != NULL)
    g_string_free (g_steal_pointer (&scan->elided), TRUE);
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

  s.drop_behind = scan->drop_behind;
  ok = scanner_document (&s);
  if (!ok)
    {
      *line = s.error_line;
      *column = s.error_column;
      *message = g_steal_pointer (&s.error_message);
    }

  scanner_clear (&s);

  scan->text = text;
  scan->length = length;
  if (ok)
    il_json_scan_elide (scan);

  return ok;
}

static gboolean
locate_exact (const char *text,
              gsize       length,
              const char *path,
              IlJsonAt    at,
              gboolean    drop_behind,
              guint      *line,
              guint      *column)
{
  Scanner  s;
  gboolean found;

  scanner_init (&s, text, length);
  s.drop_behind = drop_behind;
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
                gboolean    drop_behind,
                guint      *line,
                guint      *column)
{
  g_autofree char *current = g_strdup (path != NULL ? path : "");

  *line = 1;
  *column = 1;

  for (;;)
    {
      char *cut;

      if (locate_exact (text, length, current, at, drop_behind, line, column))
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
