using AnomalyClip.Clip;
using AnomalyClip.Clip.Config;
using Xunit;

namespace AnomalyClip.Tests.Clip.Loading;

/// <summary><see cref="ModelConfigInference"/> on hand-written state-dict shapes (spec/openclip.md §4a).</summary>
public sealed class ModelConfigInferenceTests
{
    /// <summary>The keys and shapes of an OpenAI-layout ViT CLIP, written out from spec/openclip.md §4a.</summary>
    private static Dictionary<string, long[]> OpenAiShapes(int visionWidth, int visionLayers, int patch, int grid, int textWidth, int textLayers, int embed)
    {
        var d = new Dictionary<string, long[]>
        {
            ["positional_embedding"] = [77, textWidth],
            ["text_projection"] = [textWidth, embed],
            ["logit_scale"] = [],
            ["visual.class_embedding"] = [visionWidth],
            ["visual.positional_embedding"] = [1 + grid * grid, visionWidth],
            ["visual.proj"] = [visionWidth, embed],
            ["visual.conv1.weight"] = [visionWidth, 3, patch, patch],
            ["visual.ln_pre.weight"] = [visionWidth], ["visual.ln_pre.bias"] = [visionWidth],
            ["visual.ln_post.weight"] = [visionWidth], ["visual.ln_post.bias"] = [visionWidth],
            ["token_embedding.weight"] = [49408, textWidth],
            ["ln_final.weight"] = [textWidth], ["ln_final.bias"] = [textWidth],
        };
        void Blocks(string prefix, int layers, int w)
        {
            for (int i = 0; i < layers; i++)
            {
                var p = $"{prefix}transformer.resblocks.{i}.";
                d[p + "ln_1.weight"] = [w]; d[p + "ln_1.bias"] = [w];
                d[p + "attn.in_proj_weight"] = [3 * w, w]; d[p + "attn.in_proj_bias"] = [3 * w];
                d[p + "attn.out_proj.weight"] = [w, w]; d[p + "attn.out_proj.bias"] = [w];
                d[p + "ln_2.weight"] = [w]; d[p + "ln_2.bias"] = [w];
                d[p + "mlp.c_fc.weight"] = [4 * w, w]; d[p + "mlp.c_fc.bias"] = [4 * w];
                d[p + "mlp.c_proj.weight"] = [w, 4 * w]; d[p + "mlp.c_proj.bias"] = [w];
            }
        }
        Blocks("visual.", visionLayers, visionWidth);
        Blocks("", textLayers, textWidth);
        return d;
    }

    [Theory]
    [InlineData("ViT-L-14-336", 1024, 24, 14, 24, 768, 12, 768, 446)]
    [InlineData("ViT-B-32", 768, 12, 32, 7, 512, 12, 512, 302)]
    [InlineData("ViT-B-16", 768, 12, 16, 14, 512, 12, 512, 302)]
    public void OpenAiShapes_GiveTheBuiltInQuickGeluConfig(string arch, int vw, int vl, int patch, int grid, int tw, int tl, int embed, int keyCount)
    {
        var shapes = OpenAiShapes(vw, vl, patch, grid, tw, tl, embed);
        Assert.Equal(keyCount, shapes.Count);
        var inferred = ModelConfigInference.FromStateDict(shapes, "/models/ViT-x.pt");
        var expected = ClipModelConfigs.Get(arch + "-quickgelu");
        Assert.Equal("ViT-x", inferred.Name);
        Assert.Equal(expected.EmbedDim, inferred.EmbedDim);
        Assert.Equal(expected.Vision, inferred.Vision);
        Assert.Equal(expected.Text, inferred.Text);
        Assert.Equal(Activation.QuickGelu, inferred.Activation);
        Assert.Same(PreprocessConfig.OpenAi, inferred.Preprocess);
    }

    [Fact]
    public void NonSquareGrid_ResNet_GapsAndOddWidths_AreErrorsNamingTheFile()
    {
        var s = OpenAiShapes(64, 2, 8, 4, 64, 2, 32);
        s["visual.positional_embedding"] = [18, 64];
        var grid = Assert.Throws<ModelLoadException>(() => ModelConfigInference.FromStateDict(s, "w.pt"));
        Assert.Equal("w.pt", grid.FilePath);
        Assert.Contains("18 rows, not 1 + grid²", grid.Message);

        var resnet = new Dictionary<string, long[]> { ["visual.layer1.0.conv1.weight"] = [64, 64, 1, 1] };
        Assert.Contains("ResNet", Assert.Throws<ModelLoadException>(() => ModelConfigInference.FromStateDict(resnet, "rn.pt")).Message);

        var gap = OpenAiShapes(64, 3, 8, 4, 64, 2, 32);
        foreach (var k in gap.Keys.Where(k => k.StartsWith("visual.transformer.resblocks.1.", StringComparison.Ordinal)).ToList()) gap.Remove(k);
        Assert.Contains("not 0..1 (found 0, 2)", Assert.Throws<ModelLoadException>(() => ModelConfigInference.FromStateDict(gap, "g.pt")).Message);

        var odd = OpenAiShapes(96, 2, 8, 4, 64, 2, 32);
        Assert.Contains("vision width 96 is not a multiple of 64", Assert.Throws<ModelLoadException>(() => ModelConfigInference.FromStateDict(odd, "o.pt")).Message);

        var noText = OpenAiShapes(64, 2, 8, 4, 64, 2, 32);
        noText.Remove("text_projection");
        Assert.Contains("has no 'text_projection'", Assert.Throws<ModelLoadException>(() => ModelConfigInference.FromStateDict(noText, "t.pt")).Message);
    }
}
