/// One delivered copy of a contact record, decoded: the fields of SPEC section 3 plus the
/// raw text exactly as delivered. Enumerations stay text: Amazon Connect adds values.
public struct ContactRecord: Sendable, Equatable {
    public var contactId: String
    public var instanceARN: String?
    public var channel: String?
    public var initiationMethod: String?
    public var initiation: Timestamp?
    public var connectedToSystem: Timestamp?
    public var disconnect: Timestamp?
    public var lastUpdate: Timestamp?
    public var disconnectReason: String?
    public var previousContactId: String?
    public var nextContactId: String?
    public var initialContactId: String?
    public var relatedContactId: String?
    public var queueName: String?
    public var queueARN: String?
    public var enqueue: Timestamp?
    public var dequeue: Timestamp?
    public var queueDuration: Int64?
    public var agentUsername: String?
    public var agentARN: String?
    public var connectedToAgent: Timestamp?
    public var agentInteraction: Int64?
    public var customerHold: Int64?
    public var numberOfHolds: Int64?
    public var longestHold: Int64?
    public var afterContactWork: Int64?
    public var routingProfile: String?
    public var customerAddress: String?
    public var systemAddress: String?
    public var transferCompleted: Timestamp?
    /// `Attributes` as the JSON object the database stores: in delivery order, each key once
    /// (case-sensitive; a repeated key keeps its last value), values strings or null.
    public var attributesJSON: String
    /// `attributesJSON` as a list, decoded when read; setting it rewrites `attributesJSON`.
    ///
    /// Computed rather than stored: the load stage binds the JSON only, and building the list
    /// for every record (its array, a string for most keys and values, a dictionary to find
    /// repeated keys) took an eighth of the decoding thread and as many frees on the loading one.
    public var attributes: [Attribute] {
        get { Self.decodeAttributes(attributesJSON) }
        set { attributesJSON = Self.encodeAttributes(newValue) }
    }
    /// The record's text, byte for byte as delivered.
    public var rawJSON: String
    /// See `FramedChunk.contentHash`.
    public var contentHash: UInt64
    /// Offset of the record in its (decompressed) source.
    public var offset: Int64

    public struct Attribute: Sendable, Equatable {
        public var key: String
        public var value: String?
    }

    public init(contactId: String, rawJSON: String = "", contentHash: UInt64 = 0, offset: Int64 = 0) {
        self.contactId = contactId
        self.attributesJSON = "{}"
        self.rawJSON = rawJSON
        self.contentHash = contentHash
        self.offset = offset
    }

    /// The attributes as a JSON object, in delivery order, each key once.
    public static func encodeAttributes(_ attributes: [Attribute]) -> String {
        guard !attributes.isEmpty else { return "{}" }
        var json = "{"
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { json += "," }
            json += JSONText.quoted(attribute.key) + ":" + (attribute.value.map(JSONText.quoted) ?? "null")
        }
        return json + "}"
    }

    /// The list an `attributesJSON` holds (as `encodeAttributes` or the decoder wrote it).
    static func decodeAttributes(_ json: String) -> [Attribute] {
        var json = json
        return json.withUTF8 { bytes in
            var scanner = JSONScanner(bytes)
            var attributes: [Attribute] = []
            // The text was validated when the record was decoded: an error here cannot happen.
            try? scanner.forEachMember(depth: 1) { key, scanner in
                attributes.append(Attribute(key: key.text(in: scanner.bytes), value: try scanner.readAttributeValue(depth: 1)))
            }
            return attributes
        }
    }

    /// The content hash as the database stores it: 16 lower-case hex digits, so text order is numeric order.
    public var contentHashText: String { ContactRecord.hashText(contentHash) }

    public static func hashText(_ hash: UInt64) -> String {
        // Written in place: the load stage calls it for every record.
        String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 {
                let digit = UInt8(truncatingIfNeeded: hash >> UInt64(60 - 4 * index)) & 0xF
                buffer[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            }
            return 16
        }
    }
}
