// Headers only; this file gives SwiftPM a C target to build.
#include "CBagpipeLinux.h"
