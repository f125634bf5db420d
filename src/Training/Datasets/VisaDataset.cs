using System.Globalization;
using CsvHelper;

namespace AnomalyClip.Training.Datasets;

/// <summary>
/// Reads VisA through its split file <c>{root}/split_csv/1cls.csv</c>, with columns <c>object, split, label, image,
/// mask</c> (paths relative to the root). As in APRIL-GAN's <c>data/visa.py</c>: rows are taken per class and split in
/// CSV order, a row is anomalous when <c>label</c> is <c>anomaly</c>, the mask column is used only for anomalous rows,
/// and the defect type is empty. Rows of classes that are not read are skipped.
/// </summary>
public static class VisaDataset
{
    /// <summary>The 12 VisA classes in the reference's order (APRIL-GAN <c>CLSNAMES</c>).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "candle", "capsules", "cashew", "chewinggum", "fryum", "macaroni1", "macaroni2", "pcb1", "pcb2", "pcb3",
        "pcb4", "pipe_fryum",
    ];

    /// <summary>The split file's path relative to the root.</summary>
    public const string SplitCsv = "split_csv/1cls.csv";

    private static readonly string[] Columns = ["object", "split", "label", "image", "mask"];

    private sealed record Row(int Number, string Object, string Split, bool Anomaly, string Image, string Mask);

    /// <summary>
    /// Reads the split file and lists the dataset. Checks the CSV and that every referenced file exists, but reads no
    /// image; call <see cref="AnomalyDataset.Validate"/> to check image headers and mask sizes.
    /// </summary>
    /// <exception cref="DatasetException">The root or CSV is missing, a column is missing, a split or label value is
    /// unknown, an anomalous row has no mask, a referenced file is missing, or a class has no rows.</exception>
    public static AnomalyDataset Load(string root, DatasetLoadOptions? options = null)
    {
        root = DatasetFiles.RequireRoot(root);
        var csvPath = DatasetFiles.Absolute(root, SplitCsv);
        if (!File.Exists(csvPath)) throw new DatasetException(csvPath, "VisA split file not found");
        var rows = ReadRows(csvPath);
        var classes = (options ?? new DatasetLoadOptions()).Resolve(ClassNames,
            () => rows.Select(r => r.Object).Distinct().Order(StringComparer.Ordinal).ToList());
        var train = new Dictionary<string, IReadOnlyList<AnomalySample>>(StringComparer.Ordinal);
        var test = new Dictionary<string, IReadOnlyList<AnomalySample>>(StringComparer.Ordinal);
        foreach (var cls in classes)
        {
            var clsRows = rows.Where(r => r.Object == cls).ToList();
            if (clsRows.Count == 0) throw new DatasetException(csvPath, $"class '{cls}' has no rows");
            train[cls] = clsRows.Where(r => r.Split == "train").Select(r => ToSample(root, csvPath, r)).ToList();
            test[cls] = clsRows.Where(r => r.Split == "test").Select(r => ToSample(root, csvPath, r)).ToList();
        }
        return new AnomalyDataset(root, classes, train, test);
    }

    private static List<Row> ReadRows(string csvPath)
    {
        var rows = new List<Row>();
        try
        {
            using var csv = CsvReader.FromFile(csvPath,
                new CsvReaderOptions { HasHeader = true, FormatProvider = CultureInfo.InvariantCulture });
            var header = csv.Headers;
            var missing = Columns.Where(c => !header.Contains(c, StringComparer.Ordinal)).ToList();
            if (missing.Count > 0)
                throw new DatasetException(csvPath, $"missing column(s) {string.Join(", ", missing)}; expected header {string.Join(",", Columns)}, found {string.Join(",", header)}");
            var index = Columns.Select(c => header.ToList().IndexOf(c)).ToArray();
            while (csv.Read())
            {
                var n = (int)csv.RowNumber;
                if (csv.FieldCount < header.Count)
                    throw new DatasetException(csvPath, $"data row {n} has {csv.FieldCount} fields, the header has {header.Count}");
                var f = index.Select(csv.GetString).ToArray();
                if (f[1] is not ("train" or "test"))
                    throw new DatasetException(csvPath, $"data row {n}: split is '{f[1]}', expected 'train' or 'test'");
                if (f[2] is not ("normal" or "anomaly"))
                    throw new DatasetException(csvPath, $"data row {n}: label is '{f[2]}', expected 'normal' or 'anomaly'");
                if (f[3].Length == 0) throw new DatasetException(csvPath, $"data row {n}: image is empty");
                var anomaly = f[2] == "anomaly";
                if (anomaly && f[4].Length == 0)
                    throw new DatasetException(csvPath, $"data row {n}: anomalous image {f[3]} has no mask");
                rows.Add(new Row(n, f[0], f[1], anomaly, f[3], f[4]));
            }
        }
        catch (CsvFormatException e)
        {
            throw new DatasetException(csvPath, $"malformed CSV ({e.Message})", e);
        }
        return rows;
    }

    private static AnomalySample ToSample(string root, string csvPath, Row row)
    {
        var image = DatasetFiles.Absolute(root, row.Image);
        if (!File.Exists(image)) throw new DatasetException(image, $"image listed in {csvPath} (data row {row.Number}) not found");
        string? mask = null, relMask = null;
        if (row.Anomaly)
        {
            relMask = row.Mask;
            mask = DatasetFiles.Absolute(root, relMask);
            if (!File.Exists(mask)) throw new DatasetException(mask, $"mask listed in {csvPath} (data row {row.Number}) not found");
        }
        return new AnomalySample(image, mask, row.Object, "", row.Anomaly, row.Image, relMask);
    }
}
