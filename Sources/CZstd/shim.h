#ifndef CTRDB_CZSTD_SHIM_H
#define CTRDB_CZSTD_SHIM_H
/// zstd's one-shot API (ZSTD_compress, ZSTD_compressBound): the Parquet writer's default codec.
#include <zstd.h>
#endif
