import Testing
@testable import CTRKit

@Suite struct ResyncTests {
    private func restart(_ text: String) -> Int? { Resync.restartPosition(in: [UInt8](text)) }

    @Test func findsARecordStartAfterTruncation() {
        let text = #"{"ContactId":"a","Channel":"VOI{"ContactId":"b"}"#
        #expect(restart(text) == text.utf8.count - #"{"ContactId":"b"}"#.utf8.count)
    }

    @Test func skipsNestedObjectsAfterColonCommaOrBracket() {
        #expect(restart(#"{"a":{"b":1},"c":[{"d":2}, {"e":3}]"#) == nil)
        #expect(restart(#"{"a": {"b":1}, "c":[ {"d":2} ]"#) == nil)
    }

    @Test func needsAnObjectOpeningBrace() {
        // `{` followed by something other than a key or `}` is not a record start.
        #expect(restart(#"{"a":"x{y"#) == nil)
        #expect(restart(#"{"a":"x{ 1"#) == nil)
        #expect(restart(#"{"a":"x{}"#) == 7)
        #expect(restart("{\"a\":\"x{ \n \"k\":1}") == 7)
    }

    @Test func neverRestartsAtTheFirstByte() {
        #expect(restart(#"{"a":1}"#) == nil)
        #expect(restart("{") == nil)
        #expect(restart("") == nil)
    }

    @Test func whitespaceBeforeTheBraceDoesNotHideAColon() {
        #expect(restart("{\"a\":  \n {\"b\":1}") == nil)
        #expect(restart("{\"a\":\"v\"\n{\"b\":1}") == 9)
    }
}

extension ResyncTests {
    @Test func openEndCountsOnlyWhenAllowed() {
        let bytes = [UInt8]("{\"a\":\"trunc{\n  ")
        #expect(Resync.restartPosition(in: bytes) == nil)
        #expect(Resync.restartPosition(in: bytes, allowingOpenEnd: true) == 11)
        #expect(Resync.restartPosition(in: [UInt8]("{\"a\": {  "), allowingOpenEnd: true) == nil)
    }
}
