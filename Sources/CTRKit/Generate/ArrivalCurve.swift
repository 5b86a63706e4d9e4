/// Spreads journey start times over the export window along a daily curve: busy 9-17
/// local time, quiet at night, weekends at about a third of a weekday. Times come out in
/// increasing order and are never stored: journey `i` of `n` starts at the curve's
/// inverse CDF of `(i + jitter) / n` (stratified sampling), so a run of any size walks
/// the window once with constant memory.
struct ArrivalCurve {
    let startMilliseconds: Int64
    /// Cumulative share of all journeys up to the end of each hour of the window.
    private let cumulative: [Double]
    private var slot = 0

    /// Relative volume for each local hour of a weekday.
    static let hourlyWeights: [Double] = [
        0.04, 0.03, 0.03, 0.03, 0.04, 0.08, 0.15, 0.35, 0.70, 1.00, 1.00, 1.00,
        0.85, 0.85, 1.00, 1.00, 0.95, 0.70, 0.45, 0.35, 0.25, 0.15, 0.08, 0.05,
    ]
    static let weekendFactor = 0.35

    init(startMilliseconds: Int64, days: Int) {
        self.startMilliseconds = startMilliseconds
        var weights: [Double] = []
        weights.reserveCapacity(days * 24)
        for hour in 0..<(days * 24) {
            let localSeconds = startMilliseconds / 1000 + Int64(hour) * 3600 + Int64(ContactCenter.localOffsetHours) * 3600
            let localDay = floorDiv(localSeconds, 86_400)
            let localHour = Int((localSeconds - localDay * 86_400) / 3600)
            // 1970-01-01 was a Thursday: weekday 0 is Sunday.
            let weekday = Int((localDay % 7 + 7 + 4) % 7)
            let weekend = weekday == 0 || weekday == 6
            weights.append(ArrivalCurve.hourlyWeights[localHour] * (weekend ? ArrivalCurve.weekendFactor : 1))
        }
        let total = weights.reduce(0, +)
        var running = 0.0
        cumulative = weights.map { running += $0 / total; return running }
    }

    /// The start of journey `index` of `count`; call with increasing indexes.
    mutating func start(index: Int, of count: Int, jitter: Double) -> Int64 {
        let u = min((Double(index) + jitter) / Double(count), 0.999_999_999)
        while slot < cumulative.count - 1 && cumulative[slot] <= u { slot += 1 }
        let below = slot == 0 ? 0 : cumulative[slot - 1]
        let fraction = (u - below) / max(cumulative[slot] - below, 1e-12)
        let second = Int64(slot) * 3600 + min(Int64(fraction * 3600), 3599)
        return startMilliseconds + second * 1000
    }
}
