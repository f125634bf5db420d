using AnomalyClip.Clip;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Weights;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Weights;

public class WeightFileTests
{
    private static string Temp(string name) => Path.Combine(Directory.CreateTempSubdirectory("wf-").FullName, name);

    private static string TinyABin => Path.Combine(Golden.TinyA, "open_clip_pytorch_model.bin");
    private static string TinyASafetensors => Path.Combine(Golden.TinyA, "open_clip_model.safetensors");

    [Fact]
    public void BinAndSafetensorsGiveTheSameStateDict()
    {
        Assert.Equal(WeightFormat.PyTorchCheckpoint, WeightFile.DetectFormat(TinyABin));
        Assert.Equal(WeightFormat.SafeTensors, WeightFile.DetectFormat(TinyASafetensors));
        var st = WeightFile.Load(TinyASafetensors);
        WeightAssert.BitIdentical(st, WeightFile.Load(TinyABin));
        WeightAssert.BitIdentical(WeightAssert.WithScalarLogitScale(SafeTensors.Load(TinyASafetensors)), st);
    }

    [Fact]
    public void Fp16CopyUpcastsToTheFp32WeightsExactly()
    {
        var fp32 = WeightFile.Load(TinyASafetensors);
        var fp16 = WeightFile.Load(Path.Combine(Golden.TinyAFp16, "open_clip_model.safetensors"));
        Assert.Equal(fp32.Keys.Order(), fp16.Keys.Order());
        foreach (var (k, t) in fp16)
        {
            Assert.Equal(ScalarType.Float16, t.dtype);
            using var up = t.to_type(ScalarType.Float32);
            WeightAssert.Tensor(fp32[k], up, k);
        }
    }

    [Fact]
    public void TrainingCheckpointWithModulePrefixTextPrefixAndVectorLogitScaleIsNormalised()
    {
        var oc = WeightAssert.WithScalarLogitScale(SafeTensors.Load(TinyASafetensors));
        string[] textRoots = ["token_embedding.", "positional_embedding", "transformer.", "ln_final.", "text_projection"];
        var variant = oc.Select(kv =>
        {
            var key = textRoots.Any(kv.Key.StartsWith) ? "text." + kv.Key : kv.Key; // CustomTextCLIP layout
            var value = kv.Key == "logit_scale" ? kv.Value.reshape(1) : kv.Value; // the [1] variant
            return new KeyValuePair<string, Tensor>("module." + key, value);
        }).Append(new("module.input_resolution", tensor(32L))).ToList();
        var path = Temp("epoch_3.pt");
        TorchArchiveWriter.SaveStateDict(path, variant, outerKey: "state_dict");

        var loaded = WeightFile.Load(path);
        WeightAssert.BitIdentical(oc, loaded);
        Assert.Empty(loaded["logit_scale"].shape);
    }

    [Fact]
    public void ShardedSafetensorsIndexLoadsAllShards()
    {
        var oc = SafeTensors.Load(TinyASafetensors);
        var dir = Directory.CreateTempSubdirectory("shards-").FullName;
        var visual = oc.Where(kv => kv.Key.StartsWith("visual.", StringComparison.Ordinal)).ToDictionary();
        var text = oc.Where(kv => !kv.Key.StartsWith("visual.", StringComparison.Ordinal)).ToDictionary();
        SafeTensors.Save(Path.Combine(dir, "model-00001-of-00002.safetensors"), visual);
        SafeTensors.Save(Path.Combine(dir, "model-00002-of-00002.safetensors"), text);
        var map = string.Join(",", visual.Keys.Select(k => $"\"{k}\":\"model-00001-of-00002.safetensors\"")
            .Concat(text.Keys.Select(k => $"\"{k}\":\"model-00002-of-00002.safetensors\"")));
        var index = Path.Combine(dir, "model.safetensors.index.json");
        File.WriteAllText(index, $"{{\"metadata\":{{\"total_size\":1}},\"weight_map\":{{{map}}}}}");
        Assert.Equal(WeightFormat.ShardedSafeTensors, WeightFile.DetectFormat(index));
        WeightAssert.BitIdentical(WeightAssert.WithScalarLogitScale(oc), WeightFile.Load(index));

        File.WriteAllText(index, "{\"weight_map\":{\"visual.proj\":\"../elsewhere.safetensors\"}}");
        Assert.Contains("plain file name", Assert.Throws<ModelLoadException>(() => WeightFile.Load(index)).Message);
        File.WriteAllText(index, "{\"weight_map\":{\"visual.nothing\":\"model-00001-of-00002.safetensors\"}}");
        Assert.Contains("visual.nothing", Assert.Throws<ModelLoadException>(() => WeightFile.Load(index)).Message);
    }

    [Fact]
    public void AprilGanWrapperIsNotMistakenForModelWeights()
    {
        var ex = Assert.Throws<ModelLoadException>(() => WeightFile.Load(Golden.PathOf("aprilgan_linear_layers.pth")));
        Assert.Contains("trainable_linearlayer", ex.Message);
    }
}
