import Foundation

/// One canned report: a `.sql` file of `Queries/` with a header comment.
public struct ReportDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    public var parameters: String
    /// The columns it returns, in order (its `-- columns:` header).
    public var columns: [String]
    /// The query, which reads the relations of `Queries/_*.sql` (`legs`, `callback_requests`, ...).
    public var sql: String
    public var path: String
}

/// A relation every report may read: a `Queries/_*.sql` file with a `-- relation:` header,
/// composed in front of a report as a common table expression. `uses` names the relations
/// it reads (its `-- uses:` header), which come before it.
public struct RelationDefinition: Sendable, Equatable {
    public var name: String
    public var uses: [String]
    /// `-- materialize: never`: a relation over the whole table that must stay a view, so that
    /// SQLite reads only the legs a query reaches through it.
    public var inline: Bool
    public var sql: String
    public var path: String
}

public enum ReportError: Error, LocalizedError, Equatable {
    case queriesNotFound(searched: [String])
    case unknownReport(name: String, known: [String])
    case badHeader(path: String)
    case badRelations(String)
    case queryFailed(path: String, message: String)
    case badBoundary(option: String, value: String)
    case badTimeZone(String)
    case emptyRange(from: String, to: String)
    case badDay(String)
    case dayWithRange
    case unknownContact(String)

    public var errorDescription: String? {
        switch self {
        case let .queriesNotFound(searched):
            return "cannot find the Queries folder (looked in \(searched.joined(separator: ", "))); set CTRDB_QUERIES to it"
        case let .unknownReport(name, known):
            return "no report named \(name); the reports are: \(known.joined(separator: ", ")) (see `ctrdb reports`)"
        case let .badHeader(path):
            return "\(path) has no `-- name:` header; each report starts with `-- name:` and `-- description:` lines"
        case let .badRelations(problem):
            return "the relations of Queries/ cannot be composed: \(problem)"
        case let .queryFailed(path, message):
            return "\(path) failed: \(message)"
        case let .badBoundary(option, value):
            return "\(option) \(value) is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM[:SS], optionally with Z or ±HH:MM)"
        case let .badTimeZone(zone):
            return "unknown time zone \(zone): use an IANA name such as UTC, Europe/Paris or America/New_York"
        case let .emptyRange(from, to):
            return "--from \(from) is not before --to \(to)"
        case let .badDay(day):
            return "--day \(day) is not a date (YYYY-MM-DD), yesterday or today"
        case .dayWithRange:
            return "--day is a whole day: give either --day or --from/--to, not both"
        case let .unknownContact(id):
            return "no contact \(id) in the database"
        }
    }
}

/// The canned reports: every `Queries/*.sql` whose name does not start with `_`, and the
/// relations (`_*.sql` with a `-- relation:` header) they read. Adding a report is adding a file.
public struct ReportCatalog: Sendable {
    public let folder: String
    public let reports: [ReportDefinition]
    /// The relations, each after those it uses.
    public let relations: [RelationDefinition]

    public init(folder: String) throws {
        self.folder = folder
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()
        var reports: [ReportDefinition] = []
        var relations: [RelationDefinition] = []
        for name in names {
            let path = folder + "/" + name
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let header = ReportCatalog.header(text)
            if let relation = header["relation"] {
                relations.append(RelationDefinition(name: relation, uses: ReportCatalog.list(header["uses"]),
                                                    inline: header["materialize"] == "never", sql: text, path: path))
            } else if !name.hasPrefix("_") {
                guard let reportName = header["name"], !reportName.isEmpty else { throw ReportError.badHeader(path: path) }
                reports.append(ReportDefinition(name: reportName, description: header["description"] ?? "", parameters: header["parameters"] ?? "",
                                                columns: ReportCatalog.list(header["columns"]), sql: text, path: path))
            }
        }
        guard relations.contains(where: { $0.name == "legs" }) else { throw ReportError.queriesNotFound(searched: [folder + "/_legs.sql"]) }
        self.reports = reports
        self.relations = try ReportCatalog.ordered(relations)
    }

    public func report(named name: String) throws -> ReportDefinition {
        guard let report = reports.first(where: { $0.name == name }) else {
            throw ReportError.unknownReport(name: name, known: reports.map(\.name))
        }
        return report
    }

    /// A helper query of the folder that is neither a report nor a relation, such as `_chain.sql`.
    public func helperQuery(_ file: String) throws -> (sql: String, path: String) {
        let path = folder + "/" + file
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ReportError.queriesNotFound(searched: [path]) }
        return (text, path)
    }

    /// The `-- key: value` lines at the top of a file (the first of each key counts).
    static func header(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("--") else { break }
            let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            guard let colon = body.firstIndex(of: ":") else { continue }
            let key = String(body[..<colon])
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0 == "_" }), fields[key] == nil else { continue }
            fields[key] = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Each relation after the ones it uses; an unknown name or a cycle is an error.
    static func ordered(_ relations: [RelationDefinition]) throws -> [RelationDefinition] {
        let byName = Dictionary(relations.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var done: [RelationDefinition] = []
        var state: [String: Bool] = [:]  // false: in progress, true: done
        func visit(_ relation: RelationDefinition) throws {
            if state[relation.name] == true { return }
            if state[relation.name] == false { throw ReportError.badRelations("\(relation.name) uses itself through -- uses:") }
            state[relation.name] = false
            for name in relation.uses {
                guard let used = byName[name] else { throw ReportError.badRelations("\(relation.path) uses \(name), which no file defines") }
                try visit(used)
            }
            state[relation.name] = true
            done.append(relation)
        }
        for relation in relations.sorted(by: { $0.name < $1.name }) { try visit(relation) }
        return done
    }

    /// `query` with the relations it reads (by name, and those they use) in front of it as
    /// common table expressions, merged with the query's own WITH clause. Only those: every
    /// named parameter of a statement must be bound, and `_chain.sql` has none of `legs`'.
    public func compose(_ query: String) -> String {
        let body = ReportCatalog.body(query)
        var needed: Set<String> = []
        func need(_ name: String) {
            guard needed.insert(name).inserted, let relation = relations.first(where: { $0.name == name }) else { return }
            relation.uses.forEach(need)
        }
        let words = ReportCatalog.words(body)
        for relation in relations where words.contains(relation.name) { need(relation.name) }
        var clauses = relations.filter { needed.contains($0.name) }.map { relation in
            "\(relation.name) AS \(relation.inline ? "NOT MATERIALIZED " : "")(\n\(ReportCatalog.body(relation.sql))\n)"
        }
        var rest = Substring(body)
        let upper = body.uppercased()
        if clauses.isEmpty { return body }
        for keyword in ["WITH RECURSIVE", "WITH"] where upper.hasPrefix(keyword) {
            rest = body.dropFirst(keyword.count)
            // the query's own common table expressions follow the relations
            clauses.append(String(rest.drop { $0 == " " || $0 == "\n" }))
            return "WITH RECURSIVE " + clauses.joined(separator: ",\n")
        }
        return "WITH RECURSIVE " + clauses.joined(separator: ",\n") + "\n" + rest
    }

    /// The identifiers of a query outside its `--` comments.
    static func words(_ sql: String) -> Set<String> {
        var words: Set<String> = []
        for line in sql.split(separator: "\n") {
            let code = line.range(of: "--").map { line[..<$0.lowerBound] } ?? line[...]
            for word in code.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) { words.insert(String(word)) }
        }
        return words
    }

    /// A query without its header comment.
    static func body(_ text: String) -> String {
        var body = text.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { $0.hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
            .joined(separator: "\n")
        while body.last?.isWhitespace == true { body.removeLast() }
        return body
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
