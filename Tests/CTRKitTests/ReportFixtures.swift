@testable import CTRKit
import Foundation
import GRDB
import TestSupport

/// The seed example of SPEC section 6, as compact legs (the same figures as Fixtures/seed-example.json).
enum SeedExample {
    static let ctr1 = SeedContacts.ctr1
    static let ctr2 = SeedContacts.ctr2
    static let legs = [
        FixtureLeg(ctr1, initiation: "2024-03-12T11:35:00Z", connectedToSystem: "2024-03-12T11:35:00Z", disconnect: "2024-03-12T11:37:00Z",
                   next: ctr2, queue: "InboundQueue", enqueue: "2024-03-12T11:35:00Z", dequeue: "2024-03-12T11:37:00Z", duration: 120),
        FixtureLeg(ctr2, method: "CALLBACK", initiation: "2024-03-12T11:37:00Z", connectedToSystem: "2024-03-12T11:40:10Z",
                   disconnect: "2024-03-12T11:45:00Z", previous: ctr1, initial: ctr1, queue: "CallbackQueue",
                   enqueue: "2024-03-12T11:38:39Z", dequeue: "2024-03-12T11:40:00Z", duration: 120, agent: "agent.smith",
                   connectedToAgent: "2024-03-12T11:40:25Z"),
    ]
}

/// The result of a report run in process: columns and cells.
struct ReportResult {
    var columns: [String]
    var rows: [[Cell]]

    func column(_ name: String) -> Int {
        guard let index = columns.firstIndex(of: name) else { fatalError("no column \(name) in \(columns)") }
        return index
    }

    /// The rows whose `queue` (or `check`) is `key`.
    func rowsFor(_ key: String) -> [[Cell]] {
        let index = columns.contains("queue") ? column("queue") : column("check")
        return rows.filter { $0[index] == .text(key) }
    }

    /// The one row for `key`; nil when there is not exactly one.
    func row(_ key: String) -> [Cell]? {
        let found = rowsFor(key)
        return found.count == 1 ? found[0] : nil
    }

    func value(_ key: String, _ name: String) -> Cell? {
        row(key).map { $0[column(name)] }
    }

    func texts(_ name: String) -> [String] {
        rows.map { $0[column(name)].plainText }
    }
}

/// A temporary folder holding CTR files written from `FixtureLeg`s, ingested into a fresh
/// database with the real `Ingest`; reports run in process with the real `Queries/`.
final class ReportFixture {
    private let scratch: TemporaryFolder
    let databasePath: String
    let summary: IngestSummary

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var queriesFolder: String { packageRoot.appendingPathComponent("Queries").path }

    static func catalog() throws -> ReportCatalog { try ReportCatalog(folder: queriesFolder) }

    /// Writes `legs` as NDJSON (one file per group of `filesOf` legs) and ingests them.
    init(_ legs: [FixtureLeg], extraFiles: [String: String] = [:]) throws {
        scratch = try TemporaryFolder()
        let input = scratch.url.appendingPathComponent("input")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        var text = ""
        for leg in legs {
            let data = try JSONSerialization.data(withJSONObject: leg.json, options: [.sortedKeys])
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        try text.write(to: input.appendingPathComponent("legs.json"), atomically: true, encoding: .utf8)
        for (name, content) in extraFiles {
            try content.write(to: input.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        databasePath = scratch.file("ctr.db")
        summary = try Ingest(databasePath: databasePath).run(inputs: [input.path])
    }

    /// A later run into the same database: `files` (name -> text) in a folder of their own.
    @discardableResult
    func ingest(_ files: [String: String]) throws -> IngestSummary {
        let input = scratch.url.appendingPathComponent("later-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for (name, content) in files {
            try content.write(to: input.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try Ingest(databasePath: databasePath).run(inputs: [input.path])
    }

    /// Runs the report `name` with the given options.
    func run(_ name: String, _ configure: (inout ReportParameters) -> Void = { _ in }) throws -> ReportResult {
        var parameters = ReportParameters()
        configure(&parameters)
        let catalog = try ReportFixture.catalog()
        let report = try catalog.report(named: name)
        let writer = CollectingRows()
        let queue = try QueryRunner.openReadOnly(databasePath)
        try queue.read { db in
            _ = try ReportRunner(catalog: catalog).run(report, parameters: parameters, in: db, to: writer)
        }
        return ReportResult(columns: writer.columns, rows: writer.rows)
    }

    /// One value of the database (ad hoc SQL).
    func scalar(_ sql: String) throws -> DatabaseValue {
        let queue = try QueryRunner.openReadOnly(databasePath)
        return try queue.read { db in try DatabaseValue.fetchOne(db, sql: sql) ?? .null }
    }
}

/// Journeys of every kind spread over `days` days from `start` (UTC): answered, abandoned,
/// callback (answered or not), transfer, unresolved, and legs missing queue duration or
/// disconnect time, for property tests.
func generatedJourneys(count: Int, start: String, days: Int, seed: UInt64) -> [FixtureLeg] {
    var random = SplitMix64(seed: seed)
    let queues = ["Sales", "Support", "Billing"]
    var legs: [FixtureLeg] = []
    for n in 0..<count {
        let id = String(format: "gen-%04d", n)
        let at = FixtureLeg.shift(start, by: Int.random(in: 0..<(days * 86_400), using: &random))
        let queue = queues[Int.random(in: 0..<queues.count, using: &random)]
        let wait = Int.random(in: 0...90, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0, 1:
            legs.append(.queued(id, queue: queue, at: at, wait: wait, answered: true, talk: Int.random(in: 10...900, using: &random)))
        case 2:
            legs.append(.queued(id, queue: queue, at: at, wait: wait, answered: false))
        case 3:
            // callback: the inbound leg, then a callback leg that is answered or not
            let child = id + "-cb"
            legs.append(.queued(id, queue: queue, at: at, wait: wait, answered: false, next: child))
            let created = FixtureLeg.shift(at, by: wait)
            let enqueue = FixtureLeg.shift(created, by: 60)
            let dequeue = FixtureLeg.shift(enqueue, by: Int.random(in: 10...600, using: &random))
            let answered = Bool.random(using: &random)
            let system = FixtureLeg.shift(dequeue, by: Int.random(in: -3...20, using: &random))
            legs.append(FixtureLeg(child, method: "CALLBACK", initiation: created, connectedToSystem: answered ? system : nil,
                                   disconnect: FixtureLeg.shift(dequeue, by: 300), previous: id, initial: id, queue: "Callbacks",
                                   enqueue: enqueue, dequeue: dequeue, duration: Bool.random(using: &random) ? nil : 0,
                                   agent: "agent", connectedToAgent: answered ? FixtureLeg.shift(system, by: 12) : nil))
        case 4:
            let child = id + "-tx"
            legs.append(.queued(id, queue: queue, at: at, wait: wait, answered: false, next: child))
            legs.append(.queued(child, queue: queues[(n + 1) % queues.count], at: FixtureLeg.shift(at, by: wait + 5), wait: 30,
                                answered: true, method: "QUEUE_TRANSFER", previous: id))
        case 5:
            legs.append(.queued(id, queue: queue, at: at, wait: wait, answered: false, next: id + "-missing"))
        default:
            // no Queue.Duration and no disconnect time
            var leg = FixtureLeg.queued(id, queue: queue, at: at, wait: wait, answered: Bool.random(using: &random))
            leg.duration = nil
            leg.disconnect = nil
            legs.append(leg)
        }
    }
    return legs
}
