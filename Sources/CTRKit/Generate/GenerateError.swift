import Foundation

/// Why `generate` could not write the export.
public enum GenerateError: Error, LocalizedError, Equatable {
    case invalidOption(String)
    case outputNotEmpty(path: String)
    case cannotWrite(path: String, reason: String)
    case compression(path: String, code: Int32)

    public var errorDescription: String? {
        switch self {
        case let .invalidOption(message):
            return message
        case let .outputNotEmpty(path):
            return "\(path) is not empty; choose an empty or new folder for --out, or remove this one first"
        case let .cannotWrite(path, reason):
            return "failed to write \(path): \(reason)"
        case let .compression(path, code):
            return "zlib failed while compressing \(path) (code \(code))"
        }
    }
}
