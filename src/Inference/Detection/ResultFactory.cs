namespace AnomalyClip.Inference.Detection;

/// <summary>Turns a batch's tensors into managed <see cref="AnomalyResult"/>s.</summary>
internal static class ResultFactory
{
    public static IReadOnlyList<AnomalyResult> Create(DetectionOutputs outputs, IReadOnlyList<string?> classNames, IReadOnlyList<string?>? sources,
        IReadOnlyList<(int Width, int Height)>? originalSizes, Func<int, double, AnomalyMap, double> score)
    {
        var probs = outputs.TextProbs.cpu().to_type(TorchSharp.torch.ScalarType.Float64);
        var results = new AnomalyResult[classNames.Count];
        for (int i = 0; i < results.Length; i++)
        {
            using var m = outputs.Map[i];
            var map = AnomalyMap.FromTensor(m);
            double p = probs[i, 1].item<double>();
            var (w, h) = originalSizes?[i] ?? (map.Width, map.Height);
            results[i] = new AnomalyResult(sources?[i], classNames[i], score(i, p, map), p, map, w, h);
        }
        probs.Dispose();
        return results;
    }
}
