import Foundation
import Testing
@testable import CTRKit

@Suite struct ContactDecoderTests {
    static let full = """
    {
      "AWSAccountId": "123456789012",
      "Agent": {
        "ARN": "arn:agent/1",
        "AfterContactWorkDuration": 30,
        "AgentInteractionDuration": 275,
        "ConnectedToAgentTimestamp": "2024-03-12T11:40:25Z",
        "CustomerHoldDuration": 12,
        "HierarchyGroups": {"Level1": null},
        "LongestHoldDuration": 9,
        "NumberOfHolds": 2,
        "RoutingProfile": {"ARN": "arn:rp", "Name": "Basic Routing Profile"},
        "Username": "agent.smith"
      },
      "Attributes": {"callbackNumber": "+15555550100", "n": "42"},
      "Channel": "VOICE",
      "ConnectedToSystemTimestamp": "2024-03-12T11:40:10Z",
      "ContactId": "c2",
      "CustomerEndpoint": {"Address": "+15555550100", "Type": "TELEPHONE_NUMBER"},
      "DisconnectReason": "CUSTOMER_DISCONNECT",
      "DisconnectTimestamp": "2024-03-12T11:45:00Z",
      "InitialContactId": "c1",
      "InitiationMethod": "CALLBACK",
      "InitiationTimestamp": "2024-03-12T11:37:00Z",
      "InstanceARN": "arn:instance/1",
      "LastUpdateTimestamp": "2024-03-12T11:45:31Z",
      "NextContactId": "c3",
      "PreviousContactId": "c1",
      "RelatedContactId": "r9",
      "Queue": {"ARN": "arn:queue/cb", "DequeueTimestamp": "2024-03-12T11:40:00Z", "Duration": 120,
                "EnqueueTimestamp": "2024-03-12T11:38:39Z", "Name": "CallbackQueue"},
      "SystemEndpoint": {"Address": "+18005550199", "Type": "TELEPHONE_NUMBER"},
      "TransferCompletedTimestamp": "2024-03-12T11:44:00Z",
      "Recordings": [{"Location": "s3://x", "StorageType": "S3"}],
      "ContactLens": {"ConversationalAnalytics": {"Configuration": {"Enabled": true}}}
    }
    """

    @Test func everySpecFieldIsExtracted() throws {
        let r = try decode(Self.full)
        #expect(r.contactId == "c2")
        #expect(r.instanceARN == "arn:instance/1")
        #expect(r.channel == "VOICE")
        #expect(r.initiationMethod == "CALLBACK")
        #expect(r.initiation?.text == "2024-03-12T11:37:00Z")
        #expect(r.connectedToSystem?.text == "2024-03-12T11:40:10Z")
        #expect(r.disconnect?.text == "2024-03-12T11:45:00Z")
        #expect(r.lastUpdate?.text == "2024-03-12T11:45:31Z")
        #expect(r.disconnectReason == "CUSTOMER_DISCONNECT")
        #expect(r.previousContactId == "c1")
        #expect(r.nextContactId == "c3")
        #expect(r.initialContactId == "c1")
        #expect(r.relatedContactId == "r9")
        #expect(r.queueName == "CallbackQueue")
        #expect(r.queueARN == "arn:queue/cb")
        #expect(r.enqueue?.text == "2024-03-12T11:38:39Z")
        #expect(r.dequeue?.text == "2024-03-12T11:40:00Z")
        #expect(r.queueDuration == 120)
        #expect(r.agentUsername == "agent.smith")
        #expect(r.agentARN == "arn:agent/1")
        #expect(r.connectedToAgent?.text == "2024-03-12T11:40:25Z")
        #expect(r.agentInteraction == 275)
        #expect(r.customerHold == 12)
        #expect(r.numberOfHolds == 2)
        #expect(r.longestHold == 9)
        #expect(r.afterContactWork == 30)
        #expect(r.routingProfile == "Basic Routing Profile")
        #expect(r.customerAddress == "+15555550100")
        #expect(r.systemAddress == "+18005550199")
        #expect(r.transferCompleted?.text == "2024-03-12T11:44:00Z")
        #expect(r.attributes == [.init(key: "callbackNumber", value: "+15555550100"), .init(key: "n", value: "42")])
    }

    @Test func rawTextIsKeptByteForByte() throws {
        let text = "{ \"ContactId\" : \"a\\u00e9\",\n\t\"Attributes\":{\"k\":\"caf\u{e9} \\\"q\\\"\"} ,\"x\":1.50e+2 }"
        let r = try decode(text)
        #expect(Array(r.rawJSON.utf8) == Array(text.utf8))
        #expect(r.contactId == "a\u{e9}")
        #expect(r.attributes == [.init(key: "k", value: "caf\u{e9} \"q\"")])
    }

    @Test func offsetAndHashComeFromTheChunk() throws {
        let bytes = [UInt8](#"{"ContactId":"a"}"#)
        let r = try ContactDecoder.decode(FramedChunk(kind: .object, bytes: bytes, offset: 1234, contentHash: 0xABCDEF))
        #expect(r.offset == 1234)
        #expect(r.contentHash == 0xABCDEF)
        #expect(r.contentHashText == "0000000000abcdef")
    }

    @Test func unknownKeysAreIgnoredAndMissingKeysAreNil() throws {
        let r = try decode(#"{"Zzz":{"ContactId":"nested"},"ContactId":"a","Future":[1,{"Queue":{"Name":"no"}}],"Channel":null}"#)
        #expect(r.contactId == "a")
        #expect(r.channel == nil)
        #expect(r.queueName == nil)
        #expect(r.agentUsername == nil)
        #expect(r.lastUpdate == nil)
        #expect(r.attributes.isEmpty)
        let minimal = try decode(#"{"ContactId":"m"}"#)
        var expected = ContactRecord(contactId: "m", rawJSON: #"{"ContactId":"m"}"#, contentHash: minimal.contentHash, offset: 0)
        expected.attributes = []
        #expect(minimal == expected)
    }

    @Test func nullSubObjectsAreLikeMissing() throws {
        let r = try decode(#"{"ContactId":"a","Queue":null,"Agent":null,"CustomerEndpoint":null,"Attributes":null}"#)
        #expect(r.queueName == nil && r.enqueue == nil && r.agentUsername == nil && r.customerAddress == nil)
        #expect(r.attributes.isEmpty)
    }

    @Test func queueWithoutEnqueueTimestamp() throws {
        let r = try decode(#"{"ContactId":"a","Queue":{"Name":"Outbound","ARN":"q"}}"#)
        #expect(r.queueName == "Outbound")
        #expect(r.enqueue == nil)
        #expect(r.queueDuration == nil)
    }

    @Test func timestampsWithAndWithoutFractionsAndOffsets() throws {
        let r = try decode(#"{"ContactId":"a","InitiationTimestamp":"2019-05-25T18:55:21.011Z","DisconnectTimestamp":"2019-05-25T20:55:21+02:00","LastUpdateTimestamp":"2019-05-25T18:55:21Z"}"#)
        #expect(r.initiation?.epochMilliseconds == 1_558_810_521_011)
        #expect(r.initiation?.text == "2019-05-25T18:55:21Z")
        #expect(r.disconnect?.text == "2019-05-25T18:55:21Z")
        #expect(r.lastUpdate?.epochMilliseconds == 1_558_810_521_000)
        #expect(try #require(r.initiation) > r.lastUpdate!)
    }

    @Test func unparseableTimestampIsNil() throws {
        let r = try decode(#"{"ContactId":"a","InitiationTimestamp":"yesterday","DisconnectTimestamp":true}"#)
        #expect(r.initiation == nil)
        #expect(r.disconnect == nil)
    }

    @Test func enumsAreKeptAsText() throws {
        let r = try decode(#"{"ContactId":"a","InitiationMethod":"CALLBACK_CUSTOMER_FIRST_QUEUED","Channel":"SOMETHING_NEW","DisconnectReason":"NEVER_SEEN"}"#)
        #expect(r.initiationMethod == "CALLBACK_CUSTOMER_FIRST_QUEUED")
        #expect(r.channel == "SOMETHING_NEW")
        #expect(r.disconnectReason == "NEVER_SEEN")
    }

    @Test func numbersWhereStringsBelongAndStringsWhereNumbersBelong() throws {
        let r = try decode(#"{"ContactId":12345,"Channel":true,"Queue":{"Name":7,"Duration":"120","EnqueueTimestamp":1710243519},"Agent":{"NumberOfHolds":"2","CustomerHoldDuration":12.6,"AgentInteractionDuration":"n/a","Username":null}}"#)
        #expect(r.contactId == "12345")
        #expect(r.channel == "true")
        #expect(r.queueName == "7")
        #expect(r.queueDuration == 120)
        #expect(r.enqueue?.text == "2024-03-12T11:38:39Z")
        #expect(r.numberOfHolds == 2)
        #expect(r.customerHold == 13)
        #expect(r.agentInteraction == nil)
        #expect(r.agentUsername == nil)
    }

    @Test func duplicateKeysLastWins() throws {
        let r = try decode(#"{"ContactId":"first","Channel":"VOICE","Channel":"CHAT","Queue":{"Name":"A","Duration":5},"Queue":{"Name":"B"},"ContactId":"second","Attributes":{"k":"1","k":"2"}}"#)
        #expect(r.contactId == "second")
        #expect(r.channel == "CHAT")
        #expect(r.queueName == "B")
        #expect(r.queueDuration == nil, "the later Queue object replaces the earlier one entirely")
        #expect(r.attributes == [.init(key: "k", value: "2")])
    }

    @Test func caseVariantAttributeKeysAreBothKept() throws {
        let r = try decode(#"{"ContactId":"a","Attributes":{"greetingPlayed":"true","GreetingPlayed":"false"}}"#)
        #expect(r.attributes == [.init(key: "greetingPlayed", value: "true"), .init(key: "GreetingPlayed", value: "false")])
        let real = try decode(String(decoding: try Fixture.realVersions()[2], as: UTF8.self))
        let keys = Set(real.attributes.map(\.key))
        #expect(keys.contains("greetingPlayed") && keys.contains("GreetingPlayed"))
        #expect(real.lastUpdate?.text == Fixture.realNewest)
    }

    @Test func attributeValuesThatAreNotStrings() throws {
        let r = try decode(#"{"ContactId":"a","Attributes":{"n":5,"b":false,"z":null,"o":{"x":[1]}}}"#)
        #expect(r.attributes == [.init(key: "n", value: "5"), .init(key: "b", value: "false"), .init(key: "z", value: nil), .init(key: "o", value: #"{"x":[1]}"#)])
    }

    // MARK: - Errors

    private func decodeError(_ bytes: [UInt8]) -> DecodeError? {
        do {
            _ = try ContactDecoder.decode(FramedChunk(kind: .object, bytes: bytes, offset: 0, contentHash: 0))
            return nil
        } catch let error as DecodeError {
            return error
        } catch {
            return nil
        }
    }

    @Test(arguments: [
        #"{"ContactId":"a",}"#,
        #"{"ContactId":"a" "Channel":"x"}"#,
        #"{"ContactId":'a'}"#,
        #"{"ContactId":"a","x":tru}"#,
        #"{"ContactId":"a","x":01}"#,
        #"{"ContactId":"a","x":"\q"}"#,
        #"{"ContactId":"a","x":[1,]}"#,
        #"{"ContactId":"a"} trailing"#,
        #"{ContactId:"a"}"#,
        #"{"ContactId":"a","x":"\u12"}"#,
    ])
    func invalidJSON(text: String) {
        guard case .invalidJSON = decodeError([UInt8](text)) else {
            Issue.record("expected invalidJSON for \(text), got \(String(describing: decodeError([UInt8](text))))")
            return
        }
    }

    @Test func missingOrEmptyOrNullContactId() {
        #expect(decodeError([UInt8](#"{"Channel":"VOICE"}"#)) == .missingContactId)
        #expect(decodeError([UInt8](#"{"ContactId":""}"#)) == .missingContactId)
        #expect(decodeError([UInt8](#"{"ContactId":null}"#)) == .missingContactId)
        #expect(decodeError([UInt8](#"{"ContactId":"a","ContactId":null}"#)) == .missingContactId)
        #expect(decodeError([UInt8](#"{"Queue":{"ContactId":"nested"}}"#)) == .missingContactId)
    }

    @Test func notAnObject() {
        #expect(decodeError([UInt8](#"["ContactId"]"#)) == .notAnObject)
        #expect(decodeError([UInt8]("42")) == .notAnObject)
        #expect(decodeError([]) == .notAnObject)
    }

    @Test func invalidUTF8() {
        let bytes = [UInt8](#"{"ContactId":"a"#) + [0xC3, 0x28] + [UInt8](#""}"#)
        #expect(decodeError(bytes) == .invalidUTF8)
        #expect(decodeError([UInt8](#"{"ContactId":"a","x":""#) + [0xFF] + [UInt8](#""}"#)) == .invalidUTF8)
    }

    @Test func nestingDeeperThan256() {
        // The record itself is level 1: 255 more levels are allowed, 256 more are not.
        func nested(_ levels: Int, open: String, close: String) -> [UInt8] {
            [UInt8](#"{"ContactId":"a","Deep":"# + String(repeating: open, count: levels) + String(repeating: close, count: levels) + "}")
        }
        #expect(decodeError(nested(255, open: "[", close: "]")) == nil)
        #expect(decodeError(nested(256, open: "[", close: "]")) == .tooDeep(limit: 256))
        let objects = { (n: Int) -> [UInt8] in
            [UInt8](#"{"ContactId":"a","Deep":"# + String(repeating: #"{"k":"#, count: n) + "1" + String(repeating: "}", count: n) + "}")
        }
        #expect(decodeError(objects(255)) == nil)
        #expect(decodeError(objects(256)) == .tooDeep(limit: 256))
        #expect(decodeError(objects(100_000)) == .tooDeep(limit: 256))
        // Deep values inside Attributes and Agent count too.
        let attributes = [UInt8](#"{"ContactId":"a","Attributes":{"k":"# + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}}")
        #expect(decodeError(attributes) == .tooDeep(limit: 256))
    }

    @Test func errorsHaveLowerCaseMessages() {
        for error in [DecodeError.invalidUTF8, .invalidJSON(offset: 3, expected: "a value"), .notAnObject, .missingContactId, .tooDeep(limit: 256)] {
            let message = error.localizedDescription
            #expect(message.first?.isLowercase == true, "\(message)")
        }
        #expect(DecodeError.invalidJSON(offset: 3, expected: "a value").localizedDescription.contains("byte 3"))
    }
}

extension ContactDecoderTests {
    @Test func escapedKeysAndValuesAreDecoded() throws {
        let r = try decode(#"{"Contact\u0049d":"e\u0301","Queue":{"N\u0061me":"caf\u00e9 \ud83d\ude00","EnqueueTimestamp":"2024\u002d03-12T11:38:39Z"},"Attributes":{"lone":"\ud800x","tab":"a\tb"}}"#)
        #expect(r.contactId == "e\u{301}")
        #expect(r.queueName == "caf\u{e9} \u{1F600}")
        #expect(r.enqueue?.text == "2024-03-12T11:38:39Z")
        #expect(r.attributes == [.init(key: "lone", value: "\u{FFFD}x"), .init(key: "tab", value: "a\tb")])
    }

    @Test func epochMillisecondsNumberIsATimestamp() throws {
        let r = try decode(#"{"ContactId":"a","LastUpdateTimestamp":1710243519123}"#)
        #expect(r.lastUpdate?.epochMilliseconds == 1_710_243_519_123)
    }
}

/// A stream decodes with one `DecoderMemory` for all its records: what it shares between records
/// must not change any of them.
extension ContactDecoderTests {
    @Test func theStreamsMemoryChangesNoRecord() throws {
        let arn = "arn:aws:connect:us-east-1:123456789012:instance/abcd/queue/"
        // Texts of one length that differ before their last 16 bytes take the same slot.
        let crafted = [
            #"{"ContactId":"a","Queue":{"ARN":"\#(arn)0000-1111-2222-3333","Name":"Billing and Payments"},"Attributes":{"k":"v","k":"w"}}"#,
            #"{"ContactId":"b","Queue":{"ARN":"\#(arn.replacingOccurrences(of: "abcd", with: "abce"))0000-1111-2222-3333","Name":"Billing and Payments"}}"#,
            #"{"ContactId":"c","Queue":{"ARN":"\#(arn)0000-1111-2222-3333"},"Attributes":{"n":5,"z":null,"o":{"x":[1]},"\u006b":"v","k":"w"}}"#,
            #"{"ContactId":"d","DisconnectReason":"CUSTOMER_DISCONNECT","Agent":{"ARN":"\#(arn)\u0041gent-0001-0002-0003","Username":"averylongusername.one"}}"#,
            #"{"ContactId":"e","DisconnectReason":"CUSTOMER_DISCONNECT","Agent":{"ARN":"\#(arn)Agent-0001-0002-0003","Username":"averylongusername.two"}}"#,
        ].map { [UInt8]($0.utf8) }
        let flows = try String(contentsOf: ConnectFlowTests.folder.appendingPathComponent("flows.ndjson"), encoding: .utf8)
            .split(separator: "\n").map { [UInt8]($0.utf8) }
        let all = try Fixture.realVersions() + Fixture.seedRecords() + flows + crafted
        let memory = DecoderMemory()
        for bytes in all + all.reversed() {
            let chunk = FramedChunk(kind: .object, bytes: bytes, offset: 0, contentHash: RecordFramer.contentHash(of: bytes))
            #expect(try ContactDecoder.decode(chunk, memory: memory) == ContactDecoder.decode(chunk))
        }
        let records = try crafted.map { try decode(String(decoding: $0, as: UTF8.self)) }
        #expect(records[0].attributes == [.init(key: "k", value: "w")])
        #expect(records[1].queueARN == arn.replacingOccurrences(of: "abcd", with: "abce") + "0000-1111-2222-3333")
        #expect(records[2].attributes == [.init(key: "n", value: "5"), .init(key: "z", value: nil), .init(key: "o", value: #"{"x":[1]}"#), .init(key: "k", value: "w")])
        #expect(records[3].agentARN == arn + "Agent-0001-0002-0003")
    }

    /// The delivered object is stored as it came when it already is what the database stores.
    @Test func attributesOfStringsAreStoredAsDelivered() throws {
        let verbatim = #"{"b": "x\u00e9", "a" :null}"#
        #expect(try decode(#"{"ContactId":"a","Attributes":\#(verbatim)}"#).attributesJSON == verbatim)
        let r = try decode(#"{"ContactId":"a","Attributes":{"b":"x","b":"y"}}"#)
        #expect(r.attributesJSON == #"{"b":"y"}"#)
    }
}
