using System.Runtime.InteropServices;

namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// Collects the anomaly maps, masks, labels and scores of one class image by image and computes its
/// <see cref="ClassMetrics"/> once at the end, with the semantics of APRIL-GAN's <c>test.py</c> (scikit-learn 1.2,
/// scikit-image 8-connectivity).
/// </summary>
/// <remarks>
/// <para>Memory: 4 bytes per pixel (each score is kept as a sortable 32-bit key; the mask is not kept), plus
/// 4 bytes per GT-positive pixel and small tables while <see cref="Compute"/> runs. Pass the class's total pixel
/// count as capacity to avoid any regrowth. 200 maps of 518×518 (53.7 M pixels) take ~215 MB.</para>
/// <para>Undefined metrics are NaN where scikit-learn would raise or warn: AUROC when only one label occurs
/// (pixel or image), AP and F1-max without any positive, both AUPROs without any GT region or GT-negative pixel,
/// and the APRIL-GAN AUPRO when all map values are equal or fewer than two thresholds have FPR &lt; 0.3.</para>
/// <para><see cref="Compute"/> sorts the stored keys in place, so it finishes the accumulator: later calls return
/// the same result and <see cref="Add(ReadOnlySpan{float}, ReadOnlySpan{byte}, int, int, bool, double)"/> throws.</para>
/// </remarks>
public sealed class ClassMetricsAccumulator
{
    private readonly PixelKeyStore _pixels;
    private readonly List<bool> _labels = [];
    private readonly List<double> _scores = [];
    private readonly List<int> _regionAreas = [];
    private readonly List<int> _regionsPerImage = [];
    private float _min = float.PositiveInfinity;
    private float _max = float.NegativeInfinity;
    private int[] _labelScratch = [];
    private int[] _stackScratch = [];
    private uint[] _keyScratch = [];
    private ClassMetrics? _result;

    /// <summary>Starts an empty accumulator.</summary>
    /// <param name="className">Class name reported in the result.</param>
    /// <param name="pixelCapacity">Expected total pixel count of the class (images × height × width); 0 to grow as needed.</param>
    public ClassMetricsAccumulator(string className, long pixelCapacity = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(className);
        ClassName = className;
        _pixels = new PixelKeyStore(pixelCapacity);
    }

    /// <summary>The class name given at construction.</summary>
    public string ClassName { get; }

    /// <summary>Number of images added.</summary>
    public int ImageCount => _labels.Count;

    /// <summary>The arrays APRIL-GAN passes to <c>sklearn.metrics.auc</c> for its AUPRO; set by <see cref="Compute"/>.</summary>
    internal AprilGanAupro.Result AuproCurve { get; private set; }

    /// <summary>The image scores that entered the image metrics, in the order added; set by <see cref="Compute"/>.</summary>
    internal double[] ImageScoresUsed { get; private set; } = [];

    /// <summary>Adds one image.</summary>
    /// <param name="map">Anomaly map, row-major <paramref name="height"/>×<paramref name="width"/>; higher = more anomalous.</param>
    /// <param name="mask">Ground truth of the same size; nonzero = defect pixel.</param>
    /// <param name="height">Map rows.</param>
    /// <param name="width">Map columns.</param>
    /// <param name="isAnomalous">Image label (true = anomalous).</param>
    /// <param name="imageScore">Image anomaly score.</param>
    /// <exception cref="ArgumentException">Sizes disagree, or a map value or the score is NaN or infinite.</exception>
    /// <exception cref="InvalidOperationException">After <see cref="Compute"/>.</exception>
    public void Add(ReadOnlySpan<float> map, ReadOnlySpan<byte> mask, int height, int width, bool isAnomalous, double imageScore)
    {
        if (_result is not null) throw new InvalidOperationException($"class '{ClassName}': metrics were already computed");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        long n64 = (long)height * width;
        string what = $"class '{ClassName}', image {ImageCount}";
        if (map.Length != n64) throw new ArgumentException($"{what}: map has {map.Length} values, expected {height}×{width}", nameof(map));
        if (mask.Length != n64) throw new ArgumentException($"{what}: mask has {mask.Length} values, expected {height}×{width}", nameof(mask));
        if (!double.IsFinite(imageScore)) throw new ArgumentException($"{what}: image score is {imageScore}", nameof(imageScore));
        int n = (int)n64;
        if (_labelScratch.Length < n)
        {
            _labelScratch = new int[n];
            _stackScratch = new int[n];
            _keyScratch = new uint[n];
        }

        var areas = new List<int>();
        int regions = ConnectedRegions.Label(mask, height, width, _labelScratch, _stackScratch, areas);
        // Positive pixels are written region by region behind the negatives: next[r] is region r's next slot.
        var next = new int[regions + 1];
        int positives = 0;
        for (int r = 0; r < regions; r++) positives += areas[r];
        next[0] = 0;
        for (int r = 0, at = n - positives; r < regions; r++)
        {
            next[r + 1] = at;
            at += areas[r];
        }

        float imageMax = float.NegativeInfinity, imageMin = float.PositiveInfinity;
        for (int i = 0; i < n; i++)
        {
            float v = map[i];
            if (!float.IsFinite(v)) throw new ArgumentException($"{what}: map value {i} is {v}", nameof(map));
            if (v > imageMax) imageMax = v;
            if (v < imageMin) imageMin = v;
            _keyScratch[next[_labelScratch[i]]++] = FloatKey.From(v);
        }

        int negatives = n - positives;
        _pixels.Add(_keyScratch.AsSpan(0, negatives), _keyScratch.AsSpan(negatives, positives));
        _regionAreas.AddRange(areas);
        _regionsPerImage.Add(regions);
        _min = Math.Min(_min, imageMin);
        _max = Math.Max(_max, imageMax);
        _labels.Add(isAnomalous);
        _scores.Add(imageScore);
    }

    /// <summary>Adds one image with a boolean mask (true = defect pixel); see the byte overload.</summary>
    public void Add(ReadOnlySpan<float> map, ReadOnlySpan<bool> mask, int height, int width, bool isAnomalous, double imageScore) =>
        Add(map, MemoryMarshal.AsBytes(mask), height, width, isAnomalous, imageScore);

    /// <summary>Computes the metrics of everything added (once; later calls return the same instance).</summary>
    /// <param name="imageScores">Image scores that replace the ones given to Add, one per image in order (e.g. scores
    /// that need the whole class, such as <see cref="Detection.TransductiveScores"/>); null keeps the given ones.</param>
    /// <exception cref="InvalidOperationException">No image was added.</exception>
    /// <exception cref="ArgumentException"><paramref name="imageScores"/> has the wrong length.</exception>
    public ClassMetrics Compute(IReadOnlyList<double>? imageScores = null)
    {
        if (_result is not null) return _result;
        if (ImageCount == 0) throw new InvalidOperationException($"class '{ClassName}': no images were added");
        if (imageScores is not null && imageScores.Count != ImageCount)
            throw new ArgumentException($"class '{ClassName}': {imageScores.Count} image scores for {ImageCount} images", nameof(imageScores));

        var negatives = _pixels.Negatives;
        var positives = _pixels.Positives;
        var areas = RegionAreasInStoreOrder();
        var thresholds = AprilGanAupro.Thresholds(_min, _max);

        KeyRadixSort.Sort(negatives);
        AuproCurve = AprilGanAupro.Compute(thresholds, positives, areas, negatives);

        var regionOfPixel = new int[positives.Length];
        for (int r = 0, at = 0; r < areas.Length; r++)
        {
            regionOfPixel.AsSpan(at, areas[r]).Fill(r);
            at += areas[r];
        }
        KeyRadixSort.Sort(positives, regionOfPixel);
        var (pixel, auproStandard) = WalkPixels(positives, regionOfPixel, negatives, areas);

        ImageScoresUsed = imageScores?.ToArray() ?? _scores.ToArray();
        var image = ImageScoresUsed.All(double.IsFinite)
            ? RankingMetrics.Compute(ImageScoresUsed, _labels.ToArray())
            : new RankingMetrics(double.NaN, double.NaN, double.NaN);

        _result = new ClassMetrics(ClassName, pixel.Auroc, pixel.F1Max, pixel.AveragePrecision, AuproCurve.Value,
                                   image.Auroc, image.F1Max, image.AveragePrecision, auproStandard);
        return _result;
    }

    // The store fills positives from its back, so images lie there last-added first; regions keep their order.
    private int[] RegionAreasInStoreOrder()
    {
        var ordered = new int[_regionAreas.Count];
        int write = 0, readEnd = _regionAreas.Count;
        for (int img = _regionsPerImage.Count - 1; img >= 0; img--)
        {
            int k = _regionsPerImage[img];
            _regionAreas.CopyTo(readEnd - k, ordered, write, k);
            write += k;
            readEnd -= k;
        }
        return ordered;
    }

    // One descending merge over both sorted key arrays: a ranking point and a standard-PRO point per distinct score.
    private static (RankingMetrics Ranking, double AuproStandard) WalkPixels(
        ReadOnlySpan<uint> positives, ReadOnlySpan<int> regionOfPixel, ReadOnlySpan<uint> negatives, int[] areas)
    {
        var inverseArea = new double[areas.Length];
        for (int r = 0; r < areas.Length; r++) inverseArea[r] = 1.0 / areas[r];

        var curve = new RankingCurve(positives.Length, negatives.Length);
        var pro = new StandardAupro();
        double proSum = 0;
        long fp = 0;
        int i = positives.Length - 1, j = negatives.Length - 1;
        while (i >= 0 || j >= 0)
        {
            uint key = i < 0 ? negatives[j] : j < 0 ? positives[i] : Math.Max(positives[i], negatives[j]);
            long p = 0, q = 0;
            for (; i >= 0 && positives[i] == key; i--, p++) proSum += inverseArea[regionOfPixel[i]];
            for (; j >= 0 && negatives[j] == key; j--) q++;
            curve.AddGroup(p, q);
            fp += q;
            if (negatives.Length > 0 && areas.Length > 0) pro.Add((double)fp / negatives.Length, proSum / areas.Length);
        }
        double standard = negatives.Length > 0 && areas.Length > 0 ? pro.Finish() : double.NaN;
        return (curve.Result(), standard);
    }
}
