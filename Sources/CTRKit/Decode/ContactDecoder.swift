import Foundation

/// Why a framed chunk is not a usable record.
public enum DecodeError: Error, Equatable, LocalizedError {
    case invalidUTF8
    case invalidJSON(offset: Int, expected: String)
    case notAnObject
    case missingContactId
    case tooDeep(limit: Int)

    public var errorDescription: String? {
        switch self {
        case .invalidUTF8: return "the record is not valid UTF-8"
        case let .invalidJSON(offset, expected): return "invalid JSON at byte \(offset) of the record: expected \(expected)"
        case .notAnObject: return "the record is not a JSON object"
        case .missingContactId: return "the record has no ContactId"
        case let .tooDeep(limit): return "the record nests deeper than \(limit) levels"
        }
    }
}

/// Decodes one framed record: validates it as strict JSON (RFC 8259) and extracts the
/// fields of SPEC section 3 in one pass, without building a tree.
///
/// Hand-written rather than `JSONDecoder` because it is about five times faster on CTRs,
/// keeps unknown fields out of the way for free, and tolerates the variations real exports
/// carry (numbers where strings belong and the reverse, sub-second timestamps, unknown keys,
/// repeated keys: the last one wins).
public enum ContactDecoder {
    public static let maxDepth = 256

    public static func decode(_ chunk: FramedChunk) throws -> ContactRecord {
        try decode(chunk, memory: nil)
    }

    /// `memory`, when given, is the stream's (`DecoderMemory`): it saves allocations, not work.
    static func decode(_ chunk: FramedChunk, memory: DecoderMemory?) throws -> ContactRecord {
        guard let raw = String(validating: chunk.bytes, as: UTF8.self) else { throw DecodeError.invalidUTF8 }
        return try chunk.bytes.withUnsafeBufferPointer { bytes in
            var scanner = JSONScanner(bytes)
            var record = ContactRecord(contactId: "", rawJSON: raw, contentHash: chunk.contentHash, offset: chunk.offset)
            var sawContactId = false
            scanner.skipWhitespace()
            guard scanner.peek() == UInt8(ascii: "{") else { throw DecodeError.notAnObject }
            try scanner.forEachMember(depth: 1) { key, scanner in
                guard let field = TopField.match(key, in: scanner.bytes) else {
                    try scanner.skipValue(depth: 1)
                    return
                }
                switch field {
                case .contactId:
                    if let id = try scanner.readText(), !id.isEmpty {
                        record.contactId = id
                        sawContactId = true
                    } else {
                        sawContactId = false
                    }
                case .instanceARN: record.instanceARN = try scanner.readText(sharedIn: memory)
                case .channel: record.channel = try scanner.readText(sharedIn: memory)
                case .initiationMethod: record.initiationMethod = try scanner.readText(sharedIn: memory)
                case .initiation: record.initiation = try scanner.readTimestamp()
                case .connectedToSystem: record.connectedToSystem = try scanner.readTimestamp()
                case .disconnect: record.disconnect = try scanner.readTimestamp()
                case .lastUpdate: record.lastUpdate = try scanner.readTimestamp()
                case .disconnectReason: record.disconnectReason = try scanner.readText(sharedIn: memory)
                case .previousContactId: record.previousContactId = try scanner.readText()
                case .nextContactId: record.nextContactId = try scanner.readText()
                case .initialContactId: record.initialContactId = try scanner.readText()
                case .relatedContactId: record.relatedContactId = try scanner.readText()
                case .transferCompleted: record.transferCompleted = try scanner.readTimestamp()
                case .queue: try decodeQueue(&scanner, into: &record, memory: memory)
                case .agent: try decodeAgent(&scanner, into: &record, memory: memory)
                // (A customer's number seldom repeats: not worth a slot of the memory.)
                case .customerEndpoint: record.customerAddress = try decodeAddress(&scanner, memory: nil)
                case .systemEndpoint: record.systemAddress = try decodeAddress(&scanner, memory: memory)
                case .attributes: try decodeAttributes(&scanner, into: &record, memory: memory)
                }
            }
            scanner.skipWhitespace()
            guard scanner.atEnd else { throw DecodeError.invalidJSON(offset: scanner.position, expected: "the end of the record") }
            guard sawContactId else { throw DecodeError.missingContactId }
            return record
        }
    }

    /// `Queue` is null, or an object; a `Queue` that is some other value is ignored like null.
    private static func decodeQueue(_ scanner: inout JSONScanner, into record: inout ContactRecord, memory: DecoderMemory?) throws {
        record.queueName = nil; record.queueARN = nil; record.enqueue = nil; record.dequeue = nil; record.queueDuration = nil
        guard scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue(depth: 1) }
        try scanner.forEachMember(depth: 2) { key, scanner in
            switch scanner.text(of: key, sharedIn: memory) {
            case "Name": record.queueName = try scanner.readText(sharedIn: memory)
            case "ARN": record.queueARN = try scanner.readText(sharedIn: memory)
            case "EnqueueTimestamp": record.enqueue = try scanner.readTimestamp()
            case "DequeueTimestamp": record.dequeue = try scanner.readTimestamp()
            case "Duration": record.queueDuration = try scanner.readInteger()
            default: try scanner.skipValue(depth: 2)
            }
        }
    }

    private static func decodeAgent(_ scanner: inout JSONScanner, into record: inout ContactRecord, memory: DecoderMemory?) throws {
        record.agentUsername = nil; record.agentARN = nil; record.connectedToAgent = nil
        record.agentInteraction = nil; record.customerHold = nil; record.numberOfHolds = nil
        record.longestHold = nil; record.afterContactWork = nil; record.routingProfile = nil
        guard scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue(depth: 1) }
        try scanner.forEachMember(depth: 2) { key, scanner in
            switch scanner.text(of: key, sharedIn: memory) {
            case "Username": record.agentUsername = try scanner.readText(sharedIn: memory)
            case "ARN": record.agentARN = try scanner.readText(sharedIn: memory)
            case "ConnectedToAgentTimestamp": record.connectedToAgent = try scanner.readTimestamp()
            case "AgentInteractionDuration": record.agentInteraction = try scanner.readInteger()
            case "CustomerHoldDuration": record.customerHold = try scanner.readInteger()
            case "NumberOfHolds": record.numberOfHolds = try scanner.readInteger()
            case "LongestHoldDuration": record.longestHold = try scanner.readInteger()
            case "AfterContactWorkDuration": record.afterContactWork = try scanner.readInteger()
            case "RoutingProfile":
                record.routingProfile = nil
                guard scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue(depth: 2) }
                try scanner.forEachMember(depth: 3) { key, scanner in
                    if scanner.text(of: key, sharedIn: memory) == "Name" {
                        record.routingProfile = try scanner.readText(sharedIn: memory)
                    } else {
                        try scanner.skipValue(depth: 3)
                    }
                }
            default: try scanner.skipValue(depth: 2)
            }
        }
    }

    private static func decodeAddress(_ scanner: inout JSONScanner, memory: DecoderMemory?) throws -> String? {
        guard scanner.peek() == UInt8(ascii: "{") else {
            try scanner.skipValue(depth: 1)
            return nil
        }
        var address: String?
        try scanner.forEachMember(depth: 2) { key, scanner in
            if scanner.text(of: key, sharedIn: memory) == "Address" {
                address = try scanner.readText(sharedIn: memory)
            } else {
                try scanner.skipValue(depth: 2)
            }
        }
        return address
    }

    /// Values are strings in Connect; other values are kept as their JSON text, null as null.
    /// `attributesJSON` is the delivered object's own text when that is already what the
    /// database stores (string or null values, each key once, keys without escapes), so the
    /// common case costs a scan and a copy; otherwise the object is read again as a list.
    private static func decodeAttributes(_ scanner: inout JSONScanner, into record: inout ContactRecord, memory: DecoderMemory?) throws {
        record.attributesJSON = "{}"
        guard scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue(depth: 1) }
        let start = scanner.position
        // The memory's list, taken out of it while in use (so that it is not copied on write).
        var keys: [JSONScanner.Span] = []
        if let memory { swap(&keys, &memory.keys) }
        keys.removeAll(keepingCapacity: true)
        defer { if let memory { swap(&keys, &memory.keys) } }
        var verbatim = true
        try scanner.forEachMember(depth: 2) { key, scanner in
            let next = scanner.peek()
            if next != UInt8(ascii: "\""), next != UInt8(ascii: "n") { verbatim = false }
            if key.hasEscapes || keys.contains(where: { scanner.same($0, key) }) { verbatim = false }
            keys.append(key)
            try scanner.skipValue(depth: 2)
        }
        if verbatim {
            record.attributesJSON = String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[start..<scanner.position]), as: UTF8.self)
            return
        }
        let end = scanner.position
        scanner.rewind(to: start)
        var attributes: [ContactRecord.Attribute] = []
        var seen: [String: Int] = [:]
        try scanner.forEachMember(depth: 2) { key, scanner in
            let name = key.text(in: scanner.bytes)
            let value = try scanner.readAttributeValue(depth: 2)
            if let index = seen[name] {
                attributes[index].value = value
            } else {
                seen[name] = attributes.count
                attributes.append(.init(key: name, value: value))
            }
        }
        assert(scanner.position == end)
        record.attributes = attributes
    }
}

/// The top-level keys the decoder reads; every other key is skipped (but validated).
enum TopField: CaseIterable {
    case contactId, instanceARN, channel, initiationMethod, initiation, connectedToSystem, disconnect
    case lastUpdate, disconnectReason, previousContactId, nextContactId, initialContactId, relatedContactId
    case transferCompleted, queue, agent, customerEndpoint, systemEndpoint, attributes

    var name: String {
        switch self {
        case .contactId: return "ContactId"
        case .instanceARN: return "InstanceARN"
        case .channel: return "Channel"
        case .initiationMethod: return "InitiationMethod"
        case .initiation: return "InitiationTimestamp"
        case .connectedToSystem: return "ConnectedToSystemTimestamp"
        case .disconnect: return "DisconnectTimestamp"
        case .lastUpdate: return "LastUpdateTimestamp"
        case .disconnectReason: return "DisconnectReason"
        case .previousContactId: return "PreviousContactId"
        case .nextContactId: return "NextContactId"
        case .initialContactId: return "InitialContactId"
        case .relatedContactId: return "RelatedContactId"
        case .transferCompleted: return "TransferCompletedTimestamp"
        case .queue: return "Queue"
        case .agent: return "Agent"
        case .customerEndpoint: return "CustomerEndpoint"
        case .systemEndpoint: return "SystemEndpoint"
        case .attributes: return "Attributes"
        }
    }

    private static let table: [(bytes: [UInt8], field: TopField)] = allCases.map { (Array($0.name.utf8), $0) }

    /// Byte comparison first: most keys are not read, and building a String for each would cost.
    static func match(_ key: JSONScanner.Span, in bytes: UnsafeBufferPointer<UInt8>) -> TopField? {
        if key.hasEscapes {
            let text = key.text(in: bytes)
            return allCases.first { $0.name == text }
        }
        let length = key.end - key.start
        for entry in table where entry.bytes.count == length {
            if entry.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress! + key.start, length) == 0 }) {
                return entry.field
            }
        }
        return nil
    }
}
