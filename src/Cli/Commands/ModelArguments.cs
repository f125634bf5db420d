using System.CommandLine;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Hub;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Tokenization;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// The model options shared by the commands that run CLIP (+ an adapter): which weights, at which size, with which
/// activation and taps, on which device. Defaults are the paper's (ViT-L-14-336 at 518 px, exact GELU, blocks
/// 6/12/18/24); an adapter in the native format supplies its own taps, size and activation.
/// </summary>
internal sealed class ModelArguments
{
    public readonly Option<string?> ModelDir = new("--model-dir") { Description = "Local model folder or weight file." };
    public readonly Option<string> Model = new("--model") { Description = "Model name or hub id (e.g. ViT-L-14-336, timm/vit_large_patch14_clip_336.openai); used when --model-dir is absent.", DefaultValueFactory = _ => "ViT-L-14-336" };
    public readonly Option<string?> TokenizerFile = new("--tokenizer") { Description = "bpe_simple_vocab_16e6.txt.gz to use when the model folder has no tokenizer files." };
    public readonly Option<int?> ImageSize = new("--image-size") { Description = "Input side in pixels (default: the adapter's, else 518)." };
    public readonly Option<string?> TapsOption = new("--taps") { Description = "1-based ViT blocks, comma-separated (default: the adapter's, else 6,12,18,24)." };
    public readonly Option<string?> Activation = new("--activation") { Description = "gelu (APRIL-GAN) or quickgelu (default: the adapter's, else gelu)." };
    public readonly Option<string?> Adapter = new("--adapter") { Description = "Adapter: native .safetensors or APRIL-GAN .pth." };
    public readonly Option<string> Device = new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
    public readonly Option<string> DType = new("--dtype") { Description = "fp32, fp16 or bf16.", DefaultValueFactory = _ => "fp32" };

    private static readonly int[] PaperTaps = [6, 12, 18, 24];
    private const int PaperImageSize = 518;

    public void AddTo(Command command, bool withAdapter)
    {
        command.Options.Add(ModelDir);
        command.Options.Add(Model);
        command.Options.Add(TokenizerFile);
        command.Options.Add(ImageSize);
        command.Options.Add(TapsOption);
        command.Options.Add(Activation);
        if (withAdapter) command.Options.Add(Adapter);
        command.Options.Add(Device);
        command.Options.Add(DType);
    }

    /// <summary>The adapter named by --adapter (APRIL-GAN .pth files take taps/size/activation from the options).</summary>
    public AdapterWeights LoadAdapter(ParseResult r, string backbone, int inputWidth, int embedDim)
    {
        var path = r.GetValue(Adapter) ?? throw new ArgumentException("--adapter is required");
        var import = new AdapterMetadata(backbone, ExplicitTaps(r) ?? PaperTaps, r.GetValue(ImageSize) ?? PaperImageSize,
            r.GetValue(Activation) ?? "gelu", inputWidth, embedDim, new Dictionary<string, string> { ["imported_from"] = path });
        return AdapterWeights.Load(path, DeviceOption.Parse(r.GetValue(Device)!), import);
    }

    /// <summary>Reads the adapter's metadata without loading its weights, to size the model (null when not native).</summary>
    public static AdapterMetadata? PeekMetadata(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: adapter checkpoint not found");
        if (AnomalyClip.Clip.Weights.WeightFile.DetectFormat(path) != AnomalyClip.Clip.Weights.WeightFormat.SafeTensors) return null;
        var (_, header) = AnomalyClip.Clip.IO.SafeTensors.ReadHeader(path);
        return header.TryGetValue(AdapterMetadata.HeaderKey, out var json) ? AdapterMetadata.FromJson(json) : null;
    }

    /// <summary>Loads CLIP at the size and activation the adapter (or the options, or the paper) asks for.</summary>
    public ClipModel LoadClip(ParseResult r, AdapterMetadata? adapter = null)
    {
        var options = new ClipLoadOptions(
            r.GetValue(ImageSize) ?? adapter?.ImageSize ?? PaperImageSize,
            ParseActivation(r.GetValue(Activation) ?? adapter?.Activation ?? "gelu"),
            DeviceOption.ParseDType(r.GetValue(DType)!),
            r.GetValue(TokenizerFile));
        var device = DeviceOption.Parse(r.GetValue(Device)!);
        var source = r.GetValue(ModelDir) ?? r.GetValue(Model)!;
        return ClipModel.Load(source, device, options, progress: new ConsoleProgress());
    }

    /// <summary>The model's tokenizer, or a clear error naming the option that supplies one.</summary>
    public static ClipTokenizer Tokenizer(ClipModel clip) =>
        clip.Tokenizer ?? throw new ArgumentException("the model folder has no tokenizer files: pass --tokenizer bpe_simple_vocab_16e6.txt.gz");

    public IReadOnlyList<int> Taps(ParseResult r, AdapterMetadata? adapter = null) => ExplicitTaps(r) ?? adapter?.Taps ?? PaperTaps;

    public string ActivationName(ParseResult r, ClipModel clip) => clip.Config.Activation == Clip.Config.Activation.QuickGelu ? "quickgelu" : "gelu";

    private int[]? ExplicitTaps(ParseResult r) => r.GetValue(TapsOption) is string s ? ParseTaps(s) : null;

    public static int[] ParseTaps(string value)
    {
        try
        {
            var taps = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
            if (taps.Length == 0 || taps.Any(t => t < 1)) throw new FormatException();
            return taps;
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--taps: '{value}' is not a comma-separated list of positive block numbers");
        }
    }

    public static Activation ParseActivation(string value) => value.Trim().ToLowerInvariant() switch
    {
        "gelu" => Clip.Config.Activation.Gelu,
        "quickgelu" or "quick_gelu" => Clip.Config.Activation.QuickGelu,
        _ => throw new ArgumentException($"--activation: '{value}' is not gelu or quickgelu"),
    };

    /// <summary>For benchmarks: random weights of a built-in architecture, or a model folder.</summary>
    public static ClipModel LoadOrRandom(string? modelDir, string arch, bool randomWeights, ClipLoadOptions options, Device device)
    {
        if (randomWeights || modelDir is null)
        {
            if (!randomWeights) throw new ArgumentException("give --model-dir DIR, or --random-weights to benchmark without weight files");
            return ClipModel.CreateRandom(ClipModelConfigs.Get(arch), options, device);
        }
        return ClipModel.Load(modelDir, device, options);
    }
}
