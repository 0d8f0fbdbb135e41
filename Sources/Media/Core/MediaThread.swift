import Foundation

/// Runs blocking C work on a dedicated thread, never on Swift's cooperative pool (which has one thread per
/// core and also serves HTTP and timers). Task cancellation is passed to the work as a flag.
enum MediaThread {
    static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable (CancellationFlag) throws(MediaError) -> T) async throws(MediaError) -> T {
        let flag = CancellationFlag()
        let result: Result<T, MediaError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, MediaError>, Never>) in
                let thread = Thread {
                    do throws(MediaError) {
                        continuation.resume(returning: .success(try work(flag)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
                thread.name = "reel-media-\(name)"
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
        return try result.get()
    }
}
