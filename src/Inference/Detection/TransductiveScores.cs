namespace AnomalyClip.Inference.Detection;

/// <summary>
/// APRIL-GAN's transductive few-shot image score, over the images of ONE class scored together:
/// ½(text probability + m̃) with m̃ = (m − min m)/(max m − min m) the map maximum min-max normalised over the set (in
/// float32, as their numpy code does on float32 maps), or m̃ alone for detectors without a text probability.
/// It needs the whole set, so it is computed after the set is scored; the detectors' own scores are per image.
/// </summary>
public static class TransductiveScores
{
    /// <summary>The scores of a set; a set whose maxima are all equal gives NaN (0/0, as numpy).</summary>
    /// <exception cref="ArgumentException">The lists differ in length, or only some entries have a text probability.</exception>
    public static double[] Compute(IReadOnlyList<double?> textProbabilities, IReadOnlyList<double> mapMaxima)
    {
        if (textProbabilities.Count != mapMaxima.Count) throw new ArgumentException("one text probability per map maximum");
        if (mapMaxima.Count == 0) return [];
        bool withText = textProbabilities[0] is not null;
        if (textProbabilities.Any(p => p is not null != withText)) throw new ArgumentException("either every image has a text probability or none has");
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (var m in mapMaxima)
        {
            lo = Math.Min(lo, (float)m);
            hi = Math.Max(hi, (float)m);
        }
        var scores = new double[mapMaxima.Count];
        for (int i = 0; i < scores.Length; i++)
        {
            float normalised = ((float)mapMaxima[i] - lo) / (hi - lo);
            scores[i] = withText ? 0.5 * (textProbabilities[i]!.Value + normalised) : normalised;
        }
        return scores;
    }

    /// <summary>The results with their scores replaced by <see cref="Compute"/> over them (one class).</summary>
    public static IReadOnlyList<AnomalyResult> Apply(IReadOnlyList<AnomalyResult> resultsOfOneClass)
    {
        var scores = Compute(resultsOfOneClass.Select(r => r.TextProbability).ToArray(), resultsOfOneClass.Select(r => r.MapMax).ToArray());
        return resultsOfOneClass.Select((r, i) => r.WithScore(scores[i])).ToArray();
    }
}
