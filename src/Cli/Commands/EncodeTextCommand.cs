using System.CommandLine;
using System.Text;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.IO;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip encode-text</c>: tokenizes texts as open_clip does and runs the text tower, writing the token ids
/// and the (unnormalised) embeddings to one safetensors file.
/// </summary>
internal static class EncodeTextCommand
{
    private const int TextsPerPass = 256;

    private const string Help =
        "Encodes texts with the CLIP text tower and writes one safetensors file (written atomically) holding 'tokens' " +
        "[T, 77] int64 (open_clip tokenize: SOT, BPE ids, EOT, zero-padded; longer texts cut with EOT last) and " +
        "'embeddings' [T, E] float32 (text_projection output, not normalised), rows in input order.\n" +
        "Texts come from the arguments or from --texts-file (UTF-8, one text per line; a final line break ends the " +
        "last text, every other line is a text, empty ones included).\n" +
        "The tokenizer is the model folder's (bpe_simple_vocab_16e6.txt.gz, or vocab.json + merges.txt), else --tokenizer, else the built-in CLIP vocabulary.";

    public static Command Build()
    {
        var model = new ModelArguments();
        var output = new Option<string>("--out") { Description = "Output .safetensors file.", Required = true };
        var textsFile = new Option<string?>("--texts-file") { Description = "UTF-8 file with one text per line, instead of TEXTS." };
        var texts = new Argument<string[]>("texts") { Description = "Texts to encode.", Arity = ArgumentArity.ZeroOrMore }.RejectingOptions();
        var cmd = new Command("encode-text", Help) { output, textsFile, texts };
        model.AddTo(cmd, adapterSettings: false, adapter: false);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var given = r.GetValue(texts) ?? [];
            var file = r.GetValue(textsFile);
            if ((given.Length == 0) == (file is null)) throw new ArgumentException("give texts as arguments, or --texts-file FILE (not both)");
            var list = file is null ? given : ReadLines(file);
            if (list.Count == 0) throw new InvalidDataException($"{file}: holds no texts");
            var outPath = OutputPaths.File("--out", r.GetValue(output)!);

            using var clip = model.LoadClip(r, null, null, null);
            // ClipModel.Load always supplies one: the folder's, --tokenizer, or the built-in CLIP vocabulary.
            using var ids = clip.Tokenizer!.Tokenize(list, clip.Config.Text.ContextLength);
            var parts = new List<Tensor>();
            try
            {
                for (long start = 0; start < ids.shape[0]; start += TextsPerPass)
                {
                    using var scope = NewDisposeScope();
                    var emb = clip.EncodeText(ids.narrow(0, start, Math.Min(TextsPerPass, ids.shape[0] - start)).to(clip.Device));
                    parts.Add(emb.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope());
                }
                using var embeddings = cat(parts, 0);
                SafeTensors.Save(outPath, new Dictionary<string, Tensor> { ["tokens"] = ids, ["embeddings"] = embeddings });
            }
            finally
            {
                foreach (var t in parts) t.Dispose();
            }
            Console.WriteLine($"wrote {list.Count} texts to {outPath}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>One text per line (\n or \r\n); a trailing line break does not start another text.</summary>
    internal static IReadOnlyList<string> ReadLines(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--texts-file: {path} does not exist", path);
        var content = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        if (content.Length == 0) return [];
        if (content.EndsWith('\n')) content = content[..^1];
        return content.Split('\n').Select(l => l.EndsWith('\r') ? l[..^1] : l).ToList();
    }
}
