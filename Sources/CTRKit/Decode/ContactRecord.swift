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
    /// `Attributes` in delivery order; keys are case-sensitive; a repeated key keeps its last value.
    public var attributes: [Attribute]
    /// `attributes` as the JSON object the database stores (each key once, values strings or null).
    public var attributesJSON: String
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
        self.attributes = []
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

    /// The content hash as the database stores it: 16 lower-case hex digits, so text order is numeric order.
    public var contentHashText: String { ContactRecord.hashText(contentHash) }

    public static func hashText(_ hash: UInt64) -> String {
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
