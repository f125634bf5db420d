namespace AnomalyClip.Inference.Detection;

/// <summary>
/// Options of the detectors. Defaults (<see cref="Paper"/>) reproduce APRIL-GAN exactly; the extras are off.
/// </summary>
/// <param name="LogitScale">Fixed scale of the text-patch and text-image logits (APRIL-GAN: 100).</param>
/// <param name="SmoothingSigma">Gaussian smoothing of the final map in pixels at model resolution; 0 = off (paper).</param>
/// <param name="AverageLayers">Divide the zero-shot map by the number of layers so it lies in [0,1]; off in the paper (sum, [0, L]).</param>
/// <param name="FuseMapMax">Zero-shot image score = ½(text probability + max of the layer-averaged map); off in the
/// paper, whose zero-shot score is the text probability alone.</param>
/// <param name="FewShotTaps">1-based blocks for the memory banks; null = the adapter's taps (paper: the same 6/12/18/24).</param>
/// <param name="BatchSize">Images per encoder pass in batch and streaming prediction.</param>
public sealed record AprilGanOptions(
    double LogitScale = 100.0, double SmoothingSigma = 0, bool AverageLayers = false, bool FuseMapMax = false,
    IReadOnlyList<int>? FewShotTaps = null, int BatchSize = 1)
{
    /// <summary>APRIL-GAN as published.</summary>
    public static AprilGanOptions Paper { get; } = new();
}
