using System.Text.RegularExpressions;

namespace AnomalyClip.Clip.Config;

/// <summary>
/// Infers a CLIP ViT architecture from the tensor shapes of an OpenCLIP-layout state dict, for weight files that
/// carry no config (OpenAI's TorchScript <c>.pt</c> files, a bare <c>state_dict</c>). Follows OpenAI's
/// <c>build_model_from_openai_state_dict</c> (spec/openclip.md §8), so the result is what open_clip builds for such
/// a file: QuickGELU (OpenAI's weights were trained with it), attention heads of width 64 in both towers, and
/// OpenAI's preprocessing.
/// </summary>
/// <remarks>
/// Head counts are not stored in any tensor shape: a model trained with other head widths (the golden tiny-a uses
/// 16) loads without error under an inferred config but computes something else; such weights need their config.
/// The MLP width is read from <c>mlp.c_fc.weight</c> rather than assumed to be 4× (OpenAI's models all have 4×).
/// </remarks>
public static partial class ModelConfigInference
{
    /// <summary>Head width OpenAI's builder assumes in both towers (heads = width / 64).</summary>
    public const int OpenAiHeadWidth = 64;

    /// <summary>Infers the architecture from the shapes of <paramref name="shapes"/> (keys as in <c>WeightFile.Load</c>).</summary>
    /// <param name="shapes">Tensor name → shape, in the OpenCLIP key layout.</param>
    /// <param name="source">The weight file, named in errors and giving the config's name (its file name without extension).</param>
    /// <exception cref="ModelLoadException">
    /// A key the inference needs is missing (e.g. a ResNet CLIP), or the shapes are inconsistent (a positional
    /// embedding that is not 1 + grid², a width not divisible by 64, block numbers with gaps).
    /// </exception>
    public static ClipModelConfig FromStateDict(IReadOnlyDictionary<string, long[]> shapes, string source)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        if (!shapes.ContainsKey("visual.conv1.weight") && shapes.Keys.Any(k => k.StartsWith("visual.layer1.", StringComparison.Ordinal)))
            throw new ModelLoadException(source, "is a ResNet CLIP (visual.layer1.*); only ViT CLIP models are supported");

        var conv = Shape(shapes, "visual.conv1.weight", 4, source);
        int visionWidth = Dim(conv[0], "visual.conv1.weight", source);
        int patch = Dim(conv[^1], "visual.conv1.weight", source);
        if (conv[2] != conv[3]) throw Bad(source, $"visual.conv1.weight {Show(conv)} has a non-square kernel");
        int visionLayers = CountBlocks(shapes, VisionBlock(), source, "visual.transformer.resblocks");
        int tokens = Dim(Shape(shapes, "visual.positional_embedding", 2, source)[0], "visual.positional_embedding", source);
        int grid = (int)Math.Round(Math.Sqrt(tokens - 1));
        if (grid < 1 || grid * grid + 1 != tokens)
            throw Bad(source, $"visual.positional_embedding has {tokens} rows, not 1 + grid² for any grid");

        int embedDim = Dim(Shape(shapes, "text_projection", 2, source)[1], "text_projection", source);
        int context = Dim(Shape(shapes, "positional_embedding", 2, source)[0], "positional_embedding", source);
        int vocab = Dim(Shape(shapes, "token_embedding.weight", 2, source)[0], "token_embedding.weight", source);
        int textWidth = Dim(Shape(shapes, "ln_final.weight", 1, source)[0], "ln_final.weight", source);
        int textLayers = CountBlocks(shapes, TextBlock(), source, "transformer.resblocks");

        var vision = new VisionConfig(patch * grid, patch, visionWidth, visionLayers, HeadWidthOf(visionWidth, "vision", source),
            MlpRatio(shapes, "visual.transformer.resblocks.0.mlp.c_fc.weight", visionWidth, source));
        var text = new TextConfig(context, vocab, textWidth, textWidth / HeadWidthOf(textWidth, "text", source), textLayers,
            MlpRatio(shapes, "transformer.resblocks.0.mlp.c_fc.weight", textWidth, source));
        return new ClipModelConfig(Path.GetFileNameWithoutExtension(source), embedDim, vision, text, Activation.QuickGelu, PreprocessConfig.OpenAi);
    }

    [GeneratedRegex(@"^visual\.transformer\.resblocks\.(\d+)\.")]
    private static partial Regex VisionBlock();

    [GeneratedRegex(@"^transformer\.resblocks\.(\d+)\.")]
    private static partial Regex TextBlock();

    private static int CountBlocks(IReadOnlyDictionary<string, long[]> shapes, Regex block, string source, string prefix)
    {
        var indices = shapes.Keys.Select(k => block.Match(k)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order().ToList();
        if (indices.Count == 0) throw Bad(source, $"has no {prefix}.* keys, so the number of blocks cannot be inferred");
        if (indices[^1] != indices.Count - 1)
            throw Bad(source, $"{prefix} numbers are not 0..{indices.Count - 1} (found {string.Join(", ", indices)})");
        return indices.Count;
    }

    private static int HeadWidthOf(int width, string tower, string source) =>
        width % OpenAiHeadWidth == 0 ? OpenAiHeadWidth
            : throw Bad(source, $"{tower} width {width} is not a multiple of {OpenAiHeadWidth}, so the number of heads cannot be inferred; put the model's config beside the weights");

    private static double MlpRatio(IReadOnlyDictionary<string, long[]> shapes, string key, int width, string source) =>
        Dim(Shape(shapes, key, 2, source)[0], key, source) / (double)width;

    private static long[] Shape(IReadOnlyDictionary<string, long[]> shapes, string key, int rank, string source)
    {
        if (!shapes.TryGetValue(key, out var shape))
            throw Bad(source, $"has no '{key}', so the architecture cannot be inferred (not an OpenAI/OpenCLIP ViT CLIP state dict?)");
        if (shape.Length != rank) throw Bad(source, $"'{key}' has shape {Show(shape)}, expected {rank} dimensions");
        return shape;
    }

    private static int Dim(long value, string key, string source) =>
        value is >= 1 and <= int.MaxValue ? (int)value : throw Bad(source, $"'{key}' has an invalid dimension {value}");

    private static string Show(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static ModelLoadException Bad(string source, string message) => new(source, "cannot infer the model config: " + message);
}
