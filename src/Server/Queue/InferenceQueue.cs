using System.Diagnostics;
using System.Threading.Channels;
using AnomalyClip.Server.Configuration;
using AnomalyClip.Server.Observability;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace AnomalyClip.Server.Queue;

/// <summary>
/// The inference queue of one device: one worker runs every forward pass on it, so detectors (not thread-safe) are
/// only ever called from one place at a time, and requests of one class that arrive within
/// <see cref="ServerOptions.BatchWindowMs"/> of each other — or while the previous pass runs — share one
/// <see cref="Inference.Detection.AnomalyDetector.PredictTensor"/> call on their stacked images, up to
/// <see cref="ServerOptions.BatchLimit"/>.
/// </summary>
/// <remarks>
/// At most <see cref="ServerOptions.QueueLimit"/> jobs wait (not yet in a running pass); beyond that
/// <see cref="TryEnqueue"/> refuses at once rather than letting latency grow without bound. Classes are served
/// oldest request first, so one busy class cannot starve another.
/// </remarks>
internal sealed class InferenceQueue
{
    private readonly Channel<InspectionJob> _channel = Channel.CreateUnbounded<InspectionJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _device;
    private readonly int _queueLimit;
    private readonly int _batchLimit;
    private readonly TimeSpan _window;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Task _worker;
    private int _waiting;
    private volatile bool _abandon;

    public InferenceQueue(string device, ServerOptions options, ServerMetrics metrics, ILogger logger)
    {
        _device = device;
        _queueLimit = options.QueueLimit;
        _batchLimit = options.BatchLimit;
        _window = TimeSpan.FromMilliseconds(options.BatchWindowMs);
        _metrics = metrics;
        _logger = logger;
        _metrics.QueueDepth.WithLabels(device).Set(0);
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Jobs accepted whose forward pass has not started.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Queues <paramref name="job"/> unless the queue is full or closed.</summary>
    public EnqueueOutcome TryEnqueue(InspectionJob job)
    {
        if (Interlocked.Increment(ref _waiting) > _queueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            return EnqueueOutcome.Full;
        }
        if (!_channel.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _waiting);
            return EnqueueOutcome.Closed;
        }
        _metrics.QueueDepth.WithLabels(_device).Set(Waiting);
        return EnqueueOutcome.Accepted;
    }

    /// <summary>
    /// Takes no new jobs and finishes the queued ones. If <paramref name="cancel"/> fires first, the jobs not yet
    /// started are abandoned (their requests answer 503); the pass that is running always completes.
    /// </summary>
    public async Task StopAsync(CancellationToken cancel)
    {
        _channel.Writer.TryComplete();
        try
        {
            await _worker.WaitAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _abandon = true;
            await _worker.ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var pending = new List<InspectionJob>();
        var reader = _channel.Reader;
        while (pending.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            Drain(reader, pending);
            var served = pending[0].Served;
            if (_batchLimit > 1 && !_abandon) await GatherAsync(reader, pending, served).ConfigureAwait(false);
            var batch = Take(pending, served);
            _metrics.QueueDepth.WithLabels(_device).Set(Waiting);
            if (batch.Count > 0) Run(batch);
        }
    }

    private static void Drain(ChannelReader<InspectionJob> reader, List<InspectionJob> pending)
    {
        while (reader.TryRead(out var job)) pending.Add(job);
    }

    // Waits up to the batch window for more requests of the oldest request's class.
    private async Task GatherAsync(ChannelReader<InspectionJob> reader, List<InspectionJob> pending, Detectors.ServedClass served)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_window.TotalSeconds * Stopwatch.Frequency);
        while (pending.Count(j => ReferenceEquals(j.Served, served)) < _batchLimit)
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero) return;
            using var timer = new CancellationTokenSource(left);
            try
            {
                if (!await reader.WaitToReadAsync(timer.Token).ConfigureAwait(false)) return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Drain(reader, pending);
        }
    }

    // Removes up to the batch limit of the class's jobs, oldest first; jobs whose request gave up are dropped.
    private List<InspectionJob> Take(List<InspectionJob> pending, Detectors.ServedClass served)
    {
        var batch = new List<InspectionJob>(_batchLimit);
        int taken = 0;
        for (int i = 0; i < pending.Count && batch.Count < _batchLimit;)
        {
            var job = pending[i];
            if (!ReferenceEquals(job.Served, served) && !job.Cancel.IsCancellationRequested && !_abandon)
            {
                i++;
                continue;
            }
            pending.RemoveAt(i);
            taken++;
            if (job.Cancel.IsCancellationRequested || _abandon) job.Abandon();
            else batch.Add(job);
        }
        Interlocked.Add(ref _waiting, -taken);
        return batch;
    }

    private void Run(List<InspectionJob> batch)
    {
        var served = batch[0].Served;
        var detector = served.Detector;
        var watch = Stopwatch.StartNew();
        try
        {
            using var scope = NewDisposeScope();
            var input = detector.Preprocess(batch.Select(j => j.Image).ToArray());
            var results = detector.PredictTensor(input, Enumerable.Repeat<string?>(served.Name, batch.Count).ToArray(),
                originalSizes: batch.Select(j => (j.Image.Width, j.Image.Height)).ToArray());
            for (int i = 0; i < batch.Count; i++) batch[i].Complete(results[i]);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "inference of {Count} image(s) of class {Class} on {Device} failed", batch.Count, served.Name, _device);
            foreach (var job in batch) job.Fail(e);
        }
        finally
        {
            _metrics.InferenceDuration.WithLabels(_device).Observe(watch.Elapsed.TotalSeconds);
            _metrics.BatchSize.WithLabels(_device).Observe(batch.Count);
        }
    }
}
