using Xunit;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Hub;

namespace AnomalyClip.Tests.Clip.Hub;

/// <summary>How a name or path maps to a local path or a Hugging Face repo (spec/openclip.md §8).</summary>
public sealed class ModelReferenceTests
{
    [Theory]
    [InlineData("ViT-B-32", "timm/vit_base_patch32_clip_224.openai", "ViT-B-32", "openai")]
    [InlineData("ViT-B-16", "timm/vit_base_patch16_clip_224.openai", "ViT-B-16", "openai")]
    [InlineData("ViT-L-14", "timm/vit_large_patch14_clip_224.openai", "ViT-L-14", "openai")]
    [InlineData("ViT-L-14-336", "timm/vit_large_patch14_clip_336.openai", "ViT-L-14-336", "openai")]
    [InlineData("vit-l-14-336/OpenAI", "timm/vit_large_patch14_clip_336.openai", "ViT-L-14-336", "openai")]
    [InlineData("ViT-L-14-336-quickgelu", "timm/vit_large_patch14_clip_336.openai", "ViT-L-14-336-quickgelu", "openai")]
    [InlineData("ViT-B-16/laion2b_s34b_b88k", "laion/CLIP-ViT-B-16-laion2B-s34B-b88K", "ViT-B-16", "laion2b_s34b_b88k")]
    [InlineData("ViT-B-32/laion2b_s34b_b79k", "laion/CLIP-ViT-B-32-laion2B-s34B-b79K", "ViT-B-32", "laion2b_s34b_b79k")]
    [InlineData("ViT-B-32/laion2b_e16", "timm/vit_base_patch32_clip_224.laion2b_e16", "ViT-B-32", "laion2b_e16")]
    [InlineData("ViT-B-16/laion400m_e32", "timm/vit_base_patch16_clip_224.laion400m_e32", "ViT-B-16", "laion400m_e32")]
    [InlineData("ViT-L-14/laion2b_s32b_b82k", "laion/CLIP-ViT-L-14-laion2B-s32B-b82K", "ViT-L-14", "laion2b_s32b_b82k")]
    [InlineData("ViT-L/14@336px", "timm/vit_large_patch14_clip_336.openai", "ViT-L-14-336", "openai")]
    [InlineData("ViT-B/32", "timm/vit_base_patch32_clip_224.openai", "ViT-B-32", "openai")]
    public void KnownNames_MapToTheirRepos(string text, string repo, string name, string tag)
    {
        var reference = ModelReference.Parse(text, homeDir: null);

        Assert.Equal(repo, reference.RepoId);
        Assert.Equal(new PretrainedModel(name, tag, repo), reference.Pretrained);
        Assert.Null(reference.LocalPath);
    }

    [Theory]
    [InlineData("timm/vit_large_patch14_clip_336.openai", "timm/vit_large_patch14_clip_336.openai")]
    [InlineData("hf-hub:laion/CLIP-ViT-B-16-laion2B-s34B-b88K", "laion/CLIP-ViT-B-16-laion2B-s34B-b88K")]
    [InlineData("hf-hub:timm/vit_base_patch16_clip_224.openai/", "timm/vit_base_patch16_clip_224.openai")]
    [InlineData("hf-hub:ViT-B-16/openai", "ViT-B-16/openai")]
    public void RepoIds_AreTakenAsGiven(string text, string repo)
    {
        var reference = ModelReference.Parse(text, homeDir: null);

        Assert.Equal(repo, reference.RepoId);
        Assert.Null(reference.Pretrained);
    }

    [Fact]
    public void KnownNameWithUnknownTag_ListsTheKnownTags()
    {
        var error = Assert.Throws<ModelLoadException>(() => ModelReference.Parse("ViT-L-14-336/laion2b_s32b_b82k", homeDir: null));

        Assert.Contains("OpenCLIP model 'ViT-L-14-336' has no known pretrained tag 'laion2b_s32b_b82k'; known tags: openai.", error.Message);
    }

    [Theory]
    [InlineData("ViT-H-14", "not a local folder or file, a known OpenCLIP model name (ViT-B-32, ViT-B-16, ViT-L-14, ViT-L-14-336,")]
    [InlineData("hf-hub:org--x/name", "'org--x/name' is not a valid Hugging Face repo id")]
    [InlineData("hf-hub:org/na..me", "'org/na..me' is not a valid Hugging Face repo id")]
    [InlineData("org/na me", "'org/na me' is not a valid Hugging Face repo id")]
    [InlineData("./models/vit", "no such folder or weight file")]
    [InlineData("models/vit/open_clip_model.safetensors", "no such folder or weight file")]
    [InlineData("vit.safetensors", "no such folder or weight file")]
    public void Unusable_Inputs_SayWhy(string text, string message)
    {
        var error = Assert.Throws<ModelLoadException>(() => ModelReference.Parse(text, homeDir: null));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void TildeExpandsToTheHomeFolder()
    {
        using var home = new TempDirectory();
        Directory.CreateDirectory(home.Sub("models", "tiny"));

        var reference = ModelReference.Parse("~/models/tiny", home.Path);

        Assert.Equal(home.Sub("models", "tiny"), reference.LocalPath);
    }
}
