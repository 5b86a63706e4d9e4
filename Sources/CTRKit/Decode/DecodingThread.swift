import Foundation

/// The thread that reads, frames and decodes a run's inputs, one file after another, beside the
/// loading thread (`PrefetchingStream`): the two halves of the pipeline each get a core.
///
/// Files are opened ahead and wait their turn here, so the loader can spend a while on other
/// work (a step of the chain stage) while the files after the current one are decoded. Memory
/// is bounded by the records waiting, whatever the files: at most `maxWaitingRecords` over all
/// the streams, as many as the two streams of one file ahead could hold before.
///
/// One thread also keeps the records' memory in one of the C library's allocation arenas: with a
/// thread per file decoded ahead, each file's records came from an arena of its own, and what
/// the loader freed there stayed with that arena: eight files ahead took 233 MB at peak in a
/// 7-day first load, against 177 MB with this one thread and 173 MB with one file ahead.
final class DecodingThread {
    static let maxWaitingRecords = 4_096

    /// Guards the jobs and every stream's batches: one lock for the whole pipeline, taken once
    /// per batch of records.
    let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var finished = false
    /// Records decoded and not yet taken by the loader, over all streams (under `condition`).
    var waitingRecords = 0

    init() {
        let thread = Thread { [condition] in
            while true {
                condition.lock()
                while self.jobs.isEmpty && !self.finished { condition.wait() }
                if self.jobs.isEmpty {
                    condition.unlock()
                    return
                }
                let job = self.jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
        thread.name = "ctrdb.decode"
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Runs `job` after the jobs submitted before it.
    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// Lets the thread end once its jobs are done (each ends when its stream is read or cancelled).
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
