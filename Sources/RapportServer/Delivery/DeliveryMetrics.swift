import Prometheus

/// The delivery worker's metrics: messages sent, failed for good, retried, and the queue length.
public final class DeliveryMetrics: Sendable {
    private let sentEmail: Counter
    private let sentHardCopy: Counter
    private let failedCounter: Counter
    private let retriedCounter: Counter
    private let queuedGauge: Gauge

    public init(registry: PrometheusCollectorRegistry) {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "rapport", metricName: metric, unitName: unit, helpText: help)
        }
        let sent = name(
            "delivery_sent",
            "total",
            "Deliveries done: e-mails accepted by the relay, hard copies written."
        )
        self.sentEmail = registry.makeCounter(descriptor: sent, labels: [("channel", "email")])
        self.sentHardCopy = registry.makeCounter(descriptor: sent, labels: [("channel", "hard_copy")])
        self.failedCounter = registry.makeCounter(
            descriptor: name("delivery_failed", "total", "Deliveries failed for good (5xx, no address, tries used up).")
        )
        self.retriedCounter = registry.makeCounter(
            descriptor: name("delivery_retried", "total", "Temporary delivery failures put back for a later try.")
        )
        self.queuedGauge = registry.makeGauge(
            descriptor: name("delivery_queued", "items", "Deliveries waiting or being sent (delivery_outbox).")
        )
    }

    func sent(hardCopy: Bool) { (hardCopy ? self.sentHardCopy : self.sentEmail).increment() }
    func failed() { self.failedCounter.increment() }
    func retried() { self.retriedCounter.increment() }
    func queued(_ count: Int) { self.queuedGauge.set(Double(count)) }
}
