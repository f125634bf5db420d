using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Model;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// The model options of <c>encode</c> and <c>encode-text</c>: where the weights are (<c>--model-dir</c> or
/// <c>--model</c>, both resolved by <see cref="ClipModel.Load"/>), and how to run them.
/// </summary>
internal sealed class EncodeModelOptions
{
    public Option<string?> ModelDir { get; } = new("--model-dir")
    {
        Description = "Model folder (OpenCLIP or transformers CLIP layout) or weight file (.safetensors, .bin, .pt, shard index). " +
            "Without a config beside the weights the architecture is inferred as OpenAI's loader does (QuickGELU, 64-wide heads).",
    };

    public Option<string?> Model { get; } = new("--model")
    {
        Description = "Instead of --model-dir: an OpenCLIP name[/tag] (ViT-L-14-336, ViT-B-16/laion2b_s34b_b88k) or a Hugging Face " +
            "repo id, found in the Hugging Face cache or downloaded into it.",
    };

    public Option<string?> ActivationOverride { get; } = new("--activation")
    {
        Description = "gelu or quickgelu; overrides the config's (APRIL-GAN runs OpenAI weights with gelu).",
    };

    public Option<string> Device { get; } = new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    public Option<string> DType { get; } = new("--dtype")
    {
        Description = "Compute dtype: fp32, fp16 or bf16 (outputs are always written as float32).",
        DefaultValueFactory = _ => "fp32",
    };

    public Option<string?> Tokenizer { get; } = new("--tokenizer")
    {
        Description = "open_clip's bpe_simple_vocab_16e6.txt.gz, used when the model has no tokenizer files of its own.",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { ModelDir, Model, ActivationOverride, Device, DType, Tokenizer }) command.Options.Add(option);
    }

    /// <summary>Loads the model the options name, at <paramref name="imageSize"/> (null: the config's).</summary>
    /// <exception cref="ArgumentException">Neither or both of --model-dir and --model, or a bad option value.</exception>
    public ClipModel Load(ParseResult r, int? imageSize)
    {
        var dir = r.GetValue(ModelDir);
        var name = r.GetValue(Model);
        if ((dir is null) == (name is null)) throw new ArgumentException("give exactly one of --model-dir DIR and --model NAME");
        var device = DeviceOption.Parse(r.GetValue(Device)!);
        var options = new ClipLoadOptions(imageSize, ParseActivation(r.GetValue(ActivationOverride)), DeviceOption.ParseDType(r.GetValue(DType)!),
            r.GetValue(Tokenizer));
        if (options.TokenizerFile is { } tok && !File.Exists(tok)) throw new FileNotFoundException($"--tokenizer: {tok} does not exist", tok);
        return ClipModel.Load(dir ?? name!, device, options);
    }

    private static Activation? ParseActivation(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "gelu" => Activation.Gelu,
        "quickgelu" or "quick_gelu" => Activation.QuickGelu,
        _ => throw new ArgumentException($"--activation: unknown activation '{value}' (gelu, quickgelu)"),
    };
}
