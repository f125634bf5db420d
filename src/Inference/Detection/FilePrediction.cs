using AnomalyClip.Clip.Preprocessing;

namespace AnomalyClip.Inference.Detection;

/// <summary>One file's prediction from <see cref="AnomalyDetector.PredictFiles"/>.</summary>
/// <param name="Index">Position of the file in the input list.</param>
/// <param name="Path">The file.</param>
/// <param name="Result">The detector's result.</param>
/// <param name="Image">The decoded image (e.g. for overlays).</param>
public sealed record FilePrediction(int Index, string Path, AnomalyResult Result, DecodedImage Image);
