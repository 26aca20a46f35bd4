// SwiftPM needs a source file in a C target; the declaration is all this module provides.
#include "CLibFuzzer.h"
