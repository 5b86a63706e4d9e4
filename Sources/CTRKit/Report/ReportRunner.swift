import Foundation
import GRDB
import GRDBSQLite

/// The options of `ctrdb report` (SPEC section 1).
public struct ReportParameters: Sendable {
    public enum Placement: String, CaseIterable, Sendable { case disconnect, enqueue, initiation }

    public var from: String?
    public var to: String?
    public var timeZone = "UTC"
    public var interval = ReportInterval.day
    public var placement = Placement.disconnect
    public var queues: [String] = []
    public var serviceLevelSeconds = 20
    public var shortAbandonSeconds = 5

    public init() {}
}

/// Runs a canned report: the common `legs` relation, then the report's own SQL, with every
/// user value bound as a parameter and the time-zone work done by SQL functions in Swift.
public struct ReportRunner {
    public let catalog: ReportCatalog

    public init(catalog: ReportCatalog) { self.catalog = catalog }

    @discardableResult
    public func run(_ report: ReportDefinition, parameters: ReportParameters, in db: Database, to writer: RowWriter) throws -> Int {
        guard let zone = TimeZone(identifier: parameters.timeZone) else { throw ReportError.badTimeZone(parameters.timeZone) }
        let bucketer = IntervalBucketer(interval: parameters.interval, timeZone: zone)
        let from = try parameters.from.map { try boundary($0, option: "--from", bucketer) }
        let to = try parameters.to.map { try boundary($0, option: "--to", bucketer) }
        if let from, let to, from >= to { throw ReportError.emptyRange(from: parameters.from!, to: parameters.to!) }
        ReportFunctions.register(in: db, bucketer: bucketer)

        var arguments: [String: DatabaseValueConvertible?] = [
            "by": parameters.placement.rawValue,
            "interval": parameters.interval.rawValue,
            "tz": parameters.timeZone,
            "from": from.map { Timestamp(epochMilliseconds: $0 * 1000).text },
            "to": to.map { Timestamp(epochMilliseconds: $0 * 1000).text },
            "queues": parameters.queues.isEmpty ? nil : ReportRunner.jsonArray(parameters.queues),
            "total_start": nil,
            "sl": parameters.serviceLevelSeconds,
            "short_abandon": parameters.shortAbandonSeconds,
        ]
        if parameters.interval == .total {
            // The --from value, else the earliest time the report places a leg at. The earliest
            // is taken over every queue, so that --queue X keeps exactly the X rows of the
            // unfiltered report (interval_start included), as it does for the other intervals.
            if let from {
                arguments["total_start"] = bucketer.format(from)
            } else {
                var unfiltered = arguments
                unfiltered.updateValue(nil, forKey: "queues")
                let earliest = try String.fetchOne(db, sql: ReportRunner.compose(legs: catalog.legsSQL, report: "SELECT MIN(bucket_ts) FROM legs"),
                                                   arguments: StatementArguments(unfiltered))
                arguments["total_start"] = earliest.flatMap { Timestamp.parse($0) }.map { bucketer.format($0.epochSeconds) }
            }
        }
        let sql = ReportRunner.compose(legs: catalog.legsSQL, report: report.sql)
        return try QueryRunner.run(sql, arguments: StatementArguments(arguments), in: db, to: writer)
    }

    private func boundary(_ text: String, option: String, _ bucketer: IntervalBucketer) throws -> Int64 {
        guard let value = bucketer.parseBoundary(text) else { throw ReportError.badBoundary(option: option, value: text) }
        return value
    }

    /// `WITH legs AS (...)` in front of the report, merged with the report's own WITH clause.
    static func compose(legs: String, report: String) -> String {
        let body = report.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { $0.hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
            .joined(separator: "\n")
        let legsClause = "legs AS (\n\(legs)\n)"
        let upper = body.uppercased()
        if upper.hasPrefix("WITH RECURSIVE") {
            return "WITH RECURSIVE \(legsClause),\n" + body.dropFirst("WITH RECURSIVE".count)
        }
        if upper.hasPrefix("WITH") {
            return "WITH \(legsClause),\n" + body.dropFirst("WITH".count)
        }
        return "WITH \(legsClause)\n" + body
    }

    static func jsonArray(_ values: [String]) -> String {
        "[" + values.map(JSONText.quoted).joined(separator: ",") + "]"
    }
}

/// SQL functions the reports call.
enum ReportFunctions {
    static func register(in db: Database, bucketer: IntervalBucketer) {
        // ctr_interval_key(ts, interval, tz): the start of the interval holding ts, in epoch seconds.
        // Called once per leg, so it is registered through SQLite's C API: GRDB's function
        // wrapper boxes every argument, which cost more than the bucketing itself.
        registerIntervalKey(in: db, bucketer: bucketer)
        // ctr_interval_label(key, interval, tz, total_start): that start as text with its offset.
        db.add(function: DatabaseFunction("ctr_interval_label", argumentCount: 4, pure: true) { values in
            if bucketer.interval == .total { return String.fromDatabaseValue(values[3]) }
            guard let key = Int64.fromDatabaseValue(values[0]) else { return nil }
            return bucketer.format(key)
        })
        // ctr_ratio(numerator, denominator): rounded to 2 decimals, half away from zero, exactly.
        db.add(function: DatabaseFunction("ctr_ratio", argumentCount: 2, pure: true) { values in
            ratio(values[0], values[1])
        })
    }

    private static func registerIntervalKey(in db: Database, bucketer: IntervalBucketer) {
        let context = Unmanaged.passRetained(bucketer).toOpaque()
        sqlite3_create_function_v2(db.sqliteConnection, "ctr_interval_key", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, context, { ctx, _, argv in
            let bucketer = Unmanaged<IntervalBucketer>.fromOpaque(sqlite3_user_data(ctx)!).takeUnretainedValue()
            guard let value = argv?[0], let text = sqlite3_value_text(value) else {
                sqlite3_result_null(ctx)
                return
            }
            let count = Int(sqlite3_value_bytes(value))
            guard let instant = Timestamp.parse(UnsafeBufferPointer(start: text, count: count)) else {
                sqlite3_result_null(ctx)
                return
            }
            sqlite3_result_int64(ctx, bucketer.intervalStart(instant.epochSeconds))
        }, nil, nil, { context in
            if let context { Unmanaged<IntervalBucketer>.fromOpaque(context).release() }
        })
    }

    /// Integers are divided exactly (so 0.125 rounds to 0.13, as the definition says), not
    /// through a binary fraction that may fall just below the half.
    static func ratio(_ numerator: DatabaseValue, _ denominator: DatabaseValue) -> Double? {
        if case let .int64(n) = numerator.storage, case let .int64(d) = denominator.storage {
            guard d != 0 else { return nil }
            let negative = (n < 0) != (d < 0)
            let a = n.magnitude * 100, b = d.magnitude
            let rounded = (2 * a + b) / (2 * b)
            return Double(negative ? -Int64(rounded) : Int64(rounded)) / 100
        }
        guard let n = Double.fromDatabaseValue(numerator), let d = Double.fromDatabaseValue(denominator), d != 0 else { return nil }
        return ((n / d) * 100).rounded(.toNearestOrAwayFromZero) / 100
    }
}
