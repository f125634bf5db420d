using AnomalyClip.Clip;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Weights;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Weights;

/// <summary>
/// No Python torch is available, so these use a hand-built archive (<see cref="SyntheticTorchScript"/>) that
/// follows the documented jit layout; a real OpenAI <c>.pt</c> file has not been read by these tests.
/// </summary>
public class TorchScriptArchiveTests
{
    private static string Temp(string name) => Path.Combine(Directory.CreateTempSubdirectory("jit-").FullName, name);

    private static Dictionary<string, Tensor> Fp16() => SafeTensors.Load(Path.Combine(Golden.TinyAFp16, "open_clip_model.safetensors"));

    [Fact]
    public void OpenAiStyleArchiveYieldsParametersAndBuffersOnly()
    {
        var weights = Fp16();
        var path = Temp("ViT-Tiny.pt");
        new SyntheticTorchScript().Write(path, weights);

        var sd = TorchScriptArchive.LoadStateDict(path);
        var expected = new Dictionary<string, Tensor>(weights)
        {
            ["input_resolution"] = tensor(32L), ["context_length"] = tensor(77L), ["vocab_size"] = tensor(49408L),
        };
        WeightAssert.BitIdentical(expected, sd); // attn_mask (plain attribute and constant) and 'training' are not in it
        Assert.Equal(ScalarType.Float16, sd["visual.transformer.resblocks.3.attn.in_proj_weight"].dtype);
    }

    [Fact]
    public void WeightFileDetectsTorchScriptAndReturnsTheOpenClipStateDict()
    {
        var weights = Fp16();
        var path = Temp("ViT-Tiny.pt");
        new SyntheticTorchScript().Write(path, weights);
        Assert.Equal(WeightFormat.TorchScript, WeightFile.DetectFormat(path));
        WeightAssert.BitIdentical(WeightAssert.WithScalarLogitScale(weights), WeightFile.Load(path));
        var ex = Assert.Throws<ModelLoadException>(() => PyTorchCheckpoint.LoadStateDict(path));
        Assert.Contains("TorchScript", ex.Message);
    }

    [Fact]
    public void ModuleClassMissingFromCodeIsAnError()
    {
        var path = Temp("nocode.pt");
        var writer = new SyntheticTorchScript();
        writer.OmitClasses.Add("LayerNorm");
        writer.Write(path, Fp16());
        var ex = Assert.Throws<ModelLoadException>(() => TorchScriptArchive.LoadStateDict(path));
        Assert.Contains("LayerNorm", ex.Message);
        Assert.Contains("code/", ex.Message);
    }

    [Fact]
    public void PlainTorchSaveIsNotATorchScriptArchive()
    {
        var ex = Assert.Throws<ModelLoadException>(() => TorchScriptArchive.LoadStateDict(Path.Combine(Golden.TinyA, "open_clip_pytorch_model.bin")));
        Assert.Contains("not a TorchScript archive", ex.Message);
    }
}
