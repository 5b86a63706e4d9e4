#ifndef CTRDB_CDEFLATE_SHIM_H
#define CTRDB_CDEFLATE_SHIM_H
/// libdeflate's whole-buffer zlib compressor: the raw text of every stored version.
#include <libdeflate.h>
#endif
