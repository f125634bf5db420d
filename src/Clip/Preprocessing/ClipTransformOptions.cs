using AnomalyClip.Clip.Config;

namespace AnomalyClip.Clip.Preprocessing;

/// <summary>
/// The evaluation transform of an open_clip model: resize (and crop) to <see cref="Size"/>, convert to RGB, scale to
/// 0..1 and normalise per channel.
/// </summary>
public sealed record ClipTransformOptions
{
    /// <summary>open_clip <c>OPENAI_DATASET_MEAN</c>, per RGB channel, in 0..1 units.</summary>
    public static readonly IReadOnlyList<double> OpenAiMean = PreprocessConfig.OpenAi.Mean.Select(m => (double)m).ToArray();

    /// <summary>open_clip <c>OPENAI_DATASET_STD</c>, per RGB channel, in 0..1 units.</summary>
    public static readonly IReadOnlyList<double> OpenAiStd = PreprocessConfig.OpenAi.Std.Select(m => (double)m).ToArray();

    /// <summary>Side of the square model input, in pixels (224, 336, 518, ...).</summary>
    public required int Size { get; init; }

    /// <summary>How the image reaches Size×Size.</summary>
    public ResizeMode Mode { get; init; } = ResizeMode.Shortest;

    /// <summary>Resampling filter of the resize; open_clip and APRIL-GAN use bicubic.</summary>
    public ResampleFilter Filter { get; init; } = ResampleFilter.Bicubic;

    /// <summary>Per-channel (R, G, B) mean subtracted after scaling to 0..1; rounded to float32 like torch does.</summary>
    public IReadOnlyList<double> Mean { get; init; } = OpenAiMean;

    /// <summary>Per-channel (R, G, B) standard deviation divided by after the mean; rounded to float32.</summary>
    public IReadOnlyList<double> Std { get; init; } = OpenAiStd;

    /// <summary>open_clip's eval transform of the OpenAI-style models: shortest side to S, centre crop, OpenAI mean/std.</summary>
    public static ClipTransformOptions OpenClip(int size) => new() { Size = size, Mode = ResizeMode.Shortest };

    /// <summary>APRIL-GAN's transform: squash to S×S with bicubic, OpenAI mean/std.</summary>
    public static ClipTransformOptions AprilGan(int size) => new() { Size = size, Mode = ResizeMode.Squash };

    /// <summary>
    /// The transform a model config describes (its resize mode, interpolation, mean and std) at <paramref name="size"/>;
    /// <paramref name="mode"/> overrides the config's resize mode (APRIL-GAN squashes whatever the config says).
    /// </summary>
    /// <exception cref="ArgumentException">The config names a resize mode or interpolation that is not supported.</exception>
    public static ClipTransformOptions FromConfig(PreprocessConfig config, int size, ResizeMode? mode = null) => new()
    {
        Size = size,
        Mode = mode ?? config.ResizeMode switch
        {
            "shortest" => ResizeMode.Shortest,
            "squash" => ResizeMode.Squash,
            _ => throw new ArgumentException($"the model config's resize_mode '{config.ResizeMode}' is not supported (shortest, squash)"),
        },
        Filter = config.Interpolation switch
        {
            "bicubic" => ResampleFilter.Bicubic,
            "bilinear" => ResampleFilter.Bilinear,
            _ => throw new ArgumentException($"the model config's interpolation '{config.Interpolation}' is not supported (bicubic, bilinear)"),
        },
        Mean = config.Mean.Select(m => (double)m).ToArray(),
        Std = config.Std.Select(s => (double)s).ToArray(),
    };
}
