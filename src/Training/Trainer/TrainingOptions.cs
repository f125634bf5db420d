namespace AnomalyClip.Training.Trainer;

/// <summary>Where CLIP's tapped tokens are cached across epochs (CLIP is frozen, so they never change).</summary>
public enum TokenCacheMode
{
    /// <summary>Encode every image every epoch (as the reference).</summary>
    None,

    /// <summary>Keep tokens in memory (float32): fast, but ~22 MB per image for ViT-L at 518 px with 4 taps.</summary>
    Memory,

    /// <summary>Keep tokens in float32 safetensors files under <see cref="TrainingOptions.CacheDirectory"/>.</summary>
    Disk,
}

/// <summary>Training settings; defaults are the paper's (MVTec direction).</summary>
/// <param name="Epochs">Passes over the training samples (paper: 3 on MVTec, 15 on VisA).</param>
/// <param name="BatchSize">Images per optimiser step (paper: 8).</param>
/// <param name="LearningRate">Adam learning rate, constant (paper: 1e-3).</param>
/// <param name="Beta1">Adam β1 (paper: 0.5).</param>
/// <param name="Beta2">Adam β2 (paper: 0.999).</param>
/// <param name="Seed">Seeds the layer initialisation, shuffling and mosaics (paper: 111).</param>
/// <param name="MosaicProbability">Chance a sample is replaced by a same-class 2×2 mosaic (paper: 0.2 on MVTec, 0 on VisA).</param>
/// <param name="Cache">Token cache across epochs. Mosaic samples are never cached (each is new).</param>
/// <param name="CacheDirectory">Folder of the disk cache (a temporary folder when null).</param>
public sealed record TrainingOptions(
    int Epochs = 3, int BatchSize = 8, double LearningRate = 1e-3, double Beta1 = 0.5, double Beta2 = 0.999, int Seed = 111,
    double MosaicProbability = 0.2, TokenCacheMode Cache = TokenCacheMode.None, string? CacheDirectory = null);
