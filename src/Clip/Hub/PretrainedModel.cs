namespace AnomalyClip.Clip.Hub;

/// <summary>An OpenCLIP architecture name with a pretrained tag, and the Hugging Face repo holding its weights.</summary>
/// <param name="Name">OpenCLIP model config name, e.g. <c>ViT-L-14-336</c>.</param>
/// <param name="Tag">OpenCLIP pretrained tag, e.g. <c>openai</c> or <c>laion2b_s34b_b88k</c>.</param>
/// <param name="RepoId">Hugging Face repo id, e.g. <c>timm/vit_large_patch14_clip_336.openai</c>.</param>
public sealed record PretrainedModel(string Name, string Tag, string RepoId);
