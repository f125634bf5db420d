using System.CommandLine;
using System.Globalization;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip encode</c>: runs the vision tower on images (or on already-preprocessed tensors) and writes the
/// pooled embeddings and the tokens after the tapped blocks to one safetensors file.
/// </summary>
internal static class EncodeCommand
{
    private const string Help =
        "Encodes images with the CLIP vision tower and writes one safetensors file (float32, written atomically).\n" +
        "For each image: '<name>.pooled' [E] (ln_post(CLS)·proj, not normalised) and, per tapped block b, " +
        "'<name>.tokens.<b>' [1+G², W] (raw residual stream after block b, CLS first).\n" +
        "<name> is the file name without extension; when several images share it, all of them are named by their last " +
        "path components instead ('good/000', 'defect/000': the fewest components, at least 2, that tell them apart).\n" +
        "Images are preprocessed as the model's config says (resize mode, bicubic, mean/std) unless --resize is given; " +
        "APRIL-GAN squashes: use --resize squash (with --activation gelu and e.g. --image-size 518) to reproduce it.\n" +
        "With --tensors FILE, the inputs are the tensors of a safetensors file, already resized and normalised (NCHW, " +
        "float): a tensor [3,S,S] is one image and gives '<tensor>.pooled' [E] and '<tensor>.tokens.<b>' [1+G², W]; a " +
        "tensor [N,3,S,S] is a batch and gives [N,E] and [N,1+G²,W] (also for N = 1).";

    public static Command Build()
    {
        var model = new ModelArguments();
        var size = new Option<int?>("--image-size") { Description = "Input side S in pixels (a multiple of the patch size); default: the model's." }.Between(8, 4096);
        var taps = new Option<string?>("--taps") { Description = "Comma-separated 1-based blocks whose tokens to write, e.g. 6,12,18,24; default: none (pooled only)." };
        var output = new Option<string>("--out") { Description = "Output .safetensors file.", Required = true };
        var resize = new Option<string?>("--resize") { Description = "shortest (resize the short side, centre-crop) or squash (resize to S×S); default: the model config's resize_mode (shortest for OpenAI/OpenCLIP configs)." };
        var tensors = new Option<string?>("--tensors") { Description = "Encode the tensors of this safetensors file instead of image files." };
        var batch = new Option<int>("--batch") { Description = "Images per forward pass.", DefaultValueFactory = _ => 8 }.Between(1, 1024);
        var images = new Argument<string[]>("images") { Description = "Image files (PNG, JPEG, BMP, TIFF).", Arity = ArgumentArity.ZeroOrMore }.RejectingOptions();
        var cmd = new Command("encode", Help) { size, taps, output, resize, tensors, batch, images };
        model.AddTo(cmd, adapterSettings: false, adapter: false);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var paths = r.GetValue(images) ?? [];
            var tensorFile = r.GetValue(tensors);
            if ((paths.Length == 0) == (tensorFile is null)) throw new ArgumentException("give image files, or --tensors FILE (not both)");
            int batchSize = r.GetValue(batch);
            var tapList = r.GetValue(taps) is string tapText ? ModelArguments.ParseTaps([tapText]) : [];
            var resizeMode = ParseResize(r.GetValue(resize));
            var outPath = OutputPaths.File("--out", r.GetValue(output)!);
            var names = OutputNames.For(paths);

            using var clip = model.LoadClip(r, r.GetValue(size), null, null);
            if (tapList.FirstOrDefault(t => t > clip.Visual.Layers) is var bad and > 0)
                throw new ArgumentException($"--taps: block {bad} does not exist; the model has {clip.Visual.Layers} blocks");
            var results = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                if (tensorFile is not null) EncodeTensors(clip, tensorFile, tapList, batchSize, results);
                else EncodeImages(clip, paths, names, new ClipPreprocessor(ClipTransformOptions.FromConfig(clip.Config.Preprocess, clip.ImageSize, resizeMode)), tapList, batchSize, results);
                SafeTensors.Save(outPath, results);
            }
            finally
            {
                foreach (var t in results.Values) t.Dispose();
            }
            Console.WriteLine($"wrote {results.Count} tensors to {outPath}");
            return 0;
        }));
        return cmd;
    }

    private static ResizeMode? ParseResize(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "shortest" => ResizeMode.Shortest,
        "squash" => ResizeMode.Squash,
        _ => throw new ArgumentException($"--resize: unknown mode '{value}' (shortest, squash)"),
    };

    private static void EncodeImages(ClipModel clip, IReadOnlyList<string> paths, IReadOnlyList<string> names, ClipPreprocessor pre,
        int[] taps, int batchSize, Dictionary<string, Tensor> results)
    {
        var decoder = new ImageDecoder();
        for (int start = 0; start < paths.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, paths.Count - start);
            var decoded = Enumerable.Range(start, n).Select(i => decoder.Decode(paths[i])).ToList();
            using var input = pre.ToBatch(decoded, CPU);
            Store(clip, input, taps, Enumerable.Range(start, n).Select(i => names[i]).ToList(), results);
        }
    }

    private static void EncodeTensors(ClipModel clip, string file, int[] taps, int batchSize, Dictionary<string, Tensor> results)
    {
        var inputs = SafeTensors.Load(file);
        try
        {
            if (inputs.Count == 0) throw new InvalidDataException($"{file}: holds no tensors");
            int s = clip.ImageSize;
            foreach (var (name, t) in inputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                bool single = t.dim() == 3;
                if (!(single || t.dim() == 4) || t.shape[^3] != 3 || t.shape[^2] != s || t.shape[^1] != s)
                    throw new InvalidDataException($"{file}: tensor '{name}' has shape [{string.Join(", ", t.shape)}]; expected [3,{s},{s}] or [N,3,{s},{s}] (the model runs at {s} px)");
                if (!t.is_floating_point())
                    throw new InvalidDataException($"{file}: tensor '{name}' is {t.dtype}; expected normalised float values (preprocess images first, or pass the image files)");
                using var batch = single ? t.unsqueeze(0) : t.alias();
                // A batch is encoded in chunks that are joined again, so its outputs keep the input's leading axis.
                var parts = new Dictionary<string, List<Tensor>>(StringComparer.Ordinal);
                try
                {
                    for (long start = 0; start < batch.shape[0]; start += batchSize)
                    {
                        using var chunk = batch.narrow(0, start, Math.Min(batchSize, batch.shape[0] - start));
                        foreach (var (key, value) in Encode(clip, chunk, taps))
                        {
                            if (!parts.TryGetValue(key, out var list)) parts[key] = list = [];
                            list.Add(value);
                        }
                    }
                    foreach (var (key, list) in parts)
                    {
                        using var joined = cat(list, 0);
                        results[name + key] = single ? joined.squeeze(0) : joined.alias();
                    }
                }
                finally
                {
                    foreach (var part in parts.Values.SelectMany(l => l)) part.Dispose();
                }
            }
        }
        finally
        {
            foreach (var t in inputs.Values) t.Dispose();
        }
    }

    /// <summary>Encodes a batch and stores row i under <c>names[i]</c>.</summary>
    private static void Store(ClipModel clip, Tensor input, int[] taps, IReadOnlyList<string> names, Dictionary<string, Tensor> results)
    {
        foreach (var (suffix, value) in Encode(clip, input, taps))
        {
            using (value)
            {
                for (int i = 0; i < names.Count; i++)
                {
                    using var row = value[i];
                    results[names[i] + suffix] = row.clone();
                }
            }
        }
    }

    /// <summary>Runs the vision tower on <paramref name="input"/>: each output (CPU float32, leading batch axis, owned by the caller) with its name suffix.</summary>
    private static List<(string Suffix, Tensor Value)> Encode(ClipModel clip, Tensor input, int[] taps)
    {
        // The encoding is left to the scope rather than disposed: when it already is CPU float32, the conversions
        // below return the very same tensors, which must survive.
        using var scope = NewDisposeScope();
        var enc = clip.EncodeImage(input, taps);
        var outputs = new List<(string, Tensor)> { (".pooled", enc.Pooled!.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope()) };
        for (int j = 0; j < taps.Length; j++)
            outputs.Add((".tokens." + taps[j].ToString(CultureInfo.InvariantCulture), enc.Tokens[j].to(ScalarType.Float32).cpu().MoveToOuterDisposeScope()));
        return outputs;
    }
}
