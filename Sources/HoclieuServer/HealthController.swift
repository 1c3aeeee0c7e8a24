import Foundation
import HTTPTypes
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Prometheus

/// Health and metrics.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /health | anyone |
/// | GET | /metrics | anyone (loopback deployments; put behind the proxy's ACL otherwise) |
struct HealthController {
    let repository: Services
    let metrics: ServiceMetrics

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health") { _, _ in
            let stats = try await repository.store.statistics()
            return try JSONResponse(["status": "ok", "materials": "\(stats.materials)"])
        }
        router.get("/metrics") { _, _ in
            let stats = try await repository.store.statistics()
            metrics.materials.set(Double(stats.materials))
            metrics.versions.set(Double(stats.versions))
            metrics.users.set(Double(stats.users))
            metrics.blobBytes.set(Double(stats.blobBytes))
            var buffer: [UInt8] = []
            metrics.registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}

/// The service's Prometheus collectors (one registry per application, so tests do not share counts).
struct ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let materials: Gauge
    let versions: Gauge
    let users: Gauge
    let blobBytes: Gauge

    init() {
        func gauge(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "hoclieu", metricName: name, unitName: unit, helpText: help)
        }
        materials = registry.makeGauge(descriptor: gauge("materials", "", "Materials in the store"))
        versions = registry.makeGauge(descriptor: gauge("material_versions", "", "Material versions in the store"))
        users = registry.makeGauge(descriptor: gauge("users", "", "User accounts"))
        blobBytes = registry.makeGauge(descriptor: gauge("blob", "bytes", "Bytes of stored files"))
    }

    func requests(method: String, status: Int) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "hoclieu", metricName: "http_requests", unitName: "total", helpText: "HTTP requests served"),
            labels: [("method", method), ("status", String(status))])
    }

    func duration(method: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "hoclieu", metricName: "http_request_duration", unitName: "seconds", helpText: "Time to produce the response head"),
            labels: [("method", method)],
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10)])
    }
}

/// Counts requests and times them.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let method = request.method.rawValue
        metrics.requests(method: method, status: response.status.code).increment()
        metrics.duration(method: method).record(ContinuousClock.now - start)
        return response
    }
}
