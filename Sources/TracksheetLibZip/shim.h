#ifndef TRACKSHEET_LIBZIP_SHIM_H
#define TRACKSHEET_LIBZIP_SHIM_H

#include <zip.h>

/// ZIP_STAT_* flags are macros Swift sees as plain integers; these keep the casts in one place.
static inline int tracksheet_zip_stat_has_size(const zip_stat_t *st) { return (st->valid & ZIP_STAT_SIZE) != 0; }
static inline int tracksheet_zip_stat_has_comp_size(const zip_stat_t *st) { return (st->valid & ZIP_STAT_COMP_SIZE) != 0; }
static inline int tracksheet_zip_stat_has_crc(const zip_stat_t *st) { return (st->valid & ZIP_STAT_CRC) != 0; }
static inline int tracksheet_zip_stat_has_encryption(const zip_stat_t *st) { return (st->valid & ZIP_STAT_ENCRYPTION_METHOD) != 0; }

/// What a callback source that is only read (OPEN, READ, CLOSE, STAT, ERROR, FREE) answers to
/// ZIP_SOURCE_SUPPORTS: the macro expands to a call Swift cannot make (zip_source_make_command_bitmap is variadic).
static inline zip_int64_t tracksheet_zip_source_supports_readable(void) { return ZIP_SOURCE_SUPPORTS_READABLE; }

#endif
