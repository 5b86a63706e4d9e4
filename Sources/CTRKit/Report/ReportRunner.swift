import Foundation
import GRDB
import GRDBSQLite

/// The options of `ctrdb report` (SPEC section 1).
public struct ReportParameters: Sendable {
    /// Which timestamp places a leg in an interval (`--by`); `answer` is connected_to_agent_ts.
    public enum Placement: String, CaseIterable, Sendable { case disconnect, enqueue, initiation, answer }

    public var from: String?
    public var to: String?
    /// `--day`: a date, `yesterday` or `today` in `timeZone`; shorthand for `from` and `to`.
    public var day: String?
    public var timeZone = "UTC"
    public var interval = ReportInterval.day
    public var placement = Placement.disconnect
    public var queues: [String] = []
    public var serviceLevelSeconds = 20
    public var shortAbandonSeconds = 5

    public init() {}

    /// `from` and `to` as the report uses them: `day` turned into its civil day in `timeZone`.
    func range(now: Date = Date()) throws -> (from: String?, to: String?) {
        guard let day else { return (from, to) }
        guard from == nil, to == nil else { throw ReportError.dayWithRange }
        guard let zone = TimeZone(identifier: timeZone) else { throw ReportError.badTimeZone(timeZone) }
        guard let dates = CivilDay.resolve(day, in: zone, now: now) else { throw ReportError.badDay(day) }
        return (dates.day, dates.next)
    }
}

/// `--day DATE|yesterday|today`: one civil day of a time zone, as the two dates that bound it.
public enum CivilDay {
    /// The day named by `text` and the day after it, as `YYYY-MM-DD`; nil when `text` is neither
    /// a real date nor `yesterday`/`today`.
    public static func resolve(_ text: String, in zone: TimeZone, now: Date = Date()) -> (day: String, next: String)? {
        let days: Int64
        switch text {
        case "today", "yesterday":
            let local = Int64(now.timeIntervalSince1970.rounded(.down)) + Int64(zone.secondsFromGMT(for: now))
            days = local.floorDivided(by: 86_400) - (text == "yesterday" ? 1 : 0)
        default:
            guard let number = dayNumber(text) else { return nil }
            days = number
        }
        return (format(days), format(days + 1))
    }

    /// The date `days` days after (or before) `day`, `YYYY-MM-DD`; nil when `day` is not a real date.
    public static func shift(_ day: String, by days: Int64) -> String? {
        dayNumber(day).map { format($0 + days) }
    }

    /// Days since 1970-01-01 of a real calendar date: 2026-13-40 or 2026-02-30 is refused, not rolled over.
    static func dayNumber(_ text: String) -> Int64? {
        guard text.utf8.count == 10, let stamp = Timestamp.parse(text + "T00:00:00Z") else { return nil }
        let days = stamp.epochSeconds.floorDivided(by: 86_400)
        return format(days) == text ? days : nil
    }

    static func format(_ days: Int64) -> String {
        let (year, month, day) = Timestamp.civil(fromDays: days)
        return String(format: "%04d-%02d-%02d", Int(year), Int(month), Int(day))
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}

/// Runs a canned report: the common `legs` relation, then the report's own SQL, with every
/// user value bound as a parameter and the time-zone work done by SQL functions in Swift.
public struct ReportRunner {
    public let catalog: ReportCatalog

    public init(catalog: ReportCatalog) { self.catalog = catalog }

    @discardableResult
    public func run(_ report: ReportDefinition, parameters: ReportParameters, in db: Database, to writer: RowWriter) throws -> Int {
        try run(report.sql, path: report.path, parameters: parameters, in: db, to: writer)
    }

    /// Runs a helper query of the catalog (`_nightly.sql`) with the report options.
    @discardableResult
    public func runHelper(_ file: String, parameters: ReportParameters, in db: Database, to writer: RowWriter) throws -> Int {
        let query = try catalog.helperQuery(file)
        return try run(query.sql, path: query.path, parameters: parameters, in: db, to: writer)
    }

    private func run(_ sql: String, path: String, parameters: ReportParameters, in db: Database, to writer: RowWriter,
                     explain: String = "") throws -> Int {
        guard let zone = TimeZone(identifier: parameters.timeZone) else { throw ReportError.badTimeZone(parameters.timeZone) }
        let bucketer = IntervalBucketer(interval: parameters.interval, timeZone: zone)
        let range = try parameters.range()
        let from = try range.from.map { try boundary($0, option: "--from", bucketer) }
        let to = try range.to.map { try boundary($0, option: "--to", bucketer) }
        if let from, let to, from >= to { throw ReportError.emptyRange(from: range.from!, to: range.to!) }
        ReportFunctions.register(in: db, bucketer: bucketer)

        let arguments: [String: DatabaseValueConvertible?] = [
            "by": parameters.placement.rawValue,
            "from": from.map { Timestamp(epochMilliseconds: $0 * 1000).text },
            "to": to.map { Timestamp(epochMilliseconds: $0 * 1000).text },
            "queues": parameters.queues.isEmpty ? nil : ReportRunner.jsonArray(parameters.queues),
            "sl": parameters.serviceLevelSeconds,
            "short_abandon": parameters.shortAbandonSeconds,
        ]
        var totalStart: String?
        if parameters.interval == .total {
            // The --from value, else the earliest time the report places a leg at. The earliest
            // is taken over every queue, so that --queue X keeps exactly the X rows of the
            // unfiltered report (interval_start included), as it does for the other intervals.
            if let from {
                totalStart = bucketer.format(from)
            } else {
                var unfiltered = arguments
                unfiltered.updateValue(nil, forKey: "queues")
                let earliest = try String.fetchOne(db, sql: catalog.compose("SELECT MIN(bucket_ts) FROM legs"),
                                                   arguments: StatementArguments(unfiltered))
                totalStart = earliest.flatMap { Timestamp.parse($0) }.map { bucketer.format($0.epochSeconds) }
            }
        }
        ReportFunctions.registerLabel(in: db, bucketer: bucketer, totalStart: totalStart)
        return try run(sql, path: path, arguments: StatementArguments(arguments), in: db, to: writer, explain: explain)
    }

    /// `ctrdb chain`: the journey that `contactId` belongs to, one row per leg (`_chain.sql`).
    @discardableResult
    public func chain(of contactId: String, in db: Database, to writer: RowWriter) throws -> Int {
        // Checked before any output: an unknown contact prints no header (and an --output file
        // is never committed).
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM contacts WHERE contact_id = ?)", arguments: [contactId]) == true else {
            throw ReportError.unknownContact(contactId)
        }
        let query = try catalog.helperQuery("_chain.sql")
        return try run(query.sql, path: query.path, arguments: ["contact_id": contactId], in: db, to: writer)
    }

    /// SQLite's plan for a report with these options (`EXPLAIN QUERY PLAN`), one detail per step:
    /// what the tests check to prove that a one-day report reads the day through an index.
    func queryPlan(_ report: ReportDefinition, parameters: ReportParameters, in db: Database) throws -> [String] {
        let writer = CollectingRows()
        _ = try run(report.sql, path: report.path, parameters: parameters, in: db, to: writer, explain: "EXPLAIN QUERY PLAN ")
        return writer.rows.map { $0[writer.index("detail")].plainText }
    }

    /// The program SQLite runs for a report (`EXPLAIN`), one row per instruction: `opcode`, `p1`,
    /// `p2`. A plan names a table by its alias; the program, by its root page.
    func program(_ report: ReportDefinition, parameters: ReportParameters, in db: Database) throws -> [(opcode: String, p1: Int, p2: Int)] {
        let writer = CollectingRows()
        _ = try run(report.sql, path: report.path, parameters: parameters, in: db, to: writer, explain: "EXPLAIN ")
        return writer.rows.map { row in
            (row[writer.index("opcode")].plainText, Int(row[writer.index("p1")].plainText) ?? 0, Int(row[writer.index("p2")].plainText) ?? 0)
        }
    }

    /// Runs one query of the catalog with its relations; a failure names the file and SQLite's message.
    private func run(_ sql: String, path: String, arguments: StatementArguments, in db: Database, to writer: RowWriter,
                     explain: String = "") throws -> Int {
        do {
            return try QueryRunner.run(explain + catalog.compose(sql), arguments: arguments, in: db, to: writer)
        } catch let error as DatabaseError {
            throw ReportError.queryFailed(path: path, message: error.message ?? "\(error.resultCode)")
        }
    }

    private func boundary(_ text: String, option: String, _ bucketer: IntervalBucketer) throws -> Int64 {
        guard let value = bucketer.parseBoundary(text) else { throw ReportError.badBoundary(option: option, value: text) }
        return value
    }

    static func jsonArray(_ values: [String]) -> String {
        "[" + values.map(JSONText.quoted).joined(separator: ",") + "]"
    }
}

/// SQL functions the reports call.
enum ReportFunctions {
    static func register(in db: Database, bucketer: IntervalBucketer) {
        // ctr_interval_key(ts): the start of the interval holding ts, in epoch seconds.
        // Called once per leg, so it is registered through SQLite's C API: GRDB's function
        // wrapper boxes every argument, which cost more than the bucketing itself.
        registerIntervalKey(in: db, bucketer: bucketer)
        // ctr_ratio(numerator, denominator): rounded to 2 decimals, half away from zero, exactly.
        db.add(function: DatabaseFunction("ctr_ratio", argumentCount: 2, pure: true) { values in
            ratio(values[0], values[1])
        })
    }

    /// ctr_interval_label(key): the interval's start as text with its offset; with `--interval
    /// total`, the report's one start (`totalStart`).
    static func registerLabel(in db: Database, bucketer: IntervalBucketer, totalStart: String?) {
        db.add(function: DatabaseFunction("ctr_interval_label", argumentCount: 1, pure: true) { values in
            if bucketer.interval == .total { return totalStart }
            guard let key = Int64.fromDatabaseValue(values[0]) else { return nil }
            return bucketer.format(key)
        })
    }

    private static func registerIntervalKey(in db: Database, bucketer: IntervalBucketer) {
        let context = Unmanaged.passRetained(bucketer).toOpaque()
        sqlite3_create_function_v2(db.sqliteConnection, "ctr_interval_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, context, { ctx, _, argv in
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
