/* il-results-read-private.h — what the results reader's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * il-results-read.c reads the document and its repetitions;
 * il-results-read-tasks.c reads the task records, from a tree or, for the
 * streamed arrays (il-json-private.h, IlJsonStreamed), an element at a time.
 */
#pragma once

#include "il-json-private.h"

G_BEGIN_DECLS

typedef IlJsonReader Reader;

static inline JsonNode *
member (JsonObject *object,
        const char *name)
{
  return json_object_get_member (object, name);
}

static inline gboolean
opt_gint (Reader           *r,
          JsonObject       *object,
          const IlJsonPath *path,
          const char       *name,
          gint64            min,
          gint             *out)
{
  gint64 value = *out;

  if (!il_json_opt_int (r, object, path, name, min, G_MAXINT, &value))
    return FALSE;

  *out = (gint) value;

  return TRUE;
}

static inline gboolean
opt_us (Reader           *r,
        JsonObject       *object,
        const IlJsonPath *path,
        const char       *name,
        gint64           *out)
{
  return il_json_opt_int (r, object, path, name, G_MININT64, G_MAXINT64, out);
}

/* Free text (labels, names, messages): bounded, and null where unknown. */
static inline gboolean
opt_string (Reader           *r,
            JsonObject       *object,
            const IlJsonPath *path,
            const char       *name,
            char            **out)
{
  return il_json_opt_string (r, object, path, name, 0, IL_RESULTS_MAX_TEXT_CHARS, TRUE, out);
}

static inline gboolean
get_object (Reader            *r,
            JsonNode          *node,
            const IlJsonPath  *path,
            const char        *what,
            const char *const *allowed,
            JsonObject       **out)
{
  return il_json_get_object (r, node, path, out) &&
         il_json_check_members (r, *out, path, what, allowed, NULL);
}

/* A task record into @task (il-results-read-tasks.c). */
gboolean il_results_read_task_record (Reader           *r,
                                      JsonNode         *node,
                                      const IlJsonPath *path,
                                      IlTaskRecord     *task);
/* The same into its place (path->index) in @data, a GArray of records:
 * an IlJsonReadElement for il_json_read_streamed(). */
gboolean il_results_read_task_element (Reader           *r,
                                       JsonNode         *node,
                                       const IlJsonPath *path,
                                       gpointer          data);

G_END_DECLS
