namespace AnomalyClip.Reports.Gallery;

/// <summary>An image picked for a gallery, with how badly the detector ranked it.</summary>
/// <param name="Image">The image.</param>
/// <param name="Badness">
/// The share of the other label's images it is ranked wrongly against, ties counting half: for a normal image the
/// anomalous images scoring lower, for an anomalous image the normal ones scoring higher. Its mean over one label
/// is 1 − AUROC. 0 when the class has one label value.
/// </param>
/// <param name="Outranked">Images of the other label it is ranked wrongly against or tied with (normal: anomalous ones scoring ≤; anomalous: normal ones scoring ≥).</param>
/// <param name="Opposite">Images of the other label.</param>
internal sealed record GalleryEntry(ReportImage Image, double Badness, int Outranked, int Opposite)
{
    /// <summary>Whether some image of the other label is ranked on the wrong side of (or level with) it.</summary>
    public bool IsMistake => Outranked > 0;
}
