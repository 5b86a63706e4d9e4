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

/// What one input file did.
enum FileResult {
    /// Read and committed (or about to be, with its batch).
    case loaded(FileFigures)
    /// Same path, size and content as when it was ingested: not read.
    case unchanged
    /// The same bytes were loaded under another path (a copied object): nothing counted again.
    case copyOf(fileHash: String)
    /// Standard input with the same bytes as an earlier standard input: rolled back.
    case repeatedStandardInput
}

/// The figures of one loaded file.
struct FileFigures {
    var records = 0
    var newVersions = 0
    var duplicates = 0
    var rejects = 0
    var partial = false
    var diagnostics: [Diagnostic] = []
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
    /// Of those, the legs examined by steps run ahead, during the load.
    public var chainLegsAhead = 0
    /// The chain stage failed on a database error (full disk): exit 1, the next run resolves.
    public var chainFailed = false
    public var seconds = 0.0
    public var diagnostics: [Diagnostic] = []

    /// 0 success, 1 a file failed (nothing of it was committed), 2 rejects or partial files.
    public var exitCode: Int32 {
        if failedFiles > 0 || chainFailed { return 1 }
        if rejects > 0 || partialFiles > 0 { return 2 }
        return 0
    }

    /// Adds one committed file's result.
    mutating func absorb(_ result: FileResult) {
        guard case let .loaded(file) = result else {
            skippedFiles += 1
            return
        }
        records += file.records
        newVersions += file.newVersions
        duplicates += file.duplicates
        rejects += file.rejects
        partialFiles += file.partial ? 1 : 0
        diagnostics += file.diagnostics
    }

    /// A file that failed: nothing of it was committed.
    mutating func fail(_ item: InputItem, _ error: Error) {
        failedFiles += 1
        diagnostics.append(Diagnostic(severity: .error, file: item.displayPath, offset: nil, message: IngestMessages.failed(error)))
    }

    /// The chain stage could not write: the loaded files stay, their legs stay pending for the next run.
    mutating func chainFailure(_ error: Error, database: String) {
        chainFailed = true
        diagnostics.append(Diagnostic(severity: .error, file: database, offset: nil, message: IngestMessages.chainFailed(error)))
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
    /// When the chain stage runs ahead during the load (`Ingest.ChainAhead`); tests make it eager.
    var chainAhead = Ingest.ChainAhead()
    /// Tests only: a batch closes when the write-ahead log has grown past this many bytes
    /// (and the log is then checkpointed and truncated), instead of `LogBudget`'s limit.
    public var logLimitBytes: Int64?
    /// Tests only: runs after each file's first record is loaded, inside its batch; what it
    /// throws fails the file as a read error in the middle of it would.
    var faultAfterFirstRecord: ((String) throws -> Void)?
    public init() {}
}

/// The one place that knows the order of the stages: read -> frame -> decode -> load, one
/// transaction per batch of whole input files, then chain (in steps during the load, and what is
/// left at the end).
public final class Ingest {
    private let databasePath: String
    private let options: IngestOptions
    private let logger: Logger

    public init(databasePath: String, options: IngestOptions = IngestOptions(), logger: Logger = Logger(label: "ctrdb.ingest")) {
        self.databasePath = databasePath
        self.options = options
        self.logger = logger
    }

    /// The chain stage runs ahead while files load: once `lag + seeds` legs were marked pending
    /// since its last step, one step resolves the `seeds` pending legs that arrived first.
    ///
    /// At the end of a load the stage ran alone on one core, 2 s of a 7-day first load's 10 s,
    /// while the decoding core waited. Run ahead, its steps overlap the decoding of the files
    /// after the current one (`Run.filesAhead`); a step of 1,000 seeds takes about 40 ms, which
    /// they cover. The lag lets most journeys complete first (5,000 legs marked pending is about
    /// 16 hours of the 7-day benchmark export), so a group is seldom resolved twice: that load
    /// examined 54,889 legs this way against 51,863 at the end. What is still pending at the end
    /// is resolved by `resolveChains` as before. The results cannot differ: each step recomputes
    /// whole groups, as a later night does for legs that arrive late.
    struct ChainAhead {
        var lag = 5_000
        var seeds = 1_000
        /// Never ahead: the whole stage at the end of the run.
        static let never = ChainAhead(lag: Int.max / 2, seeds: 1)
    }

    /// Files are committed in batches of whole files: a file is never split between
    /// transactions, and a run over thousands of small Firehose objects does not pay a commit
    /// (and the rewriting of every index page it touched) per object. A batch closes after
    /// this many records. When a file fails, the batch is rolled back and its other files are
    /// loaded again without it, so nothing of the failing file is committed and nothing else
    /// is lost. (Savepoints would do the same, but journal every page a file touches twice.)
    static let recordsPerBatch = 100_000

    public func run(inputs: [String], progress: ((IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        let clock = ContinuousClock.now
        let items = try InputCollector.collect(inputs)
        // A new database is built aside without a journal (`AsideBuild`). Standard input cannot
        // be read twice, should the build have to start again in place; a log limit is a test's,
        // for the log.
        var build: AsideBuild?
        if !items.contains(.standardInput), options.logLimitBytes == nil {
            do {
                build = try AsideBuild.begin(target: databasePath, busyTimeoutSeconds: options.busyTimeoutSeconds)
            } catch {
                throw IngestMessages.DatabaseFailure(underlying: error)
            }
        }
        if let build {
            do {
                let queue = try build.connect(busyTimeoutSeconds: options.busyTimeoutSeconds)
                if var summary = try run(items, in: queue, at: build.path, building: build, progress: progress, start: clock) {
                    try build.finish()
                    summary.seconds = (ContinuousClock.now - clock).seconds
                    return summary
                }
                logger.info("\(databasePath): the new database is loaded in place (a file needs its batch rolled back)")
            } catch {
                logger.info("\(databasePath): the new database is loaded in place (\(IngestMessages.message(for: error)))")
            }
            build.discard()
        }
        let database: DatabaseQueue
        do {
            database = try DatabaseOpener.writer(at: databasePath, busyTimeoutSeconds: options.busyTimeoutSeconds)
        } catch {
            throw IngestMessages.DatabaseFailure(underlying: error)
        }
        // The build's lock is held until here: a run that waited for it now finds the database.
        withExtendedLifetime(build) {}
        // The checkpointer thread copies the log into the database; this connection only appends
        // (the settings are the connection's own and end with it).
        try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        let checkpointer = Checkpointer(databasePath: databasePath)
        defer { checkpointer.stop() }
        var summary = try run(items, in: database, at: databasePath, building: nil, checkpointer: checkpointer, progress: progress, start: clock)!
        summary.seconds = (ContinuousClock.now - clock).seconds
        return summary
    }

    /// Loads and chains `items` into the database at `path` (the file of `build`, for a new
    /// database built aside); nil when a database built aside met a failure that only a journal
    /// could undo.
    private func run(_ items: [InputItem], in database: DatabaseQueue, at path: String, building build: AsideBuild?,
                     checkpointer: Checkpointer? = nil, progress: ((IngestProgress) -> Void)?,
                     start: ContinuousClock.Instant) throws -> IngestSummary? {
        let redactor = try database.write { db in try RedactionPolicy.redactor(for: db, options: options) }
        return try database.writeWithoutTransaction { db in
            let run = try Run(db: db, databasePath: path, aside: build != nil, checkpointer: checkpointer, items: items, options: options, redactor: redactor,
                              logger: logger, progress: progress, start: start)
            try run.loadAll()
            try run.resolveChains()
            return run.needsJournal ? nil : run.summary
        }
    }

    /// One run: the inputs in order, whole files in batches, a failing file rolled back with
    /// its batch and the batch's other files loaded again, the next files decoded ahead while
    /// the current one loads.
    private final class Run {
        private let db: Database
        private let databasePath: String
        private let store: ContactStore
        private let items: [InputItem]
        private let options: IngestOptions
        private let budget: LogBudget
        private let redactor: PhoneRedactor?
        private let logger: Logger
        private let ingestedAt: String
        private let progress: ((IngestProgress) -> Void)?
        private let start: ContinuousClock.Instant
        private let bytesTotal: Int64
        private var lastReport = ContinuousClock.now

        private(set) var summary = IngestSummary()
        private var databaseFailed = false
        /// The database is being built aside, without a journal (`AsideBuild`).
        private let aside: Bool
        /// In place, the thread that copies the log into the database (`Checkpointer`).
        private let checkpointer: Checkpointer?
        /// Built aside, the run met a failure that only a journal could undo: it stopped, and
        /// starts again in place.
        private(set) var needsJournal = false
        /// Indices of the inputs still to load (the next one last).
        private var queue: [Int]
        /// The files loaded in the open transaction, with what each did.
        private var batch: [(index: Int, result: FileResult)] = []
        private var batchRecords = 0
        /// Input bytes of the files committed so far.
        private var bytesCommitted: Int64 = 0
        /// The page cache the connection has now (`sizeCache`).
        private var cacheBytes: Int64 = 0
        /// The next inputs (`filesAhead` of them), opened and decoding in turn while the current one loads.
        private var upcoming: [(index: Int, input: Result<PreparedInput, Error>)] = []
        /// Decodes the inputs, one after another.
        private let decoder = DecodingThread()

        init(db: Database, databasePath: String, aside: Bool, checkpointer: Checkpointer?, items: [InputItem], options: IngestOptions,
             redactor: PhoneRedactor?, logger: Logger, progress: ((IngestProgress) -> Void)?, start: ContinuousClock.Instant) throws {
            self.db = db
            self.databasePath = databasePath
            self.aside = aside
            self.checkpointer = checkpointer
            self.items = items
            self.options = options
            budget = LogBudget(fixedLimit: options.logLimitBytes)
            self.redactor = redactor
            self.logger = logger
            self.progress = progress
            self.start = start
            store = try ContactStore(db)
            bytesTotal = items.reduce(Int64(0)) { $0 + $1.size }
            if aside { store.newIds = IdFilter(inputBytes: bytesTotal) }
            ingestedAt = Timestamp(epochMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)).text
            queue = Array(items.indices.reversed())
            summary.files = items.count
        }

        deinit { decoder.finish() }

        /// How many inputs after the current one are opened and decoding (`DecodingThread` bounds
        /// the records they hold): eight cover a step of the chain stage run ahead (`ChainAhead`).
        static let filesAhead = 8

        func loadAll() throws {
            try sizeCache()
            while let index = queue.popLast() {
                guard load(index) else { return }
            }
            // The last batch stays open: `resolveChains` commits it.
        }

        /// The chain stage, for every leg this run (or an interrupted earlier one) left pending.
        /// After a database failure it waits for the next run: `pending_chain` keeps its work.
        ///
        /// In place, the load's last batch commits first, and the checkpointer thread is woken
        /// to copy it into the database while the stage runs. The batch's pages (each leaf of the
        /// random `contact_id` key it touched, the day's legs) were otherwise copied by the close,
        /// after the stage, on the critical path. The stage rewrites some of them (the day's legs,
        /// the `chain_id` index, `journeys`), so more goes to the log (the 28th night into 27 days
        /// of history: 11,956 pages against 9,823), but on the other core: that night took 0.86x
        /// the time (median of 9 interleaved pairs), the night into 3 days 1.01x.
        ///
        /// Built aside there is no log, and the stage's first step shares the load's last
        /// transaction. A failure in that step, or in the last commit, loses the batch with it, as
        /// one in the load would: its files fail with the error, and the next run loads them again.
        func resolveChains() throws {
            guard !databaseFailed, !needsJournal else { return }
            do {
                if db.isInsideTransaction, aside {
                    summary.chainLegs += try ChainResolver.resolvePending(db, maxSteps: 1)
                }
                try commitBatch()
                checkpointer?.wake()
            } catch {
                if aside { return startAgainInPlace() }
                // As the load's own last commit did: the batch is lost, its files fail with the error.
                abandon(error)
                return
            }
            // One transaction per step of the stage: each removes its legs from `pending_chain`
            // with their results, so a killed run resumes, and the log holds one step's pages.
            do {
                while try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pending_chain)") ?? false {
                    try db.inTransaction(.immediate) {
                        summary.chainLegs += try ChainResolver.resolvePending(db, maxSteps: 1)
                        return .commit
                    }
                    boundLog()
                }
            } catch where IngestMessages.isFatal(error) {
                if aside { return startAgainInPlace() }
                summary.chainFailure(error, database: databasePath)
            }
        }

        /// Built aside, nothing can roll the batch back: the run stops, and starts again in place.
        /// The transaction is only ended (without a journal, ROLLBACK restores nothing), for the
        /// build is thrown away.
        private func startAgainInPlace() {
            needsJournal = true
            if db.isInsideTransaction { try? db.rollback() }
        }

        /// Loads one input into the open batch; false when the database failed and the run stops.
        private func load(_ index: Int) -> Bool {
            let item = items[index]
            let prepared: Result<PreparedInput, Error>
            if let first = upcoming.first, first.index == index {
                prepared = first.input
                upcoming.removeFirst()
            } else {
                upcoming = []
                prepared = prepare(index)
            }
            // Start decoding the next files now (never standard input: it is read only when its turn comes).
            if item != .standardInput {
                for next in queue.suffix(Self.filesAhead).reversed().dropFirst(upcoming.count) {
                    if items[next] == .standardInput { break }
                    upcoming.append((next, prepare(next)))
                }
            }
            // A file that cannot be opened fails before anything of it reaches the batch.
            let input: PreparedInput
            do {
                input = try prepared.get()
            } catch {
                summary.fail(item, error)
                return true
            }
            // Standard input cannot be read twice, so it gets a transaction of its own.
            let alone = item == .standardInput
            do {
                if alone { try commitBatch() }
                if !db.isInsideTransaction { try db.beginTransaction(.immediate) }
                let result = try ingest(input)
                if case .repeatedStandardInput = result {
                    // The same bytes as an earlier standard input: undo the reading, count it as skipped.
                    try db.rollback()
                    summary.absorb(result)
                    return true
                }
                batch.append((index, result))
                if case let .loaded(figures) = result { batchRecords += figures.records }
                try chainAhead()
                if alone || batchRecords >= options.recordsPerBatch || DatabaseOpener.logSize(of: databasePath) >= logLimit {
                    try commitBatch()
                }
            } catch {
                if aside {
                    startAgainInPlace()
                    return false
                }
                summary.fail(item, error)
                if IngestMessages.isFatal(error) {
                    abandon(error)
                    return false
                }
                if db.isInsideTransaction { try? db.rollback() }
                // Load the rest of the batch again, without the failing file.
                queue.append(contentsOf: batch.map(\.index).reversed())
                batch = []
                batchRecords = 0
                upcoming = []
            }
            return true
        }

        /// The chain stage, run ahead while files load (`ChainAhead`), in the batch's transaction:
        /// a failure fails the batch, as one in a file does.
        private func chainAhead() throws {
            let ahead = options.chainAhead
            guard store.legsMarkedPending >= ahead.lag + ahead.seeds else { return }
            let legs = try ChainResolver.resolvePending(db, maxSteps: 1, seeds: ahead.seeds)
            summary.chainLegs += legs
            summary.chainLegsAhead += legs
            store.legsMarkedPending -= ahead.seeds
        }

        private func prepare(_ index: Int) -> Result<PreparedInput, Error> {
            Result { try PreparedInput(items[index], on: decoder, maxRecordSize: options.maxRecordSize, redactor: redactor) }
        }

        /// The log limit for the database as it is now.
        private var logLimit: Int64 {
            budget.limit(databaseBytes: DatabaseOpener.fileSize(of: databasePath))
        }

        /// Sizes the page cache for the database as it is now (`LogBudget`).
        private func sizeCache() throws {
            let bytes = budget.cacheBytes(databaseBytes: DatabaseOpener.fileSize(of: databasePath))
            guard bytes != cacheBytes else { return }
            try db.execute(sql: "PRAGMA cache_size = -\(max(1024, bytes >> 10))")
            cacheBytes = bytes
        }

        private func commitBatch() throws {
            guard db.isInsideTransaction else { return }
            try store.settle()
            try db.commit()
            for file in batch {
                summary.absorb(file.result)
                bytesCommitted += items[file.index].size
            }
            batch = []
            batchRecords = 0
            boundLog()
            try sizeCache()
        }

        /// Between batches, a log past the limit is copied into the database and truncated (the
        /// checkpointer thread has usually copied most of it already).
        /// The log is only a cost, never data: when the checkpoint cannot finish (a reader holds
        /// an old snapshot, the disk is full) the log stays as it is for the next one.
        private func boundLog() {
            guard DatabaseOpener.logSize(of: databasePath) >= logLimit else { return }
            // The checkpointer thread may hold the checkpoint lock for a moment: try again.
            for _ in 0..<100 {
                guard let busy = try? Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)"), busy != 0 else { return }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }

        /// The database cannot be written (full disk, I/O error): the open batch is lost with it,
        /// and the files not loaded yet fail too; the run stops.
        private func abandon(_ error: Error) {
            if db.isInsideTransaction { try? db.rollback() }
            for file in batch { summary.fail(items[file.index], error) }
            batch = []
            summary.failedFiles += queue.count
            queue = []
            databaseFailed = true
        }

        /// Loads one prepared input inside the open transaction.
        private func ingest(_ input: PreparedInput) throws -> FileResult {
            let path = input.item.displayPath
            let manifest = Manifest(db)
            // A file is fingerprinted before it is read, so an unchanged file costs one fast pass.
            // Standard input is fingerprinted while it is read, and checked at the end.
            if let knownHash = input.knownHash {
                if let previous = try manifest.ingestedFile(at: path) {
                    if previous.contentHash == knownHash, previous.size == input.size {
                        input.items.cancel()
                        logger.info("skipped \(path): \(IngestMessages.unchanged)")
                        return .unchanged
                    }
                    try manifest.withdraw(path: path, previousHash: previous.contentHash, store: store)
                }
                if try manifest.delivered(fileHash: knownHash) {
                    input.items.cancel()
                    try manifest.recordCopy(of: knownHash, at: path, size: input.size ?? 0, ingestedAt: ingestedAt)
                    logger.info("skipped \(path): \(IngestMessages.copy)")
                    return .copyOf(fileHash: knownHash)
                }
            }
            let file = try store.beginFile(path: path, ingestedAt: ingestedAt)
            var figures = FileFigures()
            while let item = try input.items.next() {
                switch item {
                case let .record(record):
                    switch try file.load(record) {
                    case .newVersion: figures.newVersions += 1
                    case .repeatedVersion: figures.duplicates += 1
                    }
                    if file.records == 1 { try options.faultAfterFirstRecord?(path) }
                case let .reject(chunk):
                    try file.reject(chunk)
                    figures.diagnostics.append(Diagnostic(severity: .warning, file: path, offset: chunk.offset, message: chunk.reason))
                }
                if file.records & 255 == 0 { reportProgress(on: input.item, bytes: input.items.latestProgress, records: file.records) }
            }
            let fileHash = ContactRecord.hashText(input.hashing.hasher.finalize())
            // Standard input is never a file that changed: what earlier runs read from it stays.
            if input.knownHash == nil, try manifest.delivered(fileHash: fileHash) { return .repeatedStandardInput }
            let damage = input.source.damage.map(IngestMessages.damage)
            if let damage {
                figures.partial = true
                figures.diagnostics.append(Diagnostic(severity: .warning, file: path, offset: input.stream.position, message: damage))
            }
            try file.finish(fileHash: fileHash, size: input.hashing.hasher.byteCount, damage: damage)
            figures.records = file.records
            figures.rejects = file.rejects
            return .loaded(figures)
        }

        private func reportProgress(on item: InputItem, bytes: Int64, records: Int) {
            guard let progress, ContinuousClock.now - lastReport > .milliseconds(200) else { return }
            lastReport = ContinuousClock.now
            let batchBytes = batch.reduce(Int64(0)) { $0 + items[$1.index].size }
            progress(IngestProgress(file: item.displayPath, filesDone: items.count - queue.count - 1, filesTotal: items.count,
                                    bytesDone: bytesCommitted + batchBytes + bytes, bytesTotal: bytesTotal,
                                    records: summary.records + batchRecords + records,
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

        init(_ item: InputItem, on decoder: DecodingThread, maxRecordSize: Int, redactor: PhoneRedactor?) throws {
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
            // Redaction runs on the decoding thread beside the loader.
            stream = RecordStream(source: source, maxRecordSize: maxRecordSize, rewrite: redactor.map { redactor in { redactor.redact($0) } })
            items = PrefetchingStream(stream, on: decoder, progress: { hashing.hasher.byteCount })
        }

        deinit { items.cancel() }
    }

    /// An error as one line, for the commands' failures (see `IngestMessages`).
    public static func message(for error: Error) -> String { IngestMessages.message(for: error) }

    /// Opens (creating or migrating) the database for writing (see `DatabaseOpener`).
    public static func openDatabase(at path: String, busyTimeoutSeconds: Double = 600) throws -> DatabaseQueue {
        try DatabaseOpener.writer(at: path, busyTimeoutSeconds: busyTimeoutSeconds)
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
