using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Server.Detectors;

namespace AnomalyClip.Server.Queue;

/// <summary>One decoded image waiting for its class's detector, and the promise of its result.</summary>
internal sealed class InspectionJob(ServedClass served, DecodedImage image, CancellationToken cancel)
{
    private readonly TaskCompletionSource<AnomalyResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServedClass Served { get; } = served;

    public DecodedImage Image { get; } = image;

    /// <summary>Cancelled when the request gives up (timeout, client gone): the job is then dropped before its batch runs.</summary>
    public CancellationToken Cancel { get; } = cancel;

    public Task<AnomalyResult> Result => _done.Task;

    public void Complete(AnomalyResult result) => _done.TrySetResult(result);

    public void Fail(Exception error) => _done.TrySetException(error);

    public void Abandon() => _done.TrySetCanceled();
}
