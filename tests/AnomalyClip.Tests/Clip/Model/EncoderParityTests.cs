using AnomalyClip.Clip.Model;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Model;

/// <summary>Encoder outputs against the original Python code on tiny-a (fp32; tolerance 1e-5 absolute).</summary>
public class EncoderParityTests
{
    private const double Tol = 1e-5;

    [Fact]
    public void UpstreamImageEncoderMatchesPooledAndEveryBlock()
    {
        using var scope = NewDisposeScope();
        var images = Golden.Upstream("upstream/preprocess/images");
        using var enc = TinyModels.Upstream.EncodeImage(images, [1, 2, 3, 4]);
        TensorAssert.Close(Golden.Upstream("upstream/encode_image"), enc.Pooled!, Tol, "pooled");
        var blocks = Golden.Upstream("upstream/visual/block_out");
        for (int b = 0; b < 4; b++) TensorAssert.Close(blocks[b], enc.Tokens[b], Tol, $"block {b + 1}");
    }

    [Fact]
    public void UpstreamTextEncoderMatchesAllTexts()
    {
        var tokens = Golden.Upstream("upstream/text/tokens");
        using var emb = TinyModels.Upstream.EncodeText(tokens);
        TensorAssert.Close(Golden.Upstream("upstream/encode_text"), emb, Tol, "encode_text");
    }

    [Fact]
    public void AprilGanEncoderAt48PxWithExactGeluMatchesTapsAndPooled()
    {
        var images = Golden.AprilGan("aprilgan/input/images");
        using var enc = TinyModels.AprilGan.EncodeImage(images, [1, 2, 3, 4]);
        TensorAssert.Close(Golden.AprilGan("aprilgan/encode_image/pooled"), enc.Pooled!, Tol, "pooled");
        var taps = Golden.AprilGan("aprilgan/encode_image/tapped_tokens");
        for (int l = 0; l < 4; l++) TensorAssert.Close(taps[l], enc.Tokens[l], Tol, $"tap {l + 1}");
    }

    [Fact]
    public void TokensOnlyPassStopsAtDeepestTapWithSameValues()
    {
        var images = Golden.AprilGan("aprilgan/input/images");
        using var enc = TinyModels.AprilGan.EncodeImage(images, [2], pooled: false);
        Assert.Null(enc.Pooled);
        TensorAssert.Close(Golden.AprilGan("aprilgan/encode_image/tapped_tokens")[1], enc.Tokens[0], Tol, "tap 2");
    }

    [Fact]
    public void ResizedPositionalEmbeddingMatchesBothReferences()
    {
        var resized = TinyModels.AprilGan.Visual.positional_embedding;
        TensorAssert.Close(Golden.Upstream("upstream/resized_positional_embedding"), resized, 1e-6, "upstream");
        TensorAssert.Close(Golden.AprilGan("aprilgan/model/positional_embedding"), resized, 1e-6, "aprilgan");
        TensorAssert.Close(Golden.Upstream("native_positional_embedding")[0], resized[0], 0, "CLS row untouched");
    }

    [Fact]
    public void WrongInputSizeIsRejected()
    {
        using var x = zeros(1, 3, 40, 40);
        Assert.Throws<ArgumentException>(() => TinyModels.AprilGan.EncodeImage(x, [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TinyModels.AprilGan.EncodeImage(zeros(1, 3, 48, 48), [5]));
    }
}
