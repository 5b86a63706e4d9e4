import Testing
@testable import CTRKit

/// The write-ahead log's peak during a load is about the batch limit plus the page cache:
/// together they must stay within SPEC section 7's bound (256 MB or a quarter of the
/// database) with a margin, at every size, and the cache within the memory budget.
@Suite struct LogBudgetTests {
    private let megabyte: Int64 = 1 << 20

    @Test(arguments: [0, 1, 100, 256, 850, 1_024, 1_862, 6_114, 24_000, 950_000] as [Int64])
    func limitAndCacheStayWithinTheBoundLessAFifth(databaseMegabytes: Int64) {
        let budget = LogBudget(fixedLimit: nil)
        let size = databaseMegabytes * megabyte
        let bound = max(256 * megabyte, size / 4)
        let cache = budget.cacheBytes(databaseBytes: size), limit = budget.limit(databaseBytes: size)
        #expect(cache + limit <= bound * 4 / 5)
        #expect(cache + limit >= bound * 4 / 5 - megabyte, "the budget is used, not wasted")
        #expect(cache <= 128 * megabyte)
        #expect(limit >= cache, "a batch may always dirty a cache's worth of pages")
    }

    @Test func theBudgetGrowsWithTheDatabase() {
        let budget = LogBudget(fixedLimit: nil)
        // A new database: 256 MB less a fifth, half for the cache and half for the batch.
        #expect(budget.cacheBytes(databaseBytes: 0) == budget.limit(databaseBytes: 0))
        #expect((102 * megabyte..<103 * megabyte).contains(budget.limit(databaseBytes: 0)))
        #expect(budget.limit(databaseBytes: 27 * 70 * megabyte) > budget.limit(databaseBytes: 0))
        #expect(budget.cacheBytes(databaseBytes: 6_114 * megabyte) == 128 * megabyte)
    }

    @Test func aFixedLimitReplacesTheLimitAndCapsTheCache() {
        let budget = LogBudget(fixedLimit: megabyte)
        #expect(budget.limit(databaseBytes: 10_000 * megabyte) == megabyte)
        #expect(budget.cacheBytes(databaseBytes: 10_000 * megabyte) == megabyte)
    }
}
