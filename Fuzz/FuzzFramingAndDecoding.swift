// The libFuzzer target of `make fuzz`: framing and decoding of arbitrary bytes, compressed
// or not. Built with -sanitize=fuzzer,address from the Read, Frame and Decode stages only
// (see the Makefile). Any crash, hang, memory error or broken invariant is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFramingAndDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let problems = StreamInvariants.violations(of: Array(UnsafeBufferPointer(start: data, count: size)))
    precondition(problems.isEmpty, problems.joined(separator: "; "))
    return 0
}
