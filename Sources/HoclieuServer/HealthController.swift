import Foundation
import HTTPTypes
import HoclieuStorage
import HoclieuApp
import HoclieuCore
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Prometheus

/// Health, readiness and metrics.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /health | anyone (liveness: the process answers and its store answers) |
/// | GET | /ready | anyone (readiness: the store answers and its schema is current; 503 problem otherwise) |
/// | GET | /metrics | anyone (loopback deployments; put behind the proxy's ACL otherwise) |
struct HealthController {
    let repository: Services
    let metrics: ServiceMetrics

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health") { _, _ in
            let stats = try await repository.store.statistics()
            return try JSONResponse(["status": "ok", "materials": "\(stats.materials)"])
        }
        router.get("/ready") { _, context in
            let backend = (try? repository.configuration.storeLocation().backend) ?? "?"
            let pending: [String]
            do {
                // A database that does not answer (a refused or hanging connection: the pool keeps retrying) is
                // "not ready" within seconds, not a request that waits for the pool.
                pending = try await withTimeLimit(Self.readyTimeout, onTimeout: { CancellationError() }) { try await repository.store.pendingMigrations() }
            } catch {
                context.logger.warning("not ready: the store does not answer", metadata: ["hoclieu.error": "\(String(reflecting: error))"])
                metrics.storeErrors(kind: "unavailable").increment()
                var problem = Problem(
                    .serviceUnavailable, "not-ready", vi: "Chưa sẵn sàng: cơ sở dữ liệu không trả lời.",
                    en: "Not ready: the database does not answer.")
                problem.headers[.retryAfter] = "5"
                throw problem
            }
            guard pending.isEmpty else {
                context.logger.warning("not ready: migrations pending", metadata: ["hoclieu.migrations.pending": "\(pending.joined(separator: ","))"])
                var problem = Problem(
                    .serviceUnavailable, "not-ready",
                    vi: "Chưa sẵn sàng: cơ sở dữ liệu chưa được nâng cấp (\(pending.count) bước).",
                    en: "Not ready: the database schema is behind this version (\(pending.count) migrations pending).",
                    hint: "Khởi động lại một nút để chạy các bước nâng cấp. / Restart one node to run the migrations: \(pending.joined(separator: ", "))")
                problem.headers[.retryAfter] = "5"
                throw problem
            }
            return try JSONResponse(["status": "ready", "store": backend, "migrations": "current"])
        }
        router.get("/metrics") { _, _ in
            let stats = try await repository.store.statistics()
            metrics.materials.set(Double(stats.materials))
            metrics.versions.set(Double(stats.versions))
            metrics.users.set(Double(stats.users))
            metrics.blobBytes.set(Double(stats.blobBytes))
            metrics.jobsQueued.set(Double(stats.jobsQueued))
            metrics.jobsRunning.set(Double(stats.jobsRunning))
            var buffer: [UInt8] = []
            metrics.registry.emit(into: &buffer)
            buffer += Array(Self.counterText(repository.counters.snapshot).utf8)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    /// How long `/ready` waits for the store.
    static let readyTimeout: Duration = .seconds(3)

    /// The harvest and push counters (kept by ``HoclieuApp`` without a metrics dependency) in the Prometheus text format.
    static func counterText(_ counts: OperationCounters.Counts) -> String {
        var lines: [String] = []
        func counter(_ name: String, _ help: String, _ samples: [(labels: String, value: Int)]) {
            lines.append("# HELP hoclieu_\(name) \(help)")
            lines.append("# TYPE hoclieu_\(name) counter")
            for sample in samples { lines.append("hoclieu_\(name)\(sample.labels) \(sample.value)") }
        }
        counter(
            "harvest_runs_total", "OAI-PMH harvest runs of this node, by result",
            [
                (#"{result="completed"}"#, counts.harvestRunsCompleted), (#"{result="stopped"}"#, counts.harvestRunsStopped),
                (#"{result="failed"}"#, counts.harvestRunsFailed),
            ])
        counter(
            "harvest_records_total", "Harvested records of this node, by outcome",
            ["created", "updated", "withdrawn", "unchanged", "skipped"].map { (#"{outcome=""# + $0 + #""}"#, counts.harvestRecords[$0] ?? 0) })
        counter(
            "pushes_total", "LMS pushes run by this node, by how the file was treated (failed: the push failed)",
            ["cartridge", "questions", "file"].map { (#"{treated_as=""# + $0 + #""}"#, counts.pushes[$0] ?? 0) }
                + [(#"{treated_as="failed"}"#, counts.pushesFailed)])
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The service's Prometheus collectors (one registry per application, so tests do not share counts).
struct ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let materials: Gauge
    let versions: Gauge
    let users: Gauge
    let blobBytes: Gauge
    let jobsQueued: Gauge
    let jobsRunning: Gauge

    init() {
        func gauge(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "hoclieu", metricName: name, unitName: unit, helpText: help)
        }
        materials = registry.makeGauge(descriptor: gauge("materials", "", "Materials in the store"))
        versions = registry.makeGauge(descriptor: gauge("material_versions", "", "Material versions in the store"))
        users = registry.makeGauge(descriptor: gauge("users", "", "User accounts"))
        blobBytes = registry.makeGauge(descriptor: gauge("blob", "bytes", "Bytes of stored files"))
        jobsQueued = registry.makeGauge(descriptor: gauge("jobs_queued", "", "Background jobs waiting to be claimed (all nodes)"))
        jobsRunning = registry.makeGauge(descriptor: gauge("jobs_running", "", "Background jobs being run (all nodes)"))
    }

    /// Errors from the store that reached a request, by kind (`not_found`, `conflict`, `invalid`: the store refused;
    /// `database`: the database itself failed; `unavailable`: it did not answer a request or `/ready`).
    func storeErrors(kind: String) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "hoclieu", metricName: "store_errors", unitName: "total", helpText: "Store errors met by requests"),
            labels: [("kind", kind)])
    }

    func requests(method: String, status: Int) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "hoclieu", metricName: "http_requests", unitName: "total", helpText: "HTTP requests served"),
            labels: [("method", method), ("status", String(status))])
    }

    /// Time to the response head, per route template (`/api/v1/materials/{pid}`, never the raw path: the label set stays
    /// small) and method.
    func duration(route: String, method: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "hoclieu", metricName: "http_request_duration", unitName: "seconds", helpText: "Time to produce the response head"),
            labels: [("route", route), ("method", method)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10)])
    }
}

/// Counts requests and times them, per route template.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let method = request.method.rawValue
        metrics.requests(method: method, status: response.status.code).increment()
        // The router fills the matched template in (a shared box); unmatched requests share one label.
        let route = context.endpointPath ?? "unmatched"
        metrics.duration(route: route == "NotFound" ? "unmatched" : route, method: method).record(ContinuousClock.now - start)
        return response
    }
}

/// Counts the store errors that reach a request (``ServiceMetrics/storeErrors(kind:)``), then lets them go on
/// to the problem mapping.
struct StoreErrorMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let kind = Self.kind(of: error) { metrics.storeErrors(kind: kind).increment() }
            throw error
        }
    }

    /// The kind of a store error; nil for other errors. A database driver's own error (GRDB's, PostgresNIO's) is `database`.
    static func kind(of error: any Error) -> String? {
        if let error = error as? StoreError {
            switch error {
            case .notFound: return "not_found"
            case .conflict: return "conflict"
            case .invalid: return "invalid"
            }
        }
        if error is StoreUnavailableError { return "unavailable" }
        let type = String(reflecting: Swift.type(of: error))
        return type.hasPrefix("GRDB.") || type.hasPrefix("PostgresNIO.") ? "database" : nil
    }
}
