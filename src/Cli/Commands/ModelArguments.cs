using System.CommandLine;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Hub;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Tokenization;
using AnomalyClip.Clip.Weights;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// Model options shared by every command that runs CLIP: which weights (<c>--model-dir</c> or <c>--model</c>, both
/// through <see cref="ClipModel.Load"/>), tokenizer fallback, activation, device, dtype — and, for the commands that
/// run an adapter (<c>predict</c>, <c>test</c>, <c>train</c>), its taps and image size. Adapter commands default to
/// the paper (ViT-L-14-336 at 518 px, exact GELU, blocks 6/12/18/24); a native adapter supplies its own settings,
/// and explicit options that contradict them are refused rather than silently evaluating something else.
/// </summary>
internal sealed class ModelArguments
{
    private static readonly int[] PaperTaps = [6, 12, 18, 24];
    private const int PaperImageSize = 518;
    private const string PaperModel = "ViT-L-14-336";

    public readonly Option<string?> ModelDir = new("--model-dir")
    {
        Description = "Model folder (OpenCLIP or transformers CLIP layout) or weight file (.safetensors, .bin, .pt, shard index); " +
            "without a config beside the weights the architecture is inferred as OpenAI's loader does (QuickGELU, 64-wide heads).",
    };
    public readonly Option<string?> Model = new("--model")
    {
        Description = "Instead of --model-dir: an OpenCLIP name[/tag] (ViT-L-14-336, ViT-B-16/laion2b_s34b_b88k) or a Hugging Face repo id, " +
            "found in the Hugging Face cache or downloaded into it (adapter commands default to the adapter's backbone, else ViT-L-14-336).",
    };
    public readonly Option<string?> TokenizerFile = new("--tokenizer") { Description = "Optional: open_clip's bpe_simple_vocab_16e6.txt.gz to use when the model folder has no tokenizer files (default: the CLIP vocabulary built into AnomalyClip)." };
    public readonly Option<string?> Activation = new("--activation") { Description = "gelu or quickgelu (adapter commands: the adapter's, else gelu as APRIL-GAN; otherwise the config's)." };
    public readonly Option<string> Device = new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
    public readonly Option<string> DType = DTypeOption.Create();
    public readonly Option<int?> ImageSize = new Option<int?>("--image-size") { Description = "Input side in pixels (clip: default the adapter's, else 518; resnet18: default 224)." }.Between(32, 4096);
    public readonly Option<string[]?> Taps = new("--taps") { Description = "1-based ViT blocks of the adapter layers, e.g. 6,12,18,24 (default: the adapter's, else 6,12,18,24).", AllowMultipleArgumentsPerToken = true };
    public readonly Option<string?> Adapter = new("--adapter") { Description = "Adapter: native .safetensors (carries taps, image size, activation, backbone) or APRIL-GAN .pth." };

    /// <summary>Adds the options; <paramref name="adapterSettings"/> adds --image-size/--taps, <paramref name="adapter"/> --adapter.</summary>
    public void AddTo(Command command, bool adapterSettings = true, bool adapter = true)
    {
        foreach (var o in new Option[] { ModelDir, Model, TokenizerFile, Activation, Device, DType }) command.Options.Add(o);
        if (adapterSettings)
        {
            command.Options.Add(ImageSize);
            command.Options.Add(Taps);
        }
        if (adapter) command.Options.Add(Adapter);
    }

    public Device ParseDevice(ParseResult r) => DeviceOption.Parse(r.GetValue(Device)!);

    /// <summary>
    /// Loads CLIP. <paramref name="imageSize"/> and <paramref name="activation"/> are the command's defaults (null: the
    /// config's); an explicit --activation wins. <paramref name="backbone"/> is used when neither --model-dir nor --model is given.
    /// </summary>
    public ClipModel LoadClip(ParseResult r, int? imageSize, string? activation, string? backbone)
    {
        var dir = r.GetValue(ModelDir);
        var name = r.GetValue(Model);
        if (dir is not null && name is not null) throw new ArgumentException("give --model-dir or --model, not both");
        var source = dir ?? name ?? backbone ?? throw new ArgumentException("give --model-dir DIR or --model NAME");
        var tokenizer = r.GetValue(TokenizerFile);
        if (tokenizer is not null && !File.Exists(tokenizer)) throw new FileNotFoundException($"--tokenizer: {tokenizer} does not exist", tokenizer);
        var act = r.GetValue(Activation) ?? activation;
        Clip.Config.Activation? activationKind = act is null ? null : ParseActivation(act);
        var device = ParseDevice(r);
        var dtype = r.GetValue(DType)!;
        var explicitDType = DTypeOption.Explicit(dtype, device);
        // The ViT's large buffers go back to the system when freed instead of staying resident (see NativeHeap).
        NativeHeap.ReturnLargeBlocksToSystem();
        var clip = ClipModel.Load(source, device, new ClipLoadOptions(imageSize, activationKind, explicitDType, tokenizer), progress: new ConsoleProgress());
        DTypeOption.Report(dtype, clip.Precision);
        return clip;
    }

    /// <summary>CLIP sized for an adapter: its (or the options', or the paper's) image size and activation.</summary>
    public ClipModel LoadClipForAdapter(ParseResult r, AdapterMetadata? adapter)
    {
        var backbone = adapter is not null && ClipModelConfigs.Contains(adapter.Backbone) ? adapter.Backbone : PaperModel;
        return LoadClip(r, r.GetValue(ImageSize) ?? adapter?.ImageSize ?? PaperImageSize, adapter?.Activation ?? "gelu", backbone);
    }

    /// <summary>
    /// The metadata of the native adapter named by --adapter (null for an APRIL-GAN .pth), checked against explicit
    /// --taps/--image-size/--activation.
    /// </summary>
    public AdapterMetadata? NativeAdapterMetadata(ParseResult r)
    {
        var path = r.GetValue(Adapter) ?? throw new ArgumentException("--adapter is required");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: adapter checkpoint not found");
        if (WeightFile.DetectFormat(path) != WeightFormat.SafeTensors) return null;
        var (_, header) = SafeTensors.ReadHeader(path);
        if (!header.TryGetValue(AdapterMetadata.HeaderKey, out var json)) return null;
        AdapterMetadata meta;
        try
        {
            meta = AdapterMetadata.FromJson(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new AdapterLoadException(path, $"unreadable adapter metadata: {e.Message}");
        }
        var conflicts = new List<string>();
        if (ExplicitTaps(r) is int[] taps && !taps.SequenceEqual(meta.Taps)) conflicts.Add($"--taps {string.Join(",", taps)} vs {string.Join(",", meta.Taps)}");
        if (r.GetValue(ImageSize) is int size && size != meta.ImageSize) conflicts.Add($"--image-size {size} vs {meta.ImageSize}");
        if (r.GetValue(Activation) is string act && ParseActivation(act) != meta.ActivationKind) conflicts.Add($"--activation {act} vs {meta.Activation}");
        if (conflicts.Count > 0)
            throw new ArgumentException($"{path}: the adapter's metadata disagrees with {string.Join("; ", conflicts)}; drop these options (the adapter's metadata applies)");
        return meta;
    }

    /// <summary>Loads --adapter for <paramref name="clip"/>; an APRIL-GAN .pth takes taps from the options (or the paper).</summary>
    public AdapterWeights LoadAdapter(ParseResult r, ClipModel clip)
    {
        var path = r.GetValue(Adapter) ?? throw new ArgumentException("--adapter is required");
        var import = new AdapterMetadata(clip.Config.Name, TapsFor(r, null), clip.ImageSize, ActivationName(clip), clip.Config.Vision.Width, clip.Config.EmbedDim,
            new Dictionary<string, string> { ["imported_from"] = Path.GetFullPath(path) });
        return AdapterWeights.Load(path, clip.Device, import);
    }

    public IReadOnlyList<int> TapsFor(ParseResult r, AdapterMetadata? adapter) => ExplicitTaps(r) ?? adapter?.Taps ?? PaperTaps;

    public static string ActivationName(ClipModel clip) => clip.Config.Activation == Clip.Config.Activation.QuickGelu ? "quickgelu" : "gelu";

    private int[]? ExplicitTaps(ParseResult r) => r.GetValue(Taps) is { Length: > 0 } t ? ParseTaps(t) : null;

    /// <summary>Parses block numbers given as "6,12,18,24" or "6 12 18 24".</summary>
    public static int[] ParseTaps(IEnumerable<string> values)
    {
        var parts = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        var taps = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out taps[i]) || taps[i] < 1)
                throw new ArgumentException($"--taps: '{parts[i]}' is not a 1-based block number");
        if (taps.Length == 0) throw new ArgumentException("--taps: give at least one block");
        if (taps.Distinct().Count() != taps.Length) throw new ArgumentException($"--taps: '{string.Join(",", parts)}' names a block twice");
        return taps;
    }

    public static Activation ParseActivation(string value)
    {
        try
        {
            return AdapterMetadata.ParseActivation(value);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ArgumentException($"--activation: {e.Message}");
        }
    }

    /// <summary>For benchmarks: random weights of a built-in architecture, or a model folder.</summary>
    public static ClipModel LoadOrRandom(string? modelDir, string arch, bool randomWeights, ClipLoadOptions options, Device device)
    {
        // The ViT's large buffers go back to the system when freed instead of staying resident (see NativeHeap).
        NativeHeap.ReturnLargeBlocksToSystem();
        if (randomWeights || modelDir is null)
        {
            if (!randomWeights) throw new ArgumentException("give --model-dir DIR, or --random-weights to benchmark without weight files");
            return ClipModel.CreateRandom(ClipModelConfigs.Get(arch), options, device);
        }
        return ClipModel.Load(modelDir, device, options);
    }
}
