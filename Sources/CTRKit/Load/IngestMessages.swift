import Foundation
import GRDB

/// Every message ingest writes about a file or a failure, in one place.
enum IngestMessages {
    static func failed(_ error: Error) -> String {
        "\(describe(error)); nothing of this file was loaded, run again to retry it"
    }

    static func chainFailed(_ error: Error) -> String {
        "\(describe(error)); the chain stage did not finish: the files loaded are kept and the next run resolves their chains"
    }

    static let unchanged = "unchanged since it was ingested"
    static let copy = "the same content was ingested under another path"

    static func damage(_ damage: StreamDamage) -> String {
        "\(damage.reason) at compressed byte \(damage.compressedOffset); the records before it were kept"
    }

    /// An error as one line: SQLite's own message for a database error, else the error's description.
    static func message(for error: Error) -> String {
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

    /// A database that cannot be opened, created or upgraded: the message says what to do.
    struct DatabaseFailure: LocalizedError {
        let underlying: Error
        var errorDescription: String? { IngestMessages.describe(underlying) }
    }

    /// Errors of the database itself rather than of one input file: the run stops.
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
