#include "tracksheet_build_info.h"

// `make` writes tracksheet_commit.h (one #define) into a folder of the build directory and adds
// that folder to the include path (-Xcc -I…); a plain `swift build` has neither, and the binary
// says its commit is unknown. The file is a header, not a flag, so a new commit rebuilds this
// one file and not the whole package.
#if __has_include("tracksheet_commit.h")
#include "tracksheet_commit.h"
#endif

#ifndef TRACKSHEET_COMMIT
#define TRACKSHEET_COMMIT ""
#endif

const char *tracksheet_build_commit(void) { return TRACKSHEET_COMMIT; }
