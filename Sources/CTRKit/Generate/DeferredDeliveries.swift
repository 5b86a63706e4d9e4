/// A delivery due days after its journey, kept as the few numbers that rebuild it.
struct DeferredDelivery {
    var arrival: Int64
    var journey: Int
    var start: Int64
    /// Its index in the journey's delivery plan.
    var ordinal: Int

    /// Arrival first; ties in a fixed order so runs stay byte-identical.
    func precedes(_ other: DeferredDelivery) -> Bool {
        (arrival, journey, ordinal) < (other.arrival, other.journey, other.ordinal)
    }
}

/// Late updates waiting for their arrival time: a binary min-heap. Bounded by the late
/// updates of at most six days of journeys, at 32 bytes each (the records themselves are
/// rebuilt when due, not held).
struct DeferredDeliveries {
    private var heap: [DeferredDelivery] = []

    var count: Int { heap.count }

    mutating func push(_ item: DeferredDelivery) {
        heap.append(item)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest item if it arrives before `time` (nil `time`: any).
    mutating func popEarliest(before time: Int64?) -> DeferredDelivery? {
        guard let first = heap.first, time.map({ first.arrival < $0 }) ?? true else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
