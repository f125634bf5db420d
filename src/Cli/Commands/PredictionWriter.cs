using System.Globalization;
using System.Text;
using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Inference.Thresholds;
using AnomalyClip.Inference.Visualization;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// Writes what <c>predict</c> produces, each file atomically: overlays/, masks/ and contours/ PNGs per image as
/// results arrive, maps.safetensors (streamed, so memory stays flat), and results.csv + skipped.txt at the end.
/// </summary>
internal sealed class PredictionWriter : IDisposable
{
    public const string ResultsFile = "results.csv";
    public const string SkippedFile = "skipped.txt";
    public const string MapsFile = "maps.safetensors";

    private readonly string _out;
    private readonly DetectorThresholds? _thresholds;
    private readonly bool _overlays;
    private readonly HeatmapOverlayOptions _overlayOptions;
    private readonly bool _originalSize;
    private readonly SafeTensorsStreamWriter? _maps;
    private readonly List<PredictionRow> _rows = [];
    private readonly List<(string File, string Reason)> _skipped = [];

    /// <param name="outDir">Output folder.</param>
    /// <param name="thresholds">Image threshold labels the CSV; pixel threshold enables masks and contours.</param>
    /// <param name="saveMaps">Write maps.safetensors.</param>
    /// <param name="overlays">Write heatmap overlays.</param>
    /// <param name="fixedRange">Colour maps on this fixed [min, max] instead of per-image min-max; null for per-image.</param>
    /// <param name="originalSize">Overlays and masks at the source image size.</param>
    public PredictionWriter(string outDir, DetectorThresholds? thresholds, bool saveMaps, bool overlays, (double Min, double Max)? fixedRange, bool originalSize)
    {
        _out = outDir;
        _thresholds = thresholds;
        _overlays = overlays;
        _originalSize = originalSize;
        _overlayOptions = new HeatmapOverlayOptions
        {
            Size = originalSize ? OverlaySize.Original : OverlaySize.Model,
            Scale = fixedRange is { } range ? HeatmapScale.Fixed(range.Min, range.Max) : HeatmapScale.PerImage,
        };
        _maps = saveMaps ? new SafeTensorsStreamWriter(Path.Combine(outDir, MapsFile)) : null;
    }

    /// <summary>Records one result and returns its row; <paramref name="image"/> (null for tensor inputs) enables the pictures.</summary>
    public PredictionRow Add(string stem, AnomalyResult result, DecodedImage? image)
    {
        var row = new PredictionRow(stem, result.Source ?? stem, result.ClassName ?? ClassNames.DefaultObject, result.Score, result.TextProbability, result.MapMax);
        _rows.Add(row);
        _maps?.Add(stem, result.Map.Values, result.Map.Height, result.Map.Width);
        if (image is null) return row;
        if (_overlays)
        {
            using var overlay = HeatmapOverlay.Render(image, result, _overlayOptions);
            overlay.SavePng(Path.Combine(_out, "overlays", stem + ".png"));
        }
        if (_thresholds?.Pixel is double t)
        {
            using var mask = MaskImage.Create(result, t, _originalSize);
            mask.SavePng(Path.Combine(_out, "masks", stem + ".png"));
            using var contour = ContourOverlay.Render(image, result, t);
            contour.SavePng(Path.Combine(_out, "contours", stem + ".png"));
        }
        return row;
    }

    /// <summary>Records an input that could not be read.</summary>
    public void Skip(string file, string reason) => _skipped.Add((file, reason));

    /// <summary>Writes results.csv (few-shot scores rescored transductively when asked), maps and skipped.txt.</summary>
    public void Complete(bool transductive)
    {
        WriteResults(_out, _rows, _thresholds?.Image, transductive);
        WriteSkipped(_out, _skipped);
        _maps?.Complete();
    }

    /// <summary>
    /// Writes results.csv from <paramref name="rows"/> in order: with <paramref name="transductive"/> each class's
    /// scores are replaced by <see cref="TransductiveScores"/> over its rows, and with an image threshold a label
    /// column says which scores lie above it. A merge of predict shards writes its results.csv through here too.
    /// </summary>
    public static void WriteResults(string outDir, IReadOnlyList<PredictionRow> rows, double? imageThreshold, bool transductive)
    {
        var scores = rows.Select(r => r.Score).ToArray();
        if (transductive && rows.Count > 0)
            foreach (var group in rows.Select((r, i) => (r, i)).GroupBy(x => x.r.Class ?? ""))
            {
                var idx = group.Select(x => x.i).ToArray();
                var rescored = TransductiveScores.Compute(idx.Select(i => rows[i].TextProbability).ToArray(), idx.Select(i => rows[i].MapMax).ToArray());
                for (int j = 0; j < idx.Length; j++) scores[idx[j]] = rescored[j];
            }
        var csv = new StringBuilder("file,class,score,text_probability,map_max");
        if (imageThreshold is not null) csv.Append(",label");
        csv.Append('\n');
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            csv.Append(Csv.Field(r.Source)).Append(',').Append(Csv.Field(r.Class ?? "")).Append(',')
                .Append(scores[i].ToString("R", inv)).Append(',').Append(r.TextProbability?.ToString("R", inv) ?? "").Append(',').Append(r.MapMax.ToString("R", inv));
            if (imageThreshold is double t) csv.Append(',').Append(scores[i] > t ? '1' : '0');
            csv.Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, ResultsFile), csv.ToString());
    }

    /// <summary>Writes skipped.txt (one <c>file TAB reason</c> line per unreadable input) when anything was skipped.</summary>
    public static void WriteSkipped(string outDir, IReadOnlyList<(string File, string Reason)> skipped)
    {
        if (skipped.Count > 0) AtomicFile.WriteAllText(Path.Combine(outDir, SkippedFile), string.Concat(skipped.Select(s => $"{s.File}\t{s.Reason}\n")));
    }

    /// <summary>Releases the map stream; without <see cref="Complete"/> nothing is left behind.</summary>
    public void Dispose() => _maps?.Dispose();
}
