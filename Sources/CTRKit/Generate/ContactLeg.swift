/// One synthetic contact leg with everything its CTR carries. Times are epoch
/// milliseconds (whole seconds, except the occasional millisecond timestamp real exports
/// show); durations are whole seconds, as in Connect.
struct ContactLeg {
    var contactId: String
    var initiationMethod: String
    var initiation: Int64
    var connectedToSystem: Int64?
    var disconnect: Int64
    var disconnectReason: String?
    var lastUpdate: Int64
    var previousContactId: String?
    var nextContactId: String?
    var initialContactId: String?
    var queue: QueueVisit?
    var agent: AgentVisit?
    var customerAddress: String
    var systemAddress: String
    var transferCompleted: Int64?
    var transferredTo: TransferDestination?
    var agentConnectionAttempts: Int
    /// `DisconnectDetails.PotentialDisconnectIssue`: the key is written only when set, as Connect does.
    var potentialDisconnectIssue: String?
    /// A `References` entry the agent attached (a link to the CRM case); most legs have none.
    var caseReference: String?
    /// Sorted by key in byte order, as Connect writes them.
    var attributes: [(key: String, value: String)]
    /// Whether the call was recorded (an agent talked to the customer).
    var recorded: Bool

    init(contactId: String, initiationMethod: String, initiation: Int64, disconnect: Int64,
         customerAddress: String, systemAddress: String) {
        self.contactId = contactId
        self.initiationMethod = initiationMethod
        self.initiation = initiation
        self.disconnect = disconnect
        self.lastUpdate = disconnect
        self.customerAddress = customerAddress
        self.systemAddress = systemAddress
        self.agentConnectionAttempts = 0
        self.attributes = []
        self.recorded = false
    }

    mutating func setAttribute(_ key: String, _ value: String) {
        Self.setAttribute(key, value, in: &attributes)
    }

    /// Sets a key in attributes kept sorted by key in byte order, as Connect writes them.
    static func setAttribute(_ key: String, _ value: String, in attributes: inout [(key: String, value: String)]) {
        if let i = attributes.firstIndex(where: { $0.key == key }) {
            attributes[i].value = value
            return
        }
        let i = attributes.firstIndex(where: { $0.key.utf8.lexicographicallyPrecedes(key.utf8) == false }) ?? attributes.count
        attributes.insert((key, value), at: i)
    }
}

/// `Queue`: outbound legs carry the queue's name and ARN but no enqueue time.
struct QueueVisit {
    var queue: QueueProfile
    var enqueue: Int64?
    var dequeue: Int64?
    /// Nil writes no `Duration` key at all (AWS says upstream sometimes omits it).
    var duration: Int64?
}

/// Where `TransferredToEndpoint` points.
enum TransferDestination {
    /// A cold transfer to an outside number.
    case externalNumber(String)
    /// A quick-connect transfer inside the instance: Connect writes the endpoint with a null address.
    case insideInstance
}

/// `Agent`: present whenever an agent was involved, even one the customer never reached.
struct AgentVisit {
    var agent: AgentProfile
    var connectedToAgent: Int64?
    var interaction: Int64 = 0
    var customerHold: Int64 = 0
    /// `AgentInitiatedHoldDuration`: every hold here is one the agent started, so it equals `customerHold`.
    var agentInitiatedHold: Int64 = 0
    /// `QualityMetrics.Agent.Audio`: a score Connect computes in single precision, and what lowered it.
    var audioQuality: Float?
    var qualityIssues: [String] = []
    var numberOfHolds: Int = 0
    var longestHold: Int64 = 0
    var afterContactWorkStart: Int64?
    var afterContactWorkEnd: Int64?

    var afterContactWork: Int64? {
        guard let start = afterContactWorkStart, let end = afterContactWorkEnd else { return nil }
        return (end - start) / 1000
    }
}

/// Which copy of a leg a delivery carries.
enum DeliveryVariant: Equatable {
    /// The final record.
    case final
    /// Sent at disconnect, before after-contact work ended: earlier update, no ACW fields.
    case early(lastUpdate: Int64)
    /// Sent days later after an attribute was set through the API.
    case lateUpdate(lastUpdate: Int64, key: String, value: String)
    /// A second, different copy with the final copy's `LastUpdateTimestamp`.
    case conflict
}
