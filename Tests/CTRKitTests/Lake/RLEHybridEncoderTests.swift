import Testing
@testable import CTRKit

@Suite struct RLEHybridEncoderTests {
    @Test func aLongRunIsOneRLERun() {
        // varint(100 << 1) = 0xC8 0x01, then the value in one byte
        #expect(RLEHybridEncoder.encode(Array(repeating: 1, count: 100), bitWidth: 1) == [0xC8, 0x01, 0x01])
    }

    @Test func fewValuesAreOnePaddedBitPackedGroup() {
        // header (1 group << 1 | 1) = 3; 1,0,1 packed from the low bit: 0b101
        #expect(RLEHybridEncoder.encode([1, 0, 1], bitWidth: 1) == [0x03, 0x05])
    }

    @Test func theSpecificationsBitWidth3Example() {
        // Encodings.md: 0 through 7 with bit width 3 pack into 10001000 11000110 11111010
        #expect(RLEHybridEncoder.encode([0, 1, 2, 3, 4, 5, 6, 7], bitWidth: 3) == [0x03, 0x88, 0xC6, 0xFA])
    }

    @Test func literalsAreToppedUpToEightBeforeARun() {
        // 1,0,1 then twenty 1s (a run of 21 with the last 1): six complete the group (0b11111101), fifteen are a run
        #expect(RLEHybridEncoder.encode([1, 0, 1] + Array(repeating: 1, count: 20), bitWidth: 1) == [0x03, 0xFD, 0x1E, 0x01])
    }

    @Test func aShortRemainderAfterTheTopUpStaysLiteral() {
        // 1,0,1 then ten 1s (a run of 11): six top the group up, five are too few for a run and start the next group
        let bytes = RLEHybridEncoder.encode([1, 0, 1] + Array(repeating: 1, count: 10), bitWidth: 1)
        #expect(bytes == [0x05, 0xFD, 0x1F])
    }

    @Test func lengthPrefixIsFourBytesLittleEndian() {
        #expect(RLEHybridEncoder.lengthPrefixed(Array(repeating: 0, count: 9), bitWidth: 1) == [0x02, 0x00, 0x00, 0x00, 0x12, 0x00])
    }

    @Test func randomLevelsDecodeToThemselves() throws {
        var random = SplitMix64(seed: 11)
        for trial in 0..<200 {
            let count = Int(random.next() % 300) + 1
            let bitWidth = trial % 3 == 0 ? 1 : Int(random.next() % 8) + 1
            var values: [UInt8] = []
            while values.count < count {
                let value = UInt8(random.next() % (UInt64(1) << bitWidth))
                let run = random.next() % 4 == 0 ? Int(random.next() % 40) : 1
                values.append(contentsOf: repeatElement(value, count: min(run, count - values.count)))
            }
            let encoded = RLEHybridEncoder.encode(values, bitWidth: bitWidth)
            #expect(try decodeRLEHybrid(encoded, bitWidth: bitWidth, count: values.count) == values, "trial \(trial)")
        }
    }
}
