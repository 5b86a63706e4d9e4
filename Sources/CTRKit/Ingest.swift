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

    /// Adds one committed file's figures.
    mutating func absorb(_ file: IngestSummary) {
        records += file.records
        newVersions += file.newVersions
        duplicates += file.duplicates
        rejects += file.rejects
        partialFiles += file.partialFiles
        skippedFiles += file.skippedFiles
        diagnostics += file.diagnostics
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
    /// Where a batch of files closes (`Ingest.recordsPerBatch`); tests make batches small.
    var recordsPerBatch = Ingest.recordsPerBatch
    /// Tests only: runs after each file's first record is loaded, inside its batch; what it
    /// throws fails the file as a read error in the middle of it would.
    var faultAfterFirstRecord: ((String) throws -> Void)?
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

    /// Files are committed in batches of whole files: a file is never split between
    /// transactions, and a run over thousands of small Firehose objects does not pay a commit
    /// (and the rewriting of every index page it touched) per object. A batch closes after
    /// this many records. When a file fails, the batch is rolled back and its other files are
    /// loaded again without it, so nothing of the failing file is committed and nothing else
    /// is lost. (Savepoints would do the same, but journal every page a file touches twice.)
    /// The larger the batch, the fewer times an index page is written again: 100,000 records
    /// (about 350 MB of JSON) loaded the benchmark's export 10% faster than 25,000, for a
    /// write-ahead log that grows to the size of one batch's pages before it is checkpointed.
    static let recordsPerBatch = 100_000

    public func run(inputs: [String], progress: ((IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        let clock = ContinuousClock.now
        let items = try InputCollector.collect(inputs)
        let database = try Ingest.openDatabase(at: databasePath, busyTimeoutSeconds: options.busyTimeoutSeconds)
        let redactor = try database.write { db in try RedactionPolicy.redactor(for: db, options: options) }
        // The checkpointer thread copies the log into the database; this connection only appends
        // (the setting is the connection's own and ends with it).
        try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        let checkpointer = Checkpointer(databasePath: databasePath)
        defer { checkpointer.stop() }
        var summary = try database.writeWithoutTransaction { db in
            let run = try Run(ingest: self, db: db, items: items, redactor: redactor, progress: progress, start: clock)
            try run.loadAll()
            try run.resolveChains()
            return run.summary
        }
        summary.seconds = (ContinuousClock.now - clock).seconds
        return summary
    }

    /// One run's loading: the inputs in order, whole files in batches, a failing file rolled
    /// back with its batch and the batch's other files loaded again, the next file decoded
    /// ahead while the current one loads.
    private final class Run {
        private let ingest: Ingest
        private let db: Database
        private let store: ContactStore
        private let items: [InputItem]
        private let redactor: PhoneRedactor?
        private let ingestedAt: String
        private let progress: ((IngestProgress) -> Void)?
        private let start: ContinuousClock.Instant
        private let bytesTotal: Int64
        private var lastReport = ContinuousClock.now

        private(set) var summary = IngestSummary()
        private var databaseFailed = false
        /// Indices of the inputs still to load (the next one last).
        private var queue: [Int]
        /// The files loaded in the open transaction, with what each did.
        private var batch: [(index: Int, summary: IngestSummary)] = []
        /// Input bytes of the files committed so far.
        private var bytesCommitted: Int64 = 0
        /// The next input, opened and decoding while the current one loads.
        private var upcoming: (index: Int, input: Result<PreparedInput, Error>)?

        init(ingest: Ingest, db: Database, items: [InputItem], redactor: PhoneRedactor?,
             progress: ((IngestProgress) -> Void)?, start: ContinuousClock.Instant) throws {
            self.ingest = ingest
            self.db = db
            self.items = items
            self.redactor = redactor
            self.progress = progress
            self.start = start
            store = try ContactStore(db)
            ingestedAt = Timestamp(epochMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)).text
            bytesTotal = items.reduce(Int64(0)) { $0 + $1.size }
            queue = Array(items.indices.reversed())
            summary.files = items.count
        }

        func loadAll() throws {
            while let index = queue.popLast() {
                guard load(index) else { return }
            }
            do {
                try commitBatch()
            } catch {
                abandon(error)
            }
        }

        /// The chain stage, for every leg this run (or an interrupted earlier one) left pending.
        /// After a database failure it waits for the next run: `pending_chain` keeps its work.
        func resolveChains() throws {
            guard !databaseFailed else { return }
            try db.inTransaction(.immediate) {
                summary.chainLegs = try ChainResolver.resolvePending(db)
                return .commit
            }
        }

        /// Loads one input into the open batch; false when the database failed and the run stops.
        private func load(_ index: Int) -> Bool {
            let item = items[index]
            let prepared = upcoming?.index == index ? upcoming!.input : prepare(index)
            upcoming = nil
            // Start decoding the next file now (never standard input: it is read only when its turn comes).
            if let next = queue.last, items[next] != .standardInput, item != .standardInput {
                upcoming = (next, prepare(next))
            }
            // A file that cannot be opened fails before anything of it reaches the batch.
            let input: PreparedInput
            do {
                input = try prepared.get()
            } catch {
                fail(item, error)
                return true
            }
            // Standard input cannot be read twice, so it gets a transaction of its own.
            let alone = item == .standardInput
            do {
                if alone { try commitBatch() }
                if !db.isInsideTransaction { try db.beginTransaction(.immediate) }
                let fileSummary = try ingest.ingest(input, with: store, ingestedAt: ingestedAt) { bytes, records in
                    self.reportProgress(on: item, bytes: bytes, records: records)
                }
                if alone, fileSummary.skippedFiles > 0 {
                    // The same bytes as the last standard input: undo the reading, count it as skipped.
                    try db.rollback()
                    summary.absorb(fileSummary)
                    return true
                }
                batch.append((index, fileSummary))
                if alone || batch.reduce(0, { $0 + $1.summary.records }) >= ingest.options.recordsPerBatch { try commitBatch() }
            } catch {
                fail(item, error)
                if Ingest.isFatal(error) {
                    abandon(error)
                    return false
                }
                if db.isInsideTransaction { try? db.rollback() }
                // Load the rest of the batch again, without the failing file.
                queue.append(contentsOf: batch.map(\.index).reversed())
                batch = []
                upcoming = nil
            }
            return true
        }

        private func prepare(_ index: Int) -> Result<PreparedInput, Error> {
            Result { try PreparedInput(items[index], maxRecordSize: ingest.options.maxRecordSize, redactor: redactor) }
        }

        private func commitBatch() throws {
            guard db.isInsideTransaction else { return }
            try db.commit()
            for file in batch {
                summary.absorb(file.summary)
                bytesCommitted += items[file.index].size
            }
            batch = []
        }

        private func fail(_ item: InputItem, _ error: Error) {
            summary.failedFiles += 1
            summary.diagnostics.append(Diagnostic(severity: .error, file: item.displayPath, offset: nil,
                                                  message: "\(Ingest.describe(error)); nothing of this file was loaded, run again to retry it"))
        }

        /// The database cannot be written (full disk, I/O error): the open batch is lost with it,
        /// and the files not loaded yet fail too; the run stops.
        private func abandon(_ error: Error) {
            if db.isInsideTransaction { try? db.rollback() }
            for file in batch { fail(items[file.index], error) }
            batch = []
            summary.failedFiles += queue.count
            queue = []
            databaseFailed = true
        }

        private func reportProgress(on item: InputItem, bytes: Int64, records: Int) {
            guard let progress, ContinuousClock.now - lastReport > .milliseconds(200) else { return }
            lastReport = ContinuousClock.now
            let batchBytes = batch.reduce(Int64(0)) { $0 + items[$1.index].size }
            progress(IngestProgress(file: item.displayPath, filesDone: items.count - queue.count - 1, filesTotal: items.count,
                                    bytesDone: bytesCommitted + batchBytes + bytes, bytesTotal: bytesTotal,
                                    records: summary.records + batch.reduce(0) { $0 + $1.summary.records } + records,
                                    elapsed: (ContinuousClock.now - start).seconds))
        }
    }

    /// An input opened and being decoded ahead of the loading thread: the next file's records
    /// are ready when the current file's transaction work ends, so the loader never waits.
    final class PreparedInput {
        let item: InputItem
        /// The fingerprint of a file (nil for standard input, fingerprinted while read).
        let knownHash: String?
        let size: Int64?
        let hashing: HashingSource
        let source: DecompressingSource
        let stream: RecordStream
        let items: PrefetchingStream

        init(_ item: InputItem, maxRecordSize: Int, redactor: PhoneRedactor?) throws {
            self.item = item
            let upstream: FileSource
            switch item {
            case let .file(filePath, _):
                let fingerprint = try ContentHasher.hashFile(filePath)
                knownHash = ContactRecord.hashText(fingerprint.hash)
                size = fingerprint.size
                upstream = try FileSource(path: filePath)
            case .standardInput:
                knownHash = nil
                size = nil
                upstream = FileSource(standardInputLabeled: item.displayPath)
            }
            let hashing = HashingSource(upstream)
            self.hashing = hashing
            source = DecompressingSource(hashing)
            stream = RecordStream(source: source, maxRecordSize: maxRecordSize, rewrite: redactor.map { redactor in redactor.redact })
            items = PrefetchingStream(stream, progress: { hashing.hasher.byteCount })
        }

        deinit { items.cancel() }
    }

    /// Loads one prepared input inside the caller's transaction; returns what it did.
    fileprivate func ingest(_ input: PreparedInput, with store: ContactStore, ingestedAt: String,
                        report: (Int64, Int) -> Void) throws -> IngestSummary {
        let path = input.item.displayPath
        var fileSummary = IngestSummary()
        let previous = try store.ingestedFile(at: path)
        store.discardFile()
        // A file is fingerprinted before it is read, so an unchanged file costs one fast pass.
        // Standard input is fingerprinted while it is read, and checked at the end.
        let knownHash = input.knownHash
        if let knownHash, let previous {
            if previous.contentHash == knownHash, previous.size == input.size {
                input.items.cancel()
                fileSummary.skippedFiles = 1
                logger.info("skipped \(path): unchanged since it was ingested")
                return fileSummary
            }
            try store.forgetFile(at: path, previousHash: previous.contentHash)
        }
        if let knownHash, try store.delivered(fileHash: knownHash) {
            // The same bytes were loaded under another path (a copied object): nothing to count again.
            input.items.cancel()
            try store.recordCopy(of: knownHash, at: path, size: input.size ?? 0, ingestedAt: ingestedAt)
            fileSummary.skippedFiles = 1
            logger.info("skipped \(path): the same content was ingested under another path")
            return fileSummary
        }
        let hashing = input.hashing
        let source = input.source
        let stream = input.stream
        let items = input.items

        // The file's hash is known once it has been read (standard input is hashed while read).
        var file = SourceFile(path: path, fileHash: "", ingestedAt: ingestedAt)
        var records = 0
        var rejects = 0
        while let item = try items.next() {
            switch item {
            case let .record(record):
                records += 1
                switch try store.load(record, from: file) {
                case .newVersion: fileSummary.newVersions += 1
                case .repeatedVersion: fileSummary.duplicates += 1
                }
                if records == 1 { try options.faultAfterFirstRecord?(path) }
            case let .reject(chunk):
                rejects += 1
                try store.reject(chunk, from: file)
                fileSummary.diagnostics.append(Diagnostic(severity: .warning, file: path, offset: chunk.offset, message: chunk.reason))
            }
            if records & 255 == 0 { report(items.latestProgress, records) }
        }
        let fileHash = ContactRecord.hashText(hashing.hasher.finalize())
        if knownHash == nil, try store.delivered(fileHash: fileHash) {
            // Bytes on standard input that were loaded before: the caller rolls this back.
            // (Standard input is never a file that changed: what earlier runs read from it stays.)
            var skipped = IngestSummary()
            skipped.skippedFiles = 1
            return skipped
        }
        try store.finishFile(fileHash: fileHash)
        let damage = source.damage.map { "\($0.reason) at compressed byte \($0.compressedOffset); the records before it were kept" }
        if let damage {
            fileSummary.partialFiles = 1
            fileSummary.diagnostics.append(Diagnostic(severity: .warning, file: path, offset: stream.position, message: damage))
        }
        file.fileHash = fileHash
        try store.recordFile(file, size: hashing.hasher.byteCount,
                             records: records, rejects: rejects, damage: damage)
        fileSummary.records = records
        fileSummary.rejects = rejects
        return fileSummary
    }

    /// An error as one line: SQLite's own message for a database error, else the error's description.
    public static func message(for error: Error) -> String {
        if let error = error as? DatabaseError { return "database error: \(error.message ?? error.description)" }
        return (error as? LocalizedError)?.errorDescription ?? "\(error)"
    }

    /// `message(for:)`, with what to do when the database itself is the problem.
    static func describe(_ error: Error) -> String {
        var message = message(for: error)
        if let error = error as? DatabaseError {
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
        }
        return message
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
