using AnomalyClip.Server.Configuration;
using AnomalyClip.Server.Observability;
using AnomalyClip.Server.Queue;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnomalyClip.Server.Detectors;

/// <summary>
/// Loads the detectors in the background when the server starts (so <c>/readyz</c> can say "loading"), then runs one
/// <see cref="InferenceQueue"/> per device; on stop, finishes the queued requests before the detectors are released.
/// </summary>
internal sealed class InspectionHost : IHostedService, IDisposable
{
    private readonly Func<CancellationToken, DetectorSet> _load;
    private readonly ServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loading = Task.CompletedTask;
    private DetectorSet? _set;
    private IReadOnlyDictionary<string, InferenceQueue> _queues = new Dictionary<string, InferenceQueue>();
    private volatile string _state = Loading;
    private string? _failure;

    /// <summary>The state while the detectors load.</summary>
    public const string Loading = "loading";

    /// <summary>The state once they are loaded.</summary>
    public const string Ready = "ready";

    /// <summary>The state when loading failed (<see cref="Failure"/> says why).</summary>
    public const string Failed = "failed";

    public InspectionHost(Func<CancellationToken, DetectorSet> load, ServerOptions options, ServerMetrics metrics, ILogger<InspectionHost> logger)
    {
        _load = load;
        _options = options;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary><see cref="Loading"/>, <see cref="Ready"/> or <see cref="Failed"/>.</summary>
    public string State => _state;

    /// <summary>Why loading failed (the typed error's message), or null.</summary>
    public string? Failure => _failure;

    /// <summary>The served classes (empty until <see cref="Ready"/>).</summary>
    public IReadOnlyDictionary<string, ServedClass> Classes => _set?.Classes ?? new Dictionary<string, ServedClass>();

    /// <summary>Jobs waiting on every device.</summary>
    public int Waiting => _queues.Values.Sum(q => q.Waiting);

    /// <summary>Offers a job to its class's device queue.</summary>
    public EnqueueOutcome Enqueue(InspectionJob job) =>
        _stopping.IsCancellationRequested ? EnqueueOutcome.Closed : _queues[job.Served.DeviceKey].TryEnqueue(job);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _metrics.Ready.Set(0);
        _loading = Task.Run(Load, CancellationToken.None);
        return Task.CompletedTask;
    }

    private void Load()
    {
        try
        {
            var set = _load(_stopping.Token);
            _queues = set.Classes.Values.Select(c => c.DeviceKey).Distinct(StringComparer.Ordinal)
                .ToDictionary(d => d, d => new InferenceQueue(d, _options, _metrics, _logger), StringComparer.Ordinal);
            _set = set;
            _state = Ready;
            _metrics.Ready.Set(1);
            _logger.LogInformation("ready: {Count} class(es): {Classes}", set.Classes.Count, string.Join(", ", set.Classes.Keys));
        }
        catch (OperationCanceledException)
        {
            _failure = "the server stopped while the detectors were loading";
            _state = Failed;
        }
        catch (Exception e)
        {
            _failure = e.Message;
            _state = Failed;
            _logger.LogError(e, "loading the detectors failed");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        // Loading runs native code that cannot be interrupted; it checks the token between classes.
        await _loading.ConfigureAwait(false);
        foreach (var queue in _queues.Values) await queue.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _set?.Dispose();
        _stopping.Dispose();
    }
}
