import Crypto
import Foundation

/// `ingest --redact-phones`: replaces the customer's phone number with a keyed hash, in the
/// decoded fields and in the stored raw JSON, so that repeat callers can still be grouped
/// (the same number and key give the same token) while the number itself is never stored.
///
/// The token is `phone:` and the first 16 bytes of HMAC-SHA256(key, number) in hex. The key
/// comes from a file or an environment variable and is never written to the database; only a
/// check value (an HMAC of a fixed label) is, so a later run with another key is refused.
public struct PhoneRedactor {
    private let key: SymmetricKey
    public static let scheme = "hmac-sha256/phone-v1"

    public enum Failure: Error, LocalizedError, Equatable {
        case emptyKey
        case cannotReadKey(path: String, reason: String)

        public var errorDescription: String? {
            switch self {
            case .emptyKey: return "the redaction key is empty: put a secret of at least 16 characters in the key file or CTRDB_REDACT_KEY"
            case let .cannotReadKey(path, reason): return "failed to read the redaction key file \(path): \(reason)"
            }
        }
    }

    public init(keyMaterial: String) throws {
        let trimmed = keyMaterial.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Failure.emptyKey }
        key = SymmetricKey(data: Data(trimmed.utf8))
    }

    public init(keyFile path: String) throws {
        do {
            try self.init(keyMaterial: try String(contentsOfFile: path, encoding: .utf8))
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure.cannotReadKey(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Stored in the database's metadata: tells whether a later run uses the same key.
    public var keyCheck: String { hex(HMAC<SHA256>.authenticationCode(for: Data("ctrdb key check".utf8), using: key), bytes: 8) }

    public func token(for number: String) -> String {
        "phone:" + hex(HMAC<SHA256>.authenticationCode(for: Data(number.utf8), using: key), bytes: 16)
    }

    /// The record with its customer number replaced everywhere it stands as a whole JSON
    /// string (the endpoint, and attributes such as a callback number that repeat it).
    public func redact(_ record: ContactRecord) -> ContactRecord {
        guard let number = record.customerAddress, !number.isEmpty, !number.hasPrefix("phone:") else { return record }
        let token = token(for: number)
        var redacted = record
        redacted.customerAddress = token
        let quotedNumber = Array(JSONText.quoted(number).utf8)
        let quotedToken = Array(JSONText.quoted(token).utf8)
        let bytes = PhoneRedactor.replace(quotedNumber, with: quotedToken, in: Array(record.rawJSON.utf8))
        redacted.rawJSON = String(decoding: bytes, as: UTF8.self)
        redacted.contentHash = RecordFramer.contentHash(of: bytes)
        var attributes = redacted.attributes
        for index in attributes.indices where attributes[index].value == number {
            attributes[index].value = token
        }
        redacted.attributes = attributes
        return redacted
    }

    /// Replaces whole string tokens only: a match preceded by a backslash is inside another string.
    static func replace(_ needle: [UInt8], with replacement: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        guard needle.count <= haystack.count else { return haystack }
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count + 64)
        var i = 0
        while i < haystack.count {
            if haystack[i] == needle[0], i + needle.count <= haystack.count, (i == 0 || haystack[i - 1] != 0x5C),
               haystack[i..<i + needle.count].elementsEqual(needle) {
                out.append(contentsOf: replacement)
                i += needle.count
            } else {
                out.append(haystack[i])
                i += 1
            }
        }
        return out
    }

    private func hex<M: MessageAuthenticationCode>(_ code: M, bytes: Int) -> String {
        Array(code).prefix(bytes).map { String(format: "%02x", $0) }.joined()
    }
}
