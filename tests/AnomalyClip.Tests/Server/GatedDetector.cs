using System.Collections.Concurrent;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Server;

/// <summary>
/// A real detector behind a gate: every forward pass signals <see cref="Entered"/>, then waits for <see cref="Gate"/>
/// before it runs, and records its batch size; so tests can hold the queue's worker inside a pass while requests pile up.
/// </summary>
internal sealed class GatedDetector(AnomalyDetector inner) : AnomalyDetector
{
    public ManualResetEventSlim Gate { get; } = new(true);

    public SemaphoreSlim Entered { get; } = new(0);

    public ConcurrentQueue<int> Batches { get; } = new();

    public override ImageDecoder Decoder => inner.Decoder;
    public override int MapSize => inner.MapSize;
    public override int BatchSize => inner.BatchSize;
    public override Device Device => inner.Device;
    public override string ScoreDescription => inner.ScoreDescription;
    public override string MapDescription => inner.MapDescription;
    public override IReadOnlyList<KeyValuePair<string, string>> Settings => inner.Settings;
    public override (double Min, double Max)? MapRange(string? className) => inner.MapRange(className);
    public override Tensor Preprocess(IReadOnlyList<DecodedImage> images) => inner.Preprocess(images);

    public override IReadOnlyList<AnomalyResult> PredictTensor(Tensor images, IReadOnlyList<string?> classNames, IReadOnlyList<string?>? sources = null,
        IReadOnlyList<(int Width, int Height)>? originalSizes = null)
    {
        Entered.Release();
        if (!Gate.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the test never opened the gate");
        Batches.Enqueue((int)images.shape[0]);
        return inner.PredictTensor(images, classNames, sources, originalSizes);
    }

    // The inner detector is shared by the server tests and outlives this view.
    protected override void Dispose(bool disposing)
    {
    }
}
