using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Thresholds;

namespace AnomalyClip.Server.Detectors;

/// <summary>One class the server inspects: the detector that scores it (possibly shared with other classes) and its thresholds.</summary>
/// <param name="Name">The class name (the <c>class</c> query parameter; the detector's class name).</param>
/// <param name="Detector">The detector; requests of this class are batched into its <see cref="AnomalyDetector.PredictTensor"/>.</param>
/// <param name="Thresholds">Image and pixel thresholds, or null when none are known (no label, no mask).</param>
/// <param name="Backbone">What the detector runs on, e.g. <c>resnet18</c> or <c>clip</c> (reported by <c>/v1/detectors</c>).</param>
public sealed record ServedClass(string Name, AnomalyDetector Detector, DetectorThresholds? Thresholds, string Backbone)
{
    /// <summary>The queue key of the class's device (one inference queue per device).</summary>
    internal string DeviceKey => Detector.Device.ToString();

    /// <summary>The detector's fixed map range for the class (read once: the detector is not called outside its queue).</summary>
    internal (double Min, double Max)? MapRange { get; } = Detector.MapRange(Name);
}
