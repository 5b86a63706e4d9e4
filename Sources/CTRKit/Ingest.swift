import Foundation
import GRDB
import Logging

/// A problem found while ingesting, with its place: `file:offset: message`.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case warning, error }
    public var severity: Severity
    public var file: String
    public var offset: Int64?
    public var message: String

    public var description: String {
        let place = offset.map { "\(file): byte \($0)" } ?? file
        return "\(severity.rawValue): \(place): \(message)"
    }
}

/// Figures for the progress display.
public struct IngestProgress: Sendable {
    public var file: String
    public var filesDone: Int
    public var filesTotal: Int
    /// Input bytes (as stored on disk) read so far, and in all.
    public var bytesDone: Int64
    public var bytesTotal: Int64
    public var records: Int
    public var elapsed: Double
}

/// What a run did: the one-line summary and the exit code come from it.
public struct IngestSummary: Sendable {
    public var files = 0
    public var skippedFiles = 0
    public var failedFiles = 0
    public var partialFiles = 0
    public var records = 0
    public var newVersions = 0
    public var duplicates = 0
    public var rejects = 0
    public var chainLegs = 0
    public var seconds = 0.0
    public var diagnostics: [Diagnostic] = []

    /// 0 success, 1 a file failed (nothing of it was committed), 2 rejects or partial files.
    public var exitCode: Int32 {
        if failedFiles > 0 { return 1 }
        if rejects > 0 || partialFiles > 0 { return 2 }
        return 0
    }

    public var line: String {
        var parts = ["\(files) files"]
        if skippedFiles > 0 { parts[0] += " (\(skippedFiles) unchanged, skipped)" }
        parts += ["\(records) records", "\(newVersions) new versions", "\(duplicates) duplicates", "\(rejects) rejects"]
        if partialFiles > 0 { parts.append("\(partialFiles) partial files") }
        if failedFiles > 0 { parts.append("\(failedFiles) failed files") }
        return "ingested " + parts.joined(separator: ", ") + String(format: " in %.2f s", seconds)
    }
}

public struct IngestOptions {
    public var maxRecordSize = RecordFramer.defaultMaxRecordSize
    /// How long a second writer waits for the first before failing.
    public var busyTimeoutSeconds = 600.0
    /// `--redact-phones`: replace customer numbers by keyed hashes. A database written this
    /// way records it, and every later ingest into it redacts too (and needs the same key).
    public var redactPhones = false
    /// The key, when one was given; required when redacting.
    public var redactor: PhoneRedactor?
    public init() {}
}

/// The one place that knows the order of the stages: read -> frame -> decode -> load, one
/// transaction per input file, then chain.
public final class Ingest {
    private let databasePath: String
    private let options: IngestOptions
    private let logger: Logger

    public init(databasePath: String, options: IngestOptions = IngestOptions(), logger: Logger = Logger(label: "ctrdb.ingest")) {
        self.databasePath = databasePath
        self.options = options
        self.logger = logger
    }

    /// Opens (creating or migrating) the database for writing.
    ///
    /// Switching a new database to WAL takes a lock that SQLite's busy timeout does not wait
    /// for, so a run that starts while another is creating the database retries the opening
    /// itself, within the same timeout.
    public static func openDatabase(at path: String, busyTimeoutSeconds: Double = 600) throws -> DatabaseQueue {
        let deadline = ContinuousClock.now + .milliseconds(Int(busyTimeoutSeconds * 1000))
        while true {
            do {
                let queue = try DatabaseQueue(path: path, configuration: Schema.writerConfiguration(busyTimeoutSeconds: busyTimeoutSeconds))
                try Schema.migrate(queue)
                return queue
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                guard ContinuousClock.now < deadline else { throw error }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    public func run(inputs: [String], progress: ((IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        let clock = ContinuousClock.now
        let items = try InputCollector.collect(inputs)
        let database = try Ingest.openDatabase(at: databasePath, busyTimeoutSeconds: options.busyTimeoutSeconds)
        let redactor = try database.write { db in try RedactionPolicy.redactor(for: db, options: options) }
        let ingestedAt = Timestamp(epochMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)).text
        var summary = IngestSummary()
        let bytesTotal = items.reduce(Int64(0)) { total, item in
            if case let .file(_, size) = item { return total + size }
            return total
        }
        var bytesBefore: Int64 = 0
        var lastReport = ContinuousClock.now
        for (index, item) in items.enumerated() {
            summary.files += 1
            let report: (Int64, Int) -> Void = { bytes, records in
                guard let progress, ContinuousClock.now - lastReport > .milliseconds(200) else { return }
                lastReport = ContinuousClock.now
                progress(IngestProgress(file: item.displayPath, filesDone: index, filesTotal: items.count, bytesDone: bytesBefore + bytes,
                                        bytesTotal: bytesTotal, records: summary.records + records, elapsed: (ContinuousClock.now - clock).seconds))
            }
            do {
                try ingest(item, into: database, redactor: redactor, ingestedAt: ingestedAt, summary: &summary, report: report)
            } catch {
                summary.failedFiles += 1
                summary.diagnostics.append(Diagnostic(severity: .error, file: item.displayPath, offset: nil,
                                                      message: "\(Ingest.describe(error)); nothing of this file was loaded, run again to retry it"))
                // A database that cannot be written (full disk, I/O error) fails every later file too: stop here.
                if Ingest.isFatal(error) {
                    summary.failedFiles += items.count - index - 1
                    summary.seconds = (ContinuousClock.now - clock).seconds
                    return summary
                }
            }
            if case let .file(_, size) = item { bytesBefore += size }
        }
        summary.chainLegs = try database.write { db in try ChainResolver.resolvePending(db) }
        summary.seconds = (ContinuousClock.now - clock).seconds
        return summary
    }

    private func ingest(_ item: InputItem, into database: DatabaseQueue, redactor: PhoneRedactor?, ingestedAt: String, summary: inout IngestSummary,
                        report: (Int64, Int) -> Void) throws {
        let path = item.displayPath
        // A file is fingerprinted before it is read, so an unchanged file costs one fast pass
        // and its deliveries are keyed by content from the first record on. Standard input is
        // fingerprinted while it is read, under a provisional key settled at the end.
        var knownHash: String?
        let upstream: FileSource
        switch item {
        case let .file(filePath, _):
            let fingerprint = try ContentHasher.hashFile(filePath)
            knownHash = ContactRecord.hashText(fingerprint.hash)
            let previous = try database.read { db in try ContactStore(db).ingestedFile(at: path) }
            if let previous, previous.contentHash == knownHash, previous.size == fingerprint.size {
                summary.skippedFiles += 1
                logger.info("skipped \(path): unchanged since it was ingested")
                return
            }
            upstream = try FileSource(path: filePath)
        case .standardInput:
            upstream = FileSource(standardInputLabeled: path)
        }
        let hashing = HashingSource(upstream)
        let source = DecompressingSource(hashing)
        let stream = RecordStream(source: source, maxRecordSize: options.maxRecordSize, redactor: redactor)
        var fileSummary = IngestSummary()
        var prefetch: PrefetchingStream?
        defer { prefetch?.cancel() }

        try database.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                let store = try ContactStore(db)
                // Read again inside the write lock: another run may have ingested this file meanwhile.
                let previous = try store.ingestedFile(at: path)
                if let knownHash, let previous {
                    if previous.contentHash == knownHash {
                        fileSummary.skippedFiles = 1
                        return .commit
                    }
                    try store.forgetFile(at: path, previousHash: previous.contentHash)
                }
                let deliveryKey = knownHash ?? "pending:\(UUID().uuidString)"
                let file = SourceFile(path: path, fileHash: deliveryKey, ingestedAt: ingestedAt)
                var records = 0
                var rejects = 0
                let items = PrefetchingStream(stream, progress: { hashing.hasher.byteCount })
                prefetch = items
                while let item = try items.next() {
                    switch item {
                    case let .record(record):
                        records += 1
                        switch try store.load(record, from: file) {
                        case .newVersion: fileSummary.newVersions += 1
                        case .repeatedVersion, .alreadyLoaded: fileSummary.duplicates += 1
                        }
                    case let .reject(chunk):
                        rejects += 1
                        try store.reject(chunk, from: file)
                        fileSummary.diagnostics.append(Diagnostic(severity: .warning, file: path, offset: chunk.offset, message: chunk.reason))
                    }
                    if records & 255 == 0 { report(items.latestProgress, records) }
                }
                let fileHash = ContactRecord.hashText(hashing.hasher.finalize())
                if knownHash == nil {
                    if let previous, previous.contentHash == fileHash {
                        fileSummary = IngestSummary()
                        fileSummary.skippedFiles = 1
                        return .rollback
                    }
                    // Standard input is not one file that changed: what earlier runs read from it
                    // stays (forgetting it would make the result depend on the order of runs).
                    try store.settleDeliveries(provisionalKey: deliveryKey, fileHash: fileHash)
                }
                let damage = source.damage.map { "\($0.reason) at compressed byte \($0.compressedOffset); the records before it were kept" }
                if let damage {
                    fileSummary.partialFiles = 1
                    fileSummary.diagnostics.append(Diagnostic(severity: .warning, file: path, offset: stream.position, message: damage))
                }
                try store.recordFile(SourceFile(path: path, fileHash: fileHash, ingestedAt: ingestedAt), size: hashing.hasher.byteCount,
                                     records: records, rejects: rejects, damage: damage)
                fileSummary.records = records
                fileSummary.rejects = rejects
                return .commit
            }
        }
        summary.records += fileSummary.records
        summary.newVersions += fileSummary.newVersions
        summary.duplicates += fileSummary.duplicates
        summary.rejects += fileSummary.rejects
        summary.partialFiles += fileSummary.partialFiles
        summary.skippedFiles += fileSummary.skippedFiles
        summary.diagnostics += fileSummary.diagnostics
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError {
            var message = "database error: \(error.message ?? error.description)"
            switch error.resultCode {
            case .SQLITE_FULL, .SQLITE_IOERR:
                message += " (check the free space of the disk that holds the database, then run the same command again: finished files are kept)"
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                message += " (the database or its folder cannot be written: check the path and its permissions)"
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                message += " (this file is not a ctrdb database: name another with --db)"
            default:
                break
            }
            return message
        }
        return (error as? LocalizedError)?.errorDescription ?? "\(error)"
    }
}

extension Ingest {
    /// Errors of the database itself rather than of one input file.
    static func isFatal(_ error: Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        switch error.resultCode {
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_NOTADB, .SQLITE_CORRUPT, .SQLITE_PERM:
            return true
        default:
            return false
        }
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
