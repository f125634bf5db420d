namespace AnomalyClip.Reports.Gallery;

/// <summary>An embedded thumbnail, or why there is none.</summary>
/// <param name="DataUri">A <c>data:image/jpeg;base64,…</c> URI, or <see langword="null"/> when the overlay could not be used.</param>
/// <param name="Width">Pixel width of the thumbnail (0 without one).</param>
/// <param name="Height">Pixel height of the thumbnail (0 without one).</param>
/// <param name="Problem">Why there is no thumbnail (shown in its place), or <see langword="null"/>.</param>
internal sealed record Thumbnail(string? DataUri, int Width, int Height, string? Problem)
{
    /// <summary>A placeholder that says <paramref name="problem"/>.</summary>
    public static Thumbnail Missing(string problem) => new(null, 0, 0, problem);
}
