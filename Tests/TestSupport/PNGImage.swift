import CZlib
import Foundation

/// Enough of PNG to look at a screenshot: 8-bit RGB or RGBA, not interlaced (what Chromium
/// writes), inflated with zlib and unfiltered into pixels.
public struct PNGImage {
    public let width: Int
    public let height: Int
    /// Every pixel as 0xRRGGBB (alpha dropped), row by row.
    public let pixels: [UInt32]

    public struct Unsupported: Error, CustomStringConvertible { public var description: String }

    public init(_ bytes: [UInt8]) throws {
        guard bytes.count > 33, bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { throw Unsupported(description: "not a PNG") }
        func uint32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        var position = 8
        var header: ArraySlice<UInt8> = []
        var compressed: [UInt8] = []
        while position + 8 <= bytes.count {
            let length = uint32(position)
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            let data = bytes[(position + 8)..<(position + 8 + length)]
            if type == "IHDR" { header = data }
            if type == "IDAT" { compressed += data }
            if type == "IEND" { break }
            position += 12 + length
        }
        guard header.count == 13 else { throw Unsupported(description: "no IHDR") }
        let h = Array(header)
        width = Int(h[0]) << 24 | Int(h[1]) << 16 | Int(h[2]) << 8 | Int(h[3])
        height = Int(h[4]) << 24 | Int(h[5]) << 16 | Int(h[6]) << 8 | Int(h[7])
        guard h[8] == 8, h[9] == 2 || h[9] == 6, h[12] == 0 else {
            throw Unsupported(description: "bit depth \(h[8]), colour type \(h[9]), interlace \(h[12])")
        }
        let channels = h[9] == 6 ? 4 : 3
        let stride = width * channels
        let raw = try PNGImage.inflate(compressed, expected: height * (stride + 1))
        var previous = [UInt8](repeating: 0, count: stride)
        var pixels: [UInt32] = []
        pixels.reserveCapacity(width * height)
        for row in 0..<height {
            let start = row * (stride + 1)
            let filter = raw[start]
            var line = Array(raw[(start + 1)...(start + stride)])
            for i in 0..<stride {
                let left = i >= channels ? Int(line[i - channels]) : 0
                let up = Int(previous[i])
                let upLeft = i >= channels ? Int(previous[i - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = left
                case 2: predictor = up
                case 3: predictor = (left + up) / 2
                case 4:
                    let p = left + up - upLeft
                    let (pa, pb, pc) = (abs(p - left), abs(p - up), abs(p - upLeft))
                    predictor = pa <= pb && pa <= pc ? left : (pb <= pc ? up : upLeft)
                default: throw Unsupported(description: "filter \(filter)")
                }
                line[i] = UInt8((Int(line[i]) + predictor) & 0xFF)
            }
            for x in 0..<width {
                let p = x * channels
                pixels.append(UInt32(line[p]) << 16 | UInt32(line[p + 1]) << 8 | UInt32(line[p + 2]))
            }
            previous = line
        }
        self.pixels = pixels
    }

    /// The left `columns` of the image (a narrow viewport's part of a wider screenshot).
    public func leftColumns(_ columns: Int) -> PNGImage {
        let kept = min(columns, width)
        var pixels: [UInt32] = []
        for row in 0..<height { pixels += self.pixels[(row * width)..<(row * width + kept)] }
        return PNGImage(width: kept, height: height, pixels: pixels)
    }

    private init(width: Int, height: Int, pixels: [UInt32]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The share of pixels that differ from the most common colour (the background).
    public var nonBackgroundShare: Double {
        var counts: [UInt32: Int] = [:]
        for pixel in pixels { counts[pixel, default: 0] += 1 }
        let background = counts.values.max() ?? 0
        return pixels.isEmpty ? 0 : Double(pixels.count - background) / Double(pixels.count)
    }

    public var colourCount: Int { Set(pixels).count }

    private static func inflate(_ input: [UInt8], expected: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_inflateInit2(&stream, 15) == Z_OK else { throw Unsupported(description: "zlib") }
        defer { inflateEnd(&stream) }
        var input = input
        var output = [UInt8](repeating: 0, count: expected)
        let status = input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out -> Int32 in
                stream.next_in = inp.baseAddress
                stream.avail_in = uInt(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == expected else {
            throw Unsupported(description: "inflate ended with \(status) after \(stream.total_out) of \(expected) bytes")
        }
        return output
    }
}
