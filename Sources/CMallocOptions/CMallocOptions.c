// Everything is `static inline` in include/CMallocOptions.h; SwiftPM needs one source file.
#include "CMallocOptions.h"
