// Umbrella header for the system LAPACKE and CBLAS interfaces.
// Debian: liblapacke-dev (lapacke.h) and libopenblas-dev (cblas.h, in the
// multiarch include directory that pkg-config's `openblas` reports).
#ifndef DIDKIT_CLAPACK_SHIM_H
#define DIDKIT_CLAPACK_SHIM_H
#include <lapacke.h>
#include <cblas.h>
#endif
