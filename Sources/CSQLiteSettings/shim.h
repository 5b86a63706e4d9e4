#ifndef CTRDB_CSQLITESETTINGS_SHIM_H
#define CTRDB_CSQLITESETTINGS_SHIM_H
#include <sqlite3.h>
#include <malloc.h>

/// Process-wide SQLite settings, which only apply before the first connection opens
/// (`sqlite3_config` is variadic: Swift cannot call it). Multi-thread mode drops the mutex
/// SQLite takes around every call on a connection (GRDB already uses each connection from one
/// thread at a time); without memory statistics, allocations take no mutex either.
static inline int ctrdb_configure_sqlite(void) {
    int threading = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    int statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return threading != SQLITE_OK ? threading : statistics;
}

/// Returns the memory freed to the C library (by a page cache made smaller) to the system.
static inline void ctrdb_release_free_memory(void) { malloc_trim(0); }
#endif
