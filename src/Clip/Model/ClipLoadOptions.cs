using AnomalyClip.Clip.Config;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>How to build a CLIP model from weights.</summary>
/// <param name="ImageSize">Input side the vision tower runs at (a multiple of the patch size); null keeps the
/// config's. The positional embedding is resized once at load (APRIL-GAN runs ViT-L-14-336 at 518).</param>
/// <param name="Activation">Overrides the config's activation (APRIL-GAN's adapters expect exact GELU).</param>
/// <param name="DType">Compute dtype of the weights and matmuls: Float32 (exact parity with the reference), Float16 or
/// BFloat16 (LayerNorm, the residual stream and the final projections stay float32); null (the default) lets
/// <see cref="ComputePrecision.Auto"/> pick the fastest one the device computes natively (bf16 on a CPU with native BF16,
/// fp32 on one without). The model's <see cref="ClipModel.Precision"/> says what was picked and why.</param>
/// <param name="TokenizerFile">An open_clip merges file (<c>bpe_simple_vocab_16e6.txt.gz</c> format), used only when
/// the model folder has no tokenizer files of its own; null (the default) then uses <see cref="Tokenization.ClipTokenizer.Default"/>,
/// the same CLIP BPE embedded in the library, so it is rarely needed.</param>
public sealed record ClipLoadOptions(int? ImageSize = null, Activation? Activation = null, ScalarType? DType = null, string? TokenizerFile = null)
{
    /// <summary>The config's own size and activation, the device's fastest native precision.</summary>
    public static ClipLoadOptions Default { get; } = new();
}
