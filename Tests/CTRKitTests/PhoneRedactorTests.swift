import Foundation
import Testing
@testable import CTRKit
import TestSupport

struct PhoneRedactorTests {
    let key = try! PhoneRedactor(keyMaterial: "a-test-key-of-some-length")

    @Test func tokenIsKeyedAndStable() throws {
        let other = try PhoneRedactor(keyMaterial: "another-key")
        #expect(key.token(for: "+15555550100") == key.token(for: "+15555550100"))
        #expect(key.token(for: "+15555550100") != key.token(for: "+15555550101"))
        #expect(key.token(for: "+15555550100") != other.token(for: "+15555550100"))
        #expect(key.token(for: "+15555550100").hasPrefix("phone:"))
        #expect(key.token(for: "+15555550100").count == "phone:".count + 32)
        #expect(key.keyCheck != other.keyCheck)
    }

    @Test func emptyKeyIsRefused() {
        #expect(throws: PhoneRedactor.Failure.emptyKey) { try PhoneRedactor(keyMaterial: " \n") }
    }

    @Test func redactsEndpointRawTextAndRepeatedAttribute() throws {
        let text = ctr("c1", attributes: ["callbackNumber": "+15555550100", "note": "call +15555550100 back"],
                       extra: #","CustomerEndpoint":{"Address":"+15555550100","Type":"TELEPHONE_NUMBER"}"#)
        let record = key.redact(try decode(text))
        let token = key.token(for: "+15555550100")
        #expect(record.customerAddress == token)
        #expect(!record.rawJSON.contains("\"+15555550100\""))
        #expect(record.rawJSON.contains("\"\(token)\""))
        #expect(record.attributes.first { $0.key == "callbackNumber" }?.value == token)
        // Free text that merely contains the number is not a whole string: left as it is.
        #expect(record.attributes.first { $0.key == "note" }?.value == "call +15555550100 back")
        // The rewritten raw text still decodes, and its hash is the hash of what is stored.
        let again = try decode(record.rawJSON)
        #expect(again.customerAddress == token)
        #expect(record.contentHash == RecordFramer.contentHash(of: Array(record.rawJSON.utf8)))
    }

    @Test func databaseRemembersRedactionAndRefusesOtherKeys() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("r.db")
        let first = try folder.write("a.json", ctr("c1", extra: #","CustomerEndpoint":{"Address":"+15555550100","Type":"TELEPHONE_NUMBER"}"#))
        let second = try folder.write("b.json", ctr("c2", extra: #","CustomerEndpoint":{"Address":"+15555550100","Type":"TELEPHONE_NUMBER"}"#))
        var options = IngestOptions()
        options.redactPhones = true
        options.redactor = key
        _ = try Ingest(databasePath: db, options: options).run(inputs: [first])

        // A later run without the flag still redacts, given the key; without a key it refuses.
        #expect(throws: RedactionPolicy.Failure.keyRequired) { _ = try Ingest(databasePath: db).run(inputs: [second]) }
        var otherKey = IngestOptions()
        otherKey.redactor = try PhoneRedactor(keyMaterial: "another-key")
        #expect(throws: RedactionPolicy.Failure.differentKey) { _ = try Ingest(databasePath: db, options: otherKey).run(inputs: [second]) }
        var sameKey = IngestOptions()
        sameKey.redactor = key
        _ = try Ingest(databasePath: db, options: sameKey).run(inputs: [second])

        let addresses = try rows(db, "SELECT DISTINCT customer_address FROM contacts")
        #expect(addresses == [[key.token(for: "+15555550100")]])
        #expect(try rows(db, "SELECT COUNT(*) FROM contact_versions WHERE raw_json LIKE '%5555550100%'") == [["0"]])
        #expect(try rows(db, "SELECT value FROM metadata WHERE key = 'redaction'") == [[PhoneRedactor.scheme]])
        // The key itself is stored nowhere.
        #expect(try rows(db, "SELECT COUNT(*) FROM metadata WHERE value LIKE '%a-test-key%'") == [["0"]])
    }

    @Test func redactingADatabaseWithClearNumbersIsRefused() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("r.db")
        try ingest([try folder.write("a.json", ctr("c1"))], into: db)
        var options = IngestOptions()
        options.redactPhones = true
        options.redactor = key
        #expect(throws: RedactionPolicy.Failure.databaseHoldsClearNumbers) {
            try Ingest(databasePath: db, options: options).run(inputs: [try folder.write("b.json", ctr("c2"))])
        }
    }
}
