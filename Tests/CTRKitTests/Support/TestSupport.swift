import Foundation
import GRDB
import Testing
import TestSupport
@testable import CTRKit

// Helpers of the unit tests: byte builders, fixtures, synthetic records, and whole-database
// comparisons (gzip, scratch folders and `rows` are in the TestSupport module).

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}

/// A source that hands out at most `step` bytes per read, as a slow pipe would.
final class TrickleSource: ByteSource {
    private let bytes: [UInt8]
    private let step: Int
    private var position = 0

    init(_ bytes: [UInt8], step: Int) {
        self.bytes = bytes
        self.step = step
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = Swift.min(buffer.count, step, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}

/// Reads a byte source to its end through a buffer of `bufferSize` bytes.
func drain(_ source: ByteSource, bufferSize: Int = 4096) throws -> [UInt8] {
    var out: [UInt8] = []
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 8)
    defer { buffer.deallocate() }
    while true {
        let n = try source.read(into: buffer)
        if n == 0 { break }
        out.append(contentsOf: buffer[..<n])
    }
    return out
}

func frameAll(_ bytes: [UInt8], readSize: Int = 256 * 1024, maxRecordSize: Int = RecordFramer.defaultMaxRecordSize) throws -> [FramedChunk] {
    let framer = RecordFramer(source: MemorySource(bytes), maxRecordSize: maxRecordSize, readSize: readSize)
    var chunks: [FramedChunk] = []
    while let chunk = try framer.next() { chunks.append(chunk) }
    return chunks
}

func streamAll(_ source: ByteSource, maxRecordSize: Int = RecordFramer.defaultMaxRecordSize) throws -> (records: [ContactRecord], rejects: [RejectedChunk]) {
    let stream = RecordStream(source: source, maxRecordSize: maxRecordSize)
    var records: [ContactRecord] = []
    var rejects: [RejectedChunk] = []
    while let item = try stream.next() {
        switch item {
        case let .record(r): records.append(r)
        case let .reject(r): rejects.append(r)
        }
    }
    return (records, rejects)
}

func streamAll(_ bytes: [UInt8], maxRecordSize: Int = RecordFramer.defaultMaxRecordSize) throws -> (records: [ContactRecord], rejects: [RejectedChunk]) {
    try streamAll(MemorySource(bytes), maxRecordSize: maxRecordSize)
}

/// Decodes one record given as text, the way the stream would.
func decode(_ text: String) throws -> ContactRecord {
    let bytes = [UInt8](text)
    return try ContactDecoder.decode(FramedChunk(kind: .object, bytes: bytes, offset: 0, contentHash: RecordFramer.contentHash(of: bytes)))
}

// MARK: - Fixtures

enum Fixture {
    static func url(_ name: String) -> URL {
        let base = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        if let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Fixtures") { return url }
        // Fall back to the source tree.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(name)))
    }

    /// The three real versions of contact 6fe40d2a..., oldest first, each without its newline.
    static func realVersions() throws -> [[UInt8]] {
        let lines = try bytes("real-ctr-versions.ndjson").split(separator: 0x0A).map(Array.init)
        precondition(lines.count == 3)
        return lines
    }

    static let realContactId = "6fe40d2a-1a89-4d73-bfcf-5d9c33894f47"
    static let realNewest = "2022-01-11T04:09:47Z"
    static let ctr1 = SeedContacts.ctr1
    static let ctr2 = SeedContacts.ctr2

    /// The seed example's two records, as delivered in the fixture (pretty-printed, `}{`).
    static func seedRecords() throws -> [[UInt8]] {
        try frameAll(bytes("seed-example.json")).map(\.bytes)
    }
}

// MARK: - Synthetic records

/// One compact CTR with the fields the chain stage reads; nil fields are written as null.
func ctr(_ id: String, method: String = "INBOUND", previous: String? = nil, next: String? = nil, initial: String? = nil,
         queue: String? = "Q", enqueue: String? = "2024-03-12T10:00:00Z", answered: Bool = false,
         lastUpdate: String = "2024-03-12T10:10:00Z", attributes: [String: String] = [:], extra: String = "") -> String {
    func q(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "null" }
    let queuePart = queue.map { "{\"Name\":\"\($0)\",\"EnqueueTimestamp\":\(q(enqueue)),\"DequeueTimestamp\":\"2024-03-12T10:01:00Z\",\"Duration\":60}" } ?? "null"
    let agentPart = answered ? "{\"Username\":\"a\",\"ConnectedToAgentTimestamp\":\"2024-03-12T10:01:05Z\"}" : "null"
    let attrs = attributes.keys.sorted().map { "\"\($0)\":\"\(attributes[$0]!)\"" }.joined(separator: ",")
    return "{\"ContactId\":\"\(id)\",\"Channel\":\"VOICE\",\"InitiationMethod\":\"\(method)\",\"InitiationTimestamp\":\"2024-03-12T10:00:00Z\","
        + "\"DisconnectTimestamp\":\"2024-03-12T10:05:00Z\",\"LastUpdateTimestamp\":\"\(lastUpdate)\",\"PreviousContactId\":\(q(previous)),"
        + "\"NextContactId\":\(q(next)),\"InitialContactId\":\(q(initial)),\"Queue\":\(queuePart),\"Agent\":\(agentPart),"
        + "\"Attributes\":{\(attrs)}\(extra)}"
}

// MARK: - Ingesting and comparing databases

@discardableResult
func ingest(_ inputs: [String], into db: String) throws -> IngestSummary {
    try Ingest(databasePath: db).run(inputs: inputs)
}

/// The tables whose contents the SPEC promises, in a stable order (timestamps of the run left out).
func snapshot(_ db: String) throws -> [String: [[String]]] {
    [
        "contacts": try rows(db, "SELECT * FROM contacts ORDER BY contact_id"),
        "contact_versions": try rows(db, "SELECT * FROM contact_versions ORDER BY contact_id, content_hash"),
        "attributes": try rows(db, "SELECT * FROM attributes ORDER BY contact_id, key"),
        "rejects": try rows(db, "SELECT source_file, byte_offset, length, reason, raw_text FROM rejects ORDER BY source_file, byte_offset"),
        "ingest_files": try rows(db, "SELECT path, size, content_hash, records, rejects, status, error FROM ingest_files ORDER BY path"),
    ]
}

/// All permutations of a small array, in a fixed order.
func permutations<T>(_ items: [T]) -> [[T]] {
    guard items.count > 1 else { return [items] }
    var result: [[T]] = []
    for (index, item) in items.enumerated() {
        var rest = items
        rest.remove(at: index)
        for tail in permutations(rest) { result.append([item] + tail) }
    }
    return result
}

/// A database loaded from an export that `ctrdb generate` writes.
func generatedDatabase(in folder: TemporaryFolder, journeys: Int, days: Int) throws -> String {
    let export = folder.file("export")
    var options = GenerateOptions(outputDirectory: export)
    options.journeys = journeys
    options.days = days
    _ = try ExportGenerator(options: options).run()
    let db = folder.file("ctr.db")
    try ingest([export], into: db)
    return db
}
