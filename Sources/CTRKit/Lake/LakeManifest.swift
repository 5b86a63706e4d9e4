import Foundation

/// `DIR/_ctrdb_lake.json`: what the lake holds, table by table and partition by partition,
/// with every file's row count, size and SHA-256. Its presence is what makes a folder a ctrdb
/// lake; it is replaced atomically, and only after every file it lists is in place.
public struct LakeManifest: Codable, Equatable, Sendable {
    public static let fileName = "_ctrdb_lake.json"
    public static let currentFormat = "ctrdb-lake/1"

    public struct File: Codable, Equatable, Sendable {
        public var name: String
        public var rows: Int
        public var bytes: Int
        public var sha256: String
    }

    public struct Partition: Codable, Equatable, Sendable {
        public var rows: Int
        public var files: [File]
    }

    public var format: String
    public var createdBy: String
    public var compression: String
    /// Table name -> partition date (`YYYY-MM-DD`) -> partition.
    public var tables: [String: [String: Partition]]
    /// Set while a full export is under way: a run that finds it set (the last one was killed
    /// before finishing) exports everything again, since its changes were never noted.
    public var fullExportPending: Bool?
    /// The quality report's whole-database checks as of this export (`duplicate_deliveries`,
    /// `rejected_records`, `partial_files`): they count versions, rejects and files, which the
    /// lake does not hold, so that the Spark reports can give them too.
    public var quality: [String: QualityCount]?

    public struct QualityCount: Codable, Equatable, Sendable {
        public var count: Int
        public var exampleContactId: String?

        enum CodingKeys: String, CodingKey { case count, exampleContactId = "example_contact_id" }
    }

    enum CodingKeys: String, CodingKey {
        case format, createdBy = "created_by", compression, tables, fullExportPending = "full_export_pending", quality
    }

    public init(compression: ParquetCompression) {
        format = LakeManifest.currentFormat
        createdBy = "ctrdb version \(CTRKitVersion.string)"
        self.compression = compression.rawValue
        tables = [:]
    }

    /// Whether a file name is a manifest being written (AtomicFileSink's hidden name), which a
    /// killed run may leave behind.
    static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix("." + fileName + ".") && name.hasSuffix(".tmp")
    }

    static func read(from folder: String) throws -> LakeManifest? {
        let path = folder + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let manifest = try JSONDecoder().decode(LakeManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard manifest.format == currentFormat else { throw LakeError.badManifest(path: path, reason: "format \(manifest.format) is not \(currentFormat)") }
            return manifest
        } catch let error as LakeError {
            throw error
        } catch {
            throw LakeError.badManifest(path: path, reason: "\(error)")
        }
    }

    func write(to folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let sink = try AtomicFileSink(path: folder + "/" + LakeManifest.fileName)
        try sink.write(String(decoding: try encoder.encode(self), as: UTF8.self) + "\n")
        try sink.commit()
    }
}
