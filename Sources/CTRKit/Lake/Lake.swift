import Foundation
import GRDB

public enum LakeError: Error, LocalizedError, Equatable {
    case notALake(path: String)
    case notAFolder(path: String)
    case cannotWrite(path: String, reason: String)
    case badManifest(path: String, reason: String)
    case notAContactsDatabase(path: String)

    public var errorDescription: String? {
        switch self {
        case let .notALake(path):
            return "\(path) is not empty and is not a ctrdb lake (it has no \(LakeManifest.fileName)): nothing was written; name a new or empty folder"
        case let .notAFolder(path):
            return "\(path) exists and is not a folder: name a new or empty folder for the lake"
        case let .cannotWrite(path, reason):
            return "cannot write the lake at \(path): \(reason) (check the path and its permissions)"
        case let .badManifest(path, reason):
            return "\(path) cannot be read as a ctrdb lake manifest (\(reason)): remove the lake folder and run `ctrdb lake` again for a full export"
        case let .notAContactsDatabase(path):
            return "\(path) has no contacts table: run `ctrdb ingest` into it first"
        }
    }
}

/// Sizes of the lake's files, in PLAIN-encoded (uncompressed) bytes.
public struct LakeLayout: Sendable {
    /// A row group is written once its values reach this size.
    public var rowGroupBytes = 32 << 20
    /// A partition starts a new file once the current one holds this much: one file for a
    /// small day, files of this size and more for a large one.
    public var fileBytes = 128 << 20
    /// At most this many consecutive days are read by one query (which sorts them).
    public var daysPerQuery = 7

    public init() {}
}

/// What one `ctrdb lake` run did.
public struct LakeExportResult: Sendable {
    public var full: Bool
    /// Partitions (re)written, per table.
    public var written: [String: Int] = [:]
    /// Partitions removed because they became empty, per table.
    public var removed: [String: Int] = [:]
    /// Rows written, per table.
    public var rows: [String: Int] = [:]
    public var bytes = 0
    /// Rows left out because their partition date is not a date.
    public var skippedRows = 0
}

/// `ctrdb lake`: the database as Hive-partitioned Parquet (SPEC section 8), brought up to date
/// incrementally.
///
/// The order makes every moment safe to kill: the folder is claimed with a manifest before any
/// file is written; each file is written under a hidden name and renamed; the manifest is
/// replaced once every partition is in place; the database forgets its noted changes only
/// after that. A killed run leaves complete files (readers skip hidden ones) and changes still
/// noted, which the next run writes again.
public struct Lake {
    public let folder: String
    public var layout = LakeLayout()

    public init(folder: String) {
        self.folder = folder
    }

    /// Writes the partitions that changed since the last run (all of them with `full`, on the
    /// first run, or after a full run that did not finish).
    public func export(databasePath: String, catalog: ReportCatalog, compression: ParquetCompression = .zstd, full: Bool = false) throws -> LakeExportResult {
        let reader = try QueryRunner.openReadOnly(databasePath)
        let (installed, hasContacts) = try reader.read { db in (try LakeChangeLog.isInstalled(db), try db.tableExists("contacts")) }
        guard hasContacts else { throw LakeError.notAContactsDatabase(path: databasePath) }
        var manifest = try claimFolder(compression: compression)

        if !installed {
            try writeDatabase(databasePath) { try LakeChangeLog.install($0) }
        }
        let fullRun = full || !installed || manifest.fullExportPending == true
        if fullRun && manifest.fullExportPending != true {
            manifest.fullExportPending = true
            try writeManifest(manifest)
        }

        var result = LakeExportResult(full: fullRun)
        let tables = [LakeTable.legs(catalog: catalog), LakeTable.journeys, LakeTable.callbackRequests(catalog: catalog)]
        let snapshot = try reader.read { db -> LakeChangeLog.Snapshot in
            ReportFunctions.register(in: db, bucketer: IntervalBucketer(interval: .total, timeZone: TimeZone(identifier: "UTC")!))
            let snapshot = try LakeChangeLog.read(db)
            var dates = fullRun ? try LakeChangeLog.allDates(db) : snapshot.dirtyDates
            if fullRun {
                for partitions in manifest.tables.values { dates.formUnion(partitions.keys) }
            }
            let days = dates.filter(LakeCalendar.isDate).sorted()
            for table in tables {
                let exporter = TableExporter(lake: self, table: table, compression: compression)
                var partitions = manifest.tables[table.name] ?? [:]
                try exporter.export(days: days, in: db, into: &partitions, result: &result)
                manifest.tables[table.name] = partitions
            }
            manifest.quality = try Self.wholeDatabaseQuality(db)
            return snapshot
        }
        manifest.fullExportPending = nil
        manifest.compression = compression.rawValue
        manifest.createdBy = "ctrdb version \(CTRKitVersion.string)"
        try writeManifest(manifest)
        if !snapshot.dates.isEmpty || !snapshot.chains.isEmpty {
            try writeDatabase(databasePath) { try LakeChangeLog.clear(snapshot, in: $0) }
        }
        return result
    }

    /// The load's counters of the quality checks that count the whole database.
    static func wholeDatabaseQuality(_ db: Database) throws -> [String: LakeManifest.QualityCount]? {
        guard try db.tableExists("quality_counters") else { return nil }
        var counts: [String: LakeManifest.QualityCount] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT check_name, count, example_contact_id FROM quality_counters
            WHERE check_name IN ('duplicate_deliveries', 'rejected_records', 'partial_files')
            """) {
            counts[row[0]] = LakeManifest.QualityCount(count: row[1], exampleContactId: row[2])
        }
        return counts
    }

    /// Checks the folder is new, empty or a lake, creates it, and claims it with a manifest.
    /// Nothing is written into a folder that fails the check.
    private func claimFolder(compression: ParquetCompression) throws -> LakeManifest {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw LakeError.notAFolder(path: folder) }
            let manifest = try LakeManifest.read(from: folder)
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            let leftovers = entries.filter(LakeManifest.isTemporary)
            if manifest == nil && entries.count > leftovers.count {
                throw LakeError.notALake(path: folder)
            }
            guard access(folder, W_OK) == 0 else { throw LakeError.cannotWrite(path: folder, reason: String(cString: strerror(errno))) }
            for name in leftovers { unlink(folder + "/" + name) }
            if let manifest { return manifest }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw LakeError.cannotWrite(path: folder, reason: LakeFiles.reason(error))
            }
        }
        var manifest = LakeManifest(compression: compression)
        manifest.fullExportPending = true
        try writeManifest(manifest)
        return manifest
    }

    private func writeManifest(_ manifest: LakeManifest) throws {
        do {
            try manifest.write(to: folder)
        } catch {
            throw LakeError.cannotWrite(path: folder + "/" + LakeManifest.fileName, reason: LakeFiles.reason(error))
        }
    }

    /// The only writes to the database: installing the change log, and clearing what was exported.
    private func writeDatabase(_ path: String, _ body: (Database) throws -> Void) throws {
        let writer = try DatabaseQueue(path: path, configuration: Schema.writerConfiguration(busyTimeoutSeconds: 60))
        try writer.write(body)
    }
}

/// Writes one table's partitions for a set of days.
private struct TableExporter {
    let lake: Lake
    let table: LakeTable
    let compression: ParquetCompression

    func export(days: [String], in db: Database, into partitions: inout [String: LakeManifest.Partition], result: inout LakeExportResult) throws {
        let statement = try db.makeStatement(sql: table.sql)
        for range in LakeCalendar.runs(of: days, longest: lake.layout.daysPerQuery) {
            var written: Set<String> = []
            let rows = try Row.fetchCursor(statement, arguments: LakeTable.arguments(from: range.first! + "T00:00:00Z", to: LakeCalendar.dayAfter(range.last!) + "T00:00:00Z"))
            var current: PartitionWriter?
            while let row = try rows.next() {
                let day: String? = row[0]
                guard let day, LakeCalendar.isDate(day) else {
                    result.skippedRows += 1
                    continue
                }
                if current?.day != day {
                    if let finished = try current?.finish() { record(finished, into: &partitions, written: &written, result: &result) }
                    current = try PartitionWriter(folder: folder(day), day: day, schema: table.schema, compression: compression, layout: lake.layout)
                }
                try current!.append(row)
            }
            if let finished = try current?.finish() { record(finished, into: &partitions, written: &written, result: &result) }
            for day in range where !written.contains(day) {
                let path = folder(day)
                if partitions.removeValue(forKey: day) != nil || FileManager.default.fileExists(atPath: path) {
                    try LakeFiles.removePartition(at: path)
                    result.removed[table.name, default: 0] += 1
                }
            }
        }
    }

    private func folder(_ day: String) -> String {
        "\(lake.folder)/\(table.name)/dt=\(day)"
    }

    private func record(_ partition: (day: String, partition: LakeManifest.Partition), into partitions: inout [String: LakeManifest.Partition],
                        written: inout Set<String>, result: inout LakeExportResult) {
        partitions[partition.day] = partition.partition
        written.insert(partition.day)
        result.written[table.name, default: 0] += 1
        result.rows[table.name, default: 0] += partition.partition.rows
        result.bytes += partition.partition.files.reduce(0) { $0 + $1.bytes }
    }
}

/// The files of one partition being written: row groups of `rowGroupBytes`, a new file after
/// `fileBytes`, each file hidden until finished. Finishing removes the partition's older files.
private struct PartitionWriter {
    let folder: String
    let day: String
    let schema: ParquetSchema
    let compression: ParquetCompression
    let layout: LakeLayout
    private var files: [LakeManifest.File] = []
    private var writer: ParquetFileWriter?
    private var writerBytes = 0
    private var group: ParquetRowGroup
    private var values: [ParquetValue]

    init(folder: String, day: String, schema: ParquetSchema, compression: ParquetCompression, layout: LakeLayout) throws {
        self.folder = folder
        self.day = day
        self.schema = schema
        self.compression = compression
        self.layout = layout
        group = ParquetRowGroup(schema: schema)
        values = Array(repeating: .null, count: schema.columns.count)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw LakeError.cannotWrite(path: folder, reason: LakeFiles.reason(error))
        }
    }

    /// Appends a row of the table's query (`dt` first, then the schema's columns).
    mutating func append(_ row: Row) throws {
        for (index, column) in schema.columns.enumerated() {
            values[index] = ParquetValue(row[index + 1] as DatabaseValue, kind: column.kind)
        }
        try group.append(row: values)
        if group.plainByteCount >= layout.rowGroupBytes { try flushGroup() }
    }

    private mutating func flushGroup() throws {
        guard group.rowCount > 0 else { return }
        if writer == nil {
            writer = try ParquetFileWriter(path: temporaryPath(files.count), schema: schema, compression: compression)
            writerBytes = 0
        }
        writerBytes += group.plainByteCount
        try writer!.write(group)
        group = ParquetRowGroup(schema: schema)
        if writerBytes >= layout.fileBytes { try finishFile() }
    }

    private mutating func finishFile() throws {
        guard let writer else { return }
        let summary = try writer.finish()
        self.writer = nil
        let name = LakeFiles.partName(files.count)
        guard rename(temporaryPath(files.count), folder + "/" + name) == 0 else {
            throw LakeError.cannotWrite(path: folder + "/" + name, reason: String(cString: strerror(errno)))
        }
        files.append(LakeManifest.File(name: name, rows: summary.rows, bytes: summary.bytes, sha256: summary.sha256))
    }

    /// Writes what is left, then removes the files of the partition's previous version that
    /// the new one did not replace (and leftovers of killed runs).
    mutating func finish() throws -> (day: String, partition: LakeManifest.Partition) {
        try flushGroup()
        try finishFile()
        let keep = Set(files.map(\.name))
        try LakeFiles.removeFiles(in: folder) { !keep.contains($0) }
        return (day, LakeManifest.Partition(rows: files.reduce(0) { $0 + $1.rows }, files: files))
    }

    private func temporaryPath(_ index: Int) -> String {
        "\(folder)/.\(LakeFiles.partName(index)).tmp"
    }
}

/// Names and removal of the lake's own files: it removes nothing else.
enum LakeFiles {
    static func partName(_ index: Int) -> String {
        "part-" + String(format: "%05d", index) + ".parquet"
    }

    /// Whether a file in a partition folder is one the lake writes: a part or a hidden part being written.
    static func isOwn(_ name: String) -> Bool {
        (name.hasPrefix("part-") && name.hasSuffix(".parquet")) || (name.hasPrefix(".part-") && name.hasSuffix(".tmp"))
    }

    static func removeFiles(in folder: String, where condition: (String) -> Bool) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where isOwn(name) && condition(name) {
            guard unlink(folder + "/" + name) == 0 || errno == ENOENT else {
                throw LakeError.cannotWrite(path: folder + "/" + name, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Removes a partition's files, then its folder when nothing else is left in it.
    static func removePartition(at folder: String) throws {
        try removeFiles(in: folder) { _ in true }
        rmdir(folder)
    }

    static func reason(_ error: Error) -> String {
        if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as? LocalizedError)?.errorDescription ?? "\(error)"
    }
}

/// Partition dates: `YYYY-MM-DD` in UTC.
enum LakeCalendar {
    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45 else { return false }
        for (index, byte) in bytes.enumerated() where index != 4 && index != 7 {
            guard (48...57).contains(byte) else { return false }
        }
        guard let instant = Timestamp.parse(text + "T00:00:00Z") else { return false }
        return instant.text.hasPrefix(text)
    }

    static func dayAfter(_ day: String) -> String {
        let instant = Timestamp.parse(day + "T00:00:00Z")!
        return String(Timestamp(epochMilliseconds: instant.epochMilliseconds + 86_400_000).text.prefix(10))
    }

    /// Sorted days cut into runs of consecutive days, each at most `longest` long.
    static func runs(of days: [String], longest: Int) -> [[String]] {
        var runs: [[String]] = []
        for day in days {
            if let last = runs.last?.last, dayAfter(last) == day, runs[runs.count - 1].count < longest {
                runs[runs.count - 1].append(day)
            } else {
                runs.append([day])
            }
        }
        return runs
    }
}
