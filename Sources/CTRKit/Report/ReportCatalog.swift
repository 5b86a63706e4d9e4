import Foundation

/// One canned report: a `.sql` file of `Queries/` with a header comment.
public struct ReportDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    public var parameters: String
    /// The query, which reads the common `legs` relation.
    public var sql: String
    public var path: String
}

public enum ReportError: Error, LocalizedError, Equatable {
    case queriesNotFound(searched: [String])
    case unknownReport(name: String, known: [String])
    case badHeader(path: String)
    case badBoundary(option: String, value: String)
    case badTimeZone(String)
    case emptyRange(from: String, to: String)

    public var errorDescription: String? {
        switch self {
        case let .queriesNotFound(searched):
            return "cannot find the Queries folder (looked in \(searched.joined(separator: ", "))); set CTRDB_QUERIES to it"
        case let .unknownReport(name, known):
            return "no report named \(name); the reports are: \(known.joined(separator: ", ")) (see `ctrdb reports`)"
        case let .badHeader(path):
            return "\(path) has no `-- name:` header; each report starts with `-- name:` and `-- description:` lines"
        case let .badBoundary(option, value):
            return "\(option) \(value) is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM[:SS], optionally with Z or ±HH:MM)"
        case let .badTimeZone(zone):
            return "unknown time zone \(zone): use an IANA name such as UTC, Europe/Paris or America/New_York"
        case let .emptyRange(from, to):
            return "--from \(from) is not before --to \(to)"
        }
    }
}

/// The canned reports: every `Queries/*.sql` whose name does not start with `_`.
/// Adding a report is adding a file.
public struct ReportCatalog: Sendable {
    public let folder: String
    public let reports: [ReportDefinition]
    /// `_legs.sql`: the per-leg relation every report reads.
    public let legsSQL: String

    public init(folder: String) throws {
        self.folder = folder
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()
        var reports: [ReportDefinition] = []
        var legs: String?
        for name in names {
            let path = folder + "/" + name
            let text = try String(contentsOfFile: path, encoding: .utf8)
            if name == "_legs.sql" { legs = text }
            if name.hasPrefix("_") { continue }
            reports.append(try ReportCatalog.parse(text, path: path))
        }
        guard let legs else { throw ReportError.queriesNotFound(searched: [folder + "/_legs.sql"]) }
        self.reports = reports
        self.legsSQL = legs
    }

    public func report(named name: String) throws -> ReportDefinition {
        guard let report = reports.first(where: { $0.name == name }) else {
            throw ReportError.unknownReport(name: name, known: reports.map(\.name))
        }
        return report
    }

    static func parse(_ text: String, path: String) throws -> ReportDefinition {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("--") else { break }
            let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            for key in ["name", "description", "parameters"] where body.hasPrefix(key + ":") && fields[key] == nil {
                fields[key] = body.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
            }
        }
        guard let name = fields["name"], !name.isEmpty else { throw ReportError.badHeader(path: path) }
        return ReportDefinition(name: name, description: fields["description"] ?? "", parameters: fields["parameters"] ?? "", sql: text, path: path)
    }

    /// Where `Queries/` is: $CTRDB_QUERIES, beside an installed binary (`../share/ctrdb/Queries`),
    /// or in the source tree above a development build.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String = CommandLine.arguments.first ?? "") -> String? {
        if let explicit = environment["CTRDB_QUERIES"], !explicit.isEmpty { return explicit }
        var candidates: [String] = []
        let executableURL = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
        var folder = executableURL.deletingLastPathComponent()
        candidates.append(folder.appendingPathComponent("../share/ctrdb/Queries").standardized.path)
        for _ in 0..<6 {
            candidates.append(folder.appendingPathComponent("Queries").path)
            folder = folder.deletingLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/Queries")
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/_legs.sql") }
    }
}
