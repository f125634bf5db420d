namespace AnomalyClip.Clip.Hub;

/// <summary>Where <see cref="ModelResolver"/> found a model's files.</summary>
public enum ModelSource
{
    /// <summary>A folder or weight file path given by the caller.</summary>
    LocalPath,

    /// <summary>The Hugging Face hub cache, without any network access.</summary>
    Cache,

    /// <summary>The Hugging Face hub cache, after downloading at least the missing files.</summary>
    Download,
}
