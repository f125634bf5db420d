using Prometheus;

namespace AnomalyClip.Server.Observability;

/// <summary>
/// The service's Prometheus metrics, in a registry of their own (one per server, so servers in one process, as in
/// tests, do not mix their counts), exposed at <c>/metrics</c>.
/// </summary>
internal sealed class ServerMetrics
{
    /// <summary>Outcome labels of <see cref="Requests"/>.</summary>
    public static class Outcome
    {
        public const string Ok = "ok";
        public const string BadRequest = "bad_request";
        public const string UnsupportedMediaType = "unsupported_media_type";
        public const string TooLarge = "too_large";
        public const string UnknownClass = "unknown_class";
        public const string QueueFull = "queue_full";
        public const string Timeout = "timeout";
        public const string NotReady = "not_ready";
        public const string Stopping = "stopping";
        public const string ClientGone = "client_gone";
        public const string Error = "error";
    }

    public ServerMetrics()
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("anomalyclip_inspect_requests_total", "Inspection requests by outcome.",
            new CounterConfiguration { LabelNames = ["outcome"] });
        RequestDuration = factory.CreateHistogram("anomalyclip_inspect_request_duration_seconds",
            "Time from receiving an inspection request to its response (reading, decoding, queueing, inference, rendering).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });
        InferenceDuration = factory.CreateHistogram("anomalyclip_inference_duration_seconds", "Time of one forward pass (one micro-batch), preprocessing included.",
            new HistogramConfiguration { LabelNames = ["device"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });
        BatchSize = factory.CreateHistogram("anomalyclip_inference_batch_size", "Images per forward pass (its _count is the number of forward passes).",
            new HistogramConfiguration { LabelNames = ["device"], Buckets = Histogram.ExponentialBuckets(1, 2, 8) });
        QueueDepth = factory.CreateGauge("anomalyclip_queue_depth", "Requests waiting for inference.", new GaugeConfiguration { LabelNames = ["device"] });
        Ready = factory.CreateGauge("anomalyclip_detectors_ready", "1 once every detector is loaded, else 0.");
    }

    /// <summary>The registry <c>/metrics</c> serves.</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>Inspection requests by outcome (<see cref="Outcome"/>).</summary>
    public Counter Requests { get; }

    /// <summary>End-to-end request latency in seconds.</summary>
    public Histogram RequestDuration { get; }

    /// <summary>Forward-pass time in seconds, by device.</summary>
    public Histogram InferenceDuration { get; }

    /// <summary>Images per forward pass, by device.</summary>
    public Histogram BatchSize { get; }

    /// <summary>Requests waiting for inference, by device.</summary>
    public Gauge QueueDepth { get; }

    /// <summary>1 when the detectors are loaded.</summary>
    public Gauge Ready { get; }
}
