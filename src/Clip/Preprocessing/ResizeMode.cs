namespace AnomalyClip.Clip.Preprocessing;

/// <summary>How an image is brought to the square model input (open_clip's <c>resize_mode</c>).</summary>
public enum ResizeMode
{
    /// <summary>
    /// open_clip "shortest": the short side becomes S and the long side int(S·long/short) (truncated), then a centre
    /// crop of S×S with offsets round((side − S)/2), Python's round-half-to-even.
    /// </summary>
    Shortest,

    /// <summary>open_clip "squash", used by APRIL-GAN: resized straight to S×S, aspect ratio not kept.</summary>
    Squash,
}
