// glibc's malloc extensions (malloc_trim), which Swift's Glibc module does not export.
// Elsewhere the header is empty and the reader does not call them.
#if defined(__linux__)
#include <malloc.h>
#endif
