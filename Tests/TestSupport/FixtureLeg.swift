import CTRKit
import Foundation

// The one record builder of the tests: the unit tests load its records in process, the
// end-to-end tests write them to a file for the binary.

/// One contact leg, described compactly; `json` turns it into a real CTR record.
/// A nil field is left out of the record (a missing key is the same as null).
public struct FixtureLeg {
    public var id: String
    public var method = "INBOUND"
    public var initiation: String
    public var connectedToSystem: String?
    public var disconnect: String?
    public var lastUpdate: String?
    public var previous: String?
    public var next: String?
    public var initial: String?
    public var queue: String?
    public var enqueue: String?
    public var dequeue: String?
    public var duration: Int?
    public var agent: String?
    public var connectedToAgent: String?

    public init(_ id: String, method: String = "INBOUND", initiation: String, connectedToSystem: String? = nil, disconnect: String? = nil,
         lastUpdate: String? = nil, previous: String? = nil, next: String? = nil, initial: String? = nil, queue: String? = nil,
         enqueue: String? = nil, dequeue: String? = nil, duration: Int? = nil, agent: String? = nil, connectedToAgent: String? = nil) {
        self.id = id
        self.method = method
        self.initiation = initiation
        self.connectedToSystem = connectedToSystem
        self.disconnect = disconnect
        self.lastUpdate = lastUpdate
        self.previous = previous
        self.next = next
        self.initial = initial
        self.queue = queue
        self.enqueue = enqueue
        self.dequeue = dequeue
        self.duration = duration
        self.agent = agent
        self.connectedToAgent = connectedToAgent
    }

    /// A queued inbound leg: enqueued at `at`, waiting `wait` seconds (Queue.Duration and
    /// dequeue - enqueue agree), answered by an agent at dequeue or not, disconnecting
    /// `talk` seconds after dequeue.
    public static func queued(_ id: String, queue: String, at: String, wait: Int, answered: Bool, talk: Int = 60,
                       method: String = "INBOUND", next: String? = nil, previous: String? = nil) -> FixtureLeg {
        let dequeue = FixtureLeg.shift(at, by: wait)
        return FixtureLeg(id, method: method, initiation: at, connectedToSystem: at,
                          disconnect: answered ? FixtureLeg.shift(dequeue, by: talk) : dequeue,
                          previous: previous, next: next, queue: queue, enqueue: at, dequeue: dequeue, duration: wait,
                          agent: answered ? "agent" : nil, connectedToAgent: answered ? dequeue : nil)
    }

    /// `text` (`YYYY-MM-DDTHH:MM:SSZ`) moved by `seconds`.
    public static func shift(_ text: String, by seconds: Int) -> String {
        let t = Timestamp.parse(text)!
        return Timestamp(epochMilliseconds: t.epochMilliseconds + Int64(seconds) * 1000).text
    }

    public var json: [String: Any] {
        var record: [String: Any] = [
            "AWSAccountId": "123456789012",
            "AWSContactTraceRecordFormatVersion": "2017-03-10",
            "ContactId": id,
            "Channel": "VOICE",
            "InitiationMethod": method,
            "InitiationTimestamp": initiation,
            "InstanceARN": "arn:aws:connect:us-east-1:123456789012:instance/fixture",
            "LastUpdateTimestamp": lastUpdate ?? disconnect ?? initiation,
            "Attributes": [String: String](),
        ]
        record["ConnectedToSystemTimestamp"] = connectedToSystem
        record["DisconnectTimestamp"] = disconnect
        record["PreviousContactId"] = previous
        record["NextContactId"] = next
        record["InitialContactId"] = initial
        if let queue {
            var q: [String: Any] = ["Name": queue, "ARN": "arn:aws:connect:us-east-1:123456789012:instance/fixture/queue/" + queue]
            q["EnqueueTimestamp"] = enqueue
            q["DequeueTimestamp"] = dequeue
            q["Duration"] = duration
            record["Queue"] = q
        }
        if agent != nil || connectedToAgent != nil {
            var a: [String: Any] = ["Username": agent ?? "agent"]
            a["ConnectedToAgentTimestamp"] = connectedToAgent
            record["Agent"] = a
        }
        return record
    }

    /// The record as one line of NDJSON (keys sorted, so the file is the same every run).
    public var line: String {
        String(decoding: try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
