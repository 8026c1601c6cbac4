// The system ReadStat library (Stata .dta, SAS .sas7bdat/.xpt, SPSS .sav/.zsav readers).
// Debian: libreadstat-dev (readstat.h, libreadstat.so; no pkg-config file).
#ifndef DIDKIT_CREADSTAT_SHIM_H
#define DIDKIT_CREADSTAT_SHIM_H
#include <readstat.h>
#endif
