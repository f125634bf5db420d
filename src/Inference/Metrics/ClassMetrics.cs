namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// The APRIL-GAN evaluation of one class (or the mean over classes), every value a fraction in [0, 1] (the paper
/// reports ×100). Pixel metrics pool all pixels of all the class's images; image metrics use one score per image.
/// NaN marks a metric that is undefined for the data (see <see cref="RankingMetrics"/> and <see cref="ClassMetricsAccumulator"/>).
/// </summary>
/// <param name="ClassName">Class (object) name, or "mean" for the mean row.</param>
/// <param name="PixelAuroc">Pixel-level AUROC (their <c>auroc_px</c>).</param>
/// <param name="PixelF1Max">Pixel-level F1-max (<c>f1_px</c>).</param>
/// <param name="PixelAp">Pixel-level average precision (<c>ap_px</c>).</param>
/// <param name="Aupro">APRIL-GAN's AUPRO (<c>aupro</c>): 200 linear thresholds, FPR &lt; 0.3 min-max normalised. This is the paper's PRO column.</param>
/// <param name="ImageAuroc">Image-level AUROC (<c>auroc_sp</c>).</param>
/// <param name="ImageF1Max">Image-level F1-max (<c>f1_sp</c>).</param>
/// <param name="ImageAp">Image-level average precision (<c>ap_sp</c>).</param>
/// <param name="AuproStandard">The standard AUPRO of the MVTec AD evaluation code and anomalib (all thresholds, integrated to FPR 0.3 and divided by 0.3); not in the paper's tables.</param>
public sealed record ClassMetrics(
    string ClassName,
    double PixelAuroc, double PixelF1Max, double PixelAp, double Aupro,
    double ImageAuroc, double ImageF1Max, double ImageAp,
    double AuproStandard);
