using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// A detector built from the command line together with everything it runs on (CLIP model, adapter, zero-shot
/// detector, backbone), released together, innermost first.
/// </summary>
internal sealed class DetectorSession(AnomalyDetector detector, IReadOnlyList<IDisposable> owned, IReadOnlyDictionary<string, string> details) : IDisposable
{
    /// <summary>The detector the command talks to.</summary>
    public AnomalyDetector Detector { get; } = detector;

    /// <summary>The detector when it is a few-shot one (its banks are built or loaded by the command).</summary>
    public MemoryBankDetector? FewShot => Detector as MemoryBankDetector;

    /// <summary>What was loaded (backbone, model, adapter, device), for results and thresholds files.</summary>
    public IReadOnlyDictionary<string, string> Details { get; } = details;

    public void Dispose()
    {
        Detector.Dispose();
        for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
    }
}
