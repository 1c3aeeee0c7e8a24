import CommonCartridge
import Foundation
package import HoclieuCore
import HoclieuStorage
package import Logging
package import ServiceLifecycle
import Synchronization

/// What an import job works on: an uploaded cartridge in the blob store.
package struct ImportJobInput: Codable, Sendable {
    package var contentID: ContentID
    package var fileName: String
    package var options: CartridgeImportOptions

    package init(contentID: ContentID, fileName: String, options: CartridgeImportOptions) {
        self.contentID = contentID
        self.fileName = fileName
        self.options = options
    }
}

/// Runs queued jobs (cartridge imports and exports), one at a time per node, outside any request.
///
/// Jobs live in the database: any node may claim a queued job, progress is written every half second
/// (which is also how a node learns that a job was asked to stop), and a job whose node died (no
/// progress for `staleAfter`, ``ServerConfiguration/jobStaleAfter``) is queued again. Imports are atomic and idempotent, so running one again is safe.
package struct JobService: Service {
    static let kinds: Set<String> = ["import", "export", "push", "harvest", "backup"]
    let repository: Services
    let logger: Logger
    /// How `harvest` jobs reach remote repositories.
    var harvestFetcher: any HarvestFetcher = URLSessionHarvestFetcher()
    var pollInterval: Duration = .milliseconds(200)
    var staleAfter: TimeInterval = 60

    package init(repository: Services, logger: Logger) {
        self.repository = repository
        self.logger = logger
        staleAfter = repository.configuration.jobStaleAfter
    }

    package func run() async throws {
        var lastRequeue = Date.distantPast
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if Date().timeIntervalSince(lastRequeue) > staleAfter / 2 {
                lastRequeue = Date()
                if let n = try? await repository.store.requeueStaleJobs(before: Date(timeIntervalSinceNow: -staleAfter)), n > 0 {
                    logger.warning("stale jobs queued again", metadata: ["hoclieu.jobs": "\(n)"])
                }
            }
            guard let job = try? await repository.store.claimJob(kinds: Self.kinds) else {
                try? await Task.sleep(for: pollInterval)
                continue
            }
            await execute(job)
        }
    }

    /// Runs one claimed job to its end.
    func execute(_ job: Job) async {
        let store = repository.store
        let progress = Mutex(0.0)
        let stop = Mutex(false)
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                if let now = try? await store.updateJobProgress(id: job.id, progress: progress.withLock { $0 }), now.status == .cancelling {
                    stop.withLock { $0 = true }
                }
            }
        }
        defer { heartbeat.cancel() }
        var logger = logger
        logger[metadataKey: "hoclieu.job.id"] = "\(job.id)"
        // The uploaded cartridge is not kept once its import has ended, however it ended.
        // A pushed file stays only when a material refers to it (a cartridge's archive never does).
        let upload =
            job.kind == "import"
            ? (try? HoclieuJSON.decoder().decode(ImportJobInput.self, from: job.input))?.contentID
            : job.kind == "push" ? (try? HoclieuJSON.decoder().decode(PushJobInput.self, from: job.input))?.contentID : nil
        do {
            let result: Data
            switch job.kind {
            case "import":
                let input = try HoclieuJSON.decoder().decode(ImportJobInput.self, from: job.input)
                let report = try await repository.importCartridge(
                    at: repository.blobs.url(for: input.contentID), fileName: input.fileName, ownerID: job.ownerID, options: input.options,
                    progress: { value in progress.withLock { $0 = value } }, isCancelled: { stop.withLock { $0 } })
                result = try HoclieuJSON.encoder().encode(report)
                logger.info("cartridge imported", metadata: ["hoclieu.created": "\(report.created)", "hoclieu.unchanged": "\(report.unchanged)"])
            case "export":
                let input = try HoclieuJSON.decoder().decode(ExportJobInput.self, from: job.input)
                let export = try await repository.exportCartridge(
                    input.selection, format: input.format, target: input.target, user: try await owner(job),
                    progress: { value in progress.withLock { $0 = value } }, isCancelled: { stop.withLock { $0 } })
                result = try HoclieuJSON.encoder().encode(export)
            case "push":
                let input = try HoclieuJSON.decoder().decode(PushJobInput.self, from: job.input)
                let pushed = try await repository.push(input, by: try await owner(job), progress: { value in progress.withLock { $0 = value } })
                result = try HoclieuJSON.encoder().encode(pushed)
                logger.info("push ingested", metadata: ["hoclieu.items": "\(pushed.items.count)", "hoclieu.push.as": "\(pushed.treatedAs)"])
            case "harvest":
                let input = try HoclieuJSON.decoder().decode(HarvestJobInput.self, from: job.input)
                let report = try await repository.harvestNow(input.repositoryID, fetcher: harvestFetcher)
                result = try HoclieuJSON.encoder().encode(report)
                logger.info(
                    "harvest run", metadata: ["hoclieu.harvest.repository": "\(report.repository)", "hoclieu.harvest.created": "\(report.created)"])
            case "backup":
                let report = try await repository.backupIntoFolder(by: try await owner(job))
                result = try HoclieuJSON.encoder().encode(report)
                logger.info("backup written", metadata: ["hoclieu.backup.file": "\(report.file)", "hoclieu.backup.bytes": "\(report.bytes)"])
            default:
                throw AppError(.invalid, code: "unknown-job-kind", vi: "Loại việc không rõ: \(job.kind).", en: "Unknown job kind: \(job.kind).")
            }
            try await store.finishJob(id: job.id, status: .succeeded, result: result, error: nil)
        } catch let error where error is CancellationError || stop.withLock({ $0 }) {
            logger.info("job cancelled")
            try? await store.finishJob(id: job.id, status: .cancelled, result: nil, error: "Đã huỷ / Cancelled")
        } catch {
            logger.warning("job failed", metadata: ["hoclieu.error": "\(error)"])
            try? await store.finishJob(id: job.id, status: .failed, result: nil, error: Self.explain(error))
        }
        if let upload { await repository.discard([StoredBlob(contentID: upload, byteSize: 0, isNew: true)]) }
    }

    private func owner(_ job: Job) async throws -> User {
        guard let user = try await repository.store.user(id: job.ownerID) else { throw StoreError.notFound("user \(job.ownerID)") }
        return user
    }

    /// The bilingual text of a job's failure (never a stack of internals).
    static func explain(_ error: any Error) -> String {
        // An unexpected error's text stays in the log (with the job id); the owner reads a plain sentence.
        ErrorText.bilingual(error) ?? "Lỗi khi xử lý; chi tiết ở nhật ký máy chủ. / Processing failed; the details are in the server log."
    }
}
