import Synchronization

/// `body`'s result, or `onTimeout()`'s error once `timeout` has passed, whichever comes first.
///
/// Unlike a task group, it does not wait for `body` to notice cancellation: a database call stuck on a pool that keeps
/// retrying a refused connection (or awaiting another task's value, which cancellation does not interrupt) is cancelled
/// and left to end on its own, while the caller gets its answer on time.
public func withTimeLimit<T: Sendable>(
    _ timeout: Duration, onTimeout: @escaping @Sendable () -> any Error, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let work = Task { try await body() }
    let first = FirstCaller()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            // Whichever of the two ends first resumes the caller; the other is then ignored.
            Task {
                let result = await work.result
                if first.claim() { continuation.resume(with: result) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                if first.claim() {
                    work.cancel()
                    continuation.resume(throwing: onTimeout())
                }
            }
        }
    } onCancel: {
        work.cancel()
    }
}

/// True for the first caller of ``claim()`` only.
private final class FirstCaller: Sendable {
    private let done = Mutex(false)

    func claim() -> Bool {
        done.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
