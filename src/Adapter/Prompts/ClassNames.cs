namespace AnomalyClip.Adapter.Prompts;

/// <summary>How a dataset class name becomes the object name inside prompts.</summary>
public static class ClassNames
{
    /// <summary>The object name used when no class is given.</summary>
    public const string DefaultObject = "object";

    /// <summary>
    /// The prompt object name for <paramref name="className"/>: verbatim by default, as APRIL-GAN (so "metal_nut"
    /// stays "metal_nut"); with <paramref name="readable"/>, underscores and hyphens become spaces ("metal nut").
    /// Null or blank gives <see cref="DefaultObject"/>.
    /// </summary>
    public static string ToObjectName(string? className, bool readable = false)
    {
        if (string.IsNullOrWhiteSpace(className)) return DefaultObject;
        return readable ? string.Join(' ', className.Split(['_', '-', ' '], StringSplitOptions.RemoveEmptyEntries)) : className;
    }
}
