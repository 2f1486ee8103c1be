/* il-json-private.h — private JSON support for the model's reader and writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib 1.6 keeps no source positions on its nodes, and the positions its
 * parser reports from the object-member/array-element signals point past the
 * value (at the next token), so they cannot say where a bad value *is*.
 * il-json-scan.c scans the text itself: once strictly (json-glib accepts
 * comments, single quotes, "var x =" and silently wraps integers that
 * overflow), and, only when a semantic error needs a position, once more to
 * find the line and column of one JSON path.
 *
 * il-json-messages.c and il-json-reader.c hold what the experiment and
 * results readers share: JSON paths kept on the stack and rendered only on
 * failure, bounded quotes of the file's text, typed getters whose messages
 * say what was expected and what was found, and readers of optional
 * members and arrays.  il-json-writer.c produces the files' readable
 * layout.  The formats are docs/experiment-format.md and
 * docs/results-format.md.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

/* Paths and quoting (il-json-messages.c) */

/* A JSON path as a chain of stack frames: "tasks[0].blocks[2].units".  A
 * NULL path is the document's root.  A frame with @member NULL is an array
 * element (@index). */
typedef struct _IlJsonPath IlJsonPath;
struct _IlJsonPath
{
  const IlJsonPath *parent;
  const char       *member;
  gint64            index;
};

#define IL_JSON_MEMBER(parent_, name_) ((IlJsonPath){ (parent_), (name_), -1 })
#define IL_JSON_INDEX(parent_, i_)     ((IlJsonPath){ (parent_), NULL, (gint64) (i_) })

char *il_json_path_to_string (const IlJsonPath *path);

typedef enum
{
  IL_JSON_AT_VALUE, /* the value's first character */
  IL_JSON_AT_NAME,  /* the member name's opening quote (unknown fields) */
} IlJsonAt;

/* Limits of every document read (docs/experiment-format.md, "Limits and safety"). The scan checks
 * them before json-glib, whose parser recurses once per level and needs
 * about 100 bytes per value, sees the text. Real files nest about 8 deep. */
#define IL_JSON_MAX_DEPTH  64
#define IL_JSON_MAX_VALUES 2000000
/* Messages quote the file's text to at most 80 characters; a whole message
 * is cut at this many. */
#define IL_JSON_MAX_MESSAGE_CHARS 1000

/* @text quoted for a message: at most 80 characters ("…" when cut),
 * control characters as \uXXXX, invalid bytes as \uFFFD. */
char *il_json_quote (const char *text);
/* @message bounded to IL_JSON_MAX_MESSAGE_CHARS characters, valid UTF-8. */
char *il_json_bound_message (const char *message);

/* The strict scan and positions (il-json-scan.c) */

/* The big arrays of a results document (a repetition's tasks, gil_holds
 * and loop_lag, at results.runs[i].repetitions[j]) are not handed to
 * json-glib: the scan notes where each one stands in the text, the tree
 * gets an empty array in its place, and the reader parses its elements a
 * few at a time (il_json_read_streamed) straight into the records.  So a
 * million tasks never exist as JSON nodes at once.  Values inside them do
 * not count against IL_JSON_MAX_VALUES (only those of one element at a
 * time); their elements, all together, are at most IL_JSON_MAX_RECORDS. */
#define IL_JSON_MAX_RECORDS 4000000

typedef struct
{
  gsize start; /* offset of the '[' in the text */
  gsize end;   /* offset just past the ']' */
  guint n;     /* elements */
} IlJsonStreamed;

/* Whether @path (as il_json_path_to_string() renders it) is one of the
 * arrays read element by element. */
gboolean il_json_path_is_streamed (const char *path);

/* Result of the strict scan. */
typedef struct
{
  /* The text scanned (for il_json_read_streamed) and, when it is a private
   * mapping of a file, permission to drop the pages already read from
   * memory (the file stays where it is; a page read again comes back). */
  const char *text;
  gsize       length;
  gboolean    drop_behind;
  /* path → IlJsonStreamed: the arrays left out of the tree (NULL: none) */
  GHashTable *streamed;
  /* The text with each of them as "[]": what json-glib parses (NULL when
   * nothing was left out: parse the text itself). */
  GString *elided;

  /* Number literals worth quoting in messages, by path: integers that do not
   * fit in 64 bits (json-glib wraps them) and non-integers that print like
   * integers ("1e3", "2.0"). */
  GHashTable *numbers;
  /* How many of them are wrapped integers: only then must every integer
   * read be checked against the table. */
  guint n_wrapped;
  /* The first member name that repeats within its object (json-glib keeps
   * only the last one, silently), or NULL. */
  char *duplicate;
  guint duplicate_line;
  guint duplicate_column;
} IlJsonScan;

void il_json_scan_clear (IlJsonScan *scan);

/* Checks that @text is strict JSON (RFC 8259). On failure returns FALSE and
 * sets the 1-based line and column (in characters) and a message. */
gboolean il_json_scan (const char *text,
                       gsize       length,
                       IlJsonScan *scan,
                       guint      *line,
                       guint      *column,
                       char      **message);

/* After a successful scan: @scan->elided, the text with the streamed arrays
 * as "[]" (il-json-stream.c). */
void il_json_scan_elide (IlJsonScan *scan);

/* Gives back to the system the pages of @scan's text before @upto (when
 * the scan may: drop_behind), keeping the last few MiB; @dropped (start
 * at 0) is how far it has. */
void il_json_drop_behind (const IlJsonScan *scan,
                          const char       *upto,
                          gsize            *dropped);
/* The same for the whole text, at the end of a pass over it. */
void il_json_drop_all (const IlJsonScan *scan);

/* Finds where @path (as il_json_path_to_string() renders it) stands in
 * @text. Falls back to the nearest enclosing value that exists.
 * @drop_behind: as IlJsonScan's. */
void il_json_locate (const char *text,
                     gsize       length,
                     const char *path,
                     IlJsonAt    at,
                     gboolean    drop_behind,
                     guint      *line,
                     guint      *column);

/* Reading: failures (il-json-messages.c), typed getters, optional members
 * and arrays (il-json-reader.c) */

/* The first problem found while reading a document. */
typedef struct
{
  gboolean          failed;
  char             *path; /* where it is, for il_json_locate() */
  IlJsonAt          at;
  char             *message; /* "tasks[0].units: expected …" */
  const IlJsonScan *scan;    /* optional, for quoting literals */
} IlJsonReader;

void il_json_reader_clear (IlJsonReader *reader);

/* Records a failure (only the first one counts) and returns FALSE. The
 * message is "PATH: text". */
gboolean il_json_fail (IlJsonReader     *reader,
                       const IlJsonPath *path,
                       IlJsonAt          at,
                       const char       *format,
                       ...) G_GNUC_PRINTF (4, 5);
/* As il_json_fail() but the message names @msg_path while the position is
 * that of @pos_path (a missing member is reported at its object). */
gboolean il_json_fail_full (IlJsonReader     *reader,
                            const IlJsonPath *pos_path,
                            IlJsonAt          at,
                            const IlJsonPath *msg_path,
                            const char       *format,
                            ...) G_GNUC_PRINTF (5, 6);

/* "the string \"40\"", "1.5", "true", "null", "an object", "an array". */
/* The literal the scan noted at @path (a number json-glib would misread or
 * print differently), or NULL. */
const char *il_json_noted_literal (const IlJsonReader *reader,
                                   const IlJsonPath   *path);
char       *il_json_describe (const IlJsonReader *reader,
                              JsonNode           *node,
                              const IlJsonPath   *path);

/* Typed getters: each checks the node's type (and range) and fails with a
 * message saying what was expected. */
gboolean il_json_get_int (IlJsonReader     *reader,
                          JsonNode         *node,
                          const IlJsonPath *path,
                          gint64            min,
                          gint64            max,
                          gint64           *out);
gboolean il_json_get_uint (IlJsonReader     *reader,
                           JsonNode         *node,
                           const IlJsonPath *path,
                           gint64            min,
                           gint64            max,
                           guint            *out);
gboolean il_json_get_double (IlJsonReader     *reader,
                             JsonNode         *node,
                             const IlJsonPath *path,
                             gboolean          nullable,
                             double           *out);
gboolean il_json_get_bool (IlJsonReader     *reader,
                           JsonNode         *node,
                           const IlJsonPath *path,
                           gboolean         *out);
/* @max_chars < 0: no limit. @nullable: null gives NULL. */
gboolean il_json_get_string (IlJsonReader     *reader,
                             JsonNode         *node,
                             const IlJsonPath *path,
                             gint64            min_chars,
                             gint64            max_chars,
                             gboolean          nullable,
                             char            **out);
/* One of @names (NULL-terminated); the index in @out. */
gboolean il_json_get_enum (IlJsonReader      *reader,
                           JsonNode          *node,
                           const IlJsonPath  *path,
                           const char *const *names,
                           guint             *out);
gboolean il_json_get_object (IlJsonReader     *reader,
                             JsonNode         *node,
                             const IlJsonPath *path,
                             JsonObject      **out);
gboolean il_json_get_array (IlJsonReader     *reader,
                            JsonNode         *node,
                            const IlJsonPath *path,
                            JsonArray       **out);

/* Range checks on values already in memory (shared by the loader and the
 * model's validation, so both say the same thing). */
gboolean il_json_check_range (IlJsonReader     *reader,
                              const IlJsonPath *path,
                              gint64            value,
                              gint64            min,
                              gint64            max);
gboolean il_json_check_chars (IlJsonReader     *reader,
                              const IlJsonPath *path,
                              const char       *value,
                              gint64            min_chars,
                              gint64            max_chars);

/* A member a kind of object knows but that does not apply here. */
typedef struct
{
  const char *name;
  const char *where; /* "sleep blocks", "threads runs", … */
} IlJsonMisplaced;

/* Fails on the first member of @object that is not in @allowed: as "does
 * not apply" when it is in @misplaced, otherwise as unknown (with a
 * suggestion for near-misses). @what names the object ("a cpu block"). */
gboolean il_json_check_members (IlJsonReader          *reader,
                                JsonObject            *object,
                                const IlJsonPath      *path,
                                const char            *what,
                                const char *const     *allowed,
                                const IlJsonMisplaced *misplaced);

/* Fails when @object lacks @member; returns the member's node otherwise
 * (NULL and no failure when it is absent and !required). */
gboolean il_json_require (IlJsonReader     *reader,
                          JsonObject       *object,
                          const IlJsonPath *path,
                          const char       *member,
                          const char       *hint);

/* Optional members: when @member is absent from @object, *@out is left as
 * it is (the model's default) and they succeed; otherwise they read it as
 * the il_json_get_*() of the same type.  il_json_opt_string() replaces (and
 * frees) *@out.  Doubles may be null (NAN), as results write them. */
gboolean il_json_opt_int (IlJsonReader     *reader,
                          JsonObject       *object,
                          const IlJsonPath *path,
                          const char       *member,
                          gint64            min,
                          gint64            max,
                          gint64           *out);
gboolean il_json_opt_uint (IlJsonReader     *reader,
                           JsonObject       *object,
                           const IlJsonPath *path,
                           const char       *member,
                           gint64            min,
                           gint64            max,
                           guint            *out);
gboolean il_json_opt_double (IlJsonReader     *reader,
                             JsonObject       *object,
                             const IlJsonPath *path,
                             const char       *member,
                             double           *out);
gboolean il_json_opt_bool (IlJsonReader     *reader,
                           JsonObject       *object,
                           const IlJsonPath *path,
                           const char       *member,
                           gboolean         *out);
gboolean il_json_opt_string (IlJsonReader     *reader,
                             JsonObject       *object,
                             const IlJsonPath *path,
                             const char       *member,
                             gint64            min_chars,
                             gint64            max_chars,
                             gboolean          nullable,
                             char            **out);
gboolean il_json_opt_enum (IlJsonReader      *reader,
                           JsonObject        *object,
                           const IlJsonPath  *path,
                           const char        *member,
                           const char *const *names,
                           guint             *out);

/* Arrays: each element is read with its own path ("runs[2]") and the
 * first failure stops the reading (the reader keeps only the first
 * problem anyway).  Counts are the caller's to check first, so that a
 * wrong count is reported before a wrong element. */

/* Reads one element into a new object, NULL on failure. */
typedef gpointer (*IlJsonReadNew) (IlJsonReader     *reader,
                                   JsonNode         *node,
                                   const IlJsonPath *path);
/* Reads one element into the struct at @out. */
typedef gboolean (*IlJsonReadInto) (IlJsonReader     *reader,
                                    JsonNode         *node,
                                    const IlJsonPath *path,
                                    gpointer          out);

/* Appends what @read returns for each element to @out. */
gboolean il_json_read_objects (IlJsonReader     *reader,
                               JsonArray        *array,
                               const IlJsonPath *path,
                               IlJsonReadNew     read,
                               GPtrArray        *out);
/* Sizes @out (an array of structs) to @array and reads element i into its
 * i-th struct. */
gboolean il_json_read_structs (IlJsonReader     *reader,
                               JsonArray        *array,
                               const IlJsonPath *path,
                               IlJsonReadInto    read,
                               GArray           *out);
/* Reads the elements of the array at @path that the scan left out of the
 * tree (il_json_streamed_at), a few at a time, each with its own path. */
typedef gboolean (*IlJsonReadElement) (IlJsonReader     *reader,
                                       JsonNode         *node,
                                       const IlJsonPath *path,
                                       gpointer          data);
const IlJsonStreamed *il_json_streamed_at (IlJsonReader     *reader,
                                           const IlJsonPath *path);
gboolean              il_json_read_streamed (IlJsonReader         *reader,
                                             const IlJsonPath     *path,
                                             const IlJsonStreamed *streamed,
                                             IlJsonReadElement     read,
                                             gpointer              data);
/* Appends each element, an integer from @min to @max, to @out (of guint). */
gboolean il_json_read_uints (IlJsonReader     *reader,
                             JsonArray        *array,
                             const IlJsonPath *path,
                             gint64            min,
                             gint64            max,
                             GArray           *out);
/* The elements, strings of @min_chars to @max_chars, as a new strv. */
gboolean il_json_read_strings (IlJsonReader     *reader,
                               JsonArray        *array,
                               const IlJsonPath *path,
                               gint64            min_chars,
                               gint64            max_chars,
                               char           ***out);

/* Writing (il-json-writer.c) */

/* The files' layout. Objects one member per line, arrays of scalars
 * on one line, two-space indent, doubles in their shortest exact form, a
 * trailing newline. */
char *il_json_write (JsonNode *node,
                     gsize    *length);

/* Streamed writing: a big array is left empty in the tree and registered
 * in @streams with the function that makes its elements, one at a time,
 * when it is written (each element is freed once written). The output is
 * byte for byte what il_json_write() gives for the array filled in. */
typedef JsonNode *(*IlJsonElementFunc) (gconstpointer data,
                                        guint         index);
GHashTable *il_json_streams_new (void);
void        il_json_streams_add (GHashTable       *streams,
                                 JsonArray        *array,
                                 guint             n,
                                 IlJsonElementFunc func,
                                 gconstpointer     data);
/* Writes @node in chunks to @stream (@streams: may be NULL). */
gboolean il_json_write_stream (JsonNode      *node,
                               GHashTable    *streams,
                               GOutputStream *stream,
                               GCancellable  *cancellable,
                               GError       **error);

/* Doubles are rounded when written so that files stay readable; equality
 * of results compares values as they would be written. Non-finite values
 * become NAN (written as null). */
double   il_json_round (double value,
                        int    decimals);
gboolean il_json_double_equal (double a,
                               double b,
                               int    decimals);

/* A node holding @object, which it takes: the model's writers build
 * objects member by member and hand them on. */
JsonNode *il_json_object_node (JsonObject *object);
/* The same for an array: takes @array's reference. */
JsonNode *il_json_array_node (JsonArray *array);

/* The shortest text that reads back as the same double ("0.1", not
 * "0.10000000000000001"). */
char *il_json_format_double (double value);

#define IL_JSON_DECIMALS_MS      3
#define IL_JSON_DECIMALS_RATIO   3
#define IL_JSON_DECIMALS_PERCENT 1

/* The results document with its big arrays (tasks, gil_holds, loop_lag)
 * registered in @streams (il_json_streams_add()) rather than filled in;
 * @streams NULL: filled in. */
JsonNode *il_results_to_json_streamed (const IlResults *results,
                                       GHashTable      *streams);

/* Reads a results document with @reader (il-results-read.c). */
IlResults *il_results_read (IlJsonReader     *reader,
                            JsonNode         *node,
                            const IlJsonPath *path);

G_END_DECLS
