using TorchSharp;
using TorchSharp.Modules;
using AnomalyClip.Clip.Config;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// A CLIP model (OpenCLIP ViT layout): the vision and text towers with their projections. Frozen: parameters need
/// no gradients and every encode runs without autograd.
/// </summary>
public sealed partial class ClipModel : nn.Module
{
#pragma warning disable IDE1006
    internal readonly VisionTransformer visual;
    internal readonly TextTransformer text;
    internal readonly Parameter logit_scale;
#pragma warning restore IDE1006

    // Parameters are created in their final dtype on their final device: building in float32 on the CPU and converting
    // afterwards would hold both copies at once (the load peak of a half-precision model would be float32's).
    internal ClipModel(ClipModelConfig config, ClipLoadOptions options, Device device) : base(nameof(ClipModel))
    {
        if (config.Problem() is string problem) throw new ArgumentException($"model config '{config.Name}': {problem}", nameof(config));
        if (options.ImageSize is int size && (size < config.Vision.PatchSize || size > 8192))
            throw new ArgumentException($"image size {size} px is outside {config.Vision.PatchSize}..8192 for {config.Name} (patch {config.Vision.PatchSize} px)", nameof(options));
        Precision = options.DType is ScalarType requested ? ComputePrecision.Requested(requested) : ComputePrecision.Auto(device);
        var dtype = Precision.DType;
        var activation = options.Activation ?? config.Activation;
        Config = config with { Activation = activation };
        visual = new VisionTransformer(config.Vision, config.EmbedDim, options.ImageSize ?? config.Vision.ImageSize, activation, dtype, device);
        text = new TextTransformer(config.Text, config.EmbedDim, activation, dtype, device);
        logit_scale = new Parameter(tensor((float)Math.Log(1 / 0.07), ScalarType.Float32, device));
        RegisterComponents();
    }

    /// <summary>The architecture (with the activation actually used).</summary>
    public ClipModelConfig Config { get; }

    /// <summary>The vision tower.</summary>
    public VisionTransformer Visual => visual;

    /// <summary>The text tower.</summary>
    public TextTransformer Text => text;

    /// <summary>
    /// The tokenizer that goes with the weights. <see cref="Load"/> always sets it (the model folder's tokenizer files,
    /// else <see cref="ClipLoadOptions.TokenizerFile"/>, else <see cref="Tokenization.ClipTokenizer.Default"/>).
    /// Null for models built with <see cref="CreateRandom"/> or <see cref="FromStateDict"/>, which read no files:
    /// assign one (usually <see cref="Tokenization.ClipTokenizer.Default"/>) before encoding text with them.
    /// </summary>
    public Tokenization.ClipTokenizer? Tokenizer { get; set; }

    /// <summary>Input side in pixels the vision tower runs at.</summary>
    public int ImageSize => visual.ImageSize;

    /// <summary>Compute dtype of the matmul weights (<see cref="Precision"/>'s).</summary>
    public ScalarType DType => Precision.DType;

    /// <summary>The compute precision the model runs at and why (asked for, or picked by <see cref="ComputePrecision.Auto"/>).</summary>
    public ComputePrecision Precision { get; }

    /// <summary>Device the parameters live on.</summary>
    public Device Device => visual.conv1.weight!.device;

    /// <summary>exp(logit_scale): the learned temperature (≈100 for OpenAI weights).</summary>
    public float LogitScale => logit_scale.exp().item<float>();

    /// <summary>Builds a model with random weights (benchmarks, tests).</summary>
    public static ClipModel CreateRandom(ClipModelConfig config, ClipLoadOptions? options = null, Device? device = null)
    {
        options ??= ClipLoadOptions.Default;
        using var scope = NewDisposeScope();
        var model = new ClipModel(config, options, device ?? CPU);
        model.Freeze();
        return model.DetachParameters();
    }

    /// <summary>
    /// Builds a model from an OpenCLIP-layout state dict (e.g. from <c>WeightFile.Load</c>), strictly: missing,
    /// unexpected and mis-shaped keys are reported together. The vision positional embedding is resized when the
    /// requested image size differs from the stored grid. Tensors of any dtype are converted to the model's.
    /// </summary>
    /// <param name="config">Architecture.</param>
    /// <param name="stateDict">Weights in OpenCLIP key layout.</param>
    /// <param name="source">File the weights came from, named in errors.</param>
    /// <param name="options">Image size, activation, dtype.</param>
    /// <param name="device">Target device (CPU when null).</param>
    /// <exception cref="ModelLoadException">The weights do not fit the architecture.</exception>
    public static ClipModel FromStateDict(ClipModelConfig config, IReadOnlyDictionary<string, Tensor> stateDict, string source,
        ClipLoadOptions? options = null, Device? device = null) => Build(config, stateDict, source, options, device, releaseBound: false);

    // releaseBound: the state dict is the caller's to discard (Load), and each tensor is freed as soon as it is copied.
    private static ClipModel Build(ClipModelConfig config, IReadOnlyDictionary<string, Tensor> stateDict, string source,
        ClipLoadOptions? options, Device? device, bool releaseBound)
    {
        options ??= ClipLoadOptions.Default;
        using var scope = NewDisposeScope();
        var model = new ClipModel(config, options, device ?? CPU);
        try
        {
            ClipWeightsBinder.Bind(model, stateDict, source, releaseBound);
            model.Freeze();
            return model.DetachParameters();
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Encodes normalised images [N,3,S,S] (S = <see cref="ImageSize"/>): pooled embedding and the raw tokens after
    /// each 1-based block in <paramref name="taps"/>. With <paramref name="pooled"/> false the pass stops at the
    /// deepest tap. The caller owns the result.
    /// </summary>
    /// <remarks>Runs in inference mode: to feed the outputs to layers that train, clone them first.</remarks>
    public ImageEncoding EncodeImage(Tensor images, IReadOnlyList<int> taps, bool pooled = true)
    {
        using var _ = inference_mode();
        using var scope = NewDisposeScope();
        var input = images.to(Device).to_type(DType);
        var (p, tokens) = visual.Forward(input, taps, pooled);
        return new ImageEncoding(p, taps.ToArray(), tokens).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes token ids [N,77] to unnormalised text embeddings [N,E]. The caller owns the result.</summary>
    /// <remarks>Runs in inference mode: to feed the output to layers that train, clone it first.</remarks>
    /// <exception cref="InvalidOperationException">The text tower was released.</exception>
    public Tensor EncodeText(Tensor tokenIds)
    {
        if (TextTowerReleased) throw new InvalidOperationException("the text tower of this model was released");
        using var _ = inference_mode();
        return text.Forward(tokenIds);
    }

    /// <summary>True once <see cref="ReleaseTextTower"/> freed the text tower.</summary>
    public bool TextTowerReleased { get; private set; }

    /// <summary>
    /// Frees the text tower's parameters (e.g. once every class's text features are cached); image encoding is
    /// unaffected, <see cref="EncodeText"/> throws afterwards.
    /// </summary>
    public void ReleaseTextTower()
    {
        if (TextTowerReleased) return;
        foreach (var p in text.parameters()) p.Dispose();
        TextTowerReleased = true;
    }

    // Construction and conversion create temporaries; a private scope frees them, and the parameters are taken out
    // of it (and of any scope the caller has open) because the model outlives both.
    private ClipModel DetachParameters()
    {
        foreach (var p in parameters()) p.DetachFromDisposeScope();
        foreach (var b in buffers()) b.DetachFromDisposeScope();
        return this;
    }

    private void Freeze()
    {
        foreach (var p in parameters()) p.requires_grad = false;
    }
}
