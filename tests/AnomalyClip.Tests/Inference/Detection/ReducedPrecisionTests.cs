using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Model;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Inference.Detection;

/// <summary>
/// The golden APRIL-GAN setting with CLIP in bf16 (what <c>--dtype auto</c> picks on CPUs with native BF16):
/// zero-shot maps within 1e-2 and image scores within 5e-3 of the fp32 goldens, few-shot maps within 1e-2.
/// </summary>
public class ReducedPrecisionTests(ITestOutputHelper output)
{
    private const double MapTolerance = 1e-2;
    private const double ScoreTolerance = 5e-3;

    private static Tensor Images => Golden.AprilGan("aprilgan/input/images");

    [Fact]
    public void Bf16ZeroAndFewShotStayWithinToleranceOfTheFp32Goldens()
    {
        using var clip = TinyModels.Build(Golden.TinyA, new ClipLoadOptions(48, Activation.Gelu, ScalarType.BFloat16));
        using var zeroShot = ZeroShotDetector.Create(clip, TinyAprilGan.Adapter, TinyAprilGan.Tokenizer);
        using (var outputs = zeroShot.Core.Forward(Images, TinyAprilGan.TestClasses))
            Within("zero-shot map", Golden.AprilGan("aprilgan/zero_shot/map"), outputs.ZeroShotMap, MapTolerance);
        var results = zeroShot.PredictTensor(Images, TinyAprilGan.TestClasses);
        using (var scores = tensor(results.Select(r => r.Score).ToArray()))
            Within("zero-shot image scores", Golden.AprilGan("aprilgan/zero_shot/image_score"), scores, ScoreTolerance);

        using var fewShot = FewShotDetector.Create(zeroShot, TinyAprilGan.GoldenBanks(clip));
        using (var outputs = fewShot.Forward(Images, TinyAprilGan.TestClasses))
            Within("few-shot map", Golden.AprilGan("aprilgan/few_shot/map"), outputs.Map, MapTolerance);
    }

    // Logs the measured difference (the figure the README quotes) before asserting it.
    private void Within(string what, Tensor golden, Tensor actual, double tolerance)
    {
        using var diff = (actual.to_type(ScalarType.Float64) - golden.to_type(ScalarType.Float64)).abs().max();
        output.WriteLine($"{what}: max abs diff {diff.item<double>():E2} (tolerance {tolerance:E0})");
        TensorAssert.Close(golden, actual, tolerance, what);
    }
}
