using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// A detector built from the command line together with everything it runs on (CLIP model, adapter, zero-shot
/// detector, backbone), released together, innermost first.
/// </summary>
/// <param name="text">The CLIP text features of the detector, or null for a backbone without a text tower.</param>
internal sealed class DetectorSession(AnomalyDetector detector, IReadOnlyList<IDisposable> owned, IReadOnlyDictionary<string, string> details,
    TextFeatures? text = null) : IDisposable
{
    /// <summary>The detector the command talks to.</summary>
    public AnomalyDetector Detector { get; } = detector;

    /// <summary>The detector when it is a few-shot one (its banks are built or loaded by the command).</summary>
    public MemoryBankDetector? FewShot => Detector as MemoryBankDetector;

    /// <summary>What was loaded (backbone, model, adapter, device), for results and thresholds files.</summary>
    public IReadOnlyDictionary<string, string> Details { get; } = details;

    /// <summary>
    /// Caches the text features of the classes the command will score and frees CLIP's text tower (about 0.5 GB of
    /// ViT-L-14 weights that would otherwise sit unused through the run); nothing for a backbone without one.
    /// </summary>
    public void FixClasses(IEnumerable<string?> classNames) => text?.KeepOnly(classNames);

    public void Dispose()
    {
        Detector.Dispose();
        for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
    }
}
