using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Model;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Inference.Detection;

/// <summary>
/// The golden APRIL-GAN checks (encoder taps, zero-shot maps and scores, few-shot maps) in fp32 on
/// <see cref="TestDevice.Current"/>, with the CPU tests' tolerances: on the CPU they repeat the parity tests, under
/// <c>scripts/gpu-check.sh</c> (<c>ANOMALYCLIP_TEST_DEVICE=cuda</c>) they are the CUDA parity check.
/// </summary>
public sealed class DeviceParityTests : IDisposable
{
    private static Tensor Images => Golden.AprilGan("aprilgan/input/images");
    private static readonly int[] Taps = [1, 2, 3, 4];

    private readonly bool _tf32;
    private readonly ClipModel _clip;
    private readonly AdapterWeights _adapter;
    private readonly ZeroShotDetector _zeroShot;

    public DeviceParityTests()
    {
        // cuDNN convolutions default to TF32 (10-bit mantissa) on Ampere and later: parity needs true fp32.
        _tf32 = torch.backends.cudnn.allow_tf32;
        torch.backends.cudnn.allow_tf32 = false;
        var device = TestDevice.Current;
        _clip = TinyModels.Build(Golden.TinyA, new ClipLoadOptions(48, Activation.Gelu, ScalarType.Float32), device);
        _adapter = AdapterWeights.Load(Golden.PathOf("aprilgan_linear_layers.pth"), device, TinyAprilGan.Metadata);
        _zeroShot = ZeroShotDetector.Create(_clip, _adapter, TinyAprilGan.Tokenizer);
    }

    [Fact]
    public void EncoderTapsAndPooledMatchGolden()
    {
        Assert.Equal(TestDevice.Current.type, _clip.Device.type);
        using var enc = _clip.EncodeImage(Images, Taps);
        TensorAssert.Close(Golden.AprilGan("aprilgan/encode_image/pooled"), enc.Pooled!, 1e-5, "pooled");
        var taps = Golden.AprilGan("aprilgan/encode_image/tapped_tokens");
        for (int l = 0; l < Taps.Length; l++) TensorAssert.Close(taps[l], enc.Tokens[l], 1e-5, $"tap {l + 1}");
    }

    [Fact]
    public void ZeroShotMapsAndScoresMatchGolden()
    {
        using (var outputs = _zeroShot.Core.Forward(Images, TinyAprilGan.TestClasses))
        {
            TensorAssert.Close(Golden.AprilGan("aprilgan/zero_shot/map"), outputs.ZeroShotMap, 1e-4, "map");
            TensorAssert.Close(Golden.AprilGan("aprilgan/zero_shot/text_probs"), outputs.TextProbs, 1e-5, "text probs");
        }
        var results = _zeroShot.PredictTensor(Images, TinyAprilGan.TestClasses);
        var scores = Golden.AprilGan("aprilgan/zero_shot/image_score");
        for (int i = 0; i < results.Count; i++) Assert.Equal(scores[i].item<float>(), results[i].Score, 1e-5);
    }

    [Fact]
    public void FewShotMapsMatchGolden()
    {
        using var fewShot = FewShotDetector.Create(_zeroShot, TinyAprilGan.GoldenBanks(_clip));
        using var outputs = fewShot.Forward(Images, TinyAprilGan.TestClasses);
        TensorAssert.Close(Golden.AprilGan("aprilgan/few_shot/fs_map"), outputs.FewShotMap!, 1e-4, "fs map");
        TensorAssert.Close(Golden.AprilGan("aprilgan/few_shot/map"), outputs.Map, 1e-4, "final map");
    }

    public void Dispose()
    {
        _zeroShot.Dispose();
        _adapter.Dispose();
        _clip.Dispose();
        torch.backends.cudnn.allow_tf32 = _tf32;
    }
}
