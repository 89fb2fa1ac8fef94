// Everything is `static inline` in include/CEventJSON.h (so Swift inlines it); SwiftPM needs one source file.
#include "CEventJSON.h"
