using static TorchSharp.torch;

namespace AnomalyClip.Inference.Detection;

/// <summary>Turns a batch's maps (and text probabilities) into managed <see cref="AnomalyResult"/>s.</summary>
internal static class ResultFactory
{
    /// <param name="maps">[N, S, S] final maps.</param>
    /// <param name="textProbs">[N, 2] text probabilities (column 1 abnormal), or null.</param>
    /// <param name="classNames">Class per image.</param>
    /// <param name="sources">Source per image, or null.</param>
    /// <param name="originalSizes">Source size per image, or null (then the map size).</param>
    /// <param name="score">The detector's image score from (index, text probability, map).</param>
    public static IReadOnlyList<AnomalyResult> Create(Tensor maps, Tensor? textProbs, IReadOnlyList<string?> classNames, IReadOnlyList<string?>? sources,
        IReadOnlyList<(int Width, int Height)>? originalSizes, Func<int, double?, AnomalyMap, double> score)
    {
        using var scope = NewDisposeScope();
        var probs = textProbs?.cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        var results = new AnomalyResult[classNames.Count];
        for (int i = 0; i < results.Length; i++)
        {
            var map = AnomalyMap.FromTensor(maps[i]);
            double? p = probs?[2 * i + 1];
            var (w, h) = originalSizes?[i] ?? (map.Width, map.Height);
            results[i] = new AnomalyResult(sources?[i], classNames[i], score(i, p, map), p, map, w, h);
        }
        return results;
    }
}
