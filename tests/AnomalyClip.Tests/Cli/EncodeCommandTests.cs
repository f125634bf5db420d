using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Cli.Commands;
using AnomalyClip.Clip.IO;
using AnomalyClip.Tests.Clip.Hub;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Cli;

/// <summary><c>anomalyclip encode</c> in-process against the APRIL-GAN goldens (tiny-a at 48 px, exact GELU, squash).</summary>
public sealed class EncodeCommandTests
{
    private const double Tol = 1e-5;

    private static List<string> TestImages() =>
        Golden.Manifest["aprilgan"]!["test_dataset"]!["images_in_test_order"]!.AsArray()
            .Select(p => Golden.PathOf(["dataset_test", .. ((string)p!).Split('/')])).ToList();

    private static string[] AprilGanArgs(string output, string dtype = "fp32") =>
        ["encode", "--model-dir", Golden.TinyA, "--image-size", "48", "--activation", "gelu", "--taps", "1,2,3,4", "--dtype", dtype, "--out", output];

    [Fact]
    public void Images_AtAprilGanSettings_ReproducePooledAndTappedTokens()
    {
        using var dir = new TempDirectory();
        var output = dir.Sub("enc.safetensors");
        var images = TestImages();
        // --batch 3 splits the 8 images unevenly, so batching cannot hide a row mix-up.
        var (code, err) = EncodeCliRunner.Run([.. AprilGanArgs(output), "--resize", "squash", "--batch", "3", .. images]);
        Assert.True(code == 0, err);

        using var scope = NewDisposeScope();
        var result = SafeTensors.Load(output);
        // Every stem is 000 or 001 twice per class: the names fall back to the four trailing path components.
        var names = Golden.Manifest["aprilgan"]!["test_dataset"]!["images_in_test_order"]!.AsArray()
            .Select(p => ((string)p!)[..^".png".Length]).ToList();
        Assert.Equal(names.Count * 5, result.Count);
        var pooled = Golden.AprilGan("aprilgan/encode_image/pooled");
        var taps = Golden.AprilGan("aprilgan/encode_image/tapped_tokens");
        for (int i = 0; i < names.Count; i++)
        {
            Assert.Equal(ScalarType.Float32, result[names[i] + ".pooled"].dtype);
            TensorAssert.Close(pooled[i], result[names[i] + ".pooled"], Tol, names[i] + " pooled");
            for (int l = 0; l < 4; l++)
                TensorAssert.Close(taps[l][i], result[$"{names[i]}.tokens.{l + 1}"], Tol, $"{names[i]} tap {l + 1}");
        }
    }

    [Fact]
    public void DefaultResize_IsTheConfigsShortestSide_NotSquash()
    {
        using var dir = new TempDirectory();
        var image = TestImages()[0]; // non-square, so the two modes give different inputs
        Assert.Equal(0, EncodeCliRunner.Run([.. AprilGanArgs(dir.Sub("default.safetensors")), image]).Code);
        Assert.Equal(0, EncodeCliRunner.Run([.. AprilGanArgs(dir.Sub("squash.safetensors")), "--resize", "squash", image]).Code);
        using var scope = NewDisposeScope();
        var byDefault = SafeTensors.Load(dir.Sub("default.safetensors"))["000.pooled"];
        var squashed = SafeTensors.Load(dir.Sub("squash.safetensors"))["000.pooled"];
        TensorAssert.Close(Golden.AprilGan("aprilgan/encode_image/pooled")[0], squashed, Tol, "squash");
        Assert.True((byDefault - squashed).abs().max().item<float>() > 1e-3, "default resize should differ from squash");
    }

    [Fact]
    public void Tensors_BatchAndSingleImages_ReproduceTheSameOutputs()
    {
        using var dir = new TempDirectory();
        var input = dir.Sub("in.safetensors");
        var images = Golden.AprilGan("aprilgan/input/images");
        SafeTensors.Save(input, new Dictionary<string, Tensor> { ["batch"] = images, ["one"] = images[5], ["first"] = images.narrow(0, 0, 1) });
        var output = dir.Sub("enc.safetensors");
        var (code, err) = EncodeCliRunner.Run([.. AprilGanArgs(output), "--batch", "3", "--tensors", input]);
        Assert.True(code == 0, err);

        using var scope = NewDisposeScope();
        var result = SafeTensors.Load(output);
        Assert.Equal(15, result.Count);
        var pooled = Golden.AprilGan("aprilgan/encode_image/pooled");
        var taps = Golden.AprilGan("aprilgan/encode_image/tapped_tokens");
        TensorAssert.Close(pooled, result["batch.pooled"], Tol, "batch pooled");
        TensorAssert.Close(pooled[5], result["one.pooled"], Tol, "single pooled");
        TensorAssert.Close(pooled.narrow(0, 0, 1), result["first.pooled"], Tol, "[1,3,S,S] keeps its batch axis");
        for (int l = 0; l < 4; l++)
        {
            TensorAssert.Close(taps[l], result[$"batch.tokens.{l + 1}"], Tol, $"batch tap {l + 1}");
            TensorAssert.Close(taps[l][5], result[$"one.tokens.{l + 1}"], Tol, $"single tap {l + 1}");
        }
    }

    [Fact]
    public void Bf16Compute_IsWrittenAsFloat32_CloseToTheGoldens()
    {
        using var dir = new TempDirectory();
        var input = dir.Sub("in.safetensors");
        SafeTensors.Save(input, new Dictionary<string, Tensor> { ["batch"] = Golden.AprilGan("aprilgan/input/images") });
        var output = dir.Sub("enc.safetensors");
        var (code, err) = EncodeCliRunner.Run([.. AprilGanArgs(output, "bf16"), "--tensors", input]);
        Assert.True(code == 0, err);
        using var scope = NewDisposeScope();
        var pooled = SafeTensors.Load(output)["batch.pooled"];
        Assert.Equal(ScalarType.Float32, pooled.dtype);
        // bf16 keeps 8 significant bits; |pooled| reaches ~1.9.
        TensorAssert.Close(Golden.AprilGan("aprilgan/encode_image/pooled"), pooled, 0.05, "bf16 pooled");
    }

    [Fact]
    public void NoTaps_WritesPooledOnly()
    {
        using var dir = new TempDirectory();
        var output = dir.Sub("enc.safetensors");
        Assert.Equal(0, EncodeCliRunner.Run("encode", "--model-dir", Golden.TinyA, "--out", output, TestImages()[4]).Code);
        var (entries, _) = SafeTensors.ReadHeader(output);
        Assert.Equal(["000.pooled"], entries.Select(e => e.Name));
        Assert.Equal([32L], entries[0].Shape);
    }

    public static TheoryData<string, string[]> BadInputs => new()
    {
        { "missing image", ["--model-dir", Golden.TinyA, "IMG_MISSING"] },
        { "not an image", ["--model-dir", Golden.TinyA, "IMG_TEXT"] },
        { "empty model folder", ["--model-dir", "EMPTY_DIR", Golden.PathOf("images", "noise_rgb_64x64.png")] },
        { "tap beyond the last block", ["--model-dir", Golden.TinyA, "--taps", "5", Golden.PathOf("images", "noise_rgb_64x64.png")] },
        { "bad tap list", ["--model-dir", Golden.TinyA, "--taps", "1,x", Golden.PathOf("images", "noise_rgb_64x64.png")] },
        { "bad resize", ["--model-dir", Golden.TinyA, "--resize", "crop", Golden.PathOf("images", "noise_rgb_64x64.png")] },
        { "both model options", ["--model-dir", Golden.TinyA, "--model", "ViT-B-16", Golden.PathOf("images", "noise_rgb_64x64.png")] },
        { "no inputs", ["--model-dir", Golden.TinyA] },
        { "tensor of the wrong size", ["--model-dir", Golden.TinyA, "--tensors", "TENSORS_40"] },
        { "integer tensor", ["--model-dir", Golden.TinyA, "--image-size", "48", "--tensors", "TENSORS_U8"] },
        { "same image twice", ["--model-dir", Golden.TinyA, Golden.PathOf("images", "noise_rgb_64x64.png"), Golden.PathOf("images", "noise_rgb_64x64.png")] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInput_ExitsWith2_OneLineOnStderr_AndWritesNothing(string what, string[] args)
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Sub("empty"));
        File.WriteAllText(dir.Sub("notes.png"), "not a png");
        SafeTensors.Save(dir.Sub("t40.safetensors"), new Dictionary<string, Tensor> { ["x"] = zeros(2, 3, 40, 40) });
        SafeTensors.Save(dir.Sub("tu8.safetensors"), new Dictionary<string, Tensor> { ["x"] = zeros([3, 48, 48], ScalarType.Byte) });
        var resolved = args.Select(a => a switch
        {
            "IMG_MISSING" => dir.Sub("missing.png"),
            "IMG_TEXT" => dir.Sub("notes.png"),
            "EMPTY_DIR" => dir.Sub("empty"),
            "TENSORS_40" => dir.Sub("t40.safetensors"),
            "TENSORS_U8" => dir.Sub("tu8.safetensors"),
            _ => a,
        });
        var output = dir.Sub("out.safetensors");
        var (code, err) = EncodeCliRunner.Run(["encode", "--out", output, .. resolved]);
        Assert.True(code == 2, $"{what}: exit code {code}, stderr {err}");
        // Besides the error, stderr may hold only --dtype auto's announcement, printed once the model has loaded.
        var lines = err.TrimEnd('\n').Split('\n').Where(l => !l.StartsWith("dtype: ")).ToArray();
        Assert.StartsWith("error: ", Assert.Single(lines));
        Assert.False(File.Exists(output), what);
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => Path.GetFileName(f).StartsWith("out.", StringComparison.Ordinal));
    }

    [Fact]
    public void OutputNames_CollidingStemsUseTheFewestTrailingComponents_IndependentOfOrder()
    {
        string[] paths = ["/d/a/x/000.png", "/d/b/x/000.png", "/d/b/y/001.png", "/d/c/y/000.png", "/d/e/img.png", "/d/e/img.jpg"];
        var names = OutputNames.For(paths);
        Assert.Equal(["a/x/000", "b/x/000", "001", "c/y/000", "e/img.png", "e/img.jpg"], names);
        var reversed = OutputNames.For(paths.Reverse().ToList());
        Assert.Equal(names.Reverse(), reversed);
        Assert.Throws<ArgumentException>(() => OutputNames.For(["/d/a.png", "/d/../d/a.png"]));
    }
}
