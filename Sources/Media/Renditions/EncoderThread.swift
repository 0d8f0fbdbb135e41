import CFFmpeg
import Foundation

/// Work handed from the decode thread to one rendition's encoder thread: the one place where FFmpeg objects cross
/// threads. Each item owns its own reference (`av_frame_ref` / `av_packet_ref`, made by `RenditionWriter` just for the
/// item) to the decoder's buffers, so the decoder may reuse its frame at once.
///
/// `@unchecked Sendable` because `Frame` and `Packet` are not Sendable. Safe because each item has one owner at a time:
/// it is created on the decode thread and passed to `EncoderThread.send` without the creator keeping the `Frame` or
/// `Packet`; it then sits in the thread's queue (under its lock) until the encoder thread takes it out, uses it and
/// frees it. The buffers it shares with the decoder are reference-counted by FFmpeg (thread-safe) and never written:
/// the encoder scales from them into its own picture. (A `sending` parameter cannot express this: the checker sees
/// that the new reference was made from the decoder's frame and, rightly, cannot know FFmpeg's buffers are
/// reference-counted.)
enum EncoderItem: @unchecked Sendable {
    case video(Frame)
    case audio(Packet, timeBase: AVRational, origin: Int64)
    /// Finish the output (flush, trailer, rename), then end.
    case finish
    /// End without finishing the output (the pass failed); the partial file is removed by its owner.
    case abort
}

/// A dedicated thread that runs one rendition's scale + encode + mux, fed through a small bounded queue
/// (back-pressure: the decoder waits when an encoder falls behind, so memory stays bounded).
///
/// `@unchecked Sendable` because it is shared by the decode thread and its encoder thread, and is safe because
/// every stored `var` (`items`, `failure`, `done`) is read and written only while `condition` is locked, and the
/// rest is immutable. It is not a `Mutex` because both sides wait on the same lock (a full or an empty queue, the
/// end of the thread), which needs a condition variable.
final class EncoderThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [EncoderItem] = []
    private var failure: MediaError?
    private var done = false
    private let capacity: Int

    /// - handle: runs on the encoder thread for each item, in order; a thrown error stops the thread. It is the only
    ///   code that touches an item after `send`.
    init(name: String, capacity: Int = 4, handle: @escaping @Sendable (EncoderItem) throws(MediaError) -> Void) {
        self.capacity = capacity
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while items.isEmpty { condition.wait() }
                let item = items.removeFirst()
                condition.broadcast()
                condition.unlock()
                if case .abort = item { return end(failure: nil) }
                do throws(MediaError) {
                    try handle(item)
                } catch {
                    return end(failure: error)
                }
                if case .finish = item { return end(failure: nil) }
            }
        }
        thread.name = "reel-encode-\(name)"
        thread.stackSize = 8 << 20
        // Not stored: the running thread keeps itself (and this object, through its block) alive until it ends,
        // then everything it holds — the encoder and its FFmpeg contexts — is released. Storing it would be a cycle.
        thread.start()
    }

    /// Called by the encoder thread as it ends: records its error, drops what is still queued, wakes every waiter.
    private func end(failure error: MediaError?) {
        condition.lock()
        failure = error
        items.removeAll()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Queues an item, waiting while the queue is full. Throws the encoder's error if it has failed.
    func send(_ item: EncoderItem) throws(MediaError) {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !done { condition.wait() }
        if let failure { throw failure }
        guard !done else { return }
        items.append(item)
        condition.broadcast()
    }

    /// Sends `finish` and waits for the thread to end; rethrows its error.
    func finish() throws(MediaError) {
        try send(.finish)
        try wait()
    }

    /// Waits for the thread to end (after `finish`, an error, or `abandon`).
    func wait() throws(MediaError) {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        if let failure { throw failure }
    }

    /// Stops the thread without finishing the output (the pass failed): queued work is dropped.
    func abandon() {
        condition.lock()
        if !done {
            items.removeAll()
            items.append(.abort)
            condition.broadcast()
            while !done { condition.wait() }
        }
        condition.unlock()
    }
}
