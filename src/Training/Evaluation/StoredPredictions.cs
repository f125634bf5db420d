using System.Globalization;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Training.Datasets;
using CsvHelper;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// Metrics of predictions made elsewhere (e.g. by <c>anomalyclip predict</c>), read from files:
/// <list type="bullet">
/// <item><b>scores CSV</b> with a header and columns <c>file</c> (image path or name), <c>class</c>, <c>score</c>
/// (the image score, used as given) and optionally <c>label</c> (0/1 or false/true; 1 = anomalous). Other columns
/// are ignored. Rows are grouped by class in order of first appearance; within a class, images keep CSV order.</item>
/// <item><b>maps</b>: a safetensors file with one floating-point [H, W] tensor per image, named by the image's file
/// stem (<c>000.png</c> → <c>000</c>), so stems must be unique across the CSV.</item>
/// <item><b>masks folder</b> holding <c>{stem}.png</c> or <c>{stem}_mask.png</c> (not both). A missing mask means a
/// normal image: all zeros. Any non-zero grey level is a defect pixel; a mask whose size differs from its map is
/// brought to the map size with APRIL-GAN's mask transform (<see cref="MaskPreprocessor"/>: bilinear, &gt; 0.5),
/// which needs a square map.</item>
/// </list>
/// Without a <c>label</c> column an image is anomalous when its mask (at its own size) has a defect pixel. An image
/// labelled anomalous without a mask makes its class's pixel metrics NaN (see <see cref="ClassEvaluation.PixelMetricsAvailable"/>).
/// One class's maps are loaded at a time.
/// </summary>
public static class StoredPredictions
{
    private static readonly string[] Required = ["file", "class", "score"];
    private const string LabelColumn = "label";

    private sealed record Row(int Number, string File, string Class, double Score, bool? Label, string Stem);

    /// <summary>Reads the three inputs and computes the metrics per class and their mean.</summary>
    /// <param name="mapsPath">The safetensors file of maps.</param>
    /// <param name="masksDirectory">The folder of ground-truth masks.</param>
    /// <param name="scoresCsv">The scores CSV.</param>
    /// <param name="decoder">Decodes the masks (pixel limits); the default decoder when null.</param>
    /// <exception cref="DatasetException">A file or folder is missing, the CSV lacks a column or has a bad value or a
    /// duplicate stem, a map is missing or not 2-D, a stem has two masks, or a mask cannot be brought to its map's size.</exception>
    /// <exception cref="AnomalyClip.Clip.ModelLoadException">The maps file is not valid safetensors.</exception>
    /// <exception cref="AnomalyClip.Clip.ImageLoadException">A mask cannot be decoded.</exception>
    public static EvaluationResult Evaluate(string mapsPath, string masksDirectory, string scoresCsv, ImageDecoder? decoder = null)
    {
        if (!Directory.Exists(masksDirectory)) throw new DatasetException(masksDirectory, "mask folder not found");
        if (!File.Exists(mapsPath)) throw new DatasetException(mapsPath, "maps file not found");
        if (!File.Exists(scoresCsv)) throw new DatasetException(scoresCsv, "scores CSV not found");
        decoder ??= new ImageDecoder();
        var rows = ReadRows(scoresCsv);
        CheckMaps(mapsPath, rows);

        var classes = rows.Select(r => r.Class).Distinct(StringComparer.Ordinal).ToArray();
        var results = new List<ClassEvaluation>();
        var lines = new List<string>();
        var preprocessors = new Dictionary<int, MaskPreprocessor>();
        foreach (var cls in classes)
        {
            var clsRows = rows.Where(r => r.Class == cls).ToArray();
            var evaluation = EvaluateClass(cls, clsRows, mapsPath, masksDirectory, decoder, preprocessors, out int masks);
            results.Add(evaluation);
            lines.Add($"{cls}: {evaluation.Images} images ({evaluation.Anomalous} anomalous), {masks} masks"
                + (evaluation.PixelMetricsAvailable ? "" : ", pixel metrics NaN: an anomalous image has no mask"));
        }
        var settings = new List<KeyValuePair<string, string>>
        {
            new("mode", "stored predictions"),
            new("maps", Path.GetFullPath(mapsPath)),
            new("masks", Path.GetFullPath(masksDirectory)),
            new("scores", Path.GetFullPath(scoresCsv)),
            new("classes", string.Join(",", classes)),
            new("image_score", "score column as given"),
            new("image_label", rows[0].Label is null ? "mask has a defect pixel" : "label column"),
        };
        return new EvaluationResult(results, settings, EvaluationResult.FormatLog(settings, lines), references: null);
    }

    private static ClassEvaluation EvaluateClass(string cls, Row[] rows, string mapsPath, string masksDirectory, ImageDecoder decoder,
        Dictionary<int, MaskPreprocessor> preprocessors, out int masks)
    {
        var stems = rows.Select(r => r.Stem).ToHashSet(StringComparer.Ordinal);
        var maps = SafeTensors.Load(mapsPath, stems.Contains);
        try
        {
            var accumulator = new ClassMetricsAccumulator(cls, rows.Sum(r => maps[r.Stem].numel()));
            bool pixelsKnown = true;
            int anomalous = 0;
            var outcomes = new List<ImageOutcome>(rows.Length);
            masks = 0;
            foreach (var row in rows)
            {
                var tensor = maps[row.Stem];
                int h = (int)tensor.shape[0], w = (int)tensor.shape[1];
                float[] map;
                using (var f = tensor.to_type(ScalarType.Float32)) map = f.data<float>().ToArray();
                var maskPath = FindMask(masksDirectory, row.Stem);
                byte[] mask;
                bool label;
                if (maskPath is null)
                {
                    mask = new byte[map.Length];
                    label = row.Label ?? false;
                    pixelsKnown &= !label;
                }
                else
                {
                    masks++;
                    var decoded = decoder.Decode(maskPath);
                    var own = MaskPixels.AtOwnSize(decoded);
                    mask = decoded.Width == w && decoded.Height == h ? own : Resized(decoded, maskPath, h, w, mapsPath, row.Stem, preprocessors);
                    label = row.Label ?? own.Any(b => b != 0);
                }
                if (label) anomalous++;
                accumulator.Add(map, mask, h, w, label, row.Score);
                outcomes.Add(new ImageOutcome(row.File, "", label, row.Score));
            }
            var metrics = accumulator.Compute();
            return new ClassEvaluation(pixelsKnown ? metrics : ClassEvaluation.WithoutPixelMetrics(metrics), rows.Length, anomalous, pixelsKnown, [], outcomes);
        }
        finally
        {
            foreach (var t in maps.Values) t.Dispose();
        }
    }

    private static byte[] Resized(DecodedImage mask, string maskPath, int h, int w, string mapsPath, string stem, Dictionary<int, MaskPreprocessor> preprocessors)
    {
        if (h != w)
            throw new DatasetException(maskPath, $"mask is {mask.Width}x{mask.Height} but map '{stem}' in {mapsPath} is {w}x{h}; masks are resized only to square maps (APRIL-GAN's S×S transform), so give a mask of the map's size");
        if (!preprocessors.TryGetValue(h, out var preprocessor)) preprocessors[h] = preprocessor = new MaskPreprocessor(h);
        return preprocessor.ToPixels(mask);
    }

    private static string? FindMask(string dir, string stem)
    {
        var plain = Path.Combine(dir, stem + ".png");
        var suffixed = Path.Combine(dir, stem + "_mask.png");
        bool hasPlain = File.Exists(plain), hasSuffixed = File.Exists(suffixed);
        if (hasPlain && hasSuffixed) throw new DatasetException(dir, $"two masks for '{stem}': {stem}.png and {stem}_mask.png; keep one");
        return hasPlain ? plain : hasSuffixed ? suffixed : null;
    }

    private static void CheckMaps(string mapsPath, List<Row> rows)
    {
        var (entries, _) = SafeTensors.ReadHeader(mapsPath);
        var byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!byName.TryGetValue(row.Stem, out var e))
                throw new DatasetException(mapsPath, $"no map named '{row.Stem}' (for {row.File}, CSV row {row.Number})");
            if (e.Shape.Length != 2 || e.Shape[0] < 1 || e.Shape[1] < 1)
                throw new DatasetException(mapsPath, $"map '{row.Stem}' has shape [{string.Join(",", e.Shape)}], expected a 2-D [H,W] map");
            if (e.DType is not (ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64))
                throw new DatasetException(mapsPath, $"map '{row.Stem}' has dtype {e.DType}, expected floating point");
        }
    }

    private static List<Row> ReadRows(string csvPath)
    {
        var rows = new List<Row>();
        try
        {
            using var csv = CsvReader.FromFile(csvPath, new CsvReaderOptions { HasHeader = true, FormatProvider = CultureInfo.InvariantCulture });
            var header = csv.Headers.Select(h => h.Trim()).ToList();
            var missing = Required.Where(c => !header.Contains(c, StringComparer.Ordinal)).ToList();
            if (missing.Count > 0)
                throw new DatasetException(csvPath, $"missing column(s) {string.Join(", ", missing)}; expected file,class,score[,label], found {string.Join(",", header)}");
            int file = header.IndexOf("file"), cls = header.IndexOf("class"), score = header.IndexOf("score"), label = header.IndexOf(LabelColumn);
            var stems = new Dictionary<string, string>(StringComparer.Ordinal);
            while (csv.Read())
            {
                int n = (int)csv.RowNumber;
                if (csv.FieldCount < header.Count)
                    throw new DatasetException(csvPath, $"data row {n} has {csv.FieldCount} fields, the header has {header.Count}");
                var path = csv.GetString(file).Trim();
                var className = csv.GetString(cls).Trim();
                if (path.Length == 0 || className.Length == 0) throw new DatasetException(csvPath, $"data row {n}: file and class must not be empty");
                var scoreText = csv.GetString(score).Trim();
                if (!double.TryParse(scoreText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                    throw new DatasetException(csvPath, $"data row {n}: score '{scoreText}' is not a finite number");
                var stem = Path.GetFileNameWithoutExtension(path.Replace('\\', '/').Split('/')[^1]);
                if (!stems.TryAdd(stem, path))
                    throw new DatasetException(csvPath, $"data row {n}: {path} has the same file stem '{stem}' as {stems[stem]}; maps and masks are named by stem, so stems must be unique");
                rows.Add(new Row(n, path, className, value, label < 0 ? null : ParseLabel(csv.GetString(label), csvPath, n), stem));
            }
        }
        catch (CsvFormatException e)
        {
            throw new DatasetException(csvPath, $"malformed CSV ({e.Message})", e);
        }
        if (rows.Count == 0) throw new DatasetException(csvPath, "no data rows");
        return rows;
    }

    private static bool ParseLabel(string text, string csvPath, int row) => text.Trim().ToLowerInvariant() switch
    {
        "1" or "true" => true,
        "0" or "false" => false,
        _ => throw new DatasetException(csvPath, $"data row {row}: label '{text}' is not 0/1 or false/true"),
    };
}
