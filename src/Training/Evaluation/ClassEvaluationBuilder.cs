using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Training.Datasets;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// Turns one class's scored test images, added in dataset order, into its <see cref="ClassEvaluation"/>: masks
/// brought to the map size, the metric accumulator, and the image scores (the detector's own, or transductive over
/// the class). An unsharded <see cref="EvaluationRun"/> and the merge of its shards (<see cref="ShardedEvaluation"/>)
/// both go through here, so the same per-image data give the same metrics bit for bit.
/// </summary>
internal sealed class ClassEvaluationBuilder
{
    private readonly bool _transductive;
    private readonly ImageDecoder _decoder;
    private readonly MaskPreprocessor _masks;
    private readonly ClassMetricsAccumulator _accumulator;
    private readonly List<AnomalySample> _samples;
    private readonly List<double?> _textProbabilities;
    private readonly List<double> _mapMaxima;
    private readonly List<double> _scores;
    private bool _pixelsKnown = true;

    /// <param name="className">The class.</param>
    /// <param name="images">How many images will be added (sizes the buffers).</param>
    /// <param name="mapSize">Side S of the square maps; masks are brought to S×S with APRIL-GAN's mask transform.</param>
    /// <param name="decoder">Decodes the masks.</param>
    /// <param name="transductive">Score the class with <see cref="TransductiveScores"/> instead of the scores added.</param>
    public ClassEvaluationBuilder(string className, int images, int mapSize, ImageDecoder decoder, bool transductive)
    {
        _transductive = transductive;
        _decoder = decoder;
        _masks = new MaskPreprocessor(mapSize, decoder);
        _accumulator = new ClassMetricsAccumulator(className, (long)images * mapSize * mapSize);
        _samples = new List<AnomalySample>(images);
        _textProbabilities = new List<double?>(images);
        _mapMaxima = new List<double>(images);
        _scores = new List<double>(images);
    }

    /// <summary>Adds the next test image of the class with the detector's map and scores for it.</summary>
    public void Add(AnomalySample sample, float[] map, int height, int width, double score, double? textProbability, double mapMax)
    {
        byte[] mask;
        if (sample.IsAnomaly && sample.MaskPath is not null) mask = _masks.ToPixels(_decoder.Decode(sample.MaskPath));
        else
        {
            // An anomalous image without a mask has unknown defect pixels: its class gets no pixel metrics.
            _pixelsKnown &= !sample.IsAnomaly;
            mask = new byte[map.Length];
        }
        _accumulator.Add(map, mask, height, width, sample.IsAnomaly, score);
        _samples.Add(sample);
        _textProbabilities.Add(textProbability);
        _mapMaxima.Add(mapMax);
        _scores.Add(score);
    }

    /// <summary>Computes the class's metrics from everything added (once).</summary>
    public ClassEvaluation Build(IReadOnlyList<string> references)
    {
        var used = _transductive ? TransductiveScores.Compute(_textProbabilities, _mapMaxima) : _scores.ToArray();
        var metrics = _accumulator.Compute(used);
        var outcomes = _samples.Select((s, i) => new ImageOutcome(s.RelativeImagePath, s.DefectType, s.IsAnomaly, used[i])).ToArray();
        return new ClassEvaluation(_pixelsKnown ? metrics : ClassEvaluation.WithoutPixelMetrics(metrics), _samples.Count,
            _samples.Count(s => s.IsAnomaly), _pixelsKnown, references, outcomes);
    }
}
