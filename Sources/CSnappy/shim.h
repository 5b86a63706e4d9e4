#ifndef CTRDB_CSNAPPY_SHIM_H
#define CTRDB_CSNAPPY_SHIM_H
/// snappy's C interface (snappy_compress, snappy_max_compressed_length); the library itself is C++.
#include <snappy-c.h>
#endif
