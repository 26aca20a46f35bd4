#ifndef RAPPORT_CLIBPQ_SHIM_H
#define RAPPORT_CLIBPQ_SHIM_H
// pkg-config normally puts libpq's folder on the include path; the fallback helps where it is missing.
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif

// PG_DIAG_* are character-literal macros, which Swift does not import: re-export them as constants.
static const int RAPPORT_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int RAPPORT_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int RAPPORT_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
static const int RAPPORT_DIAG_MESSAGE_HINT = PG_DIAG_MESSAGE_HINT;
static const int RAPPORT_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;
static const int RAPPORT_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;
static const int RAPPORT_DIAG_COLUMN_NAME = PG_DIAG_COLUMN_NAME;
#endif
