#ifndef TRACKSHEET_BUILD_INFO_H
#define TRACKSHEET_BUILD_INFO_H

/// The commit the binary was built from ("" when built outside `make`, which writes it).
const char *tracksheet_build_commit(void);

#endif
